/**
 * The W3C Web Annotation Protocol (Recommendation, 2017) for every article: a Fetch-API handler,
 * `handleProtocolRequest(request)`, that server.ts calls ahead of Remix for protocol requests
 * (app/utils/protocol-dispatch.server.ts decides which; ADR 016).
 *
 * - `/articles/:slug/annotations/` is the article's annotation container, an LDP Basic Container
 *   that is also an AnnotationCollection: GET/HEAD with the container preferences (`Prefer`) and
 *   pages (`?page=n`, `?iris=1&page=n` for pages of IRIs); POST creates an annotation or a reply.
 * - `/articles/:slug/annotations/:id` is one annotation's IRI (also its HTML permalink, which
 *   browsers get): GET/HEAD, PUT (replace: its writer), DELETE (its writer).
 *
 * Who asks is `protocolActor`'s answer (a bearer token, else the session cookie, else an anonymous
 * reader); what they see is `visibleTo`'s (export.server.ts), so an annotation they may not see is
 * 404, never 403. Writes go through the forms' schemas, anchoring and model functions
 * (protocol-write.server.ts, annotation.server.ts) and the forms' write limits.
 *
 * Any origin may call with a token (CORS without credentials); a cookie never authorises a
 * request from another origin: it is dropped before `protocolActor` reads it.
 */
import { createHash } from "node:crypto";
import {
  type AnnotationPage,
  type CollectionInfo,
  pageCount,
  toPage,
} from "#app/interop/document.server";
import { isPlainObject, type PortableAnnotation } from "#app/interop/portable.server";
import {
  ANNO_CONTEXT,
  ANNOTATION_MEDIA_TYPE,
  annotationIri,
  MRG_CONTEXT,
  PAGE_SIZE,
} from "#app/interop/vocabulary";
import { fromW3C, toW3C } from "#app/interop/w3c.server";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  updateAnnotation,
} from "#app/models/annotation.server";
import { findArticle } from "#app/models/article.server";
import {
  countArticleAnnotations,
  getPortableAnnotation,
  listArticleAnnotations,
} from "#app/models/export.server";
import {
  type ProtocolArticle,
  type ProtocolRefusal,
  readNewAnnotation,
  readReplacement,
} from "#app/models/protocol-write.server";
import { reserveWrite } from "#app/models/write-limit.server";
import { db } from "#app/utils/db.server";
import { RateLimitedError, statusOf } from "#app/utils/errors";
import { siteOrigin } from "#app/utils/export-response.server";
import { type ProtocolActor, protocolActor } from "#app/utils/protocol-auth.server";
import { CORS_HEADERS } from "#app/utils/protocol-dispatch.server";
import { retryAfterHeaders } from "#app/utils/retry-after";
import { protocolAddress, requestOrigin } from "#app/utils/write-origin.server";

const LDP = "http://www.w3.org/ns/ldp#";
const OA = "http://www.w3.org/ns/oa#";
/** The LDP context the Recommendation's container examples name beside anno.jsonld. */
export const LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld";
export const PREFER_MINIMAL_CONTAINER = `${LDP}PreferMinimalContainer`;
export const PREFER_CONTAINED_IRIS = `${OA}PreferContainedIRIs`;
export const PREFER_CONTAINED_DESCRIPTIONS = `${OA}PreferContainedDescriptions`;

export const CONTAINER_LINK = [
  `<${LDP}BasicContainer>; rel="type"`,
  `<http://www.w3.org/TR/annotation-protocol/>; rel="${LDP}constrainedBy"`,
].join(", ");
export const ANNOTATION_LINK = [
  `<${LDP}Resource>; rel="type"`,
  `<${OA}Annotation>; rel="type"`,
].join(", ");
export const CONTAINER_ALLOW = "GET, HEAD, OPTIONS, POST";
export const ANNOTATION_ALLOW = "GET, HEAD, OPTIONS, PUT, DELETE";
/** What a container takes in a POST, and an annotation in a PUT. */
export const ACCEPT_POST = ANNOTATION_MEDIA_TYPE;

/**
 * What a response depends on: the representation asked for, the container preferences, and who
 * asks (a token, a cookie, and whether the request came from another origin, whose cookie is not
 * read).
 */
export const CONTAINER_VARY = "Accept, Prefer, Authorization, Cookie, Origin";
export const ANNOTATION_VARY = "Accept, Authorization, Cookie, Origin";

/** CORS: any origin, never with credentials (defined beside the middleware, which sends it too). */
export { CORS_HEADERS };
export const CORS_ALLOW_HEADERS =
  "Accept, Authorization, Content-Type, If-Match, If-None-Match, Prefer";
/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = "600";

/** A protocol body is one annotation: the forms' own limit on what a request may carry. */
export const MAX_PROTOCOL_BODY_BYTES = 256 * 1024;

export type ProtocolOptions = {
  /** Annotations per container page (tests use a small one). */
  pageSize?: number;
};

// ——— Responses ———

/** An RFC 9457 problem: what went wrong, for a script to show its person. */
function problem(
  status: number,
  detail: string,
  { errors, headers }: { errors?: string[]; headers?: HeadersInit } = {},
): Response {
  const body = {
    type: "about:blank",
    title: STATUS_TITLES[status] ?? "Error",
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  const out = new Headers(headers);
  out.set("Content-Type", "application/problem+json");
  out.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(body, null, 2), { status, headers: out });
}

const STATUS_TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
};

/** A Response thrown by `protocolActor` (a Bearer refusal), as a problem with its challenge. */
async function fromThrownResponse(response: Response): Promise<Response> {
  const detail = (await response.text()).trim() || (STATUS_TITLES[response.status] ?? "Refused");
  const headers: Record<string, string> = {};
  const challenge = response.headers.get("WWW-Authenticate");
  if (challenge) headers["WWW-Authenticate"] = challenge;
  return problem(response.status, detail, { headers });
}

/** A domain error as its status (errors.ts), or null for a bug. */
function fromDomainError(error: unknown, notFound = 404): Response | null {
  const status = statusOf(error);
  if (status === null) return null;
  const message = (error as Error).message;
  if (error instanceof RateLimitedError) {
    return problem(429, message, { headers: retryAfterHeaders(error.retryAt, error.now) });
  }
  if (status === 400) return problem(422, message);
  if (status === 404) return problem(notFound, message);
  return problem(status, message);
}

function refusalResponse(refusal: ProtocolRefusal): Response {
  const status = refusal.reason === "conflict" ? 409 : 422;
  return problem(status, refusal.errors[0] ?? "It cannot be written.", {
    errors: refusal.errors,
  });
}

/** A strong entity tag over the exact bytes sent (those responses are never compressed). */
function strongTag(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
}

/** A weak one, for container responses that compression may re-encode. */
function weakTag(body: string): string {
  return `W/${strongTag(body)}`;
}

/** `If-Match` (strong comparison, RFC 9110 §13.1.1): true when absent, `*`, or listing `etag`. */
export function ifMatchHolds(header: string | null, etag: string): boolean {
  if (header === null) return true;
  const tags = header.split(",").map((t) => t.trim());
  return tags.some((tag) => tag === "*" || (!tag.startsWith("W/") && tag === etag));
}

/** `If-None-Match` (weak comparison, RFC 9110 §13.1.2): whether it names `etag`, or is `*`. */
export function ifNoneMatchHolds(header: string | null, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

/**
 * Cache-Control for what a viewer may see: a signed-in browser's answers are stored nowhere (ADR
 * 009); others may be kept privately, always revalidated by ETag.
 */
function cacheControl(actor: ProtocolActor, transform = true): string {
  const base = actor.via === "session" ? "private, no-store" : "private, no-cache";
  return transform ? base : `${base}, no-transform`;
}

/**
 * A JSON-LD document with its media type and ETag; for GET and HEAD, a 304 instead when the
 * client's copy (If-None-Match) is current, and no body for HEAD.
 */
function jsonLdResponse(
  request: Request,
  document: unknown,
  headers: Record<string, string>,
  { weak, status = 200 }: { weak: boolean; status?: number },
): Response {
  const body = JSON.stringify(document, null, 2);
  const etag = weak ? weakTag(body) : strongTag(body);
  const all = { ...headers, "Content-Type": ANNOTATION_MEDIA_TYPE, ETag: etag };
  if (
    (request.method === "GET" || request.method === "HEAD") &&
    ifNoneMatchHolds(request.headers.get("If-None-Match"), etag)
  ) {
    const { "Content-Type": _type, ...rest } = all;
    return new Response(null, { status: 304, headers: rest });
  }
  return new Response(request.method === "HEAD" ? null : body, { status, headers: all });
}

// ——— Requests ———

/** Whether a body's media type is JSON-LD (the annotation profile, or none) or plain JSON. */
export function isAnnotationMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const [type = "", ...params] = contentType.split(";").map((p) => p.trim());
  const media = type.toLowerCase();
  if (media === "application/json") return true;
  if (media !== "application/ld+json") return false;
  const profile = params.find((p) => p.toLowerCase().startsWith("profile="));
  if (!profile) return true;
  const value = profile.slice("profile=".length).replace(/^"|"$/g, "");
  // A profile is a space-separated list of IRIs; the annotation context must be among them.
  return value.split(/\s+/).includes(ANNO_CONTEXT);
}

/** The container preferences a `Prefer` header states (RFC 7240; LDP's include parameter). */
export type ContainerPreference = {
  /** `return=representation` was asked for: honoured, so `Preference-Applied` says so. */
  stated: boolean;
  minimal: boolean;
  iris: boolean;
};

export function parseContainerPrefer(header: string | null): ContainerPreference {
  const out: ContainerPreference = { stated: false, minimal: false, iris: false };
  if (!header) return out;
  // Each preference: `token[=value]` then `; param="value"`; several are comma-separated.
  for (const preference of header.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const [head = "", ...params] = (preference.match(/(?:[^;"]|"[^"]*")+/g) ?? []).map((p) =>
      p.trim(),
    );
    if (head.toLowerCase().replace(/\s+/g, "") !== "return=representation") continue;
    out.stated = true;
    const included: string[] = [];
    const omitted: string[] = [];
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq === -1) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      const iris = param
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, "")
        .split(/\s+/)
        .filter(Boolean);
      if (name === "include") included.push(...iris);
      if (name === "omit") omitted.push(...iris);
    }
    if (included.includes(PREFER_MINIMAL_CONTAINER)) out.minimal = true;
    // Descriptions are the default; IRIs when asked for (or descriptions left out), unless the
    // same header also asks for descriptions.
    const wantsIris =
      included.includes(PREFER_CONTAINED_IRIS) || omitted.includes(PREFER_CONTAINED_DESCRIPTIONS);
    if (wantsIris && !included.includes(PREFER_CONTAINED_DESCRIPTIONS)) out.iris = true;
  }
  return out;
}

/**
 * What `protocolActor` reads to decide who asks: the request's headers, without its cookies when
 * it came from another origin, so that only a token (never a browser's ambient session)
 * authorises a cross-origin call. The body stays with the request.
 */
function credentialsOf(request: Request, origin: string): Request {
  const headers = new Headers(request.headers);
  const from = requestOrigin({
    origin: request.headers.get("Origin"),
    referer: request.headers.get("Referer"),
  });
  if (from !== null && from !== new URL(origin).origin) headers.delete("Cookie");
  return new Request(request.url, { method: "GET", headers });
}

async function readJsonBody(
  request: Request,
): Promise<{ ok: true; json: unknown } | { ok: false; response: Response }> {
  if (!isAnnotationMediaType(request.headers.get("Content-Type"))) {
    return {
      ok: false,
      response: problem(
        415,
        `Send the annotation as ${ANNOTATION_MEDIA_TYPE} (a W3C Web Annotation in JSON-LD).`,
        { headers: { "Accept-Post": ACCEPT_POST } },
      ),
    };
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_PROTOCOL_BODY_BYTES) {
    return { ok: false, response: problem(413, "That is more than one annotation can hold.") };
  }
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      response: problem(400, `The body is not JSON: ${(error as Error).message}`),
    };
  }
}

/** The body read as one W3C annotation, or the problem with it (400 malformed, 422 empty). */
async function readAnnotationBody(
  request: Request,
): Promise<{ ok: true; annotation: PortableAnnotation } | { ok: false; response: Response }> {
  const body = await readJsonBody(request);
  if (!body.ok) return body;
  if (isPlainObject(body.json) && Object.hasOwn(body.json, "canonical")) {
    // The Recommendation forbids changing or removing a canonical IRI, and Marginalia keeps none.
    return {
      ok: false,
      response: problem(
        422,
        "Marginalia cannot keep a canonical IRI (it mints its own IRIs); send the annotation without one.",
      ),
    };
  }
  const read = fromW3C(body.json);
  if (read.status === "invalid") {
    return {
      ok: false,
      response: problem(400, "It is not a W3C Web Annotation Marginalia can read.", {
        errors: read.errors,
      }),
    };
  }
  if (read.status === "skipped") return { ok: false, response: problem(422, read.reason) };
  return { ok: true, annotation: read.annotation };
}

// ——— The container ———

type Context = {
  request: Request;
  /** The headers that authenticate (see `credentialsOf`). */
  credentials: Request;
  origin: string;
  article: ProtocolArticle & { title: string };
  pageSize: number;
};

function containerIri(origin: string, slug: string): string {
  return `${origin.replace(/\/+$/, "")}/articles/${encodeURIComponent(slug)}/annotations/`;
}

/** A page's IRI (1-based `n`): its items as descriptions, or as IRIs (`iris=1`). */
function pageIri(container: string, n: number, iris: boolean): string {
  return iris ? `${container}?iris=1&page=${n}` : `${container}?page=${n}`;
}

/** Page `index` (0-based) of the container, its items described or named. */
function containerPage(
  ctx: Context,
  viewer: ProtocolActor["user"],
  info: CollectionInfo,
  index: number,
  iris: boolean,
  embedded: boolean,
): AnnotationPage | Record<string, unknown> {
  const items = listArticleAnnotations({
    db,
    viewer,
    articleId: ctx.article.id,
    origin: ctx.origin,
    offset: index * ctx.pageSize,
    limit: ctx.pageSize,
  });
  const page = toPage(info, index, items, { embedded });
  if (!iris) return page;
  return { ...page, items: items.map((item) => item.id) };
}

async function getContainer(ctx: Context): Promise<Response> {
  const { request, origin, article } = ctx;
  const actor = await protocolActor(ctx.credentials, "read");
  const url = new URL(request.url);
  const pageParam = url.searchParams.get("page");
  const id = containerIri(origin, article.slug);
  // Counted once per request; the page read below takes its ids from the same index.
  const total = countArticleAnnotations({ db, viewer: actor.user, articleId: article.id });
  const label = `Annotations on “${article.title}” (Marginalia)`;
  const headers: Record<string, string> = {
    Link: CONTAINER_LINK,
    Allow: CONTAINER_ALLOW,
    "Accept-Post": ACCEPT_POST,
    Vary: CONTAINER_VARY,
    "Cache-Control": cacheControl(actor),
  };

  if (pageParam !== null) {
    // A page names its own form (`iris=1`): it is fetched later, without the container's Prefer.
    const iris = url.searchParams.get("iris") === "1";
    if (!/^[1-9]\d{0,8}$/.test(pageParam)) {
      return problem(400, "?page= takes a page number from 1.");
    }
    const info: CollectionInfo = {
      id,
      label,
      total,
      pageSize: ctx.pageSize,
      pageIri: (n) => pageIri(id, n + 1, iris),
    };
    const index = Number(pageParam) - 1;
    if (index >= pageCount(info)) {
      return problem(404, "There is no such page of this container.", {
        headers: { Vary: CONTAINER_VARY },
      });
    }
    const page = containerPage(ctx, actor.user, info, index, iris, false);
    return jsonLdResponse(request, page, headers, { weak: true });
  }

  const preference = parseContainerPrefer(request.headers.get("Prefer"));
  if (preference.stated) headers["Preference-Applied"] = "return=representation";
  const info: CollectionInfo = {
    id,
    label,
    total,
    pageSize: ctx.pageSize,
    pageIri: (n) => pageIri(id, n + 1, preference.iris),
  };
  const pages = pageCount(info);
  const container: Record<string, unknown> = {
    "@context": [ANNO_CONTEXT, LDP_CONTEXT, MRG_CONTEXT],
    id,
    type: ["BasicContainer", "AnnotationCollection"],
    label,
    total,
  };
  if (pages > 0) {
    // A minimal container names its pages; otherwise the first page comes embedded, its items
    // described (the default) or named, as preferred.
    container.first = preference.minimal
      ? info.pageIri(0)
      : containerPage(ctx, actor.user, info, 0, preference.iris, true);
    container.last = info.pageIri(pages - 1);
  }
  return jsonLdResponse(request, container, headers, { weak: true });
}

async function postToContainer(ctx: Context): Promise<Response> {
  const { request, origin, article } = ctx;
  const actor = await protocolActor(ctx.credentials, "write");
  const author = actor.user;
  if (!author) return problem(401, "Writing here needs a personal API token.");
  const body = await readAnnotationBody(request);
  if (!body.ok) return body.response;
  const read = readNewAnnotation({ db, author, article, origin, annotation: body.annotation });
  if (!read.ok) return refusalResponse(read);

  // A token changes who is asking, never how much they may write (ADR 009, 013).
  let reservation: { release: () => void } | undefined;
  let id: number;
  try {
    reservation = reserveWrite({ db, userId: author.id, kind: "annotation" });
    const value = read.value;
    id =
      value.type === "root"
        ? createAnnotation({
            db,
            author,
            articleId: article.id,
            blockId: value.blockId,
            input: value.input,
          })
        : createReply({ db, author, parentId: value.parentId, input: value.input });
  } catch (error) {
    reservation?.release();
    // The thread it answers vanished meanwhile: the body's fault, not the container's absence.
    const response = fromDomainError(error, 422);
    if (response) return response;
    throw error;
  }
  const created = getPortableAnnotation({ db, viewer: author, id, origin });
  const iri = annotationIri(origin, article.slug, id);
  return jsonLdResponse(
    request,
    toW3C(created),
    {
      Location: iri,
      Link: ANNOTATION_LINK,
      Allow: ANNOTATION_ALLOW,
      Vary: ANNOTATION_VARY,
      "Cache-Control": cacheControl(actor, false),
    },
    { weak: false, status: 201 },
  );
}

// ——— One annotation ———

/**
 * The annotation at `id` as the actor may see it; a Response for one they may not (404, exactly as
 * the HTML permalink: never 403), one on another article (404), or one its writer deleted (410).
 */
function visibleAnnotation(
  ctx: Context,
  actor: ProtocolActor,
  id: number,
): { ok: true; annotation: PortableAnnotation } | { ok: false; response: Response } {
  const gone = (status: 404 | 410, message: string) => ({
    ok: false as const,
    response: problem(status, message, { headers: { Vary: ANNOTATION_VARY } }),
  });
  let found: PortableAnnotation;
  try {
    found = getPortableAnnotation({ db, viewer: actor.user, id, origin: ctx.origin });
  } catch (error) {
    if (statusOf(error) === 404) {
      return gone(404, "That annotation does not exist or is not visible to you.");
    }
    throw error;
  }
  if (found.id !== annotationIri(ctx.origin, ctx.article.slug, id)) {
    return gone(404, "That annotation does not exist or is not visible to you.");
  }
  if (found.withheld === "deleted") {
    return gone(410, "That annotation was deleted; its replies keep the thread.");
  }
  return { ok: true, annotation: found };
}

function annotationHeaders(actor: ProtocolActor): Record<string, string> {
  return {
    Link: ANNOTATION_LINK,
    Allow: ANNOTATION_ALLOW,
    Vary: ANNOTATION_VARY,
    // Never compressed: its ETag is strong (If-Match compares strongly) and names these bytes.
    "Cache-Control": cacheControl(actor, false),
  };
}

/** The annotation's current strong ETag for this actor: what `If-Match` is compared with. */
function currentTag(annotation: PortableAnnotation): string {
  return strongTag(JSON.stringify(toW3C(annotation), null, 2));
}

async function getOne(ctx: Context, id: number): Promise<Response> {
  const actor = await protocolActor(ctx.credentials, "read");
  const found = visibleAnnotation(ctx, actor, id);
  if (!found.ok) return found.response;
  return jsonLdResponse(ctx.request, toW3C(found.annotation), annotationHeaders(actor), {
    weak: false,
  });
}

function preconditionFailed(current: PortableAnnotation): Response {
  return problem(
    412,
    "The annotation changed since you read it (If-Match): read it again, then send your change.",
    { headers: { ETag: currentTag(current), Vary: ANNOTATION_VARY } },
  );
}

async function putOne(ctx: Context, id: number): Promise<Response> {
  const { request, origin } = ctx;
  const actor = await protocolActor(ctx.credentials, "write");
  const viewer = actor.user;
  if (!viewer) return problem(401, "Writing here needs a personal API token.");
  const found = visibleAnnotation(ctx, actor, id);
  if (!found.ok) return found.response;
  if (!ifMatchHolds(request.headers.get("If-Match"), currentTag(found.annotation))) {
    return preconditionFailed(found.annotation);
  }
  const body = await readAnnotationBody(request);
  if (!body.ok) return body.response;
  const read = readReplacement({ current: found.annotation, annotation: body.annotation });
  if (!read.ok) return refusalResponse(read);
  let reservation: { release: () => void } | undefined;
  try {
    // An edit costs from the same budget as a form's edit.
    reservation = reserveWrite({ db, userId: viewer.id, kind: "annotation" });
    updateAnnotation({ db, viewer, id, input: read.value });
  } catch (error) {
    reservation?.release();
    const response = fromDomainError(error);
    if (response) return response;
    throw error;
  }
  const updated = getPortableAnnotation({ db, viewer, id, origin });
  return jsonLdResponse(request, toW3C(updated), annotationHeaders(actor), { weak: false });
}

async function deleteOne(ctx: Context, id: number): Promise<Response> {
  const actor = await protocolActor(ctx.credentials, "write");
  const viewer = actor.user;
  if (!viewer) return problem(401, "Writing here needs a personal API token.");
  const found = visibleAnnotation(ctx, actor, id);
  if (!found.ok) return found.response;
  if (!ifMatchHolds(ctx.request.headers.get("If-Match"), currentTag(found.annotation))) {
    return preconditionFailed(found.annotation);
  }
  try {
    // As the form: the permission rule decides (its writer), and deleting costs no budget.
    deleteAnnotation({ db, viewer, id });
  } catch (error) {
    const response = fromDomainError(error);
    if (response) return response;
    throw error;
  }
  return new Response(null, { status: 204, headers: { Vary: ANNOTATION_VARY } });
}

// ——— Dispatch ———

function optionsResponse(allow: string, container: boolean): Response {
  return new Response(null, {
    status: 204,
    headers: {
      Allow: allow,
      Link: container ? CONTAINER_LINK : ANNOTATION_LINK,
      ...(container ? { "Accept-Post": ACCEPT_POST } : {}),
    },
  });
}

/** A CORS preflight: what a script on another origin may send here (never credentials). */
function preflight(allow: string): Response {
  return new Response(null, {
    status: 204,
    headers: {
      Allow: allow,
      "Access-Control-Allow-Methods": allow,
      "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
      "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
    },
  });
}

function methodNotAllowed(allow: string): Response {
  return problem(405, `This address takes ${allow}.`, { headers: { Allow: allow } });
}

async function route(request: Request, options: ProtocolOptions): Promise<Response> {
  const url = new URL(request.url);
  const address = protocolAddress(url.pathname);
  if (!address) return problem(404, "This is not an Annotation Protocol address.");
  const container = address.type === "container";
  const allow = container ? CONTAINER_ALLOW : ANNOTATION_ALLOW;
  const method = request.method.toUpperCase();
  // A preflight carries no credentials and asks only what may be sent: answered for any address.
  if (method === "OPTIONS" && request.headers.has("Access-Control-Request-Method")) {
    return preflight(allow);
  }
  let slug: string;
  try {
    slug = decodeURIComponent(address.slug);
  } catch {
    return problem(404, "No article has this address.");
  }
  const found = findArticle({ db, slug });
  if (!found) return problem(404, "No article has this address.");
  const origin = siteOrigin(request);
  const ctx: Context = {
    request,
    credentials: credentialsOf(request, origin),
    origin,
    article: { id: found.id, slug: found.slug, title: found.title, revisionId: found.revisionId },
    pageSize: options.pageSize ?? PAGE_SIZE,
  };
  if (method === "OPTIONS") return optionsResponse(allow, container);
  if (container) {
    if (method === "GET" || method === "HEAD") return getContainer(ctx);
    if (method === "POST") return postToContainer(ctx);
    return methodNotAllowed(allow);
  }
  const id = Number(address.id);
  if (!Number.isSafeInteger(id) || id < 1) {
    return problem(404, "That annotation does not exist or is not visible to you.");
  }
  if (method === "GET" || method === "HEAD") return getOne(ctx, id);
  if (method === "PUT") return putOne(ctx, id);
  if (method === "DELETE") return deleteOne(ctx, id);
  return methodNotAllowed(allow);
}

/**
 * Answers one Annotation Protocol request (see the module comment). Every answer, refusals
 * included, carries the CORS headers; a refusal is an `application/problem+json` document.
 */
export async function handleProtocolRequest(
  request: Request,
  options: ProtocolOptions = {},
): Promise<Response> {
  let response: Response;
  try {
    response = await route(request, options);
  } catch (error) {
    if (error instanceof Response) response = await fromThrownResponse(error);
    else throw error;
  }
  for (const [name, value] of Object.entries(CORS_HEADERS)) response.headers.set(name, value);
  return response;
}

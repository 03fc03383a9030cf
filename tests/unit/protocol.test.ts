/**
 * The W3C Web Annotation Protocol (app/interop/protocol.server.ts), driven with Fetch requests as
 * server.ts hands them over: the container and its preferences and pages, each annotation at its
 * IRI, create / replace / delete, the headers and statuses the Recommendation requires, CORS, and
 * who may do what (tokens, cookies, visibility, the write limits). Created annotations meet the
 * working group's schema musts.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  handleProtocolRequest,
  ifMatchHolds,
  isAnnotationMediaType,
  PREFER_CONTAINED_DESCRIPTIONS,
  PREFER_CONTAINED_IRIS,
  PREFER_MINIMAL_CONTAINER,
  parseContainerPrefer,
} from "#app/interop/protocol.server";
import { ANNO_CONTEXT, ANNOTATION_MEDIA_TYPE } from "#app/interop/vocabulary";
import { createToken, revokeToken } from "#app/models/api-token.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import { reserveWrite, WRITE_LIMITS } from "#app/models/write-limit.server";
import { annotation, writeEvent } from "#db/schema";
import {
  createThread,
  createThreadReply,
  db,
  ORIGIN,
  paragraph,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  seededArticle,
  signedInUser,
} from "./factories";
import { createGroupWith } from "./group-factories";
import { loadMusts, mustFailures } from "./w3c-schemas";

// The schemas compile once, before any test, however busy the machine.
beforeAll(loadMusts, 60_000);

const SLUG = SEED_ARTICLE_SLUG;
const CONTAINER = `/articles/${SLUG}/annotations/`;
const CONTAINER_IRI = `${ORIGIN}${CONTAINER}`;
const JSON_LD = ANNOTATION_MEDIA_TYPE;
const EVIL = "https://evil.example";

type Send = {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** A bearer token's secret. */
  token?: string;
  /** A signed-in browser's session cookie. */
  as?: SignedIn;
  pageSize?: number;
};

function send(path: string, options: Send = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (!headers.has("Accept")) headers.set("Accept", JSON_LD);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  if (options.as) headers.set("Cookie", options.as.cookie);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", JSON_LD);
  }
  const request = new Request(new URL(path, ORIGIN), {
    method: options.method ?? "GET",
    headers,
    body,
  });
  return handleProtocolRequest(request, { pageSize: options.pageSize });
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

function tokenFor(person: { id: string }, scope: "read" | "read-write" = "read-write"): string {
  return createToken(db, person.id, { name: `t-${scope}`, scope }).secret;
}

/** A few words that occur once in the demo article's paragraph `anchor`. */
function wordsOf(anchor: string, from = 10, length = 24): string {
  return Array.from(paragraph(anchor).text)
    .slice(from, from + length)
    .join("")
    .trim();
}

/** A W3C annotation on the demo article, quoting words of p-2, as another tool would send it. */
function newAnnotation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "@context": ANNO_CONTEXT,
    type: "Annotation",
    motivation: "commenting",
    body: { type: "TextualBody", value: "Posted by a script.", format: "text/markdown" },
    target: {
      source: `${ORIGIN}/articles/${SLUG}`,
      selector: { type: "TextQuoteSelector", exact: wordsOf("p-2") },
    },
    ...overrides,
  };
}

function idOf(location: string): number {
  return Number(location.split("/").pop());
}

let ada: SignedIn;
let bob: SignedIn;
let adaToken: string;
let bobToken: string;

beforeAll(async () => {
  ada = await signedInUser();
  bob = await signedInUser();
  adaToken = tokenFor(ada);
  bobToken = tokenFor(bob);
});

describe("the container", () => {
  it("answers GET as an LDP Basic Container and AnnotationCollection, with its headers", async () => {
    createThread(ada, { anchor: "p-1" });
    const response = await send(CONTAINER);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe(
      'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
    );
    const link = response.headers.get("Link") ?? "";
    expect(link).toContain('<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"');
    expect(link).toContain(
      '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"',
    );
    expect(response.headers.get("Allow")).toBe("GET, HEAD, OPTIONS, POST");
    expect(response.headers.get("Accept-Post")).toBe(JSON_LD);
    const vary = response.headers.get("Vary") ?? "";
    for (const header of ["Accept", "Prefer", "Authorization", "Cookie"]) {
      expect(vary).toContain(header);
    }
    expect(response.headers.get("ETag")).toMatch(/^W\/".+"$/);
    expect(response.headers.get("Preference-Applied")).toBeNull();
    const container = await json(response);
    expect(container["@context"]).toEqual(
      expect.arrayContaining([ANNO_CONTEXT, "http://www.w3.org/ns/ldp.jsonld"]),
    );
    expect(container.id).toBe(CONTAINER_IRI);
    expect(container.type).toEqual(["BasicContainer", "AnnotationCollection"]);
    expect(container.label).toMatch(/Annotations on/);
    expect(container.total).toBeGreaterThan(0);
    // By default the first page comes embedded, its annotations described in full.
    const first = container.first as Record<string, unknown>;
    expect(first.type).toBe("AnnotationPage");
    expect(first.id).toBe(`${CONTAINER_IRI}?page=1`);
    expect((first.items as unknown[])[0]).toMatchObject({ type: "Annotation" });
    expect(container.last).toMatch(/\?page=\d+$/);
    expect(mustFailures("collection", container)).toEqual([]);
  });

  it("honours PreferMinimalContainer: page IRIs only, nothing embedded", async () => {
    const response = await send(CONTAINER, {
      headers: { Prefer: `return=representation;include="${PREFER_MINIMAL_CONTAINER}"` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Preference-Applied")).toBe("return=representation");
    const container = await json(response);
    expect(container.first).toBe(`${CONTAINER_IRI}?page=1`);
    expect(typeof container.last).toBe("string");
    expect(JSON.stringify(container)).not.toContain('"items"');
  });

  it("honours PreferContainedIRIs: the pages list IRIs, and their own IRIs say so", async () => {
    const response = await send(CONTAINER, {
      headers: { Prefer: `return=representation; include="${PREFER_CONTAINED_IRIS}"` },
    });
    expect(response.headers.get("Preference-Applied")).toBe("return=representation");
    const container = await json(response);
    const first = container.first as { id: string; items: unknown[] };
    expect(first.id).toBe(`${CONTAINER_IRI}?iris=1&page=1`);
    for (const item of first.items) {
      expect(item).toMatch(new RegExp(`^${CONTAINER_IRI}\\d+$`));
    }
    // Fetched later without any Prefer, the page keeps its form.
    const page = await json(await send(first.id.slice(ORIGIN.length)));
    expect(page.items).toEqual(first.items);
    // Minimal and IRIs together: the page addresses are the IRI pages.
    const minimal = await json(
      await send(CONTAINER, {
        headers: {
          Prefer: `return=representation;include="${PREFER_MINIMAL_CONTAINER} ${PREFER_CONTAINED_IRIS}"`,
        },
      }),
    );
    expect(minimal.first).toBe(`${CONTAINER_IRI}?iris=1&page=1`);
  });

  it("honours PreferContainedDescriptions, the default", async () => {
    const response = await send(CONTAINER, {
      headers: { Prefer: `return=representation;include="${PREFER_CONTAINED_DESCRIPTIONS}"` },
    });
    expect(response.headers.get("Preference-Applied")).toBe("return=representation");
    const first = (await json(response)).first as { items: Record<string, unknown>[] };
    expect(first.items[0]?.type).toBe("Annotation");
  });

  it("pages: partOf, startIndex, next and prev link every page from first to last", async () => {
    for (let i = 0; i < 4; i++) createThread(bob, { anchor: "p-3", body: `Paging ${i}` });
    const pageSize = 2;
    const container = await json(await send(CONTAINER, { pageSize }));
    const total = container.total as number;
    const pages = Math.ceil(total / pageSize);
    expect(pages).toBeGreaterThan(2);
    const seen: string[] = [];
    let address: string | undefined = `${CONTAINER_IRI}?page=1`;
    let previous: string | undefined;
    for (let n = 1; address; n++) {
      const response = await send(address.slice(ORIGIN.length), { pageSize });
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe(JSON_LD);
      const page = await json(response);
      expect(mustFailures("page", page)).toEqual([]);
      expect(page.id).toBe(address);
      expect(page.type).toBe("AnnotationPage");
      expect(page.partOf).toMatchObject({ id: CONTAINER_IRI, total });
      expect(page.startIndex).toBe((n - 1) * pageSize);
      expect(page.prev).toBe(previous);
      for (const item of page.items as { id: string }[]) seen.push(item.id);
      previous = address;
      address = page.next as string | undefined;
      if (!address) expect(previous).toBe(container.last);
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    // Past the last page, and a page that is no number.
    expect((await send(`${CONTAINER}?page=${pages + 1}`, { pageSize })).status).toBe(404);
    expect((await send(`${CONTAINER}?page=0`)).status).toBe(400);
    expect((await send(`${CONTAINER}?page=two`)).status).toBe(400);
  });

  it("answers HEAD with GET's headers and no body, and 304 when If-None-Match names its ETag", async () => {
    const get = await send(CONTAINER);
    const etag = get.headers.get("ETag") as string;
    const head = await send(CONTAINER, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("ETag")).toBe(etag);
    expect(head.headers.get("Link")).toBe(get.headers.get("Link"));
    expect(await head.text()).toBe("");
    const again = await send(CONTAINER, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);
    expect(again.headers.get("Vary")).toContain("Prefer");
    expect(await again.text()).toBe("");
    // The ETag follows the content: a new annotation changes it.
    createThread(ada, { anchor: "p-4" });
    const changed = await send(CONTAINER, { headers: { "If-None-Match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("ETag")).not.toBe(etag);
    // Each representation has its own.
    const minimal = await send(CONTAINER, {
      headers: { Prefer: `return=representation;include="${PREFER_MINIMAL_CONTAINER}"` },
    });
    expect(minimal.headers.get("ETag")).not.toBe(changed.headers.get("ETag"));
  });

  it("answers OPTIONS with Allow and Accept-Post; other methods 405 with Allow", async () => {
    const options = await send(CONTAINER, { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("Allow")).toBe("GET, HEAD, OPTIONS, POST");
    expect(options.headers.get("Accept-Post")).toBe(JSON_LD);
    const put = await send(CONTAINER, { method: "PUT", body: newAnnotation(), token: adaToken });
    expect(put.status).toBe(405);
    expect(put.headers.get("Allow")).toBe("GET, HEAD, OPTIONS, POST");
  });

  it("is 404 for an article that does not exist", async () => {
    const response = await send("/articles/no-such-article/annotations/");
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  });
});

describe("creating (POST to the container)", () => {
  it("creates a thread on the quoted words: 201, Location, the annotation and its ETag", async () => {
    const before = (await json(await send(CONTAINER))).total as number;
    const quote = wordsOf("p-2");
    const response = await send(CONTAINER, {
      method: "POST",
      body: newAnnotation(),
      token: adaToken,
    });
    expect(response.status).toBe(201);
    const location = response.headers.get("Location") as string;
    expect(location).toMatch(new RegExp(`^${CONTAINER_IRI}\\d+$`));
    expect(response.headers.get("Content-Type")).toBe(JSON_LD);
    expect(response.headers.get("ETag")).toMatch(/^".+"$/);
    expect(response.headers.get("Link")).toContain(
      '<http://www.w3.org/ns/ldp#Resource>; rel="type"',
    );
    const created = await json(response);
    expect(created.id).toBe(location);
    expect(created.creator).toMatchObject({ nickname: ada.username });
    expect(mustFailures("annotation", created)).toEqual([]);
    // Anchored as the form would: on p-2 of the current revision, the quote described there.
    const row = db
      .select()
      .from(annotation)
      .where(eq(annotation.id, idOf(location)))
      .get();
    expect(row).toMatchObject({
      blockId: paragraph("p-2").id,
      quoteExact: quote,
      authorId: ada.id,
    });
    expect(row?.quotePrefix).not.toBeNull();
    // Readable at its IRI with the same ETag, and counted in the container.
    const read = await send(location.slice(ORIGIN.length));
    expect(read.status).toBe(200);
    expect(read.headers.get("ETag")).toBe(response.headers.get("ETag"));
    expect((await json(await send(CONTAINER))).total).toBe(before + 1);
  });

  it("reads a paragraph FragmentSelector refined by a quote, and by a position", async () => {
    const text = paragraph("p-5").text;
    const byQuote = await send(CONTAINER, {
      method: "POST",
      token: adaToken,
      body: newAnnotation({
        target: {
          source: `${ORIGIN}/articles/${SLUG}/revisions/1`,
          selector: {
            type: "FragmentSelector",
            value: "p-5",
            refinedBy: { type: "TextQuoteSelector", exact: wordsOf("p-5", 0, 12) },
          },
        },
      }),
    });
    expect(byQuote.status).toBe(201);
    const byPosition = await send(CONTAINER, {
      method: "POST",
      token: adaToken,
      body: newAnnotation({
        target: {
          source: `${ORIGIN}/articles/${SLUG}`,
          selector: {
            type: "FragmentSelector",
            value: "p-5",
            refinedBy: { type: "TextPositionSelector", start: 0, end: 12 },
          },
        },
      }),
    });
    expect(byPosition.status).toBe(201);
    const row = db
      .select()
      .from(annotation)
      .where(eq(annotation.id, idOf(byPosition.headers.get("Location") as string)))
      .get();
    expect(row?.quoteExact).toBe(Array.from(text).slice(0, 12).join("").trim());
    // The whole paragraph, without a passage.
    const whole = await send(CONTAINER, {
      method: "POST",
      token: adaToken,
      body: newAnnotation({ target: `${ORIGIN}/articles/${SLUG}#p-5` }),
    });
    expect(whole.status).toBe(201);
  });

  it("creates a reply when the target is an annotation of this article", async () => {
    const parent = createThread(bob);
    const response = await send(CONTAINER, {
      method: "POST",
      token: adaToken,
      body: {
        "@context": ANNO_CONTEXT,
        type: "Annotation",
        motivation: "replying",
        bodyValue: "An answer from a script.",
        target: `${CONTAINER_IRI}${parent}`,
      },
    });
    expect(response.status).toBe(201);
    const reply = await json(response);
    expect(reply.motivation).toBe("replying");
    expect(reply.target).toBe(`${CONTAINER_IRI}${parent}`);
    expect(mustFailures("annotation", reply)).toEqual([]);
    const row = db
      .select()
      .from(annotation)
      .where(eq(annotation.id, idOf(reply.id as string)))
      .get();
    expect(row).toMatchObject({ parentId: parent, depth: 1 });
  });

  it("writes a private note and a group annotation as their visibility says", async () => {
    const groupId = createGroupWith(db, { owner: ada, members: [] });
    const privateNote = await send(CONTAINER, {
      method: "POST",
      token: adaToken,
      body: newAnnotation({ "mrg:visibility": "private" }),
    });
    expect(privateNote.status).toBe(201);
    expect((await json(privateNote))["mrg:visibility"]).toBe("private");
    const inGroup = await send(CONTAINER, {
      method: "POST",
      token: adaToken,
      body: newAnnotation({
        "mrg:visibility": "group",
        "mrg:group": { id: `${ORIGIN}/groups/${groupId}` },
      }),
    });
    expect(inGroup.status).toBe(201);
    // Bob is not in the group: refused as the form refuses him.
    const notMember = await send(CONTAINER, {
      method: "POST",
      token: bobToken,
      body: newAnnotation({
        "mrg:visibility": "group",
        "mrg:group": { id: `${ORIGIN}/groups/${groupId}` },
      }),
    });
    expect(notMember.status).toBe(422);
  });

  it("refuses an unsupported media type with 415 and Accept-Post", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
      const response = await send(CONTAINER, {
        method: "POST",
        token: adaToken,
        body: JSON.stringify(newAnnotation()),
        headers: { "Content-Type": type },
      });
      expect(response.status, type).toBe(415);
      expect(response.headers.get("Accept-Post")).toBe(JSON_LD);
    }
    expect(isAnnotationMediaType("application/ld+json")).toBe(true);
    expect(isAnnotationMediaType(JSON_LD)).toBe(true);
    expect(isAnnotationMediaType("application/json; charset=utf-8")).toBe(true);
    expect(isAnnotationMediaType('application/ld+json; profile="https://example.org/other"')).toBe(
      false,
    );
  });

  it("refuses malformed JSON with 400 and a problem document, writing nothing", async () => {
    const before = db.select().from(annotation).all().length;
    const response = await send(CONTAINER, { method: "POST", token: adaToken, body: "{not json" });
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    const problem = await json(response);
    expect(problem).toMatchObject({ status: 400, title: "Bad Request" });
    expect(problem.detail).toMatch(/not JSON/);
    expect(db.select().from(annotation).all()).toHaveLength(before);
  });

  it("refuses what is not a W3C annotation (400) and what cannot be placed (422), saying why", async () => {
    const noTarget = await send(CONTAINER, {
      method: "POST",
      token: adaToken,
      body: newAnnotation({ target: undefined }),
    });
    expect(noTarget.status).toBe(400);
    expect((await json(noTarget)).errors).toContain("It has no target.");
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        newAnnotation({
          target: {
            source: `${ORIGIN}/articles/${SLUG}`,
            selector: { type: "TextQuoteSelector", exact: "words this article never says" },
          },
        }),
        /do not occur/,
      ],
      [
        newAnnotation({
          target: {
            source: `${ORIGIN}/articles/${SLUG}`,
            selector: {
              type: "FragmentSelector",
              value: "p-2",
              refinedBy: { type: "TextQuoteSelector", exact: wordsOf("p-3") },
            },
          },
        }),
        /do not occur in paragraph/,
      ],
      [newAnnotation({ target: "https://example.org/elsewhere" }), /not this article/],
      [newAnnotation({ target: `${ORIGIN}/articles/${SLUG}` }), /annotates paragraphs/],
      [newAnnotation({ target: `${ORIGIN}/articles/${SLUG}#p-99999` }), /no paragraph p-99999/],
      [newAnnotation({ canonical: "urn:uuid:1b2c" }), /canonical/],
      [
        newAnnotation({ motivation: "replying", target: `${CONTAINER_IRI}999999` }),
        /does not exist or is not visible/,
      ],
      [newAnnotation({ body: undefined, motivation: "highlighting" }), /highlight/],
    ];
    for (const [body, message] of cases) {
      const response = await send(CONTAINER, { method: "POST", token: adaToken, body });
      expect(response.status, String(message)).toBe(422);
      expect((await json(response)).detail).toMatch(message);
    }
  });

  it("applies the person's write limit, as the forms do, and writes nothing past it", async () => {
    const writer = await signedInUser();
    const token = tokenFor(writer);
    const max = Math.min(...WRITE_LIMITS.annotation.map((limit) => limit.max));
    for (let i = 0; i < max; i++) reserveWrite({ db, userId: writer.id, kind: "annotation" });
    const before = db.select().from(annotation).all().length;
    const response = await send(CONTAINER, { method: "POST", token, body: newAnnotation() });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(db.select().from(annotation).all()).toHaveLength(before);
    // A refused body costs nothing from the budget.
    const other = await signedInUser();
    const otherToken = tokenFor(other);
    await send(CONTAINER, { method: "POST", token: otherToken, body: "{" });
    await send(CONTAINER, {
      method: "POST",
      token: otherToken,
      body: newAnnotation({ target: "https://example.org/" }),
    });
    expect(db.select().from(writeEvent).where(eq(writeEvent.userId, other.id)).all()).toHaveLength(
      0,
    );
    expect(
      (await send(CONTAINER, { method: "POST", token: otherToken, body: newAnnotation() })).status,
    ).toBe(201);
    expect(db.select().from(writeEvent).where(eq(writeEvent.userId, other.id)).all()).toHaveLength(
      1,
    );
  });
});

describe("authorisation", () => {
  it("reads anonymously, but writing needs a token or a session (401 with a Bearer challenge)", async () => {
    expect((await send(CONTAINER)).status).toBe(200);
    const response = await send(CONTAINER, { method: "POST", body: newAnnotation() });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm=/);
  });

  it("a read token reads but may not write: 403 insufficient_scope", async () => {
    const token = tokenFor(ada, "read");
    expect((await send(CONTAINER, { token })).status).toBe(200);
    const response = await send(CONTAINER, { method: "POST", token, body: newAnnotation() });
    expect(response.status).toBe(403);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/insufficient_scope/);
    const id = createThread(ada);
    const put = await send(`${CONTAINER}${id}`, { method: "PUT", token, body: newAnnotation() });
    expect(put.status).toBe(403);
    expect((await send(`${CONTAINER}${id}`, { method: "DELETE", token })).status).toBe(403);
  });

  it("a revoked or unknown token is refused (401 invalid_token), even for reading", async () => {
    const person = await signedInUser();
    const { secret, token } = createToken(db, person.id, { name: "old", scope: "read-write" });
    revokeToken(db, person.id, token.id);
    for (const method of ["GET", "POST"]) {
      const response = await send(CONTAINER, {
        method,
        token: secret,
        body: method === "POST" ? newAnnotation() : undefined,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/invalid_token/);
    }
    const unknown = await send(CONTAINER, { token: `mrg_${"x".repeat(43)}` });
    expect(unknown.status).toBe(401);
  });

  it("a token decides alone: a bad token is not rescued by a session cookie", async () => {
    const response = await send(CONTAINER, { token: `mrg_${"x".repeat(43)}`, as: ada });
    expect(response.status).toBe(401);
  });

  it("a signed-in browser on our own pages writes with its cookie", async () => {
    const response = await send(CONTAINER, {
      method: "POST",
      as: bob,
      headers: { Origin: ORIGIN },
      body: newAnnotation(),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toContain("no-store");
  });

  it("a cookie never authorises a request from another origin", async () => {
    const note = createThread(ada, { visibility: "private" });
    const own = await send(`${CONTAINER}${note}`, { as: ada, headers: { Origin: ORIGIN } });
    expect(own.status).toBe(200);
    const foreign = await send(`${CONTAINER}${note}`, { as: ada, headers: { Origin: EVIL } });
    expect(foreign.status).toBe(404);
    const write = await send(CONTAINER, {
      method: "POST",
      as: ada,
      headers: { Origin: EVIL },
      body: newAnnotation(),
    });
    expect(write.status).toBe(401);
  });

  it("private notes and group annotations are 404 to those who may not see them, never 403", async () => {
    const groupMember = await signedInUser();
    const groupId = createGroupWith(db, { owner: ada, members: [groupMember] });
    const note = createThread(ada, { visibility: "private", body: "Only mine." });
    const inGroup = createThread(ada, { visibility: "group", groupId, body: "Only ours." });
    const memberToken = tokenFor(groupMember, "read");
    const cases: [number, Send, number][] = [
      [note, {}, 404],
      [note, { token: bobToken }, 404],
      [note, { as: bob }, 404],
      [note, { token: memberToken }, 404],
      [note, { token: adaToken }, 200],
      [inGroup, {}, 404],
      [inGroup, { token: bobToken }, 404],
      [inGroup, { token: memberToken }, 200],
      [inGroup, { token: adaToken }, 200],
    ];
    for (const [id, options, status] of cases) {
      const response = await send(`${CONTAINER}${id}`, options);
      expect(response.status, `${id} ${JSON.stringify(Object.keys(options))}`).toBe(status);
    }
    // Writes to what one may not see are 404 too.
    expect((await send(`${CONTAINER}${note}`, { method: "DELETE", token: bobToken })).status).toBe(
      404,
    );
    expect(
      (await send(`${CONTAINER}${note}`, { method: "PUT", token: bobToken, body: newAnnotation() }))
        .status,
    ).toBe(404);
    // The container lists exactly what each may see.
    const ids = async (options: Send) => {
      const page = await json(
        await send(`${CONTAINER}?iris=1&page=1`, { ...options, pageSize: 10_000 }),
      );
      return page.items as string[];
    };
    const anonymous = await ids({});
    expect(anonymous).not.toContain(`${CONTAINER_IRI}${note}`);
    expect(anonymous).not.toContain(`${CONTAINER_IRI}${inGroup}`);
    expect(await ids({ token: memberToken })).toContain(`${CONTAINER_IRI}${inGroup}`);
    expect(await ids({ token: memberToken })).not.toContain(`${CONTAINER_IRI}${note}`);
    expect(await ids({ token: adaToken })).toEqual(
      expect.arrayContaining([`${CONTAINER_IRI}${note}`, `${CONTAINER_IRI}${inGroup}`]),
    );
  });
});

describe("the permission rule, as on the pages", () => {
  it("a site admin neither reads private notes nor deletes or replaces others' annotations", async () => {
    const admin = await signedInUser({ role: "admin" });
    const adminToken = tokenFor(admin);
    const note = createThread(ada, { visibility: "private" });
    const open = createThread(ada);
    expect((await send(`${CONTAINER}${note}`, { token: adminToken })).status).toBe(404);
    const current = await json(await send(`${CONTAINER}${open}`, { token: adminToken }));
    expect(
      (await send(`${CONTAINER}${open}`, { method: "DELETE", token: adminToken })).status,
    ).toBe(403);
    expect(
      (
        await send(`${CONTAINER}${open}`, {
          method: "PUT",
          token: adminToken,
          body: { ...current, body: { type: "TextualBody", value: "Not mine to change." } },
        })
      ).status,
    ).toBe(403);
    // Anyone who can see it may answer it.
    const reply = await send(CONTAINER, {
      method: "POST",
      token: adminToken,
      body: {
        "@context": ANNO_CONTEXT,
        type: "Annotation",
        motivation: "replying",
        bodyValue: "An admin's answer.",
        target: `${CONTAINER_IRI}${open}`,
      },
    });
    expect(reply.status).toBe(201);
  });
});

describe("one annotation at its IRI", () => {
  it("answers GET and HEAD with Link, Allow, Vary, ETag and the media type; 304 when unchanged", async () => {
    const id = createThread(ada, { anchor: "p-2" });
    const path = `${CONTAINER}${id}`;
    const response = await send(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe(JSON_LD);
    expect(response.headers.get("Link")).toContain(
      '<http://www.w3.org/ns/ldp#Resource>; rel="type"',
    );
    expect(response.headers.get("Allow")).toBe("GET, HEAD, OPTIONS, PUT, DELETE");
    expect(response.headers.get("Vary")).toContain("Accept");
    const etag = response.headers.get("ETag") as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    const body = await json(response);
    expect(body.id).toBe(`${CONTAINER_IRI}${id}`);
    expect(mustFailures("annotation", body)).toEqual([]);
    const head = await send(path, { method: "HEAD" });
    expect(head.headers.get("ETag")).toBe(etag);
    expect(await head.text()).toBe("");
    expect((await send(path, { headers: { "If-None-Match": etag } })).status).toBe(304);
    expect((await send(path, { headers: { "If-None-Match": `W/${etag}` } })).status).toBe(304);
    const options = await send(path, { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("Allow")).toBe("GET, HEAD, OPTIONS, PUT, DELETE");
    expect((await send(path, { method: "POST", token: adaToken, body: {} })).status).toBe(405);
  });

  it("is 404 for an annotation of another article, or none", async () => {
    const source = "A Second Article\n\nIts only paragraph says something else entirely.";
    const other = importArticle(db, parseArticle(source, { markdown: false }), {
      slug: "second-article",
    });
    expect(other.articleId).not.toBe(seededArticle().id);
    const id = createThread(ada);
    expect((await send(`/articles/second-article/annotations/${id}`)).status).toBe(404);
    expect((await send(`${CONTAINER}99999999`)).status).toBe(404);
    // Nor can a reply reach across: its target must be in the container's article.
    const reply = await send("/articles/second-article/annotations/", {
      method: "POST",
      token: adaToken,
      body: { ...newAnnotation({ motivation: "replying" }), target: `${CONTAINER_IRI}${id}` },
    });
    expect(reply.status).toBe(422);
  });

  it("PUT replaces its words for its writer: 200, the new annotation, a new ETag", async () => {
    const created = await send(CONTAINER, {
      method: "POST",
      token: adaToken,
      body: newAnnotation(),
    });
    const location = created.headers.get("Location") as string;
    const path = location.slice(ORIGIN.length);
    const etag = created.headers.get("ETag") as string;
    const current = await json(created);
    const replacement = {
      ...current,
      body: { type: "TextualBody", value: "Changed by a script.", format: "text/markdown" },
    };
    // A stale If-Match: 412, nothing changed.
    const stale = await send(path, {
      method: "PUT",
      token: adaToken,
      headers: { "If-Match": '"not-the-current-one"' },
      body: replacement,
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("ETag")).toBe(etag);
    const row = () =>
      db
        .select()
        .from(annotation)
        .where(eq(annotation.id, idOf(location)))
        .get();
    expect(row()?.body).toBe("Posted by a script.");
    // A weak tag never matches If-Match (strong comparison).
    expect(
      (
        await send(path, {
          method: "PUT",
          token: adaToken,
          headers: { "If-Match": `W/${etag}` },
          body: replacement,
        })
      ).status,
    ).toBe(412);
    const response = await send(path, {
      method: "PUT",
      token: adaToken,
      headers: { "If-Match": etag },
      body: replacement,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).not.toBe(etag);
    const updated = await json(response);
    expect(updated.body).toMatchObject({ value: "Changed by a script." });
    expect(updated.modified).not.toBe(updated.created);
    expect(row()?.body).toBe("Changed by a script.");
    // Without If-Match it is accepted too (the Recommendation has clients send it; it is not required).
    const again = await send(path, {
      method: "PUT",
      token: adaToken,
      body: { ...replacement, body: { type: "TextualBody", value: "Third words." } },
    });
    expect(again.status).toBe(200);
    // Another reader may not: the permission rule's refusal.
    const bobs = await send(path, { method: "PUT", token: bobToken, body: replacement });
    expect(bobs.status).toBe(403);
  });

  it("PUT may not change what the annotation is: target, kind, id, visibility (409)", async () => {
    const created = await json(
      await send(CONTAINER, { method: "POST", token: adaToken, body: newAnnotation() }),
    );
    const path = (created.id as string).slice(ORIGIN.length);
    const changes: Record<string, unknown>[] = [
      {
        target: {
          source: `${ORIGIN}/articles/${SLUG}`,
          selector: { type: "TextQuoteSelector", exact: wordsOf("p-3") },
        },
      },
      { "mrg:kind": "question", motivation: "questioning" },
      { id: `${CONTAINER_IRI}1` },
      { "mrg:visibility": "private" },
    ];
    for (const change of changes) {
      const response = await send(path, {
        method: "PUT",
        token: adaToken,
        body: { ...created, ...change },
      });
      expect(response.status, JSON.stringify(change)).toBe(409);
    }
    const malformed = await send(path, { method: "PUT", token: adaToken, body: "[" });
    expect(malformed.status).toBe(400);
    const wrongType = await send(path, {
      method: "PUT",
      token: adaToken,
      body: JSON.stringify(created),
      headers: { "Content-Type": "text/plain" },
    });
    expect(wrongType.status).toBe(415);
  });

  it("DELETE by its writer: 204, then 404; with replies, 410 and the thread kept", async () => {
    const lone = createThread(ada);
    expect((await send(`${CONTAINER}${lone}`, { method: "DELETE", token: bobToken })).status).toBe(
      403,
    );
    const stale = await send(`${CONTAINER}${lone}`, {
      method: "DELETE",
      token: adaToken,
      headers: { "If-Match": '"stale"' },
    });
    expect(stale.status).toBe(412);
    const deleted = await send(`${CONTAINER}${lone}`, { method: "DELETE", token: adaToken });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    expect((await send(`${CONTAINER}${lone}`)).status).toBe(404);
    expect((await send(`${CONTAINER}${lone}`, { method: "DELETE", token: adaToken })).status).toBe(
      404,
    );

    const parent = createThread(ada);
    const reply = createThreadReply(bob, parent);
    const etag = (await send(`${CONTAINER}${parent}`, { token: adaToken })).headers.get("ETag");
    const withReplies = await send(`${CONTAINER}${parent}`, {
      method: "DELETE",
      token: adaToken,
      headers: { "If-Match": etag as string },
    });
    expect(withReplies.status).toBe(204);
    expect((await send(`${CONTAINER}${parent}`)).status).toBe(410);
    expect((await send(`${CONTAINER}${reply}`)).status).toBe(200);
  });
});

describe("CORS", () => {
  it("answers a preflight from any origin, naming the methods and headers, never credentials", async () => {
    for (const [path, allow] of [
      [CONTAINER, "GET, HEAD, OPTIONS, POST"],
      [`${CONTAINER}1`, "GET, HEAD, OPTIONS, PUT, DELETE"],
    ] as const) {
      const response = await send(path, {
        method: "OPTIONS",
        headers: {
          Origin: EVIL,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "authorization, content-type, if-match, prefer",
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(response.headers.get("Access-Control-Allow-Methods")).toBe(allow);
      const allowed = (response.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase();
      for (const header of ["authorization", "content-type", "if-match", "prefer"]) {
        expect(allowed).toContain(header);
      }
      expect(Number(response.headers.get("Access-Control-Max-Age"))).toBeGreaterThan(0);
      expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    }
  });

  it("every answer, refusals too, may be read by a script anywhere, its headers exposed", async () => {
    const answers = [
      await send(CONTAINER, { headers: { Origin: EVIL } }),
      await send(CONTAINER, { method: "POST", token: adaToken, body: newAnnotation() }),
      await send(CONTAINER, { method: "POST", body: newAnnotation() }),
      await send(`${CONTAINER}99999999`),
    ];
    for (const response of answers) {
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
      expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
      const exposed = response.headers.get("Access-Control-Expose-Headers") ?? "";
      for (const header of ["ETag", "Location", "Link", "Allow", "Preference-Applied"]) {
        expect(exposed).toContain(header);
      }
    }
  });
});

describe("parsing the request's preferences and preconditions", () => {
  it("reads Prefer as RFC 7240 and LDP write it", () => {
    expect(parseContainerPrefer(null)).toEqual({ stated: false, minimal: false, iris: false });
    expect(
      parseContainerPrefer(
        `return=representation;include="${PREFER_MINIMAL_CONTAINER} ${PREFER_CONTAINED_IRIS}"`,
      ),
    ).toEqual({ stated: true, minimal: true, iris: true });
    expect(
      parseContainerPrefer(
        `respond-async, return=representation; omit="${PREFER_CONTAINED_DESCRIPTIONS}"`,
      ),
    ).toEqual({ stated: true, minimal: false, iris: true });
    expect(parseContainerPrefer(`include="${PREFER_CONTAINED_IRIS}"`).iris).toBe(false);
  });

  it("compares If-Match strongly", () => {
    expect(ifMatchHolds(null, '"a"')).toBe(true);
    expect(ifMatchHolds("*", '"a"')).toBe(true);
    expect(ifMatchHolds('"b", "a"', '"a"')).toBe(true);
    expect(ifMatchHolds('W/"a"', '"a"')).toBe(false);
    expect(ifMatchHolds('"b"', '"a"')).toBe(false);
  });
});

/**
 * The render-once page cache: an anonymous reader's page of an article (`GET /articles/:slug`, no
 * query, no session cookie) depends only on the article and its public tallies, so it is rendered
 * once per change and its stored bytes (identity, gzip and brotli, each with a strong ETag) are
 * served ahead of Express and Remix. server.ts puts `PageCache#handle` in front of the Express app.
 *
 * Freshness lives in the database, not in this process: `page_version` is bumped by triggers
 * (migration 0008) in the same transaction as every write that changes what the page shows, and
 * each request reads it with one prepared statement. A stored page is served only while the version
 * it was rendered at is current, so a write through any process sharing the file is seen at once.
 *
 * A stored page cannot carry a per-response CSP nonce; it is rendered with none, and the SHA-256
 * digests of its inline scripts go into its Content-Security-Policy instead (ADR 010).
 *
 * A signed-in reader's reading page is stored too, per reader, under a stamp of everything it shows
 * beyond the public page (who they are, their groups' and private notes' versions: migration 0010),
 * read per request with one prepared statement (ADR 015).
 *
 * The pages that show annotations' bodies (a paragraph's threads, the discussion page, search, an
 * assignment's participation), for strangers and signed-in readers, and their client navigations'
 * `.data` requests, are stored the same way, checked against `thread_version` (per article) or
 * `site_version` (migration 0014) instead of page_version (ADR 018).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zlib } from "node:zlib";
import { prefersJsonLd } from "#app/interop/negotiate";
import { hasSessionCookie, SESSION_COOKIE, sessionIdOf } from "#app/utils/session-cookie";
import type { Db } from "#db/client";

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type Encoding = "br" | "gzip" | "identity";

/** The path of a request the cache may answer, or null: only a bare reading page for a stranger. */
export function cacheablePath(req: {
  method?: string;
  url?: string;
  headers: { cookie?: string; accept?: string };
}): string | null {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  const url = req.url ?? "";
  // No query string (it could ask for anything), no trailing segment, and no dot: slugs have none,
  // and `/articles/x.data` is a client navigation's data request, not the page.
  if (!/^\/articles\/[^/?#.]+$/.test(url)) return null;
  if (hasSessionCookie(req.headers.cookie)) return null;
  // The same address answers JSON-LD by content negotiation (server.ts): never the stored HTML.
  if (prefersJsonLd(req.headers.accept)) return null;
  return url;
}

/**
 * The path of a signed-in reader's request the cache may answer, or null: their reading page, bare
 * or in one layer (`?layer=public|me|group-<id>`, exactly as the layer switch writes it; any other
 * query string could ask the loaders for anything, so it goes to Express).
 */
export function personalPath(req: {
  method?: string;
  url?: string;
  headers: { accept?: string };
}): string | null {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  // The same address answers JSON-LD by content negotiation (app/interop/negotiate.ts).
  if (prefersJsonLd(req.headers.accept)) return null;
  const url = req.url ?? "";
  if (!/^\/articles\/[^/?#.]+(\?layer=(public|me|group-[1-9]\d{0,9}))?$/.test(url)) return null;
  return url;
}

/** The article slug in a cacheable path, decoded as Remix decodes route params; null if malformed. */
export function slugOf(path: string): string | null {
  try {
    return decodeURIComponent(path.slice("/articles/".length).split("?")[0] ?? "");
  } catch {
    return null;
  }
}

/** Which counter a stored page is checked against (migrations 0008 and 0014). */
export type Scope = "page" | "thread" | "site";

/**
 * A kind of page beyond the reading page that the cache may answer: its path (the slug, for an
 * article's page, in the first group), the query keys it may carry (each at most once: the ones its
 * loaders read, and `_routes` for a client navigation's `.data` request), the counter its freshness
 * hangs on, and whether a stranger's copy is kept.
 */
export type Family = {
  name: string;
  path: RegExp;
  query: ReadonlySet<string>;
  scope: Exclude<Scope, "page">;
  strangers: boolean;
};

export const FAMILIES: readonly Family[] = [
  {
    name: "paragraph",
    path: /^\/articles\/([^/?#.]+)\/p\/[^/?#.]+(?:\.data)?$/,
    query: new Set(["layer", "kind", "start", "more", "status", "show", "quote", "_routes"]),
    scope: "thread",
    strangers: true,
  },
  {
    name: "discussion",
    path: /^\/articles\/([^/?#.]+)\/discussion(?:\.data)?$/,
    query: new Set(["sort", "kind", "author", "q", "status", "page", "layer", "_routes"]),
    scope: "thread",
    strangers: true,
  },
  {
    name: "search",
    path: /^\/search(?:\.data)?$/,
    query: new Set(["q", "page", "_routes"]),
    scope: "site",
    strangers: true,
  },
  {
    // Members only (a stranger is sent to sign in); `?saved=` (a form's confirmation) goes to Express.
    name: "assignment",
    path: /^\/groups\/[1-9]\d{0,9}\/assignments\/[1-9]\d{0,9}(?:\.data)?$/,
    query: new Set(["_routes"]),
    scope: "site",
    strangers: false,
  },
];

/** The longest address a page is stored under; a longer one goes to Express. */
export const MAX_STORED_URL = 1024;

/**
 * The family of a request the cache may answer beyond the reading page, with the article slug its
 * freshness hangs on (null for site-wide pages); null for anything else.
 */
export function familyOf(req: {
  method?: string;
  url?: string;
  headers: { accept?: string };
}): { family: Family; path: string; slug: string | null } | null {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  if (prefersJsonLd(req.headers.accept)) return null;
  const url = req.url ?? "";
  if (url.length > MAX_STORED_URL || url.includes("#")) return null;
  const q = url.indexOf("?");
  const pathname = q === -1 ? url : url.slice(0, q);
  for (const family of FAMILIES) {
    const match = family.path.exec(pathname);
    if (!match) continue;
    const seen = new Set<string>();
    for (const key of new URLSearchParams(q === -1 ? "" : url.slice(q + 1)).keys()) {
      if (!family.query.has(key) || seen.has(key)) return null;
      seen.add(key);
    }
    if (family.scope === "site") return { family, path: url, slug: null };
    try {
      return { family, path: url, slug: decodeURIComponent(match[1] ?? "") };
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * SHA-256 digests (base64) of the inline scripts in a rendered page, as a CSP `'sha256-…'` source
 * expects: over the script element's text exactly as written (script text is raw, never
 * entity-decoded). Scripts with `src` are left out: `strict-dynamic` trusts what the hashed ones load.
 */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const [, attributes = "", text = ""] = match;
    if (/\ssrc\s*=/i.test(` ${attributes}`)) continue;
    hashes.add(createHash("sha256").update(text, "utf8").digest("base64"));
  }
  return [...hashes];
}

/** The best encoding the client accepts: brotli, then gzip, else identity (q=0 means "never"). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return "identity";
  const accepted = new Set<string>();
  let star = false;
  for (const part of acceptEncoding.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    if (name === "*") star = true;
    else accepted.add(name);
  }
  if (accepted.has("br") || star) return "br";
  if (accepted.has("gzip") || accepted.has("x-gzip")) return "gzip";
  return "identity";
}

/** A strong ETag per representation: the identity bytes' digest, marked by encoding. */
export function etagFor(digest: string, encoding: Encoding): string {
  return encoding === "identity" ? `"${digest}"` : `"${digest}-${encoding}"`;
}

/** Whether If-None-Match names `etag` (weak comparison, as RFC 9110 has for If-None-Match). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

/**
 * Where a cached page must be refetched: it varies with these request headers (`Accept`: the
 * address also answers JSON-LD).
 */
export const VARY = "Accept, Accept-Encoding, Cookie";
/**
 * Browsers and proxies may keep the page but must ask each time (a 304 is cheap): an annotation can
 * change it at any moment.
 */
export const CACHE_CONTROL = "no-cache";
/** A signed-in reader's page, as every personal page is sent (entry.server.tsx): kept by no cache. */
export const PERSONAL_CACHE_CONTROL = "private, no-store";

/** One stored page: the three encodings and what each response says about them. */
export type StoredPage = {
  articleId: number;
  version: number;
  /** As rendered: an HTML document, or a client navigation's turbo-stream `.data`. */
  contentType: string;
  /** Headers Remix set that the client reads (`X-Remix-Response` on `.data`). */
  remixHeaders: Record<string, string>;
  scriptHashes: string[];
  bodies: Record<Encoding, Buffer>;
  etags: Record<Encoding, string>;
  bytes: number;
  /** The security headers, made on first use: over http, over https. */
  securityHeaders: [Record<string, string>?, Record<string, string>?];
};

/** Compresses a rendered page into a StoredPage (off the main thread: zlib runs in the pool). */
export async function storePage(
  html: string,
  {
    articleId,
    version,
    contentType = "text/html; charset=utf-8",
    remixHeaders = {},
  }: {
    articleId: number;
    version: number;
    contentType?: string;
    remixHeaders?: Record<string, string>;
  },
): Promise<StoredPage> {
  const identity = Buffer.from(html, "utf8");
  const [gz, br] = await Promise.all([
    gzipAsync(identity, { level: 9 }),
    // Quality 7: within 7% of 9's size (386 against 360 KB for the 2.8 MB of the 1,000-paragraph
    // page) in half its time (290 against 570 ms) and with 15 rather than 40 MiB of encoder memory,
    // which set the server's peak; a busy page re-renders per write.
    brotliAsync(identity, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 7,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  ]);
  const digest = createHash("sha256").update(identity).digest("base64url").slice(0, 27);
  return {
    articleId,
    version,
    contentType,
    remixHeaders,
    // A `.data` body is not a document: no script in it runs, whatever its text says.
    scriptHashes: contentType.startsWith("text/html") ? inlineScriptHashes(html) : [],
    bodies: { identity, gzip: gz, br },
    etags: {
      identity: etagFor(digest, "identity"),
      gzip: etagFor(digest, "gzip"),
      br: etagFor(digest, "br"),
    },
    bytes: identity.length + gz.length + br.length,
    securityHeaders: [],
  };
}

/**
 * What a signed-in reader's reading page depends on beyond the article's page_version, as one
 * string: who they are (id, names, site role), each group they belong to with their role and its
 * group_version, each review panel set to an article they wrote with its version, and their
 * private_version (migration 0010). Undefined when the cache must leave the request to Express: no
 * such session, an expired one, or one that lucia would extend (or has just extended) on this
 * request, whose response must carry a new cookie.
 */
export type ViewerLookup = (sessionId: string) => { userId: string; stamp: string } | undefined;

export function viewerStampLookup(
  db: Db,
  session: { lifetimeMs: number; reissueWindowMs: number },
  now: () => number = Date.now,
): ViewerLookup {
  const statement = db.$client.prepare<
    [string],
    { userId: string; expiresAt: number; stamp: string }
  >(
    `SELECT u.id AS userId, s.expires_at AS expiresAt, json_array(u.id, u.username, u.display_name, u.role,
       (SELECT group_concat(m.group_id || ':' || m.role || ':' || coalesce(v.version, 0))
          FROM group_member AS m LEFT JOIN group_version AS v ON v.group_id = m.group_id
          WHERE m.user_id = u.id),
       (SELECT group_concat(x.group_id || ':' || coalesce(v.version, 0))
          FROM article AS a JOIN assignment AS x ON x.article_id = a.id
          JOIN "group" AS g ON g.id = x.group_id AND g.kind = 'panel'
          LEFT JOIN group_version AS v ON v.group_id = x.group_id
          WHERE a.author_id = u.id),
       (SELECT p.version FROM private_version AS p WHERE p.user_id = u.id)) AS stamp
     FROM session AS s JOIN user AS u ON u.id = s.user_id
     WHERE s.id = ?`,
  );
  return (sessionId) => {
    const row = statement.get(sessionId);
    if (!row) return undefined;
    const expiresAt = row.expiresAt * 1000;
    const t = now();
    // lucia extends a session used in the second half of its life; the root re-sends the cookie
    // for a minute after (auth.server.ts). Those responses carry Set-Cookie: Express answers them.
    if (t >= expiresAt - session.lifetimeMs / 2) return undefined;
    if (t - (expiresAt - session.lifetimeMs) < session.reissueWindowMs) return undefined;
    return { userId: row.userId, stamp: row.stamp };
  };
}

/** An article's current page version, or undefined when no article has that slug. */
export type VersionLookup = (slug: string) => { articleId: number; version: number } | undefined;

/** One prepared statement, read on every cacheable request: which article, at which version. */
function articleVersionLookup(db: Db, table: "page_version" | "thread_version"): VersionLookup {
  const statement = db.$client.prepare<[string], { articleId: number; version: number }>(
    `SELECT a.id AS articleId, coalesce(v.version, 0) AS version
     FROM article AS a LEFT JOIN ${table} AS v ON v.article_id = a.id
     WHERE a.slug = ?`,
  );
  return (slug) => statement.get(slug);
}

/** page_version (migration 0008), for the reading page. */
export const pageVersionLookup = (db: Db) => articleVersionLookup(db, "page_version");

/** thread_version (migration 0014), for an article's threads and discussion. */
export const threadVersionLookup = (db: Db) => articleVersionLookup(db, "thread_version");

/** site_version (migration 0014), for pages that read across articles. */
export function siteVersionLookup(db: Db): () => number {
  const statement = db.$client.prepare<[], { version: number }>(
    "SELECT coalesce((SELECT version FROM site_version WHERE id = 1), 0) AS version",
  );
  return () => statement.get()?.version ?? 0;
}

export type PageCacheOptions = {
  /** page_version, for the reading page. */
  lookup: VersionLookup;
  /** thread_version and site_version, for the other FAMILIES; without them those go to Express. */
  threadLookup?: VersionLookup;
  siteLookup?: () => number;
  /**
   * Signed-in readers' stamps. Without it, any request with a session cookie goes to Express.
   */
  viewer?: ViewerLookup;
  /**
   * Renders `path` with no CSP nonce (the whole document, not streamed): as a stranger sees it, or,
   * given a session cookie, as that reader does.
   */
  render: (path: string, sessionCookie?: string) => Promise<Response>;
  /** The security headers a page with these inline-script digests carries. */
  headers: (scriptHashes: string[], https: boolean) => Record<string, string>;
  /** Whether the request arrived over https (HSTS), as Express would decide it. */
  isHttps: (req: IncomingMessage) => boolean;
  /** Bound on the stored bytes (all encodings); the least recently served pages go first. */
  maxBytes?: number;
  /**
   * The same for signed-in readers' pages, kept apart so that many readers' pages never push the
   * strangers' page (served to everyone) out.
   */
  maxPersonalBytes?: number;
  /**
   * The same for strangers' pages beyond the reading page (threads, discussion, search): their
   * addresses take query strings, so a stranger asking for many only pushes out these.
   */
  maxStrangerBytes?: number;
};

/**
 * Stored pages under a byte bound, least recently served first out; and, for pages that belong to
 * one reader, at most `perOwner` of them per reader, so that one account asking for page after
 * page (every article, every `?layer=`) only ever pushes out its own.
 */
class PageStore {
  private readonly pages = new Map<string, StoredPage & { owner?: string }>();
  private readonly owned = new Map<string, string[]>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly perOwner = Number.POSITIVE_INFINITY,
  ) {}

  /** The page stored under `key` if it was rendered at `current`, marked most recently served. */
  get(key: string, current: { articleId: number; version: number }): StoredPage | undefined {
    const stored = this.pages.get(key);
    if (!stored || stored.articleId !== current.articleId || stored.version !== current.version) {
      return undefined;
    }
    this.pages.delete(key);
    this.pages.set(key, stored);
    return stored;
  }

  put(key: string, page: StoredPage, owner?: string): void {
    const previous = this.pages.get(key);
    // A slower render of an older version must not replace a newer page.
    if (previous && previous.version > page.version && previous.articleId === page.articleId) {
      return;
    }
    if (previous) this.remove(key);
    if (page.bytes <= this.maxBytes) {
      this.pages.set(key, owner === undefined ? page : { ...page, owner });
      this.bytes += page.bytes;
      if (owner !== undefined) {
        const keys = [...(this.owned.get(owner) ?? []), key];
        this.owned.set(owner, keys);
        // The reader's oldest first (remove() rewrites their list).
        for (const oldest of keys.slice(0, Math.max(0, keys.length - this.perOwner))) {
          this.remove(oldest);
        }
      }
    }
    for (const oldest of this.pages.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  private remove(key: string): void {
    const page = this.pages.get(key);
    if (!page) return;
    this.pages.delete(key);
    this.bytes -= page.bytes;
    if (page.owner === undefined) return;
    const keys = (this.owned.get(page.owner) ?? []).filter((k) => k !== key);
    if (keys.length > 0) this.owned.set(page.owner, keys);
    else this.owned.delete(page.owner);
  }

  clear(): void {
    this.pages.clear();
    this.owned.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.pages.size;
  }
}

/** Which stored page answers a request: its key, and the session cookie to render it with. */
type Target = {
  key: string;
  path: string;
  sessionCookie?: string;
  personal: boolean;
  owner?: string;
  store: PageStore;
  /** The counter it was rendered at, read now; undefined when there is no such article. */
  current: () => { articleId: number; version: number } | undefined;
};

/** What a stored response may be: a document, or a single-fetch `.data` turbo-stream. */
const STORED_TYPES = ["text/html", "text/x-script"];
/** Headers of a rendered response that are stored with it (the single-fetch client reads them). */
const REMIX_HEADERS = ["X-Remix-Response"];

/**
 * Renders in progress at once, at most. One core renders one page at a time however many are
 * started, but each started render holds its loaders' data, its React tree and its HTML until it
 * ends: a class opening thirty different pages at once would hold thirty. Past this many, renders
 * wait their turn, and memory stays bounded with no loss of throughput.
 */
export const MAX_RENDERS = 2;

/** A reader's own stored pages at most: a class's articles in each of their layers, and more. */
export const PAGES_PER_READER = 24;

export class PageCache {
  private readonly shared: PageStore;
  private readonly personal: PageStore;
  private readonly strangers: PageStore;
  /** Renders in progress, so that a burst of misses for one page renders it once. */
  private readonly rendering = new Map<string, Promise<StoredPage | null>>();
  /** Renders running, and those waiting for one of the MAX_RENDERS turns. */
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: PageCacheOptions) {
    this.shared = new PageStore(options.maxBytes ?? 64 * 2 ** 20);
    this.personal = new PageStore(options.maxPersonalBytes ?? 48 * 2 ** 20, PAGES_PER_READER);
    this.strangers = new PageStore(options.maxStrangerBytes ?? 16 * 2 ** 20);
  }

  /**
   * Answers `req` from the cache when it can, else calls `next` (the Express app). A hit is
   * answered synchronously; a miss renders the page (once, however many ask), stores it if it may
   * be kept, and answers it.
   */
  handle(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const target = this.targetOf(req);
    const current = target?.current();
    if (!target || !current) {
      next();
      return;
    }
    const stored = target.store.get(target.key, current);
    if (stored) {
      this.serve(req, res, stored, target.personal);
      return;
    }
    this.renderOnce(target, current).then(
      (page) => (page ? this.serve(req, res, page, target.personal) : next()),
      (error: unknown) => {
        console.error("marginalia: page cache render failed", error);
        next();
      },
    );
  }

  /** Drops every stored page (tests). */
  clear(): void {
    this.shared.clear();
    this.personal.clear();
    this.strangers.clear();
  }

  get size(): number {
    return this.shared.size + this.personal.size + this.strangers.size;
  }

  /**
   * A stranger's bare reading page is stored once for all; a signed-in reader's (bare or in a
   * layer) under what it depends on beyond the page version: their stamp. Anything else is null.
   */
  private targetOf(req: IncomingMessage): Target | null {
    const { lookup, viewer } = this.options;
    const byPage = (path: string) => () => {
      const slug = slugOf(path);
      return slug === null ? undefined : lookup(slug);
    };
    const path = cacheablePath(req);
    if (path !== null) {
      return { key: path, path, personal: false, store: this.shared, current: byPage(path) };
    }
    const reading = personalPath(req);
    const other = reading === null ? familyOf(req) : null;
    const current = reading !== null ? byPage(reading) : other && this.counterOf(other);
    if (!current) return null;
    const requested = reading ?? other?.path ?? "";
    if (!hasSessionCookie(req.headers.cookie)) {
      // The reading page's stranger form was taken above; `?layer=` is for signed-in readers.
      if (!other?.family.strangers) return null;
      return { key: requested, path: requested, personal: false, store: this.strangers, current };
    }
    const sessionId = sessionIdOf(req.headers.cookie);
    const reader = sessionId === null ? undefined : viewer?.(sessionId);
    if (reader === undefined) return null;
    return {
      key: `${requested}\n${reader.stamp}`,
      path: requested,
      sessionCookie: `${SESSION_COOKIE}=${sessionId}`,
      personal: true,
      owner: reader.userId,
      store: this.personal,
      current,
    };
  }

  /** How a family's page reads its counter; null when this cache was given no such lookup. */
  private counterOf({
    family,
    slug,
  }: NonNullable<ReturnType<typeof familyOf>>): Target["current"] | null {
    const { threadLookup, siteLookup } = this.options;
    if (family.scope === "site") {
      return siteLookup ? () => ({ articleId: 0, version: siteLookup() }) : null;
    }
    if (!threadLookup || slug === null) return null;
    return () => threadLookup(slug);
  }

  private renderOnce(
    target: Target,
    current: { articleId: number; version: number },
  ): Promise<StoredPage | null> {
    const key = `${target.personal ? "p" : "s"} ${target.key} ${current.articleId}:${current.version}`;
    let pending = this.rendering.get(key);
    if (!pending) {
      pending = this.render(target, current).finally(() => this.rendering.delete(key));
      this.rendering.set(key, pending);
    }
    return pending;
  }

  /**
   * Renders and stores the page. The versions were read before rendering: a write that lands
   * during the render bumps one, so the next request renders again rather than keep a stale page.
   */
  private async render(
    target: Target,
    current: { articleId: number; version: number },
  ): Promise<StoredPage | null> {
    // A finished render hands its turn straight to the next in line.
    if (this.running >= MAX_RENDERS) await new Promise<void>((turn) => this.waiting.push(turn));
    else this.running += 1;
    try {
      return await this.renderNow(target, current);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  private async renderNow(
    target: Target,
    current: { articleId: number; version: number },
  ): Promise<StoredPage | null> {
    const response = await this.options.render(target.path, target.sessionCookie);
    const text = await response.text();
    // Only a plain page: an error, a redirect or a cookie goes through Express.
    if (response.status !== 200 || response.headers.has("Set-Cookie")) return null;
    const contentType = response.headers.get("Content-Type") ?? "";
    if (!STORED_TYPES.some((type) => contentType.startsWith(type))) return null;
    const remixHeaders: Record<string, string> = {};
    for (const name of REMIX_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) remixHeaders[name] = value;
    }
    const page = await storePage(text, { ...current, contentType, remixHeaders });
    target.store.put(target.key, page, target.owner);
    return page;
  }

  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    page: StoredPage,
    personal: boolean,
  ): void {
    const acceptEncoding = req.headers["accept-encoding"];
    const encoding = chooseEncoding(
      Array.isArray(acceptEncoding) ? acceptEncoding.join(",") : acceptEncoding,
    );
    const etag = page.etags[encoding];
    const https = this.options.isHttps(req);
    const index = https ? 1 : 0;
    let security = page.securityHeaders[index];
    if (!security) {
      security = this.options.headers(page.scriptHashes, https);
      page.securityHeaders[index] = security;
    }
    const headers: Record<string, string | number> = {
      ...security,
      ...page.remixHeaders,
      "Content-Type": page.contentType,
      ETag: etag,
      Vary: VARY,
      "Cache-Control": personal ? PERSONAL_CACHE_CONTROL : CACHE_CONTROL,
    };
    if (notModified(req.headers["if-none-match"], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const body = page.bodies[encoding];
    if (encoding !== "identity") headers["Content-Encoding"] = encoding;
    headers["Content-Length"] = body.length;
    res.writeHead(200, headers);
    if (req.method === "HEAD") res.end();
    else res.end(body);
  }
}

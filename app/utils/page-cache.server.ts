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
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zlib } from "node:zlib";
import { prefersJsonLd } from "#app/interop/negotiate";
import { hasSessionCookie } from "#app/utils/session-cookie";
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

/** The article slug in a cacheable path, decoded as Remix decodes route params; null if malformed. */
export function slugOf(path: string): string | null {
  try {
    return decodeURIComponent(path.slice("/articles/".length));
  } catch {
    return null;
  }
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

/** One stored page: the three encodings and what each response says about them. */
export type StoredPage = {
  articleId: number;
  version: number;
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
  { articleId, version }: { articleId: number; version: number },
): Promise<StoredPage> {
  const identity = Buffer.from(html, "utf8");
  const [gz, br] = await Promise.all([
    gzipAsync(identity, { level: 9 }),
    // Quality 9: close to 11's size at a fraction of its time; a busy page re-renders per write.
    brotliAsync(identity, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 9,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  ]);
  const digest = createHash("sha256").update(identity).digest("base64url").slice(0, 27);
  return {
    articleId,
    version,
    scriptHashes: inlineScriptHashes(html),
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

/** An article's current page version, or undefined when no article has that slug. */
export type VersionLookup = (slug: string) => { articleId: number; version: number } | undefined;

/** One prepared statement, read on every cacheable request: which article, at which version. */
export function pageVersionLookup(db: Db): VersionLookup {
  const statement = db.$client.prepare<[string], { articleId: number; version: number }>(
    `SELECT a.id AS articleId, coalesce(v.version, 0) AS version
     FROM article AS a LEFT JOIN page_version AS v ON v.article_id = a.id
     WHERE a.slug = ?`,
  );
  return (slug) => statement.get(slug);
}

export type PageCacheOptions = {
  lookup: VersionLookup;
  /** Renders `path` as a stranger would see it, with no CSP nonce (the whole document, not streamed). */
  render: (path: string) => Promise<Response>;
  /** The security headers a page with these inline-script digests carries. */
  headers: (scriptHashes: string[], https: boolean) => Record<string, string>;
  /** Whether the request arrived over https (HSTS), as Express would decide it. */
  isHttps: (req: IncomingMessage) => boolean;
  /** Bound on the stored bytes (all encodings); the least recently served pages go first. */
  maxBytes?: number;
};

export class PageCache {
  private readonly pages = new Map<string, StoredPage>();
  /** Renders in progress, so that a burst of misses for one page renders it once. */
  private readonly rendering = new Map<string, Promise<StoredPage | null>>();
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(private readonly options: PageCacheOptions) {
    this.maxBytes = options.maxBytes ?? 64 * 2 ** 20;
  }

  /**
   * Answers `req` from the cache when it can, else calls `next` (the Express app). A hit is
   * answered synchronously; a miss renders the page (once, however many ask), stores it if it may
   * be shared, and answers it.
   */
  handle(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const path = cacheablePath(req);
    const slug = path === null ? null : slugOf(path);
    const current = slug === null ? undefined : this.options.lookup(slug);
    if (path === null || !current) {
      next();
      return;
    }
    const stored = this.pages.get(path);
    if (stored && stored.articleId === current.articleId && stored.version === current.version) {
      // Most recently served last, so eviction takes the coldest.
      this.pages.delete(path);
      this.pages.set(path, stored);
      this.serve(req, res, stored);
      return;
    }
    this.renderOnce(path, current).then(
      (page) => (page ? this.serve(req, res, page) : next()),
      (error: unknown) => {
        console.error("marginalia: page cache render failed", error);
        next();
      },
    );
  }

  /** Drops every stored page (tests). */
  clear(): void {
    this.pages.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.pages.size;
  }

  private renderOnce(
    path: string,
    current: { articleId: number; version: number },
  ): Promise<StoredPage | null> {
    const key = `${path} ${current.articleId}:${current.version}`;
    let pending = this.rendering.get(key);
    if (!pending) {
      pending = this.render(path, current).finally(() => this.rendering.delete(key));
      this.rendering.set(key, pending);
    }
    return pending;
  }

  /**
   * Renders and stores the page. The version was read before rendering: a write that lands during
   * the render bumps it, so the next request renders again rather than keep a stale page.
   */
  private async render(
    path: string,
    current: { articleId: number; version: number },
  ): Promise<StoredPage | null> {
    const response = await this.options.render(path);
    const html = await response.text();
    // Only a plain page for everyone: an error, a redirect or a cookie goes through Express.
    if (response.status !== 200 || response.headers.has("Set-Cookie")) return null;
    if (!response.headers.get("Content-Type")?.startsWith("text/html")) return null;
    const page = await storePage(html, current);
    const previous = this.pages.get(path);
    // A slower render of an older version must not replace a newer page.
    if (previous && previous.version > page.version && previous.articleId === page.articleId) {
      return page;
    }
    if (previous) this.bytes -= previous.bytes;
    this.pages.delete(path);
    if (page.bytes <= this.maxBytes) {
      this.pages.set(path, page);
      this.bytes += page.bytes;
    }
    for (const [oldest, evicted] of this.pages) {
      if (this.bytes <= this.maxBytes) break;
      this.pages.delete(oldest);
      this.bytes -= evicted.bytes;
    }
    return page;
  }

  private serve(req: IncomingMessage, res: ServerResponse, page: StoredPage): void {
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
      "Content-Type": "text/html; charset=utf-8",
      ETag: etag,
      Vary: VARY,
      "Cache-Control": CACHE_CONTROL,
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

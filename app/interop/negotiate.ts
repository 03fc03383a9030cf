/**
 * Content negotiation for an article's address: whether a request's `Accept` header asks for the
 * article's annotations as JSON-LD rather than the reading page. Shared by server.ts (which routes
 * such a request to the export) and the render-once page cache (which must never answer it with
 * the stored HTML).
 */

/** The header every response of a negotiated address carries, both representations alike. */
export const NEGOTIATED_VARY = "Accept";

type Range = { type: string; q: number };

function parseAccept(accept: string): Range[] {
  return accept.split(",").flatMap((part) => {
    const [type = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    if (!type) return [];
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return Number.isFinite(q) ? [{ type, q }] : [];
  });
}

/** The quality the header gives a media type: its own range, else `type/*`, else `*\/*`. */
function qualityOf(ranges: Range[], mediaType: string): number {
  const [major] = mediaType.split("/");
  const exact = ranges.find((r) => r.type === mediaType);
  if (exact) return exact.q;
  const wild = ranges.find((r) => r.type === `${major}/*`);
  if (wild) return wild.q;
  return ranges.find((r) => r.type === "*/*")?.q ?? 0;
}

/**
 * True when the client names `application/ld+json` (with or without the annotation profile)
 * and likes it better than HTML. A browser's `text/html,…,*\/*;q=0.8` never does; a tie goes to
 * the page, which is what a reader who asked for "anything" should see.
 */
export function prefersJsonLd(accept: string | null | undefined): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  const jsonLd = ranges.find((r) => r.type === "application/ld+json");
  if (!jsonLd || !(jsonLd.q > 0)) return false;
  return jsonLd.q > qualityOf(ranges, "text/html");
}

/** An article's reading page: the one address whose representation `Accept` chooses. */
const ARTICLE_PAGE = /^\/articles\/[^/.]+$/;

/**
 * Where a request for an article's address goes when it asks for JSON-LD: the export route, with
 * its query (`?page=`); null when the reading page answers as usual.
 */
export function negotiatedPath(
  method: string,
  url: string,
  accept: string | null | undefined,
): string | null {
  if (method !== "GET" && method !== "HEAD") return null;
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!ARTICLE_PAGE.test(path) || !prefersJsonLd(accept)) return null;
  return `${path}/annotations.jsonld${queryAt === -1 ? "" : url.slice(queryAt)}`;
}

/** Whether `path` (without its query) is an article's negotiated address. */
export function isNegotiatedPath(path: string): boolean {
  return ARTICLE_PAGE.test(path);
}

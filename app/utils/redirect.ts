/**
 * Where to send someone after they sign in, up or out. Only a path on this site is accepted, so a
 * crafted link (`/login?redirectTo=//evil.example`) cannot turn the sign-in page into an open redirect.
 */

const BASE = "http://marginalia.invalid";

/**
 * `value` when it is a same-site relative path (`/articles/x?y#z`), else `fallback`. Refused:
 * anything not starting with a single `/` (`//host`, `https://…`, `javascript:`), any backslash
 * (`/\host`, which browsers read as `//host`), control characters and whitespace, and anything that
 * the URL parser would resolve to another origin.
 */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string") return fallback;
  if (value.length === 0 || value.length > 2048) return fallback;
  if (!value.startsWith("/") || value.startsWith("//")) return fallback;
  if (value.includes("\\")) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u0020\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  // Decide on what the browser will be sent, not on what was typed: dot segments (`/..//x`,
  // `/%2e%2e//x`) can resolve to a path that a browser reads as another host.
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!isPlainPath(path)) return fallback;
  return path;
}

/** One leading slash, no backslash, and the same path again when resolved: safe as a Location. */
function isPlainPath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return false;
  try {
    const again = new URL(path, BASE);
    return again.origin === BASE && `${again.pathname}${again.search}${again.hash}` === path;
  } catch {
    return false;
  }
}

/** The current location of a request as a path: what `redirectTo` should carry. */
export function pathOf(request: Request): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}

/**
 * `path` carrying where to come back to (`/login?redirectTo=…`), or plain `path` when that is the
 * home page. Every sign-in and sign-up link is built here.
 */
export function withRedirectTo(path: string, redirectTo: unknown): string {
  const to = safeRedirectPath(redirectTo);
  return to === "/" ? path : `${path}?${new URLSearchParams({ redirectTo: to })}`;
}

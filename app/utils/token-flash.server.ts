/**
 * How a new API token's secret reaches the page that shows it, once. The account page's create
 * form redirects (post/redirect/get), so a reload or Back never posts again and never makes a
 * second token; the secret rides across the redirect in a short-lived cookie that the next account
 * page reads and clears in the same response. That page is `no-store`, so Back or a reload asks
 * the server again and finds the cookie gone.
 *
 * Why a cookie and not the session: lucia's session row holds no data, and a server-side flash
 * would keep the plaintext secret in the database (which must hold only digests) or in one
 * process's memory (two processes may serve one file). The cookie is HttpOnly, SameSite=Strict,
 * lives two minutes at most and is shown only to the token's owner while it still works; whoever
 * could read it could read the session cookie beside it, which can make tokens anyway.
 */
import { cookieSecure } from "#app/utils/auth.server";

const NAME = "new_api_token";
/** Long enough for a slow redirect on a bad connection; short enough to be gone soon if unread. */
const MAX_AGE_SECONDS = 120;

function cookie(value: string, maxAge: number, request: Request): string {
  const parts = [`${NAME}=${value}`, "Path=/", `Max-Age=${maxAge}`, "HttpOnly", "SameSite=Strict"];
  if (cookieSecure(request)) parts.push("Secure");
  return parts.join("; ");
}

/** The Set-Cookie value that carries `secret` to the next page (it is base64url: cookie-safe). */
export function tokenFlashCookie(secret: string, request: Request): string {
  return cookie(secret, MAX_AGE_SECONDS, request);
}

/** The Set-Cookie value that removes the flash. */
export function clearTokenFlashCookie(request: Request): string {
  return cookie("", 0, request);
}

/** The secret a request carries in the flash cookie, or null. */
export function readTokenFlash(request: Request): string | null {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === NAME) return rest.join("=") || null;
  }
  return null;
}

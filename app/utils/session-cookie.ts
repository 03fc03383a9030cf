/**
 * The session cookie's name, and whether a request carries it: a request with one may see what
 * only its reader may see, so no shared cache may keep its pages. Apart from auth.server.ts so that
 * server.ts (the render-once page cache) can decide this without loading lucia or the database.
 */

/** The session cookie's name (lucia's default). */
export const SESSION_COOKIE = "auth_session";

/** Whether a Cookie header holds the session cookie (any value: validity is not checked here). */
export function hasSessionCookie(cookieHeader: string | null | undefined): boolean {
  if (!cookieHeader) return false;
  return cookieHeader.split(";").some((part) => part.trim().startsWith(`${SESSION_COOKIE}=`));
}

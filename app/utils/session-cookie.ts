/**
 * The session cookie's name, and whether a request carries it: a request with one may see what
 * only its reader may see, so no shared cache may keep its pages. Apart from auth.server.ts so that
 * server.ts (the render-once page cache) can decide this without loading lucia or the database.
 */

/** The session cookie's name (lucia's default). */
export const SESSION_COOKIE = "auth_session";

/** How long a session lives; lucia extends it by as much when used in its second half. */
export const SESSION_DAYS = 30;
/** A session whose expiry was (re)set less than this long ago gets its cookie (re)sent. */
export const REISSUE_WINDOW_MS = 60_000;

/** Whether a Cookie header holds the session cookie (any value: validity is not checked here). */
export function hasSessionCookie(cookieHeader: string | null | undefined): boolean {
  if (!cookieHeader) return false;
  return cookieHeader.split(";").some((part) => part.trim().startsWith(`${SESSION_COOKIE}=`));
}

/**
 * The session id in a Cookie header, or null. lucia's ids are lowercase letters and digits; any
 * other value (escaped, or two session cookies at once) is left to lucia's own parsing in Express.
 */
export function sessionIdOf(cookieHeader: string | string[] | null | undefined): string | null {
  if (!cookieHeader || Array.isArray(cookieHeader)) return null;
  const values = cookieHeader
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SESSION_COOKIE}=`))
    .map((part) => part.slice(SESSION_COOKIE.length + 1));
  const [id] = values;
  return values.length === 1 && id !== undefined && /^[a-z0-9]{1,128}$/.test(id) ? id : null;
}

/**
 * Authentication, in one place: the only module that imports lucia (v3, sessions in SQLite through
 * prepared statements: session-store.server.ts). Loaders and actions call `getUser`, `requireUser` or `requireAdmin`;
 * sign-in/up/out call the session helpers below, which return Set-Cookie header values.
 *
 * Sessions live 30 days. lucia extends a session (by another 30 days) when it is used in the second
 * half of its life and marks it `fresh`; the browser's cookie must then be re-issued. How that
 * cookie gets back to the browser: the root loader, which runs on every document and data request,
 * calls `getUserWithHeaders` and returns its headers with `data()`; Remix merges a loader's
 * Set-Cookie into the response. Because a route loader running beside it may be the one that
 * extended the session (each loader gets its own Request object, so nothing is shared between
 * them), the root re-issues the cookie whenever the session's expiry was set within the last
 * minute, not only when its own validation saw it fresh.
 *
 * The cookie: `auth_session`, HttpOnly, SameSite=Lax, Path=/, Max-Age 30 days, and Secure when
 * COOKIE_SECURE=true, or (COOKIE_SECURE unset) when APP_ORIGIN starts with https:, or the request
 * itself arrived over https.
 */
import { data, redirect } from "@remix-run/node";
import { Cookie, Lucia, type Session, TimeSpan } from "lucia";
import { type Env, env } from "#app/env.server";
import { db } from "#app/utils/db.server";
import { pathOf, safeRedirectPath, withRedirectTo } from "#app/utils/redirect";
import {
  hasSessionCookie,
  REISSUE_WINDOW_MS,
  SESSION_COOKIE,
  SESSION_DAYS,
} from "#app/utils/session-cookie";
import { SessionStore } from "#app/utils/session-store.server";

/** The signed-in person, as every loader and component sees them. */
export type SessionUser = {
  id: string;
  username: string;
  displayName: string;
  role: "user" | "admin";
};

export { SESSION_COOKIE };

const lucia = new Lucia(new SessionStore(db), {
  sessionExpiresIn: new TimeSpan(SESSION_DAYS, "d"),
  sessionCookie: {
    name: SESSION_COOKIE,
    expires: true,
    attributes: { secure: false, sameSite: "lax", path: "/" },
  },
  // The store reads only these fields of the user row (never the hash).
  getUserAttributes: (attributes) => ({
    username: attributes.username,
    displayName: attributes.displayName,
    role: attributes.role,
  }),
});

declare module "lucia" {
  interface Register {
    Lucia: typeof lucia;
    DatabaseUserAttributes: {
      username: string;
      displayName: string;
      role: "user" | "admin";
    };
  }
}

/** Whether the session cookie carries `Secure` (see the header comment). */
export function cookieSecure(request?: Request, config: Env = env()): boolean {
  if (config.cookieSecure !== null) return config.cookieSecure;
  if (config.appOrigin?.startsWith("https:")) return true;
  return request ? new URL(request.url).protocol === "https:" : false;
}

function serialize(cookie: Cookie, request: Request): string {
  return new Cookie(cookie.name, cookie.value, {
    ...cookie.attributes,
    secure: cookieSecure(request),
  }).serialize();
}

function sessionIdOf(request: Request): string | null {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  try {
    return lucia.readSessionCookie(header);
  } catch {
    // A malformed percent-escape in some cookie: treat as no session rather than fail the request.
    return null;
  }
}

type Validated = { user: SessionUser; session: Session } | { user: null; session: null };

async function validate(request: Request): Promise<Validated & { sessionId: string | null }> {
  const sessionId = sessionIdOf(request);
  if (!sessionId) return { user: null, session: null, sessionId };
  const { user, session } = await lucia.validateSession(sessionId);
  if (!user || !session) return { user: null, session: null, sessionId };
  return {
    user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role },
    session,
    sessionId,
  };
}

/**
 * Whether the request comes with a session cookie: its pages may hold what only this reader may
 * see (their name, their private notes), so no shared cache may keep them.
 */
export function isPersonalRequest(request: Request): boolean {
  return hasSessionCookie(request.headers.get("Cookie"));
}

/** The signed-in user, or null. */
export async function getUser(request: Request): Promise<SessionUser | null> {
  return (await validate(request)).user;
}

/**
 * The signed-in user and the headers the response must carry: a re-issued session cookie when the
 * session was just extended, a blank one when the browser holds a cookie for a session that no longer
 * exists. Meant for the root loader (`return data({ user }, { headers })`).
 */
export async function getUserWithHeaders(
  request: Request,
): Promise<{ user: SessionUser | null; headers: Headers }> {
  const { user, session, sessionId } = await validate(request);
  const headers = new Headers();
  if (session) {
    const setAt = session.expiresAt.getTime() - SESSION_DAYS * 86_400_000;
    if (session.fresh || Date.now() - setAt < REISSUE_WINDOW_MS) {
      headers.append("Set-Cookie", serialize(lucia.createSessionCookie(session.id), request));
    }
  } else if (sessionId) {
    headers.append("Set-Cookie", serialize(lucia.createBlankSessionCookie(), request));
  }
  return { user, headers };
}

/**
 * Where to come back to after signing in. For a GET, the page itself. For a form post, the page the
 * form was on (its same-origin Referer), so that "annotate" on an article returns to the article.
 */
function returnPath(request: Request): string {
  if (request.method === "GET" || request.method === "HEAD") return pathOf(request);
  const referer = request.headers.get("Referer");
  if (referer) {
    try {
      const from = new URL(referer);
      const own = [new URL(request.url).origin, env().appOrigin];
      if (own.includes(from.origin)) return safeRedirectPath(`${from.pathname}${from.search}`);
    } catch {
      // An unparsable Referer: fall through.
    }
  }
  return safeRedirectPath(pathOf(request));
}

/** The sign-in page's address, remembering where to return to. */
export function loginPath(redirectTo: string): string {
  return withRedirectTo("/login", redirectTo);
}

/** The signed-in user with their session (for actions that need the session id); else to /login. */
export async function requireUserSession(
  request: Request,
): Promise<{ user: SessionUser; session: Session }> {
  const { user, session } = await validate(request);
  if (!user) throw redirect(loginPath(returnPath(request)));
  return { user, session };
}

/** The signed-in user; anyone else is sent to /login?redirectTo=<here>. */
export async function requireUser(request: Request): Promise<SessionUser> {
  return (await requireUserSession(request)).user;
}

/**
 * For the pages of someone who is not signed in (sign in, sign up): a signed-in visitor is sent on
 * to where they were going. Returns that safe destination.
 */
export async function requireAnonymous(request: Request): Promise<string> {
  const redirectTo = safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"));
  if (await getUser(request)) throw redirect(redirectTo);
  return redirectTo;
}

/** A site administrator; a signed-in non-admin gets 403. */
export async function requireAdmin(request: Request): Promise<SessionUser> {
  const user = await requireUser(request);
  if (user.role !== "admin") {
    throw data("Only site administrators may do that.", { status: 403 });
  }
  return user;
}

/**
 * Starts a session for `userId` (after sign-in or sign-up) and returns its Set-Cookie value. The
 * session id is always new; a session the browser already held is ended (no session fixation).
 */
export async function createSessionCookieFor(userId: string, request: Request): Promise<string> {
  const previous = sessionIdOf(request);
  if (previous) await lucia.invalidateSession(previous);
  await lucia.deleteExpiredSessions();
  const session = await lucia.createSession(userId, {});
  return serialize(lucia.createSessionCookie(session.id), request);
}

/** Ends the request's session on the server and returns the Set-Cookie value that clears it. */
export async function endSession(request: Request): Promise<string> {
  const sessionId = sessionIdOf(request);
  if (sessionId) await lucia.invalidateSession(sessionId);
  return blankSessionCookie(request);
}

/** The Set-Cookie value that removes the session cookie (e.g. after the account is deleted). */
export function blankSessionCookie(request: Request): string {
  return serialize(lucia.createBlankSessionCookie(), request);
}

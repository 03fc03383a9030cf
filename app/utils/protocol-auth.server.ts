/**
 * Who an Annotation Protocol request acts for: the one call a protocol loader or action makes
 * (`await protocolActor(request, "write")`). A request that presents a bearer token is
 * authenticated by that token alone, its cookies ignored; any other request by its session cookie,
 * as a page would be (server.ts has already held a cookie request's writes to our own origin).
 * Page and form routes never call this, so they never accept a token.
 *
 * Whoever it returns writes through the ordinary model functions, counting each write against the
 * budget (write-limit.server.ts: the models' `limited: true`, or `reserveWrite`) as the forms do: a
 * token changes who is asking, never how much they may write.
 */
import {
  type ApiTokenSummary,
  BEARER_REALM,
  presentedToken,
  requireBearer,
  type TokenNeed,
} from "#app/models/api-token.server";
import { getUser, type SessionUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";

export type ProtocolActor =
  | { via: "token"; user: SessionUser; token: ApiTokenSummary }
  | { via: "session"; user: SessionUser; token: null }
  | { via: "anonymous"; user: null; token: null };

/**
 * The actor, or a thrown 4xx Response with its Bearer challenge: a bad, revoked or expired token
 * (401), a read token asked to write (403), or a write with neither token nor session (401).
 * Reading anonymously is allowed: what may be read is the visibility rule's question.
 */
export async function protocolActor(request: Request, need: TokenNeed): Promise<ProtocolActor> {
  if (presentedToken(request) !== null) {
    const { user, token } = requireBearer(db, request, need);
    return { via: "token", user, token };
  }
  const user = await getUser(request);
  if (user) return { via: "session", user, token: null };
  if (need === "write") {
    throw new Response("Writing here needs a personal API token or a signed-in session.", {
      status: 401,
      headers: {
        "WWW-Authenticate": `Bearer realm="${BEARER_REALM}"`,
        "Content-Type": "text/plain; charset=utf-8",
      },
    });
  }
  return { via: "anonymous", user: null, token: null };
}

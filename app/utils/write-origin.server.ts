/**
 * Cross-site write protection, which server.ts applies before any action runs, and the one list of
 * addresses that take personal API tokens (the Annotation Protocol's). Free of the Remix build,
 * lucia and the database, so that server.ts can decide at once and tests can drive it alone.
 *
 * The rule: a write (any method but GET, HEAD, OPTIONS) must come from one of our pages — its
 * Origin, or failing that its Referer, is ours — because a browser attaches the session cookie to
 * a forged cross-site form too. One exception, and only on protocol addresses: a request that
 * presents a bearer token and no session cookie. Nothing ambient authenticates it (a browser never
 * adds an Authorization header on its own, and without a cookie there is no session to ride on), so
 * a script elsewhere may write with its token; the route then authenticates by the token alone. A
 * request that carries the session cookie is checked as always, Authorization header or not.
 */
import type { NextFunction, Request, Response } from "express";
import { hasSessionCookie } from "#app/utils/session-cookie";

/** An article's annotation container (`/articles/:slug/annotations/`, slash optional). */
const CONTAINER = /^\/articles\/([^/]+)\/annotations\/?$/;
/** One annotation's IRI, which is also its HTML permalink (`/articles/:slug/annotations/:id`). */
const ANNOTATION = /^\/articles\/([^/]+)\/annotations\/(\d+)$/;

/**
 * What an Annotation Protocol address names: an article's container, or one annotation in it. The
 * slug is as it appears in the path (still percent-encoded); the id is digits, unchecked.
 */
export type ProtocolAddress =
  | { type: "container"; slug: string }
  | { type: "annotation"; slug: string; id: string };

/** The protocol address `pathname` is, or null for any other path. */
export function protocolAddress(pathname: string): ProtocolAddress | null {
  const container = CONTAINER.exec(pathname);
  if (container) return { type: "container", slug: container[1] ?? "" };
  const one = ANNOTATION.exec(pathname);
  if (one) return { type: "annotation", slug: one[1] ?? "", id: one[2] ?? "" };
  return null;
}

/**
 * Whether `pathname` is an Annotation Protocol address: the only places a personal API token may be
 * presented. Remix's `.data` twins of these addresses are not: only the app's own script asks for
 * them, with its cookie.
 */
export function isProtocolPath(pathname: string): boolean {
  return protocolAddress(pathname) !== null;
}

/** Whether an Authorization header presents a bearer token (any token; validity is the route's). */
export function presentsBearer(authorization: string | null | undefined): boolean {
  return authorization ? /^\s*Bearer\s+\S+\s*$/i.test(authorization) : false;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The origin a request says it came from: Origin, else Referer's origin, else null. */
export function requestOrigin(headers: {
  origin?: string | null;
  referer?: string | null;
}): string | null {
  if (headers.origin && headers.origin !== "null") return headers.origin;
  if (!headers.referer) return null;
  try {
    return new URL(headers.referer).origin;
  } catch {
    return null;
  }
}

/** Whether a request may reach its action; see the module comment for the rule. */
export function writeAllowed(request: {
  method: string;
  path: string;
  ownOrigin: string;
  origin?: string | null;
  referer?: string | null;
  authorization?: string | null;
  cookie?: string | null;
}): boolean {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return true;
  if (requestOrigin(request) === request.ownOrigin) return true;
  return (
    isProtocolPath(request.path) &&
    presentsBearer(request.authorization) &&
    !hasSessionCookie(request.cookie)
  );
}

/** The Express middleware: refuses, with 403, a write `writeAllowed` does not allow. */
export function sameOriginWrites(ownOrigin: (req: Request) => string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const allowed = writeAllowed({
      method: req.method,
      path: req.path,
      ownOrigin: ownOrigin(req),
      origin: req.get("origin"),
      referer: req.get("referer"),
      authorization: req.get("authorization"),
      cookie: req.get("cookie"),
    });
    if (allowed) return next();
    res
      .status(403)
      .type("text/plain")
      .send(
        "Forbidden: this request did not come from a Marginalia page. Reload the page and try again.",
      );
  };
}

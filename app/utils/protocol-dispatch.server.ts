/**
 * Which requests the Annotation Protocol answers ahead of Remix, and the Express middleware that
 * hands them to its Fetch-API handler (app/interop/protocol.server.ts). server.ts mounts it after
 * the cross-site write check and the body-size limit, before Remix (ADR 016).
 *
 * Why ahead of Remix: the annotation IRI is also the HTML permalink, a page route, and Remix
 * refuses with a 500 any POST/PUT/PATCH/DELETE to a page route whose Origin is not its Host, so
 * a script on another origin could never write there; and the container's path would fall to the
 * catch-all page. Free of the Remix build and the database (the handler is passed in), so tests
 * can mount it in their own Express app.
 */
import type { NextFunction, Request, Response } from "express";
import { prefersJsonLd } from "#app/interop/negotiate";
import { protocolAddress } from "#app/utils/write-origin.server";

/**
 * CORS on every protocol answer: any origin, never with credentials (no
 * `Access-Control-Allow-Credentials`). Here, free of the database, so that the middleware's own
 * answers (a body too large, a server error) carry them as the handler's do: without them a
 * script on another origin could not read why it was refused.
 */
export const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers":
    "ETag, Location, Link, Allow, Accept-Post, Preference-Applied, Vary, WWW-Authenticate, Retry-After",
} as const;

/** What the page's own forms post (readForm): those go to the permalink's action. */
const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * Whether the protocol answers this request rather than Remix. The container has no page: it
 * answers everything. At an annotation's IRI the page keeps what browsers ask for — GET and HEAD
 * preferring HTML, and its forms' posts — and the protocol takes the rest: JSON-LD (also when no
 * Accept is sent, as the Recommendation has servers default to JSON-LD), OPTIONS, PUT, DELETE.
 */
export function answersProtocol(request: {
  method: string;
  path: string;
  accept?: string | null;
  contentType?: string | null;
}): boolean {
  const address = protocolAddress(request.path);
  if (!address) return false;
  if (address.type === "container") return true;
  const method = request.method.toUpperCase();
  if (method === "GET" || method === "HEAD") {
    return !request.accept || prefersJsonLd(request.accept);
  }
  if (method === "POST") return !FORM_TYPES.test(request.contentType ?? "");
  return true;
}

/** Headers that describe the connection, not the request: not carried into the Fetch request. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/** Reads the body, at most `limit` bytes; null when there is more. */
async function readBody(req: Request, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    length += buffer.length;
    if (length > limit) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export type ProtocolHandler = (request: globalThis.Request) => Promise<globalThis.Response>;

/**
 * The middleware: a protocol request becomes a Fetch `Request` on our own origin (as Remix's
 * adapter builds one), the handler's `Response` is written back as it is. Anything else goes on
 * to Remix; the HTML permalink then says it varies by Accept, as its JSON-LD twin does.
 */
export function protocolRequests({
  ownOrigin,
  handle,
  maxBodyBytes,
}: {
  ownOrigin: (req: Request) => string;
  handle: ProtocolHandler;
  maxBodyBytes: number;
}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const routed = answersProtocol({
      method: req.method,
      path: req.path,
      accept: req.get("accept"),
      contentType: req.get("content-type"),
    });
    if (!routed) {
      if (protocolAddress(req.path)?.type === "annotation") res.vary("Accept");
      next();
      return;
    }
    try {
      const headers = new Headers();
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i] as string;
        if (!HOP_BY_HOP.has(name.toLowerCase())) {
          headers.append(name, req.rawHeaders[i + 1] as string);
        }
      }
      const method = req.method.toUpperCase();
      let body: Buffer | undefined;
      if (method !== "GET" && method !== "HEAD") {
        const read = await readBody(req, maxBodyBytes);
        if (read === null) {
          // The handler's problem document, as it would have answered a body this large.
          res
            .status(413)
            .set(CORS_HEADERS)
            .set("Cache-Control", "no-store")
            .type("application/problem+json")
            .send(
              JSON.stringify({
                type: "about:blank",
                title: "Content Too Large",
                status: 413,
                detail: "That is more than one annotation can hold.",
              }),
            );
          return;
        }
        body = read;
      }
      const request = new globalThis.Request(new URL(req.originalUrl, ownOrigin(req)), {
        method,
        headers,
        body: body && body.length > 0 ? new Uint8Array(body) : undefined,
      });
      const response = await handle(request);
      res.status(response.status);
      response.headers.forEach((value, name) => {
        res.setHeader(name, value);
      });
      const bytes = response.body ? Buffer.from(await response.arrayBuffer()) : null;
      if (bytes && method !== "HEAD") res.setHeader("Content-Length", String(bytes.length));
      res.end(method === "HEAD" ? undefined : (bytes ?? undefined));
    } catch (error) {
      // Express answers with its 500; a script on another origin may at least read that status.
      if (!res.headersSent) res.set(CORS_HEADERS);
      next(error);
    }
  };
}

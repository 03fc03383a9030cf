/**
 * The production (and dev) HTTP server: Express in front of the Remix build. It exists, rather than
 * remix-serve, for what a route cannot do for itself: refuse cross-site writes before any action
 * runs, tell actions the client's address (for rate limiting), set security headers, and answer
 * the Annotation Protocol ahead of Remix (ADR 016).
 * In production, the render-once page cache answers reading pages, threads, discussion, search and
 * assignments it has stored before Express (ADR 010, 015, 018).
 *
 * `npm run build` bundles this file into build/server.js (esbuild; node_modules stay external), so
 * production runs plain `node` with no TypeScript loader; `npm run dev` runs it through tsx.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Server, type Socket } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { constants as zlib } from "node:zlib";
import { createRequestHandler } from "@remix-run/express";
import {
  broadcastDevReady,
  createRequestHandler as createRemixHandler,
  type ServerBuild,
} from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import morgan from "morgan";
import { EnvError, readEnv } from "#app/env.server";
import { isNegotiatedPath, NEGOTIATED_VARY, negotiatedPath } from "#app/interop/negotiate";
import { whenWritable } from "#app/utils/connection.server";
import {
  PageCache,
  pageVersionLookup,
  siteVersionLookup,
  threadVersionLookup,
  viewerStampLookup,
} from "#app/utils/page-cache.server";
import { protocolRequests } from "#app/utils/protocol-dispatch.server";
import { newNonce, securityHeaders } from "#app/utils/security-headers.server";
import { REISSUE_WINDOW_MS, SESSION_DAYS } from "#app/utils/session-cookie";
import { sameOriginWrites } from "#app/utils/write-origin.server";
import { startWalCheckpoints } from "#db/client";

let config: ReturnType<typeof readEnv>;
try {
  config = readEnv();
} catch (error) {
  // A mistyped setting stops the server at once, saying which one.
  if (error instanceof EnvError) {
    console.error(`marginalia: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
const { mode, port, host, appOrigin } = config;
// From the working directory, like public/ and db/migrations: this file runs from the project root
// as server.ts (dev) and as build/server.js (production).
const BUILD_PATH = pathToFileURL(resolve("build/index.js")).href;

/** The origin this app answers on; APP_ORIGIN wins, for a proxy that rewrites the Host header. */
function ownOrigin(req: Request): string {
  return appOrigin ?? `${req.protocol}://${req.get("host")}`;
}

/**
 * Forms here are small (an annotation is at most 10,000 characters); a larger body is refused
 * before anything buffers it. Browsers always send Content-Length with a form.
 */
const MAX_BODY_BYTES = 256 * 1024;
/**
 * The forms that upload an article's text (a revision, a collection's new response) take files up
 * to the importer's 1 MB limit, plus the form around it; the importer refuses a larger file itself.
 */
const MAX_UPLOAD_BODY_BYTES = 1024 * 1024 + 64 * 1024;
const UPLOAD_PATHS = /^\/(articles\/[^/]+\/revisions|collections\/[^/]+)(\.data)?\/?$/;
/**
 * The annotation import takes files up to 10 MB (MAX_ANNOTATION_IMPORT_BYTES). Bodies up to this
 * reach its action, which refuses one over its limit from Content-Length, before reading a byte,
 * with a message beside the file field; only beyond this does the bare 413 answer.
 */
const MAX_ANNOTATION_IMPORT_BODY_BYTES = 64 * 1024 * 1024;
const ANNOTATION_IMPORT_PATH = /^\/articles\/[^/]+\/import(\.data)?\/?$/;

function limitBodySize(req: Request, res: Response, next: NextFunction) {
  if (req.method === "GET" || req.method === "HEAD") return next();
  const length = req.get("content-length");
  if (length === undefined && req.get("transfer-encoding")) {
    res.status(411).type("text/plain").send("Length Required");
    return;
  }
  const limit = ANNOTATION_IMPORT_PATH.test(req.path)
    ? MAX_ANNOTATION_IMPORT_BODY_BYTES
    : UPLOAD_PATHS.test(req.path)
      ? MAX_UPLOAD_BODY_BYTES
      : MAX_BODY_BYTES;
  if (Number(length ?? 0) > limit) {
    res.status(413).type("text/plain").send("That is more than a form here can hold.");
    return;
  }
  next();
}

/** Every response: a fresh CSP nonce for this page's inline scripts, and the security headers. */
function setSecurityHeaders(req: Request, res: Response, next: NextFunction) {
  const nonce = newNonce();
  res.locals.cspNonce = nonce;
  const https = req.secure || (appOrigin?.startsWith("https:") ?? false);
  res.set(securityHeaders({ nonce, https }));
  next();
}

/**
 * Compression, except for server-sent events: compression buffers until a chunk fills, which would
 * hold each event back.
 */
function compressible(req: Request, res: Response): boolean {
  const type = String(res.getHeader("Content-Type") ?? "");
  if (type.startsWith("text/event-stream")) return false;
  return compression.filter(req, res);
}

/**
 * Content negotiation on an article's address: `Accept: application/ld+json` gets the article's
 * annotations (the export route answers, as if asked for /articles/:slug/annotations.jsonld), any
 * other the reading page. Both say they vary by Accept, so no cache hands one to the other's client.
 */
function negotiateArticle(req: Request, res: Response, next: NextFunction) {
  const rewritten = negotiatedPath(req.method, req.originalUrl, req.get("accept"));
  if (rewritten) {
    // Remix builds its request from originalUrl.
    req.url = rewritten;
    req.originalUrl = rewritten;
  } else if (isNegotiatedPath(req.path)) {
    res.vary(NEGOTIATED_VARY);
  }
  next();
}

const app = express();
app.disable("x-powered-by");
// Parsed (env.server.ts): Express would read "1" as an address, not a hop count.
app.set("trust proxy", config.trustProxy);
// Brotli at zlib's default quality (11) took ~100 ms of CPU per 130 KB page, per request: every
// browser asks for br. Quality 4 compresses about as well as gzip -6 in a few milliseconds.
app.use(
  compression({
    filter: compressible,
    brotli: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
  }),
);
app.use(setSecurityHeaders);
app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
app.use(morgan(mode === "production" ? "short" : "dev"));
// Cross-site request protection: a write whose Origin (or Referer) is not ours never reaches an
// action, unless it is a protocol request authenticated by a bearer token alone (write-origin.server.ts).
app.use(sameOriginWrites(ownOrigin));
app.use(limitBodySize);
// The Annotation Protocol (ADR 016) answers its requests here, ahead of Remix: Remix would refuse
// a cross-origin write to the annotation IRI, which is also a page. Imported here, after the
// settings were read, as the page cache's database is: opening it needs them.
const { handleProtocolRequest } = await import("#app/interop/protocol.server");
app.use(
  protocolRequests({
    ownOrigin,
    handle: (request) => handleProtocolRequest(request),
    maxBodyBytes: MAX_BODY_BYTES,
  }),
);
app.use(negotiateArticle);

const build = (await import(BUILD_PATH)) as ServerBuild;
app.all(
  "*",
  createRequestHandler({
    build,
    mode,
    getLoadContext: (req, res) => ({
      clientAddress: req.ip || req.socket.remoteAddress || "unknown",
      cspNonce: String(res.locals.cspNonce ?? ""),
      writable: () => whenWritable(res),
    }),
  }),
);

/** Whether the request came over https, decided exactly as Express's `req.protocol` does. */
function isHttps(req: IncomingMessage): boolean {
  if (appOrigin?.startsWith("https:")) return true;
  const socket = req.socket as Socket & { encrypted?: boolean };
  const own = socket.encrypted ? "https" : "http";
  const trust = app.get("trust proxy fn") as (address: string | undefined, hop: number) => boolean;
  if (!trust(socket.remoteAddress, 0)) return own === "https";
  const forwarded = req.headers["x-forwarded-proto"];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded) ?? own;
  return proto.split(",")[0]?.trim() === "https";
}

/**
 * The render-once page cache (production only: under `npm run dev` every change restarts the
 * server, and live-reload scripts differ per render). A miss renders through the Remix build as a
 * stranger would see it (no cookie), or with only the reader's session cookie; no nonce, the whole
 * document.
 */
let pageCache: PageCache | null = null;
if (mode === "production") {
  const { db } = await import("#app/utils/db.server");
  const renderRemix = createRemixHandler(build, mode);
  // A fixed origin: the page must not depend on the Host header a stranger sent.
  const renderOrigin = appOrigin ?? "http://localhost";
  pageCache = new PageCache({
    lookup: pageVersionLookup(db),
    threadLookup: threadVersionLookup(db),
    siteLookup: siteVersionLookup(db),
    viewer: viewerStampLookup(db, {
      lifetimeMs: SESSION_DAYS * 86_400_000,
      reissueWindowMs: REISSUE_WINDOW_MS,
    }),
    render: (path, sessionCookie) =>
      renderRemix(
        new Request(new URL(path, renderOrigin), {
          headers: sessionCookie
            ? { Accept: "text/html", Cookie: sessionCookie }
            : { Accept: "text/html" },
        }),
        { clientAddress: "page-cache", cspNonce: "", renderWhole: true },
      ),
    headers: (hashes, https) => securityHeaders({ nonce: { hashes }, https }),
    isHttps,
  });
}

const server = createServer((req, res) => {
  if (pageCache) pageCache.handle(req, res, () => app(req, res));
  else app(req, res);
});
if (host) server.listen(port, host);
else server.listen(port);
server.on("listening", () => {
  // Under `remix dev` (npm run dev), tell the dev server this build is live.
  if (mode === "development") broadcastDevReady(build);
  const address = server.address();
  const shown =
    typeof address === "object" && address ? `${address.address}:${address.port}` : port;
  console.log(`Marginalia listening on ${shown} (http://localhost:${port})`);
});

/*
 * Graceful shutdown on SIGTERM (a container's stop; `npm start` execs this process, so npm passes
 * the signal here) or SIGINT: stop accepting connections; answer every request already accepted,
 * including those still queued in the kernel and one sent on a connection opened just before the
 * signal; then close the database (its WAL checkpointed into the file) and exit 0. Connections
 * still open after DRAIN_MS are cut: Docker sends SIGKILL 10 s after SIGTERM.
 */
const DRAIN_MS = 8_000;
/** How long a connection that has sent nothing yet may still send its request. */
const FIRST_REQUEST_GRACE_MS = 2_000;
/** The longest the listener stays open after the signal, taking in connections already queued. */
const BACKLOG_MAX_MS = 2_000;
// Loaded now, used at shutdown: the same handle as the build's, shared through globalThis.
const database = import("#app/utils/db.server");
// WAL checkpoints on a worker thread of their own, never in a request's commit (db/client.ts).
const checkpoints = database.then(({ db }) => startWalCheckpoints(db));

/** Per connection: requests being answered, and bytes read when it last fell idle. */
const connections = new Map<Socket, { active: number; idleAt: number }>();
let accepted = 0;
let stopping: { since: number } | null = null;

server.on("connection", (socket: Socket) => {
  accepted += 1;
  connections.set(socket, { active: 0, idleAt: 0 });
  socket.on("close", () => connections.delete(socket));
});
server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
  const state = connections.get(req.socket);
  if (!state) return;
  state.active += 1;
  if (stopping && !res.headersSent) res.setHeader("Connection", "close");
  res.on("close", () => {
    state.active -= 1;
    state.idleAt = req.socket.bytesRead;
    if (stopping) closeIdleConnections();
  });
});

/** Closes connections with nothing to answer; one that never sent a byte gets a short grace. */
function closeIdleConnections(): void {
  if (!stopping) return;
  const graceOver = Date.now() - stopping.since >= FIRST_REQUEST_GRACE_MS;
  for (const [socket, state] of connections) {
    if (state.active > 0 || socket.bytesRead !== state.idleAt) continue;
    // Answered before: a FIN once its last response is flushed. Never used: cut after the grace.
    if (state.idleAt > 0) socket.end();
    else if (graceOver) socket.destroy();
  }
}

function shutDown(signal: NodeJS.Signals): void {
  if (stopping) return; // Ctrl-C reaches both npm and this process: one shutdown is enough.
  stopping = { since: Date.now() };
  console.log(`${signal}: finishing ${connections.size} open connection(s), then stopping`);
  // Connections the kernel accepted while this process was busy wait in the listen backlog, and
  // closing the listening socket would reset them. Node takes one in per turn of the event loop,
  // so the listener closes after a turn that took none (or after BACKLOG_MAX_MS). net.Server#close
  // stops accepting and calls back once every connection has closed; http.Server#close would also
  // cut at once every connection between two requests, whose next request may be on its way.
  let seen = -1;
  const stopAccepting = () => {
    if (accepted !== seen && Date.now() - (stopping?.since ?? 0) < BACKLOG_MAX_MS) {
      seen = accepted;
      setImmediate(stopAccepting);
      return;
    }
    Server.prototype.close.call(server, async () => {
      try {
        // The worker's checkpoints end first, so the closing checkpoint does not wait for one.
        await (await checkpoints).stop();
        (await database).closeDatabase();
        process.exit(0);
      } catch (error) {
        console.error("marginalia: closing the database failed:", error);
        process.exit(1);
      }
    });
  };
  setImmediate(stopAccepting);
  closeIdleConnections();
  const sweep = setInterval(closeIdleConnections, 100);
  setTimeout(() => {
    clearInterval(sweep);
    for (const socket of connections.keys()) socket.destroy();
  }, DRAIN_MS).unref();
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, shutDown);

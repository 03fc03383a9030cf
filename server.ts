/**
 * The production (and dev) HTTP server: Express in front of the Remix build. It exists, rather than
 * remix-serve, for three things a route cannot do for itself: refuse cross-site writes before any
 * action runs, tell actions the client's address (for rate limiting), and set security headers.
 */
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import morgan from "morgan";
import { configuredOrigin } from "#app/utils/origin";

const mode = process.env.NODE_ENV === "development" ? "development" : "production";
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || undefined;
const BUILD_PATH = new URL("./build/index.js", import.meta.url).href;

/** The origin this app answers on; APP_ORIGIN wins, for a proxy that rewrites the Host header. */
function ownOrigin(req: Request): string {
  return configuredOrigin() ?? `${req.protocol}://${req.get("host")}`;
}

function requestOrigin(req: Request): string | null {
  const origin = req.get("origin");
  if (origin && origin !== "null") return origin;
  const referer = req.get("referer");
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

/** Cross-site request protection: a write whose Origin (or Referer) is not ours never reaches an action. */
export function sameOriginWrites(req: Request, res: Response, next: NextFunction) {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
  if (requestOrigin(req) === ownOrigin(req)) return next();
  res
    .status(403)
    .type("text/plain")
    .send(
      "Forbidden: this request did not come from a Marginalia page. Reload the page and try again.",
    );
}

/**
 * Forms here are small (an annotation is at most 10,000 characters); a larger body is refused
 * before anything buffers it. Browsers always send Content-Length with a form.
 */
const MAX_BODY_BYTES = 256 * 1024;

function limitBodySize(req: Request, res: Response, next: NextFunction) {
  if (req.method === "GET" || req.method === "HEAD") return next();
  const length = req.get("content-length");
  if (length === undefined && req.get("transfer-encoding")) {
    res.status(411).type("text/plain").send("Length Required");
    return;
  }
  if (Number(length ?? 0) > MAX_BODY_BYTES) {
    res.status(413).type("text/plain").send("That is more than a form here can hold.");
    return;
  }
  next();
}

function securityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.set({
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  });
  next();
}

const app = express();
app.disable("x-powered-by");
if (process.env.TRUST_PROXY) app.set("trust proxy", process.env.TRUST_PROXY);
app.use(compression());
app.use(securityHeaders);
app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
app.use(morgan(mode === "production" ? "short" : "dev"));
app.use(sameOriginWrites);
app.use(limitBodySize);

const build = (await import(BUILD_PATH)) as ServerBuild;
app.all(
  "*",
  createRequestHandler({
    build,
    mode,
    getLoadContext: (req) => ({ clientAddress: req.ip || req.socket.remoteAddress || "unknown" }),
  }),
);

const server = host ? app.listen(port, host) : app.listen(port);
server.on("listening", () => {
  // Under `remix dev` (npm run dev), tell the dev server this build is live.
  if (mode === "development") broadcastDevReady(build);
  const address = server.address();
  const shown =
    typeof address === "object" && address ? `${address.address}:${address.port}` : port;
  console.log(`Marginalia listening on ${shown} (http://localhost:${port})`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

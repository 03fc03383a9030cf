/**
 * Which requests the Annotation Protocol answers ahead of Remix (app/utils/protocol-dispatch.server.ts),
 * and the dispatch itself in a real Express app mounted as server.ts mounts it: compression, the
 * cross-site write check, then the protocol's handler, then (here) a stand-in for Remix. And the
 * render-once page cache never takes a protocol address.
 */
import type { AddressInfo } from "node:net";
import compression from "compression";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleProtocolRequest } from "#app/interop/protocol.server";
import { ANNO_CONTEXT, ANNOTATION_MEDIA_TYPE } from "#app/interop/vocabulary";
import { createToken } from "#app/models/api-token.server";
import { cacheablePath, personalPath } from "#app/utils/page-cache.server";
import { answersProtocol, protocolRequests } from "#app/utils/protocol-dispatch.server";
import { sameOriginWrites } from "#app/utils/write-origin.server";
import {
  createThread,
  db,
  paragraph,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  signedInUser,
} from "./factories";

const CONTAINER = `/articles/${SEED_ARTICLE_SLUG}/annotations/`;
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const EVIL = "https://evil.example";

describe("answersProtocol", () => {
  const one = `${CONTAINER}12`;
  it.each([
    // The container has no page: every request is the protocol's.
    [{ method: "GET", path: CONTAINER, accept: BROWSER_ACCEPT }, true],
    [{ method: "GET", path: CONTAINER.slice(0, -1) }, true],
    [{ method: "POST", path: CONTAINER, contentType: ANNOTATION_MEDIA_TYPE }, true],
    [{ method: "OPTIONS", path: CONTAINER }, true],
    // An annotation's IRI: JSON-LD (or no Accept at all) for the protocol, HTML for the page.
    [{ method: "GET", path: one, accept: ANNOTATION_MEDIA_TYPE }, true],
    [{ method: "HEAD", path: one, accept: "application/ld+json" }, true],
    [{ method: "GET", path: one }, true],
    [{ method: "GET", path: one, accept: BROWSER_ACCEPT }, false],
    [{ method: "GET", path: one, accept: "*/*" }, false],
    [{ method: "PUT", path: one, contentType: ANNOTATION_MEDIA_TYPE }, true],
    [{ method: "DELETE", path: one }, true],
    [{ method: "OPTIONS", path: one }, true],
    // The permalink page's own forms post to it.
    [{ method: "POST", path: one, contentType: "application/x-www-form-urlencoded" }, false],
    [{ method: "POST", path: one, contentType: "multipart/form-data; boundary=x" }, false],
    [{ method: "POST", path: one, contentType: ANNOTATION_MEDIA_TYPE }, true],
    // Everything else is Remix's.
    [{ method: "GET", path: `${one}.data`, accept: "application/ld+json" }, false],
    [
      { method: "GET", path: `/articles/${SEED_ARTICLE_SLUG}`, accept: "application/ld+json" },
      false,
    ],
    [{ method: "POST", path: "/annotations/12/endorse" }, false],
  ])("%o → %s", (request, expected) => {
    expect(answersProtocol(request)).toBe(expected);
  });

  it("the page cache never answers a protocol address", () => {
    for (const url of [CONTAINER, `${CONTAINER}12`, `${CONTAINER}?page=1`]) {
      for (const accept of [BROWSER_ACCEPT, ANNOTATION_MEDIA_TYPE]) {
        expect(cacheablePath({ method: "GET", url, headers: { accept } })).toBeNull();
        expect(personalPath({ method: "GET", url, headers: { accept } })).toBeNull();
      }
    }
  });
});

describe("the dispatch in an Express app, as server.ts mounts it", () => {
  let origin: string;
  let close: () => void;
  let ada: SignedIn;
  let token: string;

  beforeAll(async () => {
    ada = await signedInUser();
    token = createToken(db, ada.id, { name: "script", scope: "read-write" }).secret;
    const app = express();
    app.use(compression());
    const ownOrigin = (req: express.Request) => `${req.protocol}://${req.get("host")}`;
    app.use(sameOriginWrites(ownOrigin));
    app.use(
      protocolRequests({
        ownOrigin,
        handle: (request) => handleProtocolRequest(request),
        maxBodyBytes: 256 * 1024,
      }),
    );
    app.all("*", (_req, res) => {
      res.status(200).type("text/html").send("<p>the Remix page</p>");
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  function annotationBody(): string {
    return JSON.stringify({
      "@context": ANNO_CONTEXT,
      type: "Annotation",
      bodyValue: "Through the real stack.",
      target: {
        source: `${origin}/articles/${SEED_ARTICLE_SLUG}`,
        selector: { type: "TextQuoteSelector", exact: paragraph("p-2").text.slice(0, 20).trim() },
      },
    });
  }

  it("sends browsers the permalink page, scripts the JSON-LD, and says both vary by Accept", async () => {
    const id = createThread(ada);
    const page = await fetch(`${origin}${CONTAINER}${id}`, { headers: { Accept: BROWSER_ACCEPT } });
    expect(await page.text()).toContain("the Remix page");
    expect(page.headers.get("Vary")).toContain("Accept");
    const jsonLd = await fetch(`${origin}${CONTAINER}${id}`, {
      headers: { Accept: ANNOTATION_MEDIA_TYPE, "Accept-Encoding": "gzip" },
    });
    expect(jsonLd.status).toBe(200);
    expect(jsonLd.headers.get("Content-Type")).toBe(ANNOTATION_MEDIA_TYPE);
    expect(jsonLd.headers.get("Vary")).toContain("Accept");
    // Its strong ETag names the bytes sent: never re-encoded on the way.
    expect(jsonLd.headers.get("Content-Encoding")).toBeNull();
    const text = await jsonLd.text();
    expect(JSON.parse(text).id).toBe(`${origin}${CONTAINER}${id}`);
    expect(jsonLd.headers.get("Content-Length")).toBe(String(Buffer.byteLength(text)));
    const head = await fetch(`${origin}${CONTAINER}${id}`, {
      method: "HEAD",
      headers: { Accept: ANNOTATION_MEDIA_TYPE },
    });
    expect(head.headers.get("ETag")).toBe(jsonLd.headers.get("ETag"));
  });

  it("lets a script on another origin create with its token, past Remix's page guard", async () => {
    const preflight = await fetch(`${origin}${CONTAINER}`, {
      method: "OPTIONS",
      headers: {
        Origin: EVIL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(preflight.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const created = await fetch(`${origin}${CONTAINER}`, {
      method: "POST",
      headers: {
        Origin: EVIL,
        Authorization: `Bearer ${token}`,
        "Content-Type": ANNOTATION_MEDIA_TYPE,
      },
      body: annotationBody(),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const location = created.headers.get("Location") as string;
    expect(location.startsWith(`${origin}${CONTAINER}`)).toBe(true);
    // And delete it the same way (the annotation IRI is a page route in Remix).
    const deleted = await fetch(location, {
      method: "DELETE",
      headers: { Origin: EVIL, Authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(204);
  });

  it("keeps the origin check for cookies: a cookie write without our Origin is refused", async () => {
    const refused: Record<string, string>[] = [
      { Cookie: ada.cookie },
      { Cookie: ada.cookie, Origin: EVIL },
      { Cookie: ada.cookie, Authorization: `Bearer ${token}`, Origin: EVIL },
    ];
    for (const headers of refused) {
      const response = await fetch(`${origin}${CONTAINER}`, {
        method: "POST",
        headers: { ...headers, "Content-Type": ANNOTATION_MEDIA_TYPE },
        body: annotationBody(),
      });
      expect(response.status).toBe(403);
      expect(await response.text()).toMatch(/did not come from a Marginalia page/);
    }
    const own = await fetch(`${origin}${CONTAINER}`, {
      method: "POST",
      headers: { Cookie: ada.cookie, Origin: origin, "Content-Type": ANNOTATION_MEDIA_TYPE },
      body: annotationBody(),
    });
    expect(own.status).toBe(201);
  });

  it("leaves the permalink's form posts to Remix", async () => {
    const id = createThread(ada);
    const response = await fetch(`${origin}${CONTAINER}${id}`, {
      method: "POST",
      headers: {
        Cookie: ada.cookie,
        Origin: origin,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "intent=reply&id=1&body=hi",
    });
    expect(await response.text()).toContain("the Remix page");
  });

  it("refuses a body larger than one annotation may be", async () => {
    const response = await fetch(`${origin}${CONTAINER}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": ANNOTATION_MEDIA_TYPE },
      body: "x".repeat(300 * 1024),
    });
    expect(response.status).toBe(413);
    // A script on another origin can read why: the handler's CORS headers and problem document.
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 413, detail: expect.any(String) });
  });

  it("lets a script on another origin read a server error's status", async () => {
    const app = express();
    app.use(
      protocolRequests({
        ownOrigin: (req) => `${req.protocol}://${req.get("host")}`,
        handle: () => Promise.reject(new Error("a bug")),
        maxBodyBytes: 1024,
      }),
    );
    // Express's own 500, quietly.
    app.use((_error: unknown, _req: express.Request, res: express.Response, _next: unknown) => {
      res.status(500).type("text/plain").send("Internal Server Error");
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}${CONTAINER}`, {
        headers: { Origin: EVIL },
      });
      expect(response.status).toBe(500);
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    } finally {
      server.close();
    }
  });
});

/**
 * The cross-site write check server.ts applies (app/utils/write-origin.server.ts): writes from other
 * origins are refused, except a protocol request authenticated by a bearer token alone. A request
 * carrying the session cookie is checked whatever its Authorization header says. The middleware
 * itself runs here in a real Express app, as server.ts mounts it.
 */
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  isProtocolPath,
  presentsBearer,
  sameOriginWrites,
  writeAllowed,
} from "#app/utils/write-origin.server";

const OWN = "http://localhost:3000";
const EVIL = "https://evil.example";
const TOKEN = `mrg_${"a".repeat(43)}`;
const CONTAINER = "/articles/some-article/annotations/";
const ANNOTATION = "/articles/some-article/annotations/42";

describe("isProtocolPath", () => {
  it.each([
    [CONTAINER, true],
    ["/articles/some-article/annotations", true],
    [ANNOTATION, true],
    ["/articles/some%20slug/annotations/7", true],
    // Remix's data twins, pages and everything else are not.
    ["/articles/some-article/annotations/42.data", false],
    ["/articles/some-article/annotations.data", false],
    ["/articles/some-article", false],
    ["/articles/some-article/p/p-3", false],
    ["/articles/some-article/annotations/42/edit", false],
    ["/articles/some-article/annotations/abc", false],
    ["/annotations/42/endorse", false],
    ["/account", false],
    ["/login", false],
    ["/articles//annotations/1", false],
  ])("%s → %s", (path, expected) => {
    expect(isProtocolPath(path)).toBe(expected);
  });
});

describe("presentsBearer", () => {
  it.each([
    [`Bearer ${TOKEN}`, true],
    [`bearer ${TOKEN}`, true],
    ["Bearer", false],
    ["Bearer ", false],
    ["Bearer a b", false],
    ["Basic YWRhOnB3", false],
    [null, false],
  ])("%s → %s", (header, expected) => {
    expect(presentsBearer(header)).toBe(expected);
  });
});

describe("writeAllowed", () => {
  const base = { ownOrigin: OWN, method: "POST", path: ANNOTATION };

  it("reads are always allowed", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      expect(writeAllowed({ ...base, method, origin: EVIL, cookie: "auth_session=s" })).toBe(true);
    }
  });

  it("a write from our own pages is allowed, by Origin or by Referer", () => {
    expect(writeAllowed({ ...base, origin: OWN, cookie: "auth_session=s" })).toBe(true);
    expect(writeAllowed({ ...base, referer: `${OWN}/articles/x`, cookie: "auth_session=s" })).toBe(
      true,
    );
  });

  it("a cookie write from elsewhere, or from nowhere, is refused", () => {
    expect(writeAllowed({ ...base, origin: EVIL, cookie: "auth_session=s" })).toBe(false);
    expect(writeAllowed({ ...base, cookie: "auth_session=s" })).toBe(false);
    expect(writeAllowed({ ...base, origin: "null", cookie: "auth_session=s" })).toBe(false);
  });

  it("a bearer-only write to a protocol address is allowed from anywhere (a script has no Origin)", () => {
    for (const path of [CONTAINER, ANNOTATION]) {
      for (const method of ["POST", "PUT", "DELETE"]) {
        expect(writeAllowed({ ...base, path, method, authorization: `Bearer ${TOKEN}` })).toBe(
          true,
        );
        expect(
          writeAllowed({ ...base, path, method, origin: EVIL, authorization: `Bearer ${TOKEN}` }),
        ).toBe(true);
        // Other cookies (not the session's) do not make it a cookie request.
        expect(
          writeAllowed({
            ...base,
            path,
            method,
            origin: EVIL,
            authorization: `Bearer ${TOKEN}`,
            cookie: "theme=dark",
          }),
        ).toBe(true);
      }
    }
  });

  it("a request carrying the session cookie is checked even with an Authorization header", () => {
    for (const cookie of ["auth_session=s", "theme=dark; auth_session=s"]) {
      expect(
        writeAllowed({ ...base, origin: EVIL, authorization: `Bearer ${TOKEN}`, cookie }),
      ).toBe(false);
      expect(writeAllowed({ ...base, authorization: `Bearer ${TOKEN}`, cookie })).toBe(false);
    }
  });

  it("a bearer token is no pass anywhere but the protocol addresses", () => {
    for (const path of ["/account", "/login", "/articles/x/p/p-1", "/annotations/4/endorse"]) {
      expect(writeAllowed({ ...base, path, origin: EVIL, authorization: `Bearer ${TOKEN}` })).toBe(
        false,
      );
    }
    expect(
      writeAllowed({ ...base, path: `${ANNOTATION}.data`, authorization: `Bearer ${TOKEN}` }),
    ).toBe(false);
  });

  it("a malformed or other Authorization header is no pass either", () => {
    for (const authorization of ["Bearer", "Basic YWRhOnB3", "Bearer a b"]) {
      expect(writeAllowed({ ...base, origin: EVIL, authorization })).toBe(false);
    }
  });
});

describe("the middleware in an Express app", () => {
  let origin: string;
  let close: () => void;

  beforeAll(async () => {
    const app = express();
    app.use(sameOriginWrites((req) => `${req.protocol}://${req.get("host")}`));
    app.all("*", (_req, res) => {
      res.status(200).send("reached the route");
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  const send = (path: string, headers: Record<string, string>, method = "POST") =>
    fetch(`${origin}${path}`, { method, headers, body: method === "GET" ? undefined : "{}" });

  it("lets a bearer-only cross-origin write reach a protocol route", async () => {
    const answer = await send(ANNOTATION, {
      Origin: EVIL,
      Authorization: `Bearer ${TOKEN}`,
      "Content-Type": "application/ld+json",
    });
    expect(answer.status).toBe(200);
    const noOrigin = await send(CONTAINER, { Authorization: `Bearer ${TOKEN}` });
    expect(noOrigin.status).toBe(200);
  });

  it("refuses the same write when it also carries the session cookie", async () => {
    const answer = await send(ANNOTATION, {
      Origin: EVIL,
      Authorization: `Bearer ${TOKEN}`,
      Cookie: "auth_session=abc",
    });
    expect(answer.status).toBe(403);
    expect(await answer.text()).toMatch(/did not come from a Marginalia page/);
  });

  it("refuses a cross-origin form post to the permalink, and lets our own through", async () => {
    const form = { "Content-Type": "application/x-www-form-urlencoded", Cookie: "auth_session=a" };
    expect((await send(ANNOTATION, { ...form, Origin: EVIL })).status).toBe(403);
    expect((await send(ANNOTATION, { ...form, Origin: origin })).status).toBe(200);
    expect((await send(ANNOTATION, form, "GET")).status).toBe(200);
  });

  it("refuses a bearer write to a page route", async () => {
    const answer = await send("/account", { Origin: EVIL, Authorization: `Bearer ${TOKEN}` });
    expect(answer.status).toBe(403);
  });
});

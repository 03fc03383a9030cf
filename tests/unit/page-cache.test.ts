/**
 * The render-once page cache (app/utils/page-cache.server.ts): which requests it may answer, how it
 * negotiates, validates and hashes, how it serves hits, misses and 304s, and the triggers that bump
 * `page_version` (migration 0008) on every write an anonymous reader's page shows, and on no other.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  setThreadResolved,
  updateAnnotation,
} from "#app/models/annotation.server";
import { toggleEndorsement } from "#app/models/endorsement.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import {
  cacheablePath,
  chooseEncoding,
  etagFor,
  inlineScriptHashes,
  notModified,
  PageCache,
  pageVersionLookup,
  storePage,
  VARY,
} from "#app/utils/page-cache.server";
import { contentSecurityPolicy } from "#app/utils/security-headers.server";
import { ask as askCache, exchange } from "./page-cache-exchange";
import { ADA, BOB, blockAt, createSeededDb, newInput } from "./test-db";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("base64");

describe("which requests the cache may answer", () => {
  const get = (url: string, cookie?: string, method = "GET") =>
    cacheablePath({ method, url, headers: cookie === undefined ? {} : { cookie } });

  it("takes a bare reading page, GET or HEAD, from a stranger", () => {
    expect(get("/articles/some-slug")).toBe("/articles/some-slug");
    expect(get("/articles/some-slug", undefined, "HEAD")).toBe("/articles/some-slug");
    // Another site's or a consent cookie is not a session: still a stranger.
    expect(get("/articles/some-slug", "theme=dark; consent=1")).toBe("/articles/some-slug");
  });

  it("leaves everything else to Express", () => {
    expect(get("/articles/some-slug", "auth_session=abc")).toBeNull();
    expect(get("/articles/some-slug", "theme=dark; auth_session=abc")).toBeNull();
    expect(get("/articles/some-slug", undefined, "POST")).toBeNull();
    expect(get("/articles/some-slug?_data=root")).toBeNull();
    expect(get("/articles/some-slug?")).toBeNull();
    expect(get("/articles/some-slug/")).toBeNull();
    expect(get("/articles/some-slug/discussion")).toBeNull();
    expect(get("/articles/some-slug/p/p-1")).toBeNull();
    expect(get("/articles/some-slug.data")).toBeNull();
    expect(get("/search")).toBeNull();
  });
});

describe("negotiation and validation", () => {
  it("prefers brotli, then gzip, and honours q=0", () => {
    expect(chooseEncoding(undefined)).toBe("identity");
    expect(chooseEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(chooseEncoding("gzip")).toBe("gzip");
    expect(chooseEncoding("br;q=0, gzip;q=0.5")).toBe("gzip");
    expect(chooseEncoding("gzip;q=0")).toBe("identity");
    expect(chooseEncoding("*")).toBe("br");
    expect(chooseEncoding("identity")).toBe("identity");
  });

  it("gives each encoding its own strong ETag and answers If-None-Match", () => {
    const tags = (["identity", "gzip", "br"] as const).map((e) => etagFor("abc", e));
    expect(new Set(tags).size).toBe(3);
    for (const tag of tags) expect(tag).toMatch(/^"[^"]+"$/);
    expect(notModified(undefined, '"abc"')).toBe(false);
    expect(notModified('"abc"', '"abc"')).toBe(true);
    expect(notModified('"x", W/"abc"', '"abc"')).toBe(true);
    expect(notModified("*", '"abc"')).toBe(true);
    expect(notModified('"abc-gzip"', '"abc"')).toBe(false);
  });
});

describe("inline script hashes", () => {
  it("hashes each inline script's text exactly as written, and skips scripts with src", () => {
    const first = 'window.__remixContext = {"a":"<\\u002fscript>"};';
    const second = 'import "/build/entry.client.js";\n';
    const html = `<html><head><script src="/x.js"></script></head><body>
      <script nonce="">${first}</script><script type="module" async="">${second}</script>
      <script>${first}</script></body></html>`;
    expect(inlineScriptHashes(html).sort()).toEqual([sha256(first), sha256(second)].sort());
  });

  it("puts the hashes, 'strict-dynamic' and the rest of the policy in the CSP", () => {
    const policy = contentSecurityPolicy({ hashes: ["AAA=", "BBB="] });
    expect(policy).toContain("script-src 'sha256-AAA=' 'sha256-BBB=' 'strict-dynamic' 'self'");
    expect(policy).not.toContain("nonce-");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
  });

  it("stores three encodings of the same bytes", async () => {
    const html = `<!DOCTYPE html><p>${"Paragraph text. ".repeat(200)}</p><script>go()</script>`;
    const page = await storePage(html, { articleId: 1, version: 3 });
    expect(page.bodies.identity.toString("utf8")).toBe(html);
    expect(gunzipSync(page.bodies.gzip).toString("utf8")).toBe(html);
    expect(brotliDecompressSync(page.bodies.br).toString("utf8")).toBe(html);
    expect(page.bodies.br.length).toBeLessThan(html.length / 4);
    expect(page.scriptHashes).toEqual([sha256("go()")]);
  });
});

function fakeCache(version: { current: number }) {
  const renders: string[] = [];
  let response = (path: string) =>
    new Response(`<!DOCTYPE html><title>${path} v${version.current}</title><script>x()</script>`, {
      status: 200,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  const cache = new PageCache({
    lookup: (slug) => (slug === "a" ? { articleId: 1, version: version.current } : undefined),
    render: async (path) => {
      renders.push(path);
      return response(path);
    },
    headers: (hashes) => ({ "Content-Security-Policy": contentSecurityPolicy({ hashes }) }),
    isHttps: () => false,
  });
  const setResponse = (make: (path: string) => Response) => {
    response = make;
  };
  return { cache, renders, setResponse };
}

function ask(cache: PageCache, headers: Record<string, string> = {}, method = "GET") {
  return askCache(cache, { url: "/articles/a", method, headers });
}

describe("serving", () => {
  it("renders once, then serves the stored bytes with ETag, Vary and the hashes' CSP", async () => {
    const version = { current: 1 };
    const { cache, renders } = fakeCache(version);
    const [first, second] = await Promise.all([ask(cache), ask(cache)]);
    const third = await ask(cache, { "Accept-Encoding": "gzip, br" });
    expect(renders).toEqual(["/articles/a"]);
    expect(first.status).toBe(200);
    expect(second.body?.equals(first.body as Buffer)).toBe(true);
    expect(first.headers?.Vary).toBe(VARY);
    expect(first.headers?.ETag).toMatch(/^"[^"]+"$/);
    expect(first.headers?.["Content-Security-Policy"]).toContain(`'sha256-${sha256("x()")}'`);
    expect(third.headers?.["Content-Encoding"]).toBe("br");
    expect(third.headers?.ETag).not.toBe(first.headers?.ETag);
    expect(brotliDecompressSync(third.body as Buffer).equals(first.body as Buffer)).toBe(true);
  });

  it("answers 304 to a matching If-None-Match, and HEAD without a body", async () => {
    const { cache } = fakeCache({ current: 1 });
    const first = await ask(cache);
    const again = await ask(cache, { "If-None-Match": String(first.headers?.ETag) });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(again.headers?.ETag).toBe(first.headers?.ETag);
    const head = await ask(cache, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
    expect(head.headers?.["Content-Length"]).toBe(first.body?.length);
  });

  it("renders again once the page version moves, and the old ETag no longer matches", async () => {
    const version = { current: 1 };
    const { cache, renders } = fakeCache(version);
    const first = await ask(cache);
    version.current = 2;
    const after = await ask(cache, { "If-None-Match": String(first.headers?.ETag) });
    expect(renders).toHaveLength(2);
    expect(after.status).toBe(200);
    expect(after.body?.toString()).toContain("v2");
  });

  it("passes to Express what it must not store or cannot answer", async () => {
    const version = { current: 1 };
    const { cache, setResponse, renders } = fakeCache(version);
    expect((await ask(cache, { Cookie: "auth_session=s" })).passed).toBe(true);
    setResponse(
      () =>
        new Response("<p>hi</p>", {
          headers: { "Content-Type": "text/html", "Set-Cookie": "a=b" },
        }),
    );
    expect((await ask(cache)).passed).toBe(true);
    setResponse(
      () => new Response("gone", { status: 404, headers: { "Content-Type": "text/html" } }),
    );
    expect((await ask(cache)).passed).toBe(true);
    expect(cache.size).toBe(0);
    // An unknown slug never renders here at all.
    const unknown = exchange({ url: "/articles/none" });
    let passed = false;
    cache.handle(unknown.req, unknown.res, () => {
      passed = true;
    });
    expect(passed).toBe(true);
    expect(renders).toHaveLength(2);
  });
});

describe("page_version triggers", () => {
  function setUp() {
    const { db, articleId } = createSeededDb();
    const lookup = pageVersionLookup(db);
    const version = () => lookup("seed")?.version ?? -1;
    const p1 = blockAt(db, articleId, "p-1");
    return { db, articleId, version, p1 };
  }

  it("bumps for a public annotation, a reply, an unpublish, a soft and a hard delete", () => {
    const { db, articleId, version, p1 } = setUp();
    let last = version();
    const bumped = () => {
      const now = version();
      const moved = now > last;
      last = now;
      return moved;
    };
    const root = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p1.id,
      input: newInput(),
    });
    expect(bumped()).toBe(true);
    const reply = createReply({ db, author: BOB, parentId: root, input: newInput() });
    expect(bumped()).toBe(true);
    // The root has a reply: deleting it leaves a placeholder (a soft delete).
    deleteAnnotation({ db, viewer: ADA, id: root });
    expect(bumped()).toBe(true);
    deleteAnnotation({ db, viewer: BOB, id: reply });
    expect(bumped()).toBe(true);
    const other = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p1.id,
      input: newInput(),
    });
    bumped();
    db.$client.prepare("update annotation set visibility = 'private' where id = ?").run(other);
    expect(bumped()).toBe(true);
    db.$client.prepare("update annotation set visibility = 'public' where id = ?").run(other);
    expect(bumped()).toBe(true);
  });

  it("does not bump for what the page does not show", () => {
    const { db, articleId, version, p1 } = setUp();
    const publicOne = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p1.id,
      input: newInput(),
    });
    const before = version();
    const note = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p1.id,
      input: newInput({ visibility: "private" }),
    });
    createReply({ db, author: ADA, parentId: note, input: newInput() });
    updateAnnotation({ db, viewer: ADA, id: note, input: { body: "Changed", source: null } });
    deleteAnnotation({ db, viewer: ADA, id: note });
    // Endorsements and body edits of public annotations: the page shows neither.
    toggleEndorsement({ db, viewer: BOB, annotationId: publicOne });
    updateAnnotation({ db, viewer: ADA, id: publicOne, input: { body: "Edited", source: null } });
    expect(version()).toBe(before);
  });

  it("bumps for a revision (new text, threads moved or orphaned), not for resolving a thread", () => {
    const { db, articleId, version, p1 } = setUp();
    const root = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p1.id,
      input: newInput({ quote: p1.text.slice(0, 40) }),
    });
    let before = version();
    setThreadResolved({ db, viewer: ADA, id: root, resolved: true });
    setThreadResolved({ db, viewer: ADA, id: root, resolved: false });
    expect(version()).toBe(before);
    const source = readFileSync(SEED_ARTICLE_PATH, "utf8").replace(
      p1.text.slice(0, 40),
      "Rewritten.",
    );
    before = version();
    importArticle(db, parseArticle(source, { markdown: false }), { slug: "seed" });
    expect(version()).toBeGreaterThan(before);
  });

  it("bumps for the article's own text and metadata, and only that article's version", () => {
    const { db, articleId, version, p1 } = setUp();
    const lookup = pageVersionLookup(db);
    db.$client
      .prepare("insert into article (slug, title, source_hash) values ('other', 'Other', 'h')")
      .run();
    const otherBefore = lookup("other")?.version;
    let before = version();
    db.$client.prepare("update article set title = 'New title' where id = ?").run(articleId);
    expect(version()).toBeGreaterThan(before);
    before = version();
    db.$client.prepare("update block set text = text || ' More.' where id = ?").run(p1.id);
    expect(version()).toBeGreaterThan(before);
    expect(lookup("other")?.version).toBe(otherBefore);
    expect(lookup("no-such-article")).toBeUndefined();
  });
});

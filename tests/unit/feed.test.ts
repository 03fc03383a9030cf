// @vitest-environment happy-dom
/**
 * Unit tests for an article's Atom feed: well-formed XML (a strict tiny checker, since happy-dom's
 * parser forgives bare `&` and control characters, plus DOMParser to read it), the Atom namespace
 * and required elements, escaped content, public annotations only, newest first.
 */
import { readFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  findPersonByUsername,
  listAnnotationsByAuthor,
  listRecentAnnotations,
} from "#app/models/activity.server";
import { createAnnotation, createReply, deleteAnnotation } from "#app/models/annotation.server";
import type { NewAnnotationInput } from "#app/models/annotation-input.server";
import { escapeXml, FEED_SIZE, findArticleFeed } from "#app/models/feed.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import { annotation, block, user } from "#db/schema";
import { createTestDb } from "./test-db";

const ATOM = "http://www.w3.org/2005/Atom";
const ORIGIN = "https://marginalia.example";
const seedSource = readFileSync(SEED_ARTICLE_PATH, "utf8");
const ADA = { id: "u-ada" };
const BOB = { id: "u-bob" };

function setUp() {
  const db = createTestDb();
  const seed = importArticle(db, parseArticle(seedSource, { markdown: false }), { slug: "seed" });
  const other = importArticle(db, parseArticle(seedSource, { markdown: false }), {
    slug: "other",
  });
  db.insert(user)
    .values([
      { id: ADA.id, username: "ada", displayName: "Ada <Lovelace> & Co", passwordHash: "x" },
      { id: BOB.id, username: "bob", displayName: "Bob", passwordHash: "x" },
    ])
    .run();
  const annotate = (
    author: { id: string },
    anchor: string,
    input: Partial<NewAnnotationInput>,
    articleId = seed.articleId,
  ): number => {
    const found = db
      .select()
      .from(block)
      .where(and(eq(block.articleId, articleId), eq(block.anchor, anchor)))
      .get();
    if (!found) throw new Error(`no block ${anchor}`);
    return createAnnotation({
      db,
      author,
      articleId,
      blockId: found.id,
      input: {
        kind: "annotation",
        body: "A thought.",
        source: null,
        quote: null,
        quoteStart: null,
        visibility: "public",
        ...input,
      },
    });
  };
  return { db, seed, other, annotate };
}

/**
 * A strict, tiny well-formedness check: only XML 1.0 characters, every `&` starts a predefined or
 * numeric entity, attributes are quoted and unique, and tags nest and close properly.
 */
function wellFormednessProblems(xml: string): string[] {
  const problems: string[] = [];
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) {
    problems.push("a character XML does not allow");
  }
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(xml)) problems.push("a bare &");
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, "");
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  for (const tag of body.matchAll(
    /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g,
  )) {
    const between = body.slice(last, tag.index);
    if (between.includes("<")) problems.push(`an unparsed tag near ${between.slice(0, 40)}`);
    if (stack.length === 0 && between.trim()) problems.push("text outside the root element");
    last = tag.index + tag[0].length;
    const [, closing, name = "", attributes = "", selfClosing] = tag;
    const names = [...attributes.matchAll(/([\w:.-]+)=/g)].map((m) => m[1]);
    if (new Set(names).size !== names.length) problems.push(`duplicate attributes on <${name}>`);
    if (closing) {
      if (stack.pop() !== name) problems.push(`</${name}> closes the wrong element`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots += 1;
      stack.push(name);
    } else if (stack.length === 0) roots += 1;
  }
  if (body.slice(last).trim()) problems.push("text after the root element");
  if (stack.length > 0) problems.push(`unclosed <${stack.join("> <")}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

function parse(xml: string): Document {
  expect(wellFormednessProblems(xml)).toEqual([]);
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  expect(doc.getElementsByTagName("parsererror")).toHaveLength(0);
  return doc;
}

function feedOf(db: ReturnType<typeof createTestDb>, slug = "seed"): string {
  const xml = findArticleFeed({ db, slug, origin: ORIGIN });
  if (xml === null) throw new Error("no feed");
  return xml;
}

const childText = (parent: Element, name: string) =>
  Array.from(parent.children).find((c) => c.localName === name)?.textContent ?? null;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe("the wellformedness checker", () => {
  it.each([
    ["<a><b>x</a>"],
    ["<a>&</a>"],
    ["<a>\u0001</a>"],
    ['<a><b x="1" x="2"/></a>'],
    ["<a/><b/>"],
    ["<a>&nbsp;</a>"],
    ["<a><b></a></b>"],
  ])("rejects %j", (xml) => {
    expect(wellFormednessProblems(xml)).not.toEqual([]);
  });
});

describe("escapeXml", () => {
  it("escapes markup and drops characters XML forbids", () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;",
    );
    expect(escapeXml("a\u0000b\u0008c\u001Fd\uFFFEe\uD800f\tg\nh🚀")).toBe("abcdef\tg\nh🚀");
  });
});

describe("findArticleFeed", () => {
  it("is null for an unknown article", () => {
    const { db } = setUp();
    expect(findArticleFeed({ db, slug: "nope", origin: ORIGIN })).toBeNull();
  });

  it("is a well-formed Atom feed with the required feed and entry elements", () => {
    const { db, annotate } = setUp();
    const counter = annotate(ADA, "p-3", {
      kind: "counterargument",
      body: "Recognition is *not* the point.",
      quote: "no country has recognized the Taliban government",
    });
    const doc = parse(feedOf(db));
    const feed = doc.documentElement;
    expect(feed.localName).toBe("feed");
    expect(feed.namespaceURI).toBe(ATOM);
    expect(childText(feed, "id")).toBe(`${ORIGIN}/articles/seed/feed.xml`);
    expect(childText(feed, "title")).toContain("Do Not Engage the Taliban for Free");
    expect(childText(feed, "updated")).toMatch(RFC3339);
    const links = Array.from(feed.children).filter((c) => c.localName === "link");
    expect(links.map((l) => [l.getAttribute("rel"), l.getAttribute("href")])).toEqual([
      ["self", `${ORIGIN}/articles/seed/feed.xml`],
      ["alternate", `${ORIGIN}/articles/seed`],
    ]);

    const entries = Array.from(doc.getElementsByTagName("entry"));
    expect(entries).toHaveLength(1);
    const entry = entries[0] as Element;
    const permalink = `${ORIGIN}/articles/seed/annotations/${counter}`;
    expect(childText(entry, "id")).toBe(permalink);
    expect(childText(entry, "title")).toBe(
      "Counterargument by Ada <Lovelace> & Co (@ada) on paragraph 3",
    );
    expect(childText(entry, "updated")).toMatch(RFC3339);
    expect(childText(entry, "published")).toMatch(RFC3339);
    const author = entry.getElementsByTagName("author")[0];
    expect(author && childText(author, "name")).toBe("Ada <Lovelace> & Co");
    const link = entry.getElementsByTagName("link")[0];
    expect(link?.getAttribute("rel")).toBe("alternate");
    expect(link?.getAttribute("href")).toBe(permalink);
    const content = entry.getElementsByTagName("content")[0];
    expect(content?.getAttribute("type")).toBe("html");
    expect(content?.textContent).toContain(
      "<blockquote><p>no country has recognized the Taliban government</p></blockquote>",
    );
    expect(content?.textContent).toContain("<p>Recognition is <em>not</em> the point.</p>");
  });

  it("escapes hostile text everywhere and keeps the feed well-formed", () => {
    const { db, annotate } = setUp();
    annotate(ADA, "p-3", {
      body: "<script>alert(1)</script> ]]> &amp; & \u0001\u0008 \uD800 <![CDATA[x]]> [a](javascript:alert(1))",
    });
    annotate(BOB, "p-4", {
      kind: "source",
      body: "See it.",
      source: {
        url: "https://example.org/?a=1&b=<2>",
        title: `A "title" with <b>tags</b> & 'quotes'`,
        stance: "refutes",
      },
    });
    const xml = feedOf(db);
    expect(xml).not.toContain("<script");
    expect(xml).not.toContain("<b>");
    const doc = parse(xml);
    const contents = Array.from(doc.getElementsByTagName("content")).map((c) => c.textContent);
    const all = contents.join("\n");
    // The HTML carried in <content> is itself sanitized: no script, no javascript: link.
    expect(all).not.toContain("<script");
    expect(all).not.toContain("javascript:");
    expect(all).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(all).toContain('href="https://example.org/?a=1&amp;b=&lt;2&gt;"');
    expect(all).toContain(
      "A &quot;title&quot; with &lt;b&gt;tags&lt;/b&gt; &amp; &#39;quotes&#39;",
    );
    expect(all).toContain("Refutes the passage");
  });

  it("carries public annotations and replies of this article only: no private notes, none deleted", () => {
    const { db, annotate, other } = setUp();
    const shown = annotate(ADA, "p-3", { body: "Public giraffe." });
    const hidden = annotate(ADA, "p-3", { body: "Private okapi.", visibility: "private" });
    const privateRoot = annotate(BOB, "p-5", { body: "Bob's own.", visibility: "private" });
    const privateReply = createReply({
      db,
      author: BOB,
      parentId: privateRoot,
      input: { kind: "annotation", body: "Private reply zebu.", source: null },
    });
    const reply = createReply({
      db,
      author: BOB,
      parentId: shown,
      input: { kind: "question", body: "Public reply?", source: null },
    });
    const removed = annotate(BOB, "p-4", { body: "Soon deleted yak." });
    deleteAnnotation({ db, viewer: BOB, id: removed });
    annotate(ADA, "p-3", { body: "Elsewhere llama." }, other.articleId);

    const xml = feedOf(db);
    parse(xml);
    expect(xml).toContain("Public giraffe.");
    expect(xml).toContain("Public reply?");
    expect(xml).toContain("Reply (question) by Bob (@bob) on paragraph 3");
    for (const word of ["okapi", "zebu", "Bob&apos;s own", "yak", "llama"]) {
      expect(xml).not.toContain(word);
    }
    const ids = Array.from(parse(xml).getElementsByTagName("entry")).map((e) => childText(e, "id"));
    expect(ids).toEqual([
      `${ORIGIN}/articles/seed/annotations/${reply}`,
      `${ORIGIN}/articles/seed/annotations/${shown}`,
    ]);
    expect(ids.join()).not.toMatch(new RegExp(`/(${hidden}|${privateRoot}|${privateReply})$`));
  });

  it(`lists the newest ${FEED_SIZE}, newest first, with updated = the latest change`, () => {
    const { db, annotate } = setUp();
    const made: number[] = [];
    for (let i = 0; i < FEED_SIZE + 5; i++) made.push(annotate(ADA, "p-3", { body: `N${i}` }));
    // Spread creation times one minute apart; the oldest was edited most recently.
    made.forEach((id, i) => {
      db.update(annotation)
        .set({ createdAt: new Date(Date.UTC(2024, 0, 1, 0, i)) })
        .where(eq(annotation.id, id))
        .run();
    });
    const doc = parse(feedOf(db));
    const entries = Array.from(doc.getElementsByTagName("entry"));
    expect(entries).toHaveLength(FEED_SIZE);
    expect(childText(entries[0] as Element, "published")).toBe("2024-01-01T00:54:00.000Z");
    expect(childText(entries[FEED_SIZE - 1] as Element, "published")).toBe(
      "2024-01-01T00:05:00.000Z",
    );
    const newest = made[made.length - 1] as number;
    db.update(annotation)
      .set({ editedAt: new Date(Date.UTC(2030, 0, 1)) })
      .where(eq(annotation.id, newest))
      .run();
    const feed = parse(feedOf(db)).documentElement;
    expect(childText(feed, "updated")).toBe("2030-01-01T00:00:00.000Z");
  });
});

describe("listRecentAnnotations", () => {
  it("shows a signed-in reader their own private notes too, across articles", () => {
    const { db, annotate, other } = setUp();
    const a = annotate(ADA, "p-3", { body: "Public." });
    const b = annotate(ADA, "p-3", { body: "Mine.", visibility: "private" }, other.articleId);
    const c = annotate(BOB, "p-3", { body: "Bob's.", visibility: "private" });
    expect(listRecentAnnotations({ db, viewer: ADA, limit: 10 }).map((i) => i.id)).toEqual([b, a]);
    expect(listRecentAnnotations({ db, viewer: BOB, limit: 10 }).map((i) => i.id)).toEqual([c, a]);
    expect(listRecentAnnotations({ db, viewer: null, limit: 10 }).map((i) => i.id)).toEqual([a]);
  });
});

describe("listAnnotationsByAuthor", () => {
  it("lists one person's visible annotations and replies, newest first, with a total", () => {
    const { db, annotate, other } = setUp();
    const first = annotate(ADA, "p-3", {
      body: "First *one*.",
      quote: "no country has recognized",
    });
    const secret = annotate(ADA, "p-4", { body: "Secret.", visibility: "private" });
    const elsewhere = annotate(ADA, "p-2", { body: "Elsewhere." }, other.articleId);
    const bobs = annotate(BOB, "p-3", { body: "Bob's." });
    const reply = createReply({
      db,
      author: ADA,
      parentId: bobs,
      input: { kind: "annotation", body: "A reply.", source: null },
    });
    const gone = annotate(ADA, "p-5", { body: "Gone." });
    deleteAnnotation({ db, viewer: ADA, id: gone });

    const asOthers = listAnnotationsByAuthor({ db, viewer: BOB, authorId: ADA.id, limit: 50 });
    expect(asOthers.items.map((i) => i.id)).toEqual([reply, elsewhere, first]);
    expect(asOthers.total).toBe(3);
    expect(listAnnotationsByAuthor({ db, viewer: null, authorId: ADA.id, limit: 50 }).total).toBe(
      3,
    );
    const asSelf = listAnnotationsByAuthor({ db, viewer: ADA, authorId: ADA.id, limit: 50 });
    expect(asSelf.items.map((i) => i.id)).toEqual([reply, elsewhere, secret, first]);

    const oldest = asSelf.items[3];
    expect(oldest).toMatchObject({
      kind: "annotation",
      isReply: false,
      article: { slug: "seed" },
      paragraph: { anchor: "p-3", number: 3 },
      quote: "no country has recognized",
      bodyHtml: "<p>First <em>one</em>.</p>",
      author: { username: "ada" },
    });
    expect(asSelf.items[0]).toMatchObject({ isReply: true, paragraph: { anchor: "p-3" } });

    const page2 = listAnnotationsByAuthor({
      db,
      viewer: ADA,
      authorId: ADA.id,
      limit: 3,
      offset: 3,
    });
    expect(page2).toMatchObject({ total: 4, items: [{ id: first }] });
  });

  it("finds people by username without regard to case", () => {
    const { db } = setUp();
    expect(findPersonByUsername({ db, username: "ADA" })).toEqual({
      id: ADA.id,
      username: "ada",
      displayName: "Ada <Lovelace> & Co",
    });
    expect(findPersonByUsername({ db, username: "nobody" })).toBeNull();
  });
});

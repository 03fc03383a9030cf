/**
 * Unit tests for annotation search: `toFtsQuery` turns hostile input into valid FTS5 queries (each
 * one executed against a real FTS table), the triggers keep the index in step with writes, results
 * respect visibility, and highlighted snippets are safe HTML.
 */
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  updateAnnotation,
} from "#app/models/annotation.server";
import type { NewAnnotationInput } from "#app/models/annotation-input.server";
import {
  markedHtml,
  SEARCH_CANDIDATES,
  searchAnnotations,
  toFtsQuery,
} from "#app/models/search.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import type { Viewer } from "#app/models/visibility.server";
import { annotation, sourceLink } from "#db/schema";
import { ADA, BOB, blockAt, createSeededDb, type createTestDb } from "./test-db";

type TestDb = ReturnType<typeof createTestDb>;

const _seedSource = readFileSync(SEED_ARTICLE_PATH, "utf8");

function setUp() {
  const { db, articleId } = createSeededDb();
  const seed = { articleId };
  const blockId = (anchor: string) => blockAt(db, articleId, anchor).id;
  const annotate = (
    author: { id: string },
    anchor: string,
    input: Partial<NewAnnotationInput>,
  ): number =>
    createAnnotation({
      db,
      author,
      articleId: seed.articleId,
      blockId: blockId(anchor),
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
  return { db, articleId: seed.articleId, annotate };
}

function search(db: TestDb, query: string, viewer: Viewer = null, limit = 50, offset = 0) {
  return searchAnnotations({ db, viewer, query, limit, offset });
}

function ids(db: TestDb, query: string, viewer: Viewer = null): number[] {
  return search(db, query, viewer).results.map((r) => r.id);
}

/** Input people type (or paste, or attack with) that must never reach FTS5 as syntax. */
const HOSTILE_INPUTS = [
  "",
  " ",
  '"',
  '""',
  '"unbalanced',
  'taliban"',
  "*",
  "taliban*",
  "*taliban",
  "(",
  ")",
  "(taliban",
  "taliban)",
  "-",
  "-taliban",
  "+",
  "^taliban",
  "NEAR",
  "NEAR(",
  "NEAR(taliban government, 2)",
  "NEAR/3",
  "a OR",
  "OR",
  "AND",
  "NOT",
  "taliban NOT government",
  "AND OR NOT",
  "body:",
  "body:taliban",
  "quote: secret",
  "{body quote}: taliban",
  "source_title:x",
  "rank:1",
  "'; drop table annotation; --",
  "\\",
  "\u0000",
  "taliban\u0000government",
  ":",
  "::",
  "...",
  "@#$%^&",
  "🚀",
  "🚀 taliban 🚀",
  "👩‍👩‍👧",
  "é",
  "e\u0301",
  "\u0301",
  "Ünïcödé wörds",
  "中文 搜索",
  "مرحبا",
  "\uE000taliban\uE001",
  "\uD800",
  "'",
  "`",
  "<script>alert(1)</script>",
  "a".repeat(10_000),
  "taliban ".repeat(2_000),
  `${'" OR '.repeat(1000)}x`,
  `${"x".repeat(5_000)} y`,
];

describe("toFtsQuery", () => {
  it("quotes each word and ANDs them, prefix-matching a trailing last word", () => {
    expect(toFtsQuery("taliban government")).toBe('"taliban" AND "government"*');
    expect(toFtsQuery("taliban government ")).toBe('"taliban" AND "government"');
    expect(toFtsQuery("taliban government", { prefix: false })).toBe('"taliban" AND "government"');
    expect(toFtsQuery("a")).toBe('"a"');
  });

  it("keeps FTS5 syntax out: operators and column names become plain words", () => {
    expect(toFtsQuery("NEAR(a b)")).toBe('"NEAR" AND "a" AND "b"');
    expect(toFtsQuery("body:secret")).toBe('"body" AND "secret"*');
    expect(toFtsQuery('say "hello" OR -bye*')).toBe('"say" AND "hello" AND "OR" AND "bye"');
  });

  it("is null when nothing searchable is left", () => {
    for (const input of ["", "   ", '"', "*", "(", "-", "🚀", "...", "\u0301"]) {
      expect(toFtsQuery(input), JSON.stringify(input)).toBeNull();
    }
  });

  it("keeps letters of every script and words with diacritics", () => {
    expect(toFtsQuery("中文 wörld", { prefix: false })).toBe('"中文" AND "wörld"');
    expect(toFtsQuery("e\u0301", { prefix: false })).toBe('"é"');
  });

  it("bounds the number and length of words", () => {
    const query = toFtsQuery(`${"word ".repeat(100)}${"z".repeat(500)}`) ?? "";
    expect(query.split(" AND ")).toHaveLength(16);
    expect(toFtsQuery("q".repeat(10_000))?.length).toBeLessThan(100);
  });

  it(`turns ${HOSTILE_INPUTS.length} hostile inputs into queries FTS5 accepts`, () => {
    expect(HOSTILE_INPUTS.length).toBeGreaterThanOrEqual(30);
    const { db, annotate } = setUp();
    annotate(ADA, "p-3", { body: "The Taliban government is not recognized. 🚀 Ünïcödé" });
    const match = db.$client.prepare(
      "select rowid from annotation_search where annotation_search match ?",
    );
    for (const input of HOSTILE_INPUTS) {
      const query = toFtsQuery(input);
      if (query !== null) {
        expect(() => match.all(query), `${JSON.stringify(input)} → ${query}`).not.toThrow();
      }
      expect(() => search(db, input), JSON.stringify(input.slice(0, 40))).not.toThrow();
      expect(() => search(db, input, ADA), JSON.stringify(input.slice(0, 40))).not.toThrow();
    }
  });

  it("finds text through the hostile wrapping around it", () => {
    const { db, annotate } = setUp();
    const id = annotate(ADA, "p-3", { body: "The Taliban government is not recognized." });
    for (const input of ['"taliban', "taliban*", "(taliban)", "-taliban", ":taliban", "taliban:"]) {
      expect(ids(db, input), input).toEqual([id]);
    }
    expect(ids(db, "Ünïcödé")).toEqual([]);
    expect(ids(db, "TALIBAN")).toEqual([id]);
  });
});

describe("searchAnnotations", () => {
  it("finds a phrase in a counterargument's body, a quote, and a source title", () => {
    const { db, annotate } = setUp();
    const counter = annotate(ADA, "p-5", {
      kind: "counterargument",
      body: "Engagement would legitimise a regime with zero accountability.",
    });
    const quoted = annotate(BOB, "p-3", {
      body: "Is this still true?",
      quote: "no country has recognized the Taliban government",
    });
    const source = annotate(ADA, "p-4", {
      kind: "source",
      body: "See the report.",
      source: {
        url: "https://example.org/r",
        title: "Humanitarian Access Survey",
        stance: "context",
      },
    });

    const byBody = search(db, "zero accountability");
    expect(byBody.results.map((r) => r.id)).toEqual([counter]);
    expect(byBody.total).toBe(1);
    expect(byBody.results[0]).toMatchObject({
      kind: "counterargument",
      isReply: false,
      article: { slug: "seed" },
      paragraph: { anchor: "p-5", number: 5 },
      author: { username: "ada", displayName: "Ada Lovelace" },
      quoteHtml: null,
      sourceTitleHtml: null,
    });
    expect(byBody.results[0]?.bodyHtml).toContain("<mark>zero accountability</mark>");

    const byQuote = search(db, "recognized");
    expect(byQuote.results.map((r) => r.id)).toEqual([quoted]);
    expect(byQuote.results[0]?.quoteHtml).toBe(
      "no country has <mark>recognized</mark> the Taliban government",
    );
    expect(byQuote.results[0]?.bodyHtml).toBe("Is this still true?");

    const bySource = search(db, "humanitarian access");
    expect(bySource.results.map((r) => r.id)).toEqual([source]);
    expect(bySource.results[0]?.sourceTitleHtml).toBe("<mark>Humanitarian Access</mark> Survey");
  });

  it("matches without regard to case or diacritics, and the last word as a prefix", () => {
    const { db, annotate } = setUp();
    const id = annotate(ADA, "p-3", { body: "A naïve Café reading of Déjà vu." });
    expect(ids(db, "naive cafe")).toEqual([id]);
    expect(ids(db, "DEJA")).toEqual([id]);
    expect(ids(db, "caf")).toEqual([id]);
    expect(ids(db, "caf ")).toEqual([]);
  });

  it("finds replies, labelled as replies, at their thread's paragraph", () => {
    const { db, annotate } = setUp();
    const root = annotate(ADA, "p-7", { body: "A root." });
    const reply = createReply({
      db,
      author: BOB,
      parentId: root,
      input: { kind: "question", body: "What about the marmalade clause?", source: null },
    });
    const [result] = search(db, "marmalade").results;
    expect(result).toMatchObject({ id: reply, isReply: true, paragraph: { anchor: "p-7" } });
  });

  it("respects visibility: others' private notes are never found; anonymous sees only public", () => {
    const { db, annotate } = setUp();
    const adaPublic = annotate(ADA, "p-3", { body: "Ocelot public." });
    const adaPrivate = annotate(ADA, "p-3", { body: "Ocelot private.", visibility: "private" });
    const bobPrivate = annotate(BOB, "p-4", { body: "Ocelot bob's.", visibility: "private" });

    expect(ids(db, "ocelot").sort()).toEqual([adaPublic]);
    expect(search(db, "ocelot").total).toBe(1);
    expect(ids(db, "ocelot", ADA).sort((a, b) => a - b)).toEqual([adaPublic, adaPrivate]);
    expect(ids(db, "ocelot", BOB).sort((a, b) => a - b)).toEqual([adaPublic, bobPrivate]);
    expect(search(db, "ocelot", BOB).total).toBe(2);
  });

  it("follows edits: the new text is found, the old is not", () => {
    const { db, annotate } = setUp();
    const id = annotate(ADA, "p-3", { body: "Originally about walruses." });
    expect(ids(db, "walruses")).toEqual([id]);
    updateAnnotation({
      db,
      viewer: ADA,
      id,
      input: { body: "Now about pelicans.", source: null },
    });
    expect(ids(db, "walruses")).toEqual([]);
    expect(ids(db, "pelicans")).toEqual([id]);
  });

  it("follows a source's title through edits and deletion", () => {
    const { db, annotate } = setUp();
    const id = annotate(ADA, "p-4", {
      kind: "source",
      body: "Read this.",
      source: { url: "https://example.org/a", title: "Old Almanac", stance: "supports" },
    });
    updateAnnotation({
      db,
      viewer: ADA,
      id,
      input: {
        body: "Read this.",
        source: { url: "https://example.org/a", title: "New Gazetteer", stance: "supports" },
      },
    });
    expect(ids(db, "almanac")).toEqual([]);
    expect(ids(db, "gazetteer")).toEqual([id]);
    db.delete(sourceLink).where(eq(sourceLink.annotationId, id)).run();
    expect(ids(db, "gazetteer")).toEqual([]);
  });

  it("does not find deleted annotations, whether removed or left as a placeholder", () => {
    const { db, annotate } = setUp();
    const gone = annotate(ADA, "p-3", { body: "Tapir one." });
    const placeholder = annotate(ADA, "p-3", {
      body: "Tapir two.",
      quote: "the Taliban’s rule has emboldened transnational",
    });
    createReply({
      db,
      author: BOB,
      parentId: placeholder,
      input: { kind: "annotation", body: "A reply keeps it.", source: null },
    });
    deleteAnnotation({ db, viewer: ADA, id: gone });
    deleteAnnotation({ db, viewer: ADA, id: placeholder });
    expect(db.select().from(annotation).where(eq(annotation.id, placeholder)).get()).toBeDefined();
    expect(ids(db, "tapir", ADA)).toEqual([]);
    expect(ids(db, "emboldened", ADA)).toEqual([]);
    const row = db.$client
      .prepare("select body, quote, source_title from annotation_search where rowid = ?")
      .get(placeholder);
    expect(row).toEqual({ body: "", quote: "", source_title: "" });
  });

  it("drops an article's annotations from the index when the article is deleted (cascade)", () => {
    const { db, annotate, articleId } = setUp();
    annotate(ADA, "p-3", { body: "Cascading quokka." });
    db.$client.prepare("delete from article where id = ?").run(articleId);
    expect(ids(db, "quokka")).toEqual([]);
    expect(db.$client.prepare("select count(*) as n from annotation_search").get()).toEqual({
      n: 0,
    });
  });

  it("indexes annotations that existed before search (the migration's backfill)", () => {
    const { db, annotate } = setUp();
    const id = annotate(ADA, "p-3", { body: "Backfilled narwhal." });
    db.$client.exec("delete from annotation_search");
    expect(ids(db, "narwhal")).toEqual([]);
    db.$client.exec(`insert into annotation_search (rowid, body, quote, source_title)
      select a.id, case when a.deleted_at is null then a.body else '' end,
        case when a.deleted_at is null then coalesce(a.quote_exact, '') else '' end,
        case when a.deleted_at is null then coalesce(s.title, '') else '' end
      from annotation a left join source_link s on s.annotation_id = a.id`);
    expect(ids(db, "narwhal")).toEqual([id]);
  });

  it("returns highlight HTML that is escaped, with only <mark> as markup", () => {
    const { db, annotate } = setUp();
    annotate(ADA, "p-3", {
      body: '<script>alert("kiwi")</script> & <img src=x onerror=alert(1)> kiwi \uE001 \uE000',
    });
    const [result] = search(db, "kiwi").results;
    const html = result?.bodyHtml ?? "";
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    // The stray sentinels typed into the body are dropped, never turned into markup.
    expect(html).toBe(
      "&lt;script&gt;alert(&quot;<mark>kiwi</mark>&quot;)&lt;/script&gt; &amp; " +
        "&lt;img src=x onerror=alert(1)&gt; <mark>kiwi</mark>  ",
    );
    expect(html.replace(/<\/?mark>/g, "")).not.toMatch(/[<>]/);
    expect(html.match(/<mark>/g)?.length).toBe(html.match(/<\/mark>/g)?.length);
  });

  it("markedHtml never nests or leaves marks open", () => {
    expect(markedHtml("a\uE000b\uE001c")).toBe("a<mark>b</mark>c");
    expect(markedHtml("\uE001a\uE000\uE000b")).toBe("a<mark>b</mark>");
    expect(markedHtml("<b>\uE000&\uE001")).toBe("&lt;b&gt;<mark>&amp;</mark>");
    expect(markedHtml("\uE000a\uE001 \uE000b\uE001, \uE000c\uE001")).toBe(
      "<mark>a b</mark>, <mark>c</mark>",
    );
  });

  it("ranks better matches first and pages in a stable order with a total", () => {
    const { db, annotate, articleId } = setUp();
    const made: number[] = [];
    for (let i = 0; i < 7; i++) made.push(annotate(ADA, "p-3", { body: `Heron number ${i}.` }));
    const strong = annotate(BOB, "p-4", { body: "Heron heron heron." });
    const all = search(db, "heron", null, 50);
    expect(all.total).toBe(8);
    expect(all.results[0]?.id).toBe(strong);
    // Equal ranks fall back to id order, so pages never overlap or skip.
    expect(all.results.slice(1).map((r) => r.id)).toEqual(made);
    const pages = [0, 3, 6].map((offset) => search(db, "heron", null, 3, offset));
    expect(pages.map((p) => p.total)).toEqual([8, 8, 8]);
    expect(pages.flatMap((p) => p.results.map((r) => r.id))).toEqual(all.results.map((r) => r.id));
    expect(search(db, "heron", null, 3, 99).results).toEqual([]);
    expect(
      searchAnnotations({ db, viewer: null, query: "heron", articleId: articleId + 1, limit: 5 })
        .total,
    ).toBe(0);
  });

  it("ranks the newest matches when more match than it ranks, and says there are more", () => {
    const { db, annotate } = setUp();
    const made: number[] = [];
    for (let i = 0; i <= SEARCH_CANDIDATES; i++) {
      made.push(annotate(ADA, "p-3", { body: `Gannet ${i}.` }));
    }
    const best = annotate(BOB, "p-4", { body: "Gannet gannet gannet." });
    const first = search(db, "gannet", null, 20);
    expect(first).toMatchObject({ total: SEARCH_CANDIDATES, capped: true });
    expect(first.results[0]?.id).toBe(best);
    // The oldest two fell outside the newest SEARCH_CANDIDATES; pages stop there.
    const everything = Array.from({ length: SEARCH_CANDIDATES / 20 }, (_, page) =>
      search(db, "gannet", null, 20, page * 20).results.map((r) => r.id),
    ).flat();
    expect(new Set(everything).size).toBe(SEARCH_CANDIDATES);
    expect(everything).not.toContain(made[0]);
    expect(everything).not.toContain(made[1]);
    expect(search(db, "gannet", null, 20, SEARCH_CANDIDATES).results).toEqual([]);
    // A narrower search ranks every match and counts them exactly.
    expect(search(db, "gannet 7")).toMatchObject({ total: 1, capped: false });
  });

  it("gives a snippet of a long body around the match", () => {
    const { db, annotate } = setUp();
    const long = `${"filler ".repeat(200)}the albatross appears ${"padding ".repeat(200)}`;
    annotate(ADA, "p-3", { body: long });
    const html = search(db, "albatross").results[0]?.bodyHtml ?? "";
    expect(html).toContain("<mark>albatross</mark>");
    expect(html.length).toBeLessThan(400);
    expect(html.startsWith("…")).toBe(true);
  });
});

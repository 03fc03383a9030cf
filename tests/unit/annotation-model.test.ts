/**
 * Unit tests for the annotation domain model: creating threads and replies, who sees what, who may
 * change what, deletion placeholders, and how a paragraph's threads and summaries are assembled.
 */
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  updateAnnotation,
} from "#app/models/annotation.server";
import type { AnnotationInput, NewAnnotationInput } from "#app/models/annotation-input.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import { getParagraphSummaries } from "#app/models/paragraph-summary.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import { getParagraphThreads } from "#app/models/thread.server";
import type { Viewer } from "#app/models/visibility.server";
import { FieldValidationError, ForbiddenError, NotFoundError } from "#app/utils/errors";
import { annotation, sourceLink } from "#db/schema";
import { ADA, BOB, blockAt, createSeededDb, type createTestDb, newInput } from "./test-db";

type TestDb = ReturnType<typeof createTestDb>;

const _seedSource = readFileSync(SEED_ARTICLE_PATH, "utf8");

/** A second, small article whose first paragraph has an astral character before a quote. */
const OTHER_SOURCE = [
  "Another Article",
  "",
  "Rockets 🚀 launch today. The launch is late, and the launch pad is wet.",
  "",
  "A second paragraph follows here. It says little.",
  "",
].join("\n");

const setUp = createSeededDb;

function replyInput(overrides: Partial<AnnotationInput> = {}): AnnotationInput {
  return { kind: "annotation", body: "A reply.", source: null, ...overrides };
}

function rowOf(db: TestDb, id: number) {
  return db.select().from(annotation).where(eq(annotation.id, id)).get();
}

function linkOf(db: TestDb, id: number) {
  return db.select().from(sourceLink).where(eq(sourceLink.annotationId, id)).get();
}

function countRows(db: TestDb) {
  return db.select().from(annotation).all().length;
}

/** Runs `fn` and returns what it threw (failing the test if it threw nothing). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

/** Code-point offset of the `nth` occurrence (0-based) of `needle` in `text`. */
function codePointIndex(text: string, needle: string, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at === -1) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  return Array.from(text.slice(0, at)).length;
}

describe("createAnnotation", () => {
  it("attaches a whole-paragraph annotation as its own thread root", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({ db, author: ADA, articleId, blockId: p3.id, input: newInput() });
    expect(rowOf(db, id)).toMatchObject({
      articleId,
      blockId: p3.id,
      kind: "annotation",
      body: "A thought about this.",
      authorId: ADA.id,
      visibility: "public",
      parentId: null,
      rootId: id,
      depth: 0,
      quoteExact: null,
      quotePrefix: null,
      quoteSuffix: null,
      positionStart: null,
      positionEnd: null,
      anchorStatus: "anchored",
      editedAt: null,
      deletedAt: null,
    });
    expect(linkOf(db, id)).toBeUndefined();
  });

  it("stores a quoted passage's exact text, context and position", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const quote = "no country has recognized the Taliban government";
    const id = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput({ quote }),
    });
    const start = codePointIndex(p3.text, quote);
    const end = start + quote.length;
    const chars = Array.from(p3.text);
    expect(rowOf(db, id)).toMatchObject({
      quoteExact: quote,
      quotePrefix: chars.slice(start - 32, start).join(""),
      quoteSuffix: chars.slice(end, end + 32).join(""),
      positionStart: start,
      positionEnd: end,
    });
  });

  it("stores the paragraph's own characters when the reader typed straight quotes", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput({ quote: "  the Taliban's rule  " }),
    });
    const row = rowOf(db, id);
    expect(row?.quoteExact).toBe("the Taliban’s rule");
    expect(row?.positionStart).toBe(codePointIndex(p3.text, "the Taliban’s rule"));
  });

  it("counts positions in code points, not UTF-16 units", () => {
    const { db } = setUp();
    const other = importArticle(db, parseArticle(OTHER_SOURCE, { markdown: false }), {
      slug: "other",
    });
    const p1 = blockAt(db, other.articleId, "p-1");
    const id = createAnnotation({
      db,
      author: ADA,
      articleId: other.articleId,
      blockId: p1.id,
      input: newInput({ quote: "launch today" }),
    });
    // "Rockets 🚀 " is 10 code points but 11 UTF-16 units.
    expect(rowOf(db, id)).toMatchObject({
      quoteExact: "launch today",
      quotePrefix: "Rockets 🚀 ",
      positionStart: 10,
      positionEnd: 22,
    });
  });

  it.each([
    ["words from another paragraph", "On August 15, 2021"],
    ["a misspelling", "no country has recognised the Taliban"],
    ["a different case", "NO COUNTRY HAS RECOGNIZED"],
  ])("refuses a quote that is not in the paragraph (%s) and writes nothing", (_, quote) => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const error = thrown(() =>
      createAnnotation({ db, author: ADA, articleId, blockId: p3.id, input: newInput({ quote }) }),
    );
    expect(error).toBeInstanceOf(FieldValidationError);
    const errors = (error as FieldValidationError).errors;
    expect(Object.keys(errors)).toEqual(["quote"]);
    expect(errors.quote).toMatch(/do not occur in paragraph 3/);
    expect(countRows(db)).toBe(0);
  });

  describe("tells a repeated phrase apart by quoteStart", () => {
    // "the United States" occurs twice in paragraph 12 (and "The United States" once more).
    const phrase = "the United States";
    it.each([
      ["no hint: the first occurrence", null, 0],
      ["a hint at the first occurrence", "first", 0],
      ["a hint at the second occurrence", "second", 1],
      ["a hint one past the second occurrence: the nearest", "second+1", 1],
    ] as const)("%s", (_, hint, expected) => {
      const { db, articleId } = setUp();
      const p12 = blockAt(db, articleId, "p-12");
      const first = codePointIndex(p12.text, phrase, 0);
      const second = codePointIndex(p12.text, phrase, 1);
      expect(first).not.toBe(second);
      const quoteStart =
        hint === null ? null : hint === "first" ? first : hint === "second" ? second : second + 1;
      const id = createAnnotation({
        db,
        author: ADA,
        articleId,
        blockId: p12.id,
        input: newInput({ quote: phrase, quoteStart }),
      });
      const start = expected === 0 ? first : second;
      expect(rowOf(db, id)).toMatchObject({
        quoteExact: phrase,
        positionStart: start,
        positionEnd: start + phrase.length,
        quotePrefix: Array.from(p12.text)
          .slice(Math.max(0, start - 32), start)
          .join(""),
      });
    });
  });

  it.each([
    ["a heading", "seed-heading"],
    ["a paragraph of another article", "other-paragraph"],
    ["a block that does not exist", "missing"],
  ] as const)("refuses %s with NotFoundError", (_, target) => {
    const { db, articleId } = setUp();
    const other = importArticle(db, parseArticle(OTHER_SOURCE, { markdown: false }), {
      slug: "other",
    });
    const blockId =
      target === "seed-heading"
        ? blockAt(db, articleId, "s-the-political-process").id
        : target === "other-paragraph"
          ? blockAt(db, other.articleId, "p-1").id
          : 999_999;
    expect(() =>
      createAnnotation({ db, author: ADA, articleId, blockId, input: newInput() }),
    ).toThrow(NotFoundError);
    expect(countRows(db)).toBe(0);
  });

  it("writes a source's link with the annotation", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const source = { url: "https://example.org/report", title: "A report", stance: "supports" };
    const id = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput({
        kind: "source",
        source: { url: source.url, title: source.title, stance: "supports" },
      }),
    });
    expect(rowOf(db, id)?.kind).toBe("source");
    expect(linkOf(db, id)).toEqual({ annotationId: id, ...source });
  });

  it("writes neither row when the source link cannot be written (one transaction)", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    // A null title (which the form never lets through) fails NOT NULL in the second insert.
    const broken = { url: "https://example.org", title: null, stance: "context" } as unknown as {
      url: string;
      title: string;
      stance: "context";
    };
    expect(() =>
      createAnnotation({
        db,
        author: ADA,
        articleId,
        blockId: p3.id,
        input: newInput({ kind: "source", source: broken }),
      }),
    ).toThrow();
    expect(countRows(db)).toBe(0);
  });
});

describe("createReply", () => {
  it.each(["public", "private"] as const)(
    "inherits the %s root's block, article, root and visibility, one level deeper",
    (visibility) => {
      const { db, articleId } = setUp();
      const p3 = blockAt(db, articleId, "p-3");
      const rootId = createAnnotation({
        db,
        author: ADA,
        articleId,
        blockId: p3.id,
        input: newInput({ visibility, quote: "the Taliban government" }),
      });
      const replier = visibility === "public" ? BOB : ADA;
      const firstId = createReply({
        db,
        author: replier,
        parentId: rootId,
        input: replyInput({ kind: "question" }),
      });
      const secondId = createReply({ db, author: ADA, parentId: firstId, input: replyInput() });
      expect(rowOf(db, firstId)).toMatchObject({
        articleId,
        blockId: p3.id,
        kind: "question",
        authorId: replier.id,
        visibility,
        parentId: rootId,
        rootId,
        depth: 1,
        quoteExact: null,
        positionStart: null,
      });
      expect(rowOf(db, secondId)).toMatchObject({
        articleId,
        blockId: p3.id,
        visibility,
        parentId: firstId,
        rootId,
        depth: 2,
      });
    },
  );

  it("writes a source reply's link", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const rootId = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput(),
    });
    const source = { url: "https://example.org/a", title: "A", stance: "refutes" as const };
    const id = createReply({
      db,
      author: BOB,
      parentId: rootId,
      input: replyInput({ kind: "source", source }),
    });
    expect(linkOf(db, id)).toEqual({ annotationId: id, ...source });
  });

  it("refuses a reply to another user's private note as if it did not exist", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const rootId = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput({ visibility: "private" }),
    });
    expect(() => createReply({ db, author: BOB, parentId: rootId, input: replyInput() })).toThrow(
      NotFoundError,
    );
    expect(countRows(db)).toBe(1);
  });

  it("refuses a reply to a missing annotation", () => {
    const { db } = setUp();
    expect(() => createReply({ db, author: BOB, parentId: 12_345, input: replyInput() })).toThrow(
      NotFoundError,
    );
  });

  it("refuses a reply to a deleted placeholder", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const rootId = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput(),
    });
    createReply({ db, author: BOB, parentId: rootId, input: replyInput() });
    deleteAnnotation({ db, viewer: ADA, id: rootId });
    expect(rowOf(db, rootId)?.deletedAt).not.toBeNull();
    expect(() => createReply({ db, author: BOB, parentId: rootId, input: replyInput() })).toThrow(
      NotFoundError,
    );
    expect(countRows(db)).toBe(2);
  });
});

describe("visibility", () => {
  /** Ada's private note and Bob's public question on paragraph 3, quoting different passages. */
  function withPrivateAndPublic() {
    const ctx = setUp();
    const { db, articleId } = ctx;
    const p3 = blockAt(db, articleId, "p-3");
    const privateId = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput({ visibility: "private", body: "Note to self.", quote: "pause" }),
    });
    const publicId = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput({ kind: "question", body: "Why?", quote: "Second" }),
    });
    return { ...ctx, p3, privateId, publicId };
  }

  it.each([
    ["its author sees it", ADA, true],
    ["another user does not see it", BOB, false],
    ["an anonymous reader does not see it", null, false],
  ] as const)("a private note: %s, nor its count or range", (_, viewer: Viewer, seesPrivate) => {
    const { db, articleId, p3, privateId, publicId } = withPrivateAndPublic();
    const threads = getParagraphThreads({ db, blockId: p3.id, viewer });
    const expectedIds = seesPrivate ? [privateId, publicId] : [publicId];
    expect(threads.map((t) => t.id)).toEqual(expectedIds);

    const summary = getParagraphSummaries({ db, articleId, viewer }).get(p3.id);
    const pause = codePointIndex(p3.text, "pause");
    const second = codePointIndex(p3.text, "Second");
    const questionRange = { start: second, end: second + 6, kind: "question", count: 1 };
    const noteRange = { start: pause, end: pause + 5, kind: "annotation", count: 1 };
    expect(summary).toEqual(
      seesPrivate
        ? {
            counts: { annotation: 1, question: 1 },
            total: 2,
            ranges: expect.arrayContaining([questionRange, noteRange]),
          }
        : { counts: { question: 1 }, total: 1, ranges: [questionRange] },
    );
    if (seesPrivate) expect(summary?.ranges).toHaveLength(2);
  });

  it.each([
    ["its author", ADA, 1],
    ["another user", BOB, 0],
    ["an anonymous reader", null, 0],
  ] as const)("a paragraph whose only note is private, as %s sees it", (_, viewer, n) => {
    const { db, articleId } = setUp();
    const p5 = blockAt(db, articleId, "p-5");
    createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p5.id,
      input: newInput({ visibility: "private", quote: "the" }),
    });
    const summaries = getParagraphSummaries({ db, articleId, viewer });
    expect(summaries.get(p5.id)?.total ?? 0).toBe(n);
    expect(summaries.get(p5.id)?.ranges.length ?? 0).toBe(n);
    expect(getParagraphThreads({ db, blockId: p5.id, viewer })).toHaveLength(n);
  });

  it("marks the viewer's own annotations, and nobody's for an anonymous reader", () => {
    const { db, p3, privateId, publicId } = withPrivateAndPublic();
    const own = (viewer: Viewer) =>
      getParagraphThreads({ db, blockId: p3.id, viewer }).map((t) => [t.id, t.can.edit]);
    expect(own(ADA)).toEqual([
      [privateId, true],
      [publicId, false],
    ]);
    expect(own(BOB)).toEqual([[publicId, true]]);
    expect(own(null)).toEqual([[publicId, false]]);
  });

  it("counts every kind per paragraph, replies included, and keeps paragraphs apart", () => {
    const { db, articleId } = setUp();
    const p1 = blockAt(db, articleId, "p-1");
    const p2 = blockAt(db, articleId, "p-2");
    const make = (blockId: number, kind: NewAnnotationInput["kind"]) =>
      createAnnotation({
        db,
        author: BOB,
        articleId,
        blockId,
        input: newInput({
          kind,
          source:
            kind === "source"
              ? { url: "https://example.org", title: "T", stance: "context" }
              : null,
        }),
      });
    const root = make(p1.id, "annotation");
    make(p1.id, "annotation");
    make(p1.id, "question");
    make(p1.id, "counterargument");
    make(p1.id, "source");
    make(p2.id, "question");
    createReply({ db, author: ADA, parentId: root, input: replyInput({ kind: "question" }) });

    const summaries = getParagraphSummaries({ db, articleId, viewer: null });
    expect(summaries.get(p1.id)).toEqual({
      counts: { annotation: 2, question: 2, counterargument: 1, source: 1 },
      total: 6,
      ranges: [],
    });
    expect(summaries.get(p2.id)).toEqual({ counts: { question: 1 }, total: 1, ranges: [] });
    expect([...summaries.keys()].sort()).toEqual([p1.id, p2.id].sort());
  });

  it("groups highlight ranges per distinct (start, end, kind)", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const on = (quote: string, kind: NewAnnotationInput["kind"], author = BOB) =>
      createAnnotation({
        db,
        author,
        articleId,
        blockId: p3.id,
        input: newInput({ quote, kind }),
      });
    const longer = "no country has recognized the Taliban government";
    const shorter = "no country has recognized";
    const first = on(longer, "annotation");
    on(longer, "annotation", ADA);
    on(longer, "question");
    on(shorter, "annotation");
    // Replies never add a range of their own.
    createReply({ db, author: ADA, parentId: first, input: replyInput() });

    const start = codePointIndex(p3.text, longer);
    const ranges = getParagraphSummaries({ db, articleId, viewer: null }).get(p3.id)?.ranges;
    const sorted = [...(ranges ?? [])].sort(
      (a, b) => a.end - b.end || a.kind.localeCompare(b.kind),
    );
    expect(sorted).toEqual([
      { start, end: start + shorter.length, kind: "annotation", count: 1 },
      { start, end: start + longer.length, kind: "annotation", count: 2 },
      { start, end: start + longer.length, kind: "question", count: 1 },
    ]);
  });

  it("counts an orphaned passage's annotation but does not highlight it", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const orphan = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput({ quote: "pause" }),
    });
    createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput({ quote: "Second" }),
    });
    db.update(annotation).set({ anchorStatus: "orphaned" }).where(eq(annotation.id, orphan)).run();
    const summary = getParagraphSummaries({ db, articleId, viewer: null }).get(p3.id);
    const second = codePointIndex(p3.text, "Second");
    expect(summary).toEqual({
      counts: { annotation: 2 },
      total: 2,
      ranges: [{ start: second, end: second + 6, kind: "annotation", count: 1 }],
    });
  });

  it("reads summaries in a fixed number of queries however many annotations there are", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const queriesFor = (viewer: { id: string } | null) => {
      const prepare = vi.spyOn(db.$client, "prepare");
      getParagraphSummaries({ db, articleId, viewer });
      const calls = prepare.mock.calls.length;
      prepare.mockRestore();
      return calls;
    };
    const before = [queriesFor(null), queriesFor(ADA)];
    for (let i = 0; i < 5; i++) {
      createAnnotation({ db, author: BOB, articleId, blockId: p3.id, input: newInput() });
      createAnnotation({
        db,
        author: ADA,
        articleId,
        blockId: p3.id,
        input: { ...newInput(), visibility: "private" },
      });
    }
    // Public figures come from two tallies; a signed-in reader's own notes add two grouped queries.
    expect(before).toEqual([2, 4]);
    expect([queriesFor(null), queriesFor(ADA)]).toEqual(before);
  });

  it("keeps the tallies equal to a direct count through edits, replies and deletions", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const quote = (exact: string) => ({ ...newInput(), quote: exact });
    const a = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: quote("Second"),
    });
    const b = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: quote("Second"),
    });
    createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: { ...quote("First"), visibility: "private" },
    });
    const reply = createReply({
      db,
      author: ADA,
      parentId: a,
      input: { kind: "question", body: "Why?", source: null },
    });
    deleteAnnotation({ db, viewer: ADA, id: b });
    deleteAnnotation({ db, viewer: BOB, id: a }); // has a reply: stays as a placeholder
    const direct = (viewer: { id: string } | null) => {
      const rows = getParagraphThreads({ db, blockId: p3.id, viewer });
      const all = rows.flatMap(function flat(node): typeof rows {
        return [node, ...node.replies.flatMap(flat)];
      });
      return all.filter((node) => !node.deleted).length;
    };
    for (const viewer of [null, ADA, BOB]) {
      expect(getParagraphSummaries({ db, articleId, viewer }).get(p3.id)?.total ?? 0).toBe(
        direct(viewer),
      );
    }
    const second = codePointIndex(p3.text, "Second");
    expect(getParagraphSummaries({ db, articleId, viewer: null }).get(p3.id)?.ranges).toEqual([
      { start: second, end: second + 6, kind: "annotation", count: 1 },
    ]);
    expect(reply).toBeGreaterThan(0);
  });

  it("moves tallies with an annotation that moves to another paragraph", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const p4 = blockAt(db, articleId, "p-4");
    const id = createAnnotation({ db, author: BOB, articleId, blockId: p3.id, input: newInput() });
    // Re-anchoring after a revision will do this; nothing in the app does it yet.
    db.update(annotation).set({ blockId: p4.id }).where(eq(annotation.id, id)).run();
    const summaries = getParagraphSummaries({ db, articleId, viewer: null });
    expect(summaries.get(p3.id)?.total ?? 0).toBe(0);
    expect(summaries.get(p4.id)?.total).toBe(1);
  });
});

describe("permissions", () => {
  function withBobsNote() {
    const ctx = setUp();
    const p3 = blockAt(ctx.db, ctx.articleId, "p-3");
    const id = createAnnotation({
      db: ctx.db,
      author: BOB,
      articleId: ctx.articleId,
      blockId: p3.id,
      input: newInput({ body: "Bob's words." }),
    });
    return { ...ctx, p3, id };
  }

  it.each([
    [
      "update",
      (db: TestDb, id: number) =>
        updateAnnotation({ db, viewer: ADA, id, input: { body: "Hijacked", source: null } }),
    ],
    ["delete", (db: TestDb, id: number) => deleteAnnotation({ db, viewer: ADA, id })],
  ] as const)("refuses a non-author's %s with ForbiddenError, changing nothing", (_, act) => {
    const { db, id } = withBobsNote();
    const before = rowOf(db, id);
    expect(() => act(db, id)).toThrow(ForbiddenError);
    expect(rowOf(db, id)).toEqual(before);
    expect(before?.body).toBe("Bob's words.");
  });

  it.each([
    [
      "update",
      (db: TestDb, id: number) =>
        updateAnnotation({ db, viewer: BOB, id, input: { body: "New", source: null } }),
    ],
    ["delete", (db: TestDb, id: number) => deleteAnnotation({ db, viewer: BOB, id })],
  ] as const)("answers %s of a missing id with NotFoundError", (_, act) => {
    const { db, id } = withBobsNote();
    expect(() => act(db, id + 1000)).toThrow(NotFoundError);
    expect(rowOf(db, id)?.body).toBe("Bob's words.");
  });

  it.each([
    [
      "update",
      (db: TestDb, id: number) =>
        updateAnnotation({ db, viewer: BOB, id, input: { body: "Peek", source: null } }),
    ],
    ["delete", (db: TestDb, id: number) => deleteAnnotation({ db, viewer: BOB, id })],
  ] as const)("hides another user's private note from %s (NotFoundError)", (_, act) => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput({ visibility: "private", body: "Secret" }),
    });
    expect(() => act(db, id)).toThrow(NotFoundError);
    expect(rowOf(db, id)?.body).toBe("Secret");
  });

  it("lets the author edit: the body changes, editedAt is set, the kind stays", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput({ kind: "counterargument", quote: "pause" }),
    });
    const before = Date.now();
    updateAnnotation({ db, viewer: BOB, id, input: { body: "Edited *text*", source: null } });
    const row = rowOf(db, id);
    expect(row).toMatchObject({
      body: "Edited *text*",
      kind: "counterargument",
      quoteExact: "pause",
    });
    expect(row?.editedAt).toBeInstanceOf(Date);
    expect(row?.editedAt?.getTime()).toBeGreaterThanOrEqual(before - 1);
    const [thread] = getParagraphThreads({ db, blockId: p3.id, viewer: null });
    expect(thread?.editedAt).toBe(row?.editedAt?.toISOString());
    expect(thread?.bodyHtml).toContain("<em>text</em>");
  });

  it("updates a source's link when its author edits it", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput({
        kind: "source",
        source: { url: "https://example.org/old", title: "Old", stance: "supports" },
      }),
    });
    const source = { url: "https://example.org/new", title: "New", stance: "refutes" as const };
    updateAnnotation({ db, viewer: BOB, id, input: { body: "Better link.", source } });
    expect(linkOf(db, id)).toEqual({ annotationId: id, ...source });
    expect(rowOf(db, id)).toMatchObject({ kind: "source", body: "Better link." });
    const [thread] = getParagraphThreads({ db, blockId: p3.id, viewer: ADA });
    expect(thread?.source).toEqual(source);
  });

  it("refuses to edit a deleted placeholder", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({ db, author: BOB, articleId, blockId: p3.id, input: newInput() });
    createReply({ db, author: ADA, parentId: id, input: replyInput() });
    deleteAnnotation({ db, viewer: BOB, id });
    expect(() =>
      updateAnnotation({ db, viewer: BOB, id, input: { body: "Back", source: null } }),
    ).toThrow(NotFoundError);
    expect(() => deleteAnnotation({ db, viewer: BOB, id })).toThrow(NotFoundError);
    expect(rowOf(db, id)?.body).toBe("");
  });
});

describe("deletion", () => {
  it("leaves a placeholder when the annotation has replies", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput({
        kind: "source",
        body: "See this.",
        quote: "pause",
        source: { url: "https://example.org", title: "T", stance: "context" },
      }),
    });
    const replyId = createReply({ db, author: ADA, parentId: id, input: replyInput() });
    deleteAnnotation({ db, viewer: BOB, id });

    const row = rowOf(db, id);
    expect(row?.deletedAt).toBeInstanceOf(Date);
    expect(row?.body).toBe("");
    expect(linkOf(db, id)).toBeUndefined();
    expect(rowOf(db, replyId)).toBeDefined();

    const [thread] = getParagraphThreads({ db, blockId: p3.id, viewer: BOB });
    expect(thread).toMatchObject({
      id,
      deleted: true,
      author: null,
      can: { edit: false, delete: false, endorse: false, reply: false },
      body: "",
      bodyHtml: "",
      source: null,
    });
    expect(thread?.replies.map((r) => r.id)).toEqual([replyId]);

    const summary = getParagraphSummaries({ db, articleId, viewer: BOB }).get(p3.id);
    expect(summary?.counts).toEqual({ annotation: 1 });
    expect(summary?.total).toBe(1);
    // The replies are still about that passage, so the highlight stays.
    expect(summary?.ranges).toHaveLength(1);
  });

  it("removes an annotation without replies, and its source link", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput({
        kind: "source",
        quote: "pause",
        source: { url: "https://example.org", title: "T", stance: "context" },
      }),
    });
    deleteAnnotation({ db, viewer: BOB, id });
    expect(rowOf(db, id)).toBeUndefined();
    expect(linkOf(db, id)).toBeUndefined();
    expect(getParagraphThreads({ db, blockId: p3.id, viewer: BOB })).toEqual([]);
    expect(getParagraphSummaries({ db, articleId, viewer: BOB }).get(p3.id)).toBeUndefined();
  });

  it("removes a placeholder (and placeholders above it) when its last reply goes", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const rootId = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput(),
    });
    const middleId = createReply({ db, author: BOB, parentId: rootId, input: replyInput() });
    const leafId = createReply({ db, author: ADA, parentId: middleId, input: replyInput() });
    const otherLeafId = createReply({ db, author: ADA, parentId: middleId, input: replyInput() });
    deleteAnnotation({ db, viewer: BOB, id: rootId });
    deleteAnnotation({ db, viewer: BOB, id: middleId });
    expect(rowOf(db, rootId)?.deletedAt).not.toBeNull();
    expect(rowOf(db, middleId)?.deletedAt).not.toBeNull();

    // Another reply remains under the middle placeholder: both placeholders stay.
    deleteAnnotation({ db, viewer: ADA, id: leafId });
    expect(rowOf(db, middleId)).toBeDefined();
    expect(rowOf(db, rootId)).toBeDefined();

    deleteAnnotation({ db, viewer: ADA, id: otherLeafId });
    expect(countRows(db)).toBe(0);
    expect(getParagraphThreads({ db, blockId: p3.id, viewer: ADA })).toEqual([]);
  });

  it("stops cascading at a placeholder's parent that is not deleted", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const rootId = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput(),
    });
    const middleId = createReply({ db, author: ADA, parentId: rootId, input: replyInput() });
    const leafId = createReply({ db, author: BOB, parentId: middleId, input: replyInput() });
    deleteAnnotation({ db, viewer: ADA, id: middleId });
    deleteAnnotation({ db, viewer: BOB, id: leafId });
    expect(rowOf(db, middleId)).toBeUndefined();
    expect(rowOf(db, rootId)).toMatchObject({ deletedAt: null, body: "A thought about this." });
  });
});

describe("getParagraphThreads", () => {
  it("nests replies under their parents in creation order", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const p4 = blockAt(db, articleId, "p-4");
    const a = createAnnotation({ db, author: ADA, articleId, blockId: p3.id, input: newInput() });
    const b = createAnnotation({ db, author: BOB, articleId, blockId: p3.id, input: newInput() });
    createAnnotation({ db, author: BOB, articleId, blockId: p4.id, input: newInput() });
    const a1 = createReply({ db, author: BOB, parentId: a, input: replyInput({ body: "a1" }) });
    const b1 = createReply({ db, author: ADA, parentId: b, input: replyInput({ body: "b1" }) });
    const a2 = createReply({ db, author: ADA, parentId: a, input: replyInput({ body: "a2" }) });
    const a1x = createReply({ db, author: ADA, parentId: a1, input: replyInput({ body: "a1x" }) });

    const shape = (nodes: ReturnType<typeof getParagraphThreads>): unknown[] =>
      nodes.map((n) => ({ id: n.id, depth: n.depth, replies: shape(n.replies) }));
    const threads = getParagraphThreads({ db, blockId: p3.id, viewer: null });
    expect(shape(threads)).toEqual([
      {
        id: a,
        depth: 0,
        replies: [
          { id: a1, depth: 1, replies: [{ id: a1x, depth: 2, replies: [] }] },
          { id: a2, depth: 1, replies: [] },
        ],
      },
      { id: b, depth: 0, replies: [{ id: b1, depth: 1, replies: [] }] },
    ]);
    expect(threads[0]?.replies[0]).toMatchObject({
      parentId: a,
      body: "a1",
      author: { username: "bob", displayName: "Bob Builder" },
      deleted: false,
    });
  });

  it("reads a paragraph's threads in a single query", () => {
    const { db, articleId } = setUp();
    const p3 = blockAt(db, articleId, "p-3");
    const a = createAnnotation({ db, author: ADA, articleId, blockId: p3.id, input: newInput() });
    const r = createReply({ db, author: BOB, parentId: a, input: replyInput() });
    createReply({ db, author: ADA, parentId: r, input: replyInput() });
    createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p3.id,
      input: newInput({
        kind: "source",
        source: { url: "https://example.org", title: "T", stance: "context" },
      }),
    });
    const prepare = vi.spyOn(db.$client, "prepare");
    const threads = getParagraphThreads({ db, blockId: p3.id, viewer: ADA });
    expect(threads).toHaveLength(2);
    expect(prepare).toHaveBeenCalledTimes(1);
  });
});

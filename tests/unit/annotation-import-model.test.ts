/**
 * The import model (app/models/annotation-import.server.ts) on drafts written by hand: anchoring
 * (exact, approximate, orphaned) with the revisions' machinery, threads rebuilt from reply targets
 * in any file order, what is refused and why, visibility and the group rule, the limits (previews
 * counted, a budget on approximate matching), and the one transaction, planned outside the lock.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { APPROXIMATE_BUDGET, MAX_SEARCH_COST } from "#app/anchoring/import";
import {
  type ImportDocument,
  type ImportDraft,
  NOT_SEARCHED,
  planImport,
  previewImport,
  runImport,
  writeImport,
} from "#app/models/annotation-import.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import { listOrphanedQuotes } from "#app/models/review.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import { getParagraphThreads } from "#app/models/thread.server";
import { visibleTo } from "#app/models/visibility.server";
import {
  MAX_ANNOTATION_IMPORT_ITEMS,
  MAX_IMPORT_BODY_CHARS,
  MAX_IMPORT_PREVIEWS_PER_HOUR,
  MAX_IMPORTED_PER_HOUR,
  MAX_SHARED_IMPORTED_PER_HOUR,
} from "#app/rules";
import { RateLimitedError } from "#app/utils/errors";
import { type Db, migrateDatabase, openDatabase } from "#db/client";
import { annotation, annotationImport, article, block, importedAnnotation, user } from "#db/schema";
import { addUser, createGroupWith } from "./group-factories";
import { ADA, BOB, blockAt, createSeededDb } from "./test-db";

/** p-1 says "the Taliban returned to power after two decades of fighting the United States". */
const EXACT = "returned to power after two decades of fighting";
const EDITED = "returned to power after nearly two decades of fighting";
const ABSENT = "a sentence that this article has never contained anywhere at all";

function draft(overrides: Partial<ImportDraft> = {}): ImportDraft {
  return {
    ref: null,
    replyTo: [],
    kind: "annotation",
    body: "An imported thought.",
    source: null,
    target: { paragraph: null, quote: null, position: null },
    creator: { id: "acct:alice@hypothes.is", name: "Alice" },
    created: "2024-03-01T10:00:00.000Z",
    withheld: false,
    anchorStatus: "anchored",
    originalQuote: null,
    resolved: null,
    ...overrides,
  };
}

function quoted(exact: string, ref: string, extra: Partial<ImportDraft> = {}): ImportDraft {
  return draft({
    ref,
    target: { paragraph: null, quote: { exact, prefix: "", suffix: "" }, position: null },
    ...extra,
  });
}

function doc(drafts: ImportDraft[], refused: ImportDocument["refused"] = []): ImportDocument {
  return { format: "hypothesis", drafts, refused };
}

function rows(db: Db) {
  return db.select().from(annotation).orderBy(annotation.id).all();
}

const PRIVATE = { visibility: "private" } as const;

describe("anchoring and threads", () => {
  const drafts = [
    // A reply before its parent: the file's order does not matter.
    draft({ ref: "r1", replyTo: ["a"], body: "A reply to a." }),
    quoted(EXACT, "a"),
    quoted(EDITED, "b"),
    quoted(ABSENT, "c"),
    draft({ ref: "r2", replyTo: ["r1"], body: "A reply to the reply." }),
    draft({ ref: "lost", replyTo: ["not-in-file"], body: "Its parent is elsewhere." }),
    draft({ ref: "whole", target: { paragraph: "p-3", quote: null, position: null } }),
  ];

  it("previews what it will write, and writes exactly that", async () => {
    const { db, articleId } = createSeededDb();
    const input = { article: { id: articleId }, document: doc(drafts), importer: ADA };
    const preview = previewImport(db, { ...input, visibility: PRIVATE });
    expect(rows(db)).toHaveLength(0);
    expect(preview.counts).toEqual({
      anchored: 2,
      approximate: 1,
      orphaned: 1,
      replies: 2,
      threadsWithReplies: 1,
      refused: 1,
    });
    expect(preview.refused[0]?.message).toMatch(/not in this file/);
    const report = await runImport(db, { ...input, visibility: PRIVATE });
    expect(report.counts).toEqual(preview.counts);
    expect(report.items).toEqual(preview.items);

    const written = rows(db);
    expect(written).toHaveLength(6);
    expect(written.every((r) => r.authorId === ADA.id && r.visibility === "private")).toBe(true);
    const p1 = blockAt(db, articleId, "p-1");
    const a = written.find((r) => r.quoteExact === EXACT);
    expect(a).toMatchObject({ blockId: p1.id, anchorStatus: "anchored", parentId: null });
    const changed = written.find((r) => r.originQuote === EDITED);
    expect(changed).toMatchObject({ blockId: p1.id, anchorStatus: "changed", quoteExact: EXACT });
    const orphan = written.find((r) => r.anchorStatus === "orphaned");
    expect(orphan).toMatchObject({ quoteExact: ABSENT, positionStart: null });
    const whole = written.find((r) => r.blockId === blockAt(db, articleId, "p-3").id);
    expect(whole).toMatchObject({ quoteExact: null, anchorStatus: "anchored" });
    const r1 = written.find((r) => r.body === "A reply to a.");
    const r2 = written.find((r) => r.body === "A reply to the reply.");
    expect(r1).toMatchObject({ parentId: a?.id, rootId: a?.id, depth: 1, blockId: p1.id });
    expect(r2).toMatchObject({ parentId: r1?.id, rootId: a?.id, depth: 2 });
    // Tallies follow the triggers, as for a typed annotation: the thread has its two replies.
    expect(
      db
        .select()
        .from(annotation)
        .where(eq(annotation.id, a?.id ?? 0))
        .get()?.replyCount,
    ).toBe(2);

    // Provenance: the original writer and date, beside every imported row.
    const origins = db.select().from(importedAnnotation).all();
    expect(origins).toHaveLength(6);
    expect(origins[0]).toMatchObject({
      originalCreator: "acct:alice@hypothes.is",
      originalCreatorName: "Alice",
      originalCreatedAt: new Date("2024-03-01T10:00:00.000Z"),
    });

    // The orphan is listed with the orphaned comments, for its writer only.
    expect(listOrphanedQuotes({ db, articleId, viewer: ADA }).rows.map((o) => o.quote)).toEqual([
      ABSENT,
    ]);
    expect(listOrphanedQuotes({ db, articleId, viewer: BOB }).total).toBe(0);
  });

  it("keeps private imports from everyone else", async () => {
    const { db, articleId } = createSeededDb();
    await runImport(db, {
      article: { id: articleId },
      document: doc(drafts),
      importer: ADA,
      visibility: PRIVATE,
    });
    const seen = (viewer: { id: string } | null) =>
      db.select().from(annotation).where(visibleTo(viewer)).all().length;
    expect(seen(ADA)).toBe(6);
    expect(seen(BOB)).toBe(0);
    expect(seen(null)).toBe(0);
    const p1 = blockAt(db, articleId, "p-1");
    expect(getParagraphThreads({ db, blockId: p1.id, viewer: BOB })).toEqual([]);
  });
});

describe("what is refused", () => {
  it("refuses hostile text as the forms do, and neutralises what the forms neutralise", async () => {
    const { db, articleId } = createSeededDb();
    const report = await runImport(db, {
      article: { id: articleId },
      document: doc([
        quoted(EXACT, "ok", {
          body: "Fine <script>alert(1)</script> [x](javascript:alert(1))\u0007",
        }),
        draft({
          ref: "js",
          kind: "source",
          source: { url: "javascript:alert(1)", title: "Click", stance: "supports" },
        }),
        draft({ ref: "huge", body: "x".repeat(10_001) }),
      ]),
      importer: ADA,
      visibility: PRIVATE,
    });
    expect(report.counts.refused).toBe(2);
    expect(report.refused.map((r) => r.message).join(" ")).toMatch(/http:\/\/ or https:\/\//);
    expect(report.refused.map((r) => r.message).join(" ")).toMatch(/under 10,000/);
    const [row] = rows(db);
    expect(row?.body.includes("\u0007")).toBe(false);
    expect(row?.bodyHtml).not.toMatch(/<script|javascript:/);
  });

  it("refuses a file where nothing can be imported, writing nothing", async () => {
    const { db, articleId } = createSeededDb();
    const input = {
      article: { id: articleId },
      document: doc([draft({ body: "   " }), draft({ replyTo: ["x"] })]),
      importer: ADA,
      visibility: PRIVATE,
    };
    expect(() => previewImport(db, input)).toThrow(/Nothing in that file can be imported/);
    await expect(runImport(db, input)).rejects.toThrow(/Nothing in that file can be imported/);
    expect(rows(db)).toHaveLength(0);
  });

  it("refuses more items than one import takes", () => {
    const { db, articleId } = createSeededDb();
    const many = Array.from({ length: MAX_ANNOTATION_IMPORT_ITEMS + 1 }, () => draft());
    expect(() =>
      previewImport(db, {
        article: { id: articleId },
        document: doc(many),
        importer: ADA,
        visibility: PRIVATE,
      }),
    ).toThrow(/at most 5,000/);
  });

  it("refuses loops and placeholders that hold nothing", async () => {
    const { db, articleId } = createSeededDb();
    const report = await runImport(db, {
      article: { id: articleId },
      document: doc([
        draft({ ref: "x", replyTo: ["y"] }),
        draft({ ref: "y", replyTo: ["x"] }),
        quoted(EXACT, "gone", { withheld: true, body: "" }),
        quoted(EXACT, "kept", { withheld: true, body: "" }),
        draft({ ref: "answer", replyTo: ["kept"], body: "Still here." }),
      ]),
      importer: ADA,
      visibility: PRIVATE,
    });
    expect(report.counts.refused).toBe(3);
    const written = rows(db);
    expect(written).toHaveLength(2);
    // The placeholder is what deleting leaves: no words, marked deleted, its reply counted.
    expect(written[0]).toMatchObject({ body: "", replyCount: 1 });
    expect(written[0]?.deletedAt).not.toBeNull();
  });
});

describe("visibility, permission and limits", () => {
  it("imports into a group only for its members", async () => {
    const { db, articleId } = createSeededDb();
    const owner = addUser(db, "owner");
    const groupId = createGroupWith(db, { owner, members: [ADA] });
    const input = { article: { id: articleId }, document: doc([quoted(EXACT, "a")]) };
    await expect(
      runImport(db, { ...input, importer: BOB, visibility: { visibility: "group", groupId } }),
    ).rejects.toThrow(/only import into a group you are in/);
    expect(rows(db)).toHaveLength(0);
    await runImport(db, { ...input, importer: ADA, visibility: { visibility: "group", groupId } });
    expect(rows(db)[0]).toMatchObject({ visibility: "group", groupId });
    const sees = (viewer: { id: string }) =>
      db.select().from(annotation).where(visibleTo(viewer)).all().length;
    expect(sees(owner)).toBe(1);
    expect(sees(BOB)).toBe(0);
  });

  it("caps what public imports add in an hour, and imports an hour", async () => {
    const { db, articleId } = createSeededDb();
    const batch = (n: number) => doc(Array.from({ length: n }, (_, i) => quoted(EXACT, `q${i}`)));
    const pub = { visibility: "public" } as const;
    expect(() =>
      previewImport(db, {
        article: { id: articleId },
        document: batch(MAX_SHARED_IMPORTED_PER_HOUR + 1),
        importer: ADA,
        visibility: pub,
      }),
    ).toThrow(/at most 120 annotations an hour/);
    // Privately, the same file is fine.
    await runImport(db, {
      article: { id: articleId },
      document: batch(MAX_SHARED_IMPORTED_PER_HOUR + 1),
      importer: ADA,
      visibility: PRIVATE,
    });
    await runImport(db, {
      article: { id: articleId },
      document: batch(100),
      importer: ADA,
      visibility: pub,
    });
    await expect(
      runImport(db, {
        article: { id: articleId },
        document: batch(21),
        importer: ADA,
        visibility: pub,
      }),
    ).rejects.toThrow(/20 are left this hour/);
  });

  it("caps what imports of any visibility add in an hour, private ones too", async () => {
    const { db, articleId } = createSeededDb();
    const now = new Date();
    // Earlier this hour, imports that wrote all but five of the hour's annotations.
    db.insert(annotationImport)
      .values({
        userId: ADA.id,
        articleId,
        format: "hypothesis",
        visibility: "private",
        written: MAX_IMPORTED_PER_HOUR - 5,
        report: "{}",
        createdAt: new Date(now.getTime() - 30 * 60_000),
      })
      .run();
    const batch = (n: number) => doc(Array.from({ length: n }, (_, i) => quoted(EXACT, `q${i}`)));
    const input = { article: { id: articleId }, importer: ADA, visibility: PRIVATE, now };
    expect(() => previewImport(db, { ...input, document: batch(6) })).toThrow(
      /at most 5,000 annotations an hour.*5 are left this hour/,
    );
    await expect(runImport(db, { ...input, document: batch(6) })).rejects.toThrow(
      /5 are left this hour/,
    );
    expect(rows(db)).toHaveLength(0);
    await runImport(db, { ...input, document: batch(5) });
    expect(rows(db)).toHaveLength(5);
    // Bob's imports are his own budget.
    await runImport(db, { ...input, importer: BOB, document: batch(6) });
    expect(rows(db)).toHaveLength(11);
  });

  it("refuses a file holding more Markdown than one import renders, before placing it", () => {
    const { db, articleId } = createSeededDb();
    const long = "a".repeat(10_000);
    const count = Math.floor(MAX_IMPORT_BODY_CHARS / long.length) + 1;
    const document = doc(
      Array.from({ length: count }, (_, i) => draft({ ref: `d${i}`, body: long })),
    );
    expect(() =>
      previewImport(db, {
        article: { id: articleId },
        document,
        importer: ADA,
        visibility: PRIVATE,
      }),
    ).toThrow(/at most 2,000,000\. Split it/);
    // Refused before the preview's count is taken: it cost nothing.
    expect(db.all(sql`select * from write_event`)).toEqual([]);
  });

  it("renders a file's Markdown in slices, answering others between them, before it writes", async () => {
    const { db, articleId } = createSeededDb();
    // Emphasis runs are slow to render: the whole file takes well over one slice.
    const document = doc(
      Array.from({ length: 300 }, (_, i) =>
        quoted(EXACT, `e${i}`, { body: `${i} ${"*a".repeat(900)}` }),
      ),
    );
    let rowsWhileRendering: number | null = null;
    setImmediate(() => {
      rowsWhileRendering = rows(db).length;
    });
    await runImport(db, {
      article: { id: articleId },
      document,
      importer: ADA,
      visibility: PRIVATE,
    });
    expect(rowsWhileRendering).toBe(0);
    expect(rows(db)).toHaveLength(300);
  });
});

describe("one transaction", () => {
  it("writes nothing when a write fails midway", async () => {
    const { db, articleId } = createSeededDb();
    // The fourth provenance row fails: three annotations were already written by then.
    db.run(
      sql.raw(`CREATE TRIGGER fail_midway BEFORE INSERT ON imported_annotation
        WHEN (SELECT count(*) FROM imported_annotation) >= 3
        BEGIN SELECT RAISE(ABORT, 'failed midway'); END`),
    );
    const document = doc([
      quoted(EXACT, "a"),
      quoted(EDITED, "b"),
      quoted(ABSENT, "c"),
      draft({ ref: "r", replyTo: ["a"] }),
    ]);
    await expect(
      runImport(db, { article: { id: articleId }, document, importer: ADA, visibility: PRIVATE }),
    ).rejects.toThrow(/failed midway/);
    expect(rows(db)).toHaveLength(0);
    expect(db.all(sql`select * from annotation_import`)).toEqual([]);
    expect(db.all(sql`select * from write_event`)).toEqual([]);
    expect(db.all(sql`select * from paragraph_tally`)).toEqual([]);
  });
});

describe("previews are counted", () => {
  it("refuses previews past the hourly limit, writing nothing else, until the hour is over", () => {
    const { db, articleId } = createSeededDb();
    const input = { article: { id: articleId }, document: doc([quoted(EXACT, "a")]) };
    const t0 = new Date("2026-12-01T10:00:00Z");
    // A file refused before anchoring costs little and is not counted.
    expect(() =>
      previewImport(db, {
        ...input,
        document: doc([draft({ body: " " })]),
        importer: ADA,
        visibility: PRIVATE,
        now: t0,
      }),
    ).toThrow(/Nothing in that file/);
    for (let i = 0; i < MAX_IMPORT_PREVIEWS_PER_HOUR; i++) {
      previewImport(db, { ...input, importer: ADA, visibility: PRIVATE, now: t0 });
    }
    const before = db.all(sql`select kind, count(*) as n from write_event group by kind`);
    expect(before).toEqual([{ kind: "importPreview", n: MAX_IMPORT_PREVIEWS_PER_HOUR }]);

    const later = new Date(t0.getTime() + 10 * 60_000);
    let refusal: unknown;
    try {
      previewImport(db, { ...input, importer: ADA, visibility: PRIVATE, now: later });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect((refusal as RateLimitedError).message).toMatch(
      /previewed 20 imports in the last hour.*try again in 50 minutes\.$/,
    );
    expect((refusal as RateLimitedError).retryAt).toEqual(new Date(t0.getTime() + 60 * 60_000));
    // The refusal wrote nothing: no annotation, no import, not even a count.
    expect(rows(db)).toHaveLength(0);
    expect(db.select().from(annotationImport).all()).toEqual([]);
    expect(db.all(sql`select kind, count(*) as n from write_event group by kind`)).toEqual(before);

    // Someone else has their own previews; and after the hour, so does Ada again.
    expect(() =>
      previewImport(db, { ...input, importer: BOB, visibility: PRIVATE, now: later }),
    ).not.toThrow();
    expect(() =>
      previewImport(db, {
        ...input,
        importer: ADA,
        visibility: PRIVATE,
        now: new Date(t0.getTime() + 60 * 60_000 + 1),
      }),
    ).not.toThrow();
  });
});

/** Every paragraph of the seed article, one after another, `n` quotes with 15% of letters changed. */
function editedParagraphs(db: Db, articleId: number, n: number): ImportDraft[] {
  const texts = db
    .select({ text: block.text })
    .from(block)
    .innerJoin(article, eq(article.currentRevisionId, block.revisionId))
    .where(and(eq(block.articleId, articleId), eq(block.kind, "paragraph")))
    .all()
    .map((b) => b.text);
  return Array.from({ length: n }, (_, i) => {
    const text = texts[i % texts.length] ?? "";
    // Deterministic, and different for every item, so that no two quotes are resolved once.
    const edited = Array.from(text, (ch, k) => ((k * 31 + i * 17) % 100 < 15 ? "q" : ch)).join("");
    return quoted(edited, `edited-${i}`);
  });
}

describe("a budget on approximate matching", () => {
  // About a second of matching by design (the budget itself), twice: more on a busy machine.
  it("stops searching approximately past the budget, keeps exact finds, and says so", async () => {
    const { db, articleId } = createSeededDb();
    const document = doc([...editedParagraphs(db, articleId, 300), quoted(EXACT, "exact-last")]);
    const input = { article: { id: articleId }, document, importer: ADA, visibility: PRIVATE };
    const meter = { spent: 0 };
    const preview = previewImport(db, { ...input, meter });

    // The work stays within the budget and at most one search beyond it.
    expect(meter.spent).toBeGreaterThanOrEqual(APPROXIMATE_BUDGET);
    expect(meter.spent).toBeLessThan(APPROXIMATE_BUDGET + MAX_SEARCH_COST);
    const { counts, unsearched } = preview;
    expect(counts.approximate).toBeGreaterThan(0);
    expect(unsearched?.count).toBeGreaterThan(0);
    expect(counts.approximate + (unsearched?.count ?? 0)).toBe(300);
    expect(counts.orphaned).toBe(unsearched?.count);
    expect(unsearched?.items[0]?.message).toBe(NOT_SEARCHED);
    expect(NOT_SEARCHED).toMatch(/^not searched: the file asked for too much approximate matching/);
    // An exact quote after the budget is spent is still found.
    expect(counts.anchored).toBe(1);

    // The import does what the preview said: the same items, on the same unchanged article.
    const report = await runImport(db, input);
    expect(report.counts).toEqual(preview.counts);
    expect(report.unsearched).toEqual(preview.unsearched);
    const orphans = rows(db).filter((r) => r.anchorStatus === "orphaned");
    expect(orphans).toHaveLength(unsearched?.count ?? -1);
  }, 30_000);

  it("adds nothing to a preview whose matching fits the budget", () => {
    const { db, articleId } = createSeededDb();
    const preview = previewImport(db, {
      article: { id: articleId },
      document: doc([quoted(EDITED, "b"), quoted(ABSENT, "c")]),
      importer: ADA,
      visibility: PRIVATE,
    });
    expect(preview.unsearched).toBeUndefined();
    expect(preview.counts).toMatchObject({ approximate: 1, orphaned: 1 });
  });
});

/** The seed article with p-1's "fighting" rewritten: a new revision. */
function revise(db: Db) {
  const source = readFileSync(SEED_ARTICLE_PATH, "utf8");
  expect(source).toContain("two decades of fighting");
  const result = importArticle(
    db,
    parseArticle(source.replace("two decades of fighting", "two decades of battling"), {
      markdown: false,
    }),
    { slug: "seed" },
    { revisedBy: null, note: "An edit while importing." },
  );
  expect(result.status).toBe("revised");
}

function currentRevision(db: Db, articleId: number) {
  return db.select().from(article).where(eq(article.id, articleId)).get()?.currentRevisionId;
}

describe("planning outside the write lock", () => {
  it("writes nothing from a plan made before a revision; importing again plans on the new text", async () => {
    const { db, articleId } = createSeededDb();
    const input = {
      article: { id: articleId },
      document: doc([quoted(EXACT, "a"), draft({ ref: "r", replyTo: ["a"] })]),
      importer: ADA,
      visibility: PRIVATE,
    };
    const planned = planImport(db, input);
    revise(db);
    expect(writeImport(db, planned, input)).toBeNull();
    expect(rows(db)).toHaveLength(0);
    expect(db.select().from(annotationImport).all()).toEqual([]);
    expect(db.all(sql`select * from write_event`)).toEqual([]);

    // runImport plans again: the quote is gone from the new revision, only near it remains.
    const report = await runImport(db, input);
    expect(report.counts).toMatchObject({ anchored: 0, approximate: 1, replies: 1 });
    const root = rows(db).find((r) => r.parentId === null);
    const landed = db
      .select()
      .from(block)
      .where(eq(block.id, root?.blockId ?? 0))
      .get();
    expect(landed?.revisionId).toBe(currentRevision(db, articleId));
  });

  it("plans while another connection holds the write lock", () => {
    const dir = mkdtempSync(join(tmpdir(), "import-lock-"));
    const path = join(dir, "db.sqlite");
    const db = openDatabase(path);
    const other = openDatabase(path);
    try {
      migrateDatabase(db);
      const source = readFileSync(SEED_ARTICLE_PATH, "utf8");
      const { articleId } = importArticle(db, parseArticle(source, { markdown: false }), {
        slug: "seed",
      });
      db.insert(user)
        .values({ id: ADA.id, username: "ada", displayName: "Ada", passwordHash: "x" })
        .run();
      // Waiting for the lock would fail at once rather than after the usual five seconds.
      db.$client.pragma("busy_timeout = 0");
      const input = {
        article: { id: articleId },
        document: doc([...editedParagraphs(db, articleId, 20), quoted(EXACT, "a")]),
        importer: ADA,
        visibility: PRIVATE,
      };
      other.$client.exec("BEGIN IMMEDIATE");
      const planned = planImport(db, input);
      expect(planned.plan.counts.anchored).toBe(1);
      // Writing needs the lock: refused while the other connection holds it, fine once it is done.
      expect(() => writeImport(db, planned, input)).toThrow(/locked/);
      other.$client.exec("COMMIT");
      expect(writeImport(db, planned, input)?.counts.anchored).toBe(1);
    } finally {
      db.$client.close();
      other.$client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

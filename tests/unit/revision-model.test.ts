/**
 * Revisions in the database: a new text becomes the next revision, every thread is carried over
 * (in place, moved, on changed text, or orphaned — never dropped), replies follow their roots,
 * tallies stay equal to counts, old revisions stay readable, and the command-line import revises
 * an existing slug. Plus resolving threads, and who may do it.
 */
import { readFileSync } from "node:fs";
import { and, eq, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  setThreadResolved,
} from "#app/models/annotation.server";
import { findArticleWithBlocks, findParagraph } from "#app/models/article.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import {
  canRevise,
  compareRevisions,
  getReviewSummary,
  listOrphanedQuotes,
  reviewMarkdown,
  uploadRevision,
} from "#app/models/review.server";
import { getRevision, listRevisions } from "#app/models/revision.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import { countThreads, getParagraphThreads, getThreadOf } from "#app/models/thread.server";
import { MAX_REVISIONS_PER_HOUR } from "#app/rules";
import {
  FieldValidationError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
} from "#app/utils/errors";
import { annotation, article, paragraphTally } from "#db/schema";
import { addUser, createGroupWith } from "./group-factories";
import { ADA, BOB, blockAt, createSeededDb, newInput } from "./test-db";

const REVISION_2 = readFileSync(
  new URL("../data/do-not-engage-the-taliban-for-free.rev2.txt", import.meta.url),
  "utf8",
);

type Db = ReturnType<typeof createSeededDb>["db"];

/** A thread on the seed's paragraph `anchor`, quoting `quote` (or the whole paragraph). */
function thread(db: Db, articleId: number, anchor: string, quote: string | null, by = ADA) {
  const target = blockAt(db, articleId, anchor);
  if (quote !== null && !target.text.includes(quote)) {
    throw new Error(`${anchor} does not contain "${quote}"`);
  }
  return createAnnotation({
    db,
    author: by,
    articleId,
    blockId: target.id,
    input: newInput({ quote, body: `On ${anchor}: ${quote ?? "the paragraph"}` }),
  });
}

function revise(db: Db, text = REVISION_2, by: string | null = null) {
  const result = importArticle(
    db,
    parseArticle(text),
    { slug: "seed" },
    { revisedBy: by, note: "Second draft." },
  );
  if (result.status !== "revised") throw new Error(`expected a revision, got ${result.status}`);
  return result;
}

function row(db: Db, id: number) {
  const found = db.select().from(annotation).where(eq(annotation.id, id)).get();
  if (!found) throw new Error(`annotation ${id} is gone`);
  return found;
}

/** Every paragraph tally equals a count of the public live annotations it stands for. */
function expectTalliesMatch(db: Db) {
  const counted = db
    .select({
      blockId: annotation.blockId,
      kind: annotation.kind,
      n: sql<number>`count(*)`,
    })
    .from(annotation)
    .where(and(eq(annotation.visibility, "public"), isNull(annotation.deletedAt)))
    .groupBy(annotation.blockId, annotation.kind)
    .all()
    .map((r) => `${r.blockId}/${r.kind}=${r.n}`)
    .sort();
  const tallied = db
    .select()
    .from(paragraphTally)
    .all()
    .filter((t) => t.count > 0)
    .map((t) => `${t.blockId}/${t.kind}=${t.count}`)
    .sort();
  expect(tallied).toEqual(counted);
}

describe("revising an article", () => {
  it("keeps every thread: in place, moved with its paragraph, on changed text, or orphaned", () => {
    const { db, articleId } = createSeededDb();
    const p1 = blockAt(db, articleId, "p-1").text;
    const unchanged = thread(db, articleId, "p-4", "Al Qaeda");
    const edited = thread(db, articleId, "p-1", "after two decades of fighting");
    const wholeParagraph = thread(db, articleId, "p-1", null);
    // A sentence the revision rewrites entirely.
    const rewritten = (() => {
      const before = findArticleWithBlocks({ db, slug: "seed" });
      const revised = parseArticle(REVISION_2);
      const newTexts = revised.blocks.map((b) => b.text).join("\n");
      // The first sentence of any paragraph that no longer occurs anywhere in the new text.
      for (const b of before?.blocks ?? []) {
        if (b.kind !== "paragraph") continue;
        const sentence = b.text
          .split(/(?<=\.)\s/)
          .find(
            (s) => s.length > 40 && !newTexts.includes(s) && !newTexts.includes(s.slice(0, 30)),
          );
        if (sentence) return { anchor: b.anchor, sentence };
      }
      throw new Error("the revision rewrites no sentence");
    })();
    const gone = thread(db, articleId, rewritten.anchor, rewritten.sentence);
    const reply = createReply({
      db,
      author: BOB,
      parentId: gone,
      input: { kind: "annotation", body: "Agreed.", source: null },
    });
    const all = [unchanged, edited, wholeParagraph, gone, reply];
    const tracked = db.select({ n: sql<number>`count(*)` }).from(annotation).get()?.n;

    const result = revise(db);
    expect(result.revision).toBe(2);
    expect(result.anchored + result.moved + result.changed + result.orphaned).toBe(4);

    // Nothing was dropped.
    expect(db.select({ n: sql<number>`count(*)` }).from(annotation).get()?.n).toBe(tracked);
    for (const id of all) expect(row(db, id).id).toBe(id);

    const current = findArticleWithBlocks({ db, slug: "seed" });
    const currentBlockIds = new Set(current?.blocks.map((b) => b.id));
    expect(row(db, unchanged).anchorStatus).toBe("anchored");
    expect(currentBlockIds.has(row(db, unchanged).blockId)).toBe(true);
    // "after two decades" became "after nearly two decades": the quote still occurs exactly.
    const movedEdit = row(db, edited);
    expect(currentBlockIds.has(movedEdit.blockId)).toBe(true);
    const newP1 = current?.blocks.find((b) => b.id === movedEdit.blockId);
    expect(newP1?.anchor).toBe("p-1");
    expect(
      Array.from(newP1?.text ?? "")
        .slice(movedEdit.positionStart ?? 0, movedEdit.positionEnd ?? 0)
        .join(""),
    ).toBe(movedEdit.quoteExact);
    // The whole-paragraph thread follows its paragraph, whose words changed.
    expect(newP1?.text).not.toBe(p1);
    expect(row(db, wholeParagraph).anchorStatus).toBe("changed");
    expect(row(db, wholeParagraph).blockId).toBe(newP1?.id);
    // The rewritten sentence is gone: orphaned, still on the paragraph it was written on.
    const orphan = row(db, gone);
    expect(orphan.anchorStatus).toBe("orphaned");
    expect(currentBlockIds.has(orphan.blockId)).toBe(false);
    expect(orphan.quoteExact).toBe(rewritten.sentence);
    // Replies stay with their root.
    expect(row(db, reply).blockId).toBe(orphan.blockId);

    expectTalliesMatch(db);
    expect(listOrphanedQuotes({ db, articleId, viewer: null }).rows.map((o) => o.id)).toEqual([
      gone,
    ]);
    // Its permalink shows the paragraph it was written on, in revision 1, not the current text.
    expect(getThreadOf({ db, id: gone, viewer: null }).revision).toEqual({
      number: 1,
      current: false,
    });
    expect(getThreadOf({ db, id: edited, viewer: null }).revision).toEqual({
      number: 2,
      current: true,
    });
    // A new thread can only attach to the current revision's paragraphs.
    expect(() =>
      createAnnotation({
        db,
        author: BOB,
        articleId,
        blockId: orphan.blockId,
        input: newInput({ body: "Too late." }),
      }),
    ).toThrow(NotFoundError);
    // Deleting the orphan's root leaves "[deleted]" holding the reply, still listed, without words.
    deleteAnnotation({ db, viewer: ADA, id: gone });
    expect(listOrphanedQuotes({ db, articleId, viewer: null }).rows).toEqual([
      { id: gone, kind: "annotation", quote: null, deleted: true },
    ]);
    // The paragraph panel of the current revision no longer lists the orphan; it lists the rest.
    const panel = getParagraphThreads({ db, blockId: newP1?.id ?? 0, viewer: null });
    expect(panel.map((t) => t.id).sort()).toEqual([edited, wholeParagraph].sort());
    const whole = panel.find((t) => t.id === wholeParagraph);
    expect(whole?.writtenOn).toEqual({ revision: 1, anchor: "p-1" });
  });

  it("keeps old revisions readable and anchors stable; new paragraphs take unused numbers", () => {
    const { db, articleId } = createSeededDb();
    const before = getRevision({ db, articleId, number: 1 });
    revise(db);
    const old = getRevision({ db, articleId, number: 1 });
    expect(old.blocks.map((b) => b.text)).toEqual(before.blocks.map((b) => b.text));
    const now = getRevision({ db, articleId, number: 2 });
    const oldAnchors = new Map(old.blocks.map((b) => [b.text, b.anchor]));
    for (const b of now.blocks) {
      // A paragraph kept word for word keeps its anchor, wherever it moved.
      if (b.kind === "paragraph" && oldAnchors.has(b.text))
        expect(b.anchor).toBe(oldAnchors.get(b.text));
    }
    const anchors = now.blocks.map((b) => b.anchor);
    expect(new Set(anchors).size).toBe(anchors.length);
    const oldMax = Math.max(
      ...old.blocks.filter((b) => b.kind === "paragraph").map((b) => b.number ?? 0),
    );
    for (const b of now.blocks) {
      if (b.kind === "paragraph" && !old.blocks.some((o) => o.anchor === b.anchor)) {
        expect(Number(b.anchor.slice(2))).toBeGreaterThan(oldMax);
      }
    }
    // Paragraph links name the current revision's paragraph.
    expect(findParagraph({ db, slug: "seed", anchor: "p-1" })?.block.revisionId).toBe(
      db
        .select({ id: article.currentRevisionId })
        .from(article)
        .where(eq(article.id, articleId))
        .get()?.id,
    );
    expect(listRevisions({ db, articleId }).map((r) => r.number)).toEqual([2, 1]);
  });

  it("re-imports the same text as a no-op, and a third revision re-anchors from the second", () => {
    const { db, articleId } = createSeededDb();
    const quote = "Prominent terrorist groups include Al Qaeda";
    const id = thread(db, articleId, "p-4", quote);
    revise(db);
    expect(importArticle(db, parseArticle(REVISION_2), { slug: "seed" }).status).toBe("unchanged");
    const third = REVISION_2.replace(quote, "Prominent terrorist groups include al-Qaeda");
    const result = revise(db, third);
    expect(result.revision).toBe(3);
    const after = row(db, id);
    // "Al Qaeda" → "al-Qaeda": close enough to be found, not the same words.
    expect(after.anchorStatus).toBe("changed");
    expect(after.originQuote).toBe(quote);
    expect(after.quoteExact).toBe("Prominent terrorist groups include al-Qaeda");
    expectTalliesMatch(db);
  });

  it("compares two revisions paragraph by paragraph, with the threads each change concerned", () => {
    const { db, articleId } = createSeededDb();
    const edited = thread(db, articleId, "p-1", "after two decades of fighting");
    revise(db);
    const comparison = compareRevisions({ db, articleId, viewer: null, from: 1, to: 2 });
    const p1 = comparison.paragraphs.find((p) => p.anchor === "p-1");
    expect(p1?.change).toBe("changed");
    expect(p1?.diff.some((d) => d.op === "insert" && d.text.includes("nearly"))).toBe(true);
    expect(p1?.threads.map((t) => t.id)).toEqual([edited]);
    // Reconstructing either side from the diff gives the texts back.
    const old = getRevision({ db, articleId, number: 1 }).blocks.find((b) => b.anchor === "p-1");
    expect(
      p1?.diff
        .filter((d) => d.op !== "insert")
        .map((d) => d.text)
        .join(""),
    ).toBe(old?.text);
    expect(comparison.paragraphs.some((p) => p.change === "removed" || p.change === "added")).toBe(
      true,
    );
  });
});

describe("resolving threads", () => {
  it("lets the writer, the article's author and editor, a panel's owner and admins resolve; no one else", () => {
    const { db, articleId } = createSeededDb();
    const author = addUser(db, "u-author");
    const editor = addUser(db, "u-editor");
    const stranger = addUser(db, "u-stranger");
    const admin = addUser(db, "u-admin", "admin");
    db.update(article)
      .set({ authorId: author.id, editorId: editor.id })
      .where(eq(article.id, articleId))
      .run();
    const id = thread(db, articleId, "p-2", null);
    const reply = createReply({
      db,
      author: BOB,
      parentId: id,
      input: { kind: "annotation", body: "Hm.", source: null },
    });
    expect(() => setThreadResolved({ db, viewer: stranger, id, resolved: true })).toThrow(
      ForbiddenError,
    );
    // Only a thread (its root) is resolved, never a reply.
    expect(() => setThreadResolved({ db, viewer: BOB, id: reply, resolved: true })).toThrow(
      ForbiddenError,
    );
    for (const who of [ADA, author, editor, admin]) {
      setThreadResolved({ db, viewer: who, id, resolved: true });
      expect(row(db, id).resolvedBy).toBe(who.id);
      setThreadResolved({ db, viewer: who, id, resolved: false });
      expect(row(db, id).resolvedAt).toBeNull();
    }
    const panelOwner = addUser(db, "u-panel");
    const panel = createGroupWith(db, { owner: panelOwner, members: [BOB] });
    db.run(sql`update "group" set kind = 'panel' where id = ${panel}`);
    const review = createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: blockAt(db, articleId, "p-2").id,
      input: newInput({ visibility: "group", groupId: panel }),
    });
    setThreadResolved({ db, viewer: panelOwner, id: review, resolved: true });
    expect(row(db, review).resolvedBy).toBe(panelOwner.id);
    const counts = countThreads(
      db,
      and(eq(annotation.articleId, articleId), isNull(annotation.parentId)),
    );
    expect(counts).toEqual({ all: 2, open: 1, resolved: 1 });
  });

  it("groups the review summary by paragraph, open before resolved, and escapes Markdown", () => {
    const { db, articleId } = createSeededDb();
    const open = thread(db, articleId, "p-2", null);
    const done = thread(db, articleId, "p-3", null, BOB);
    db.update(annotation)
      .set({ body: "# Not a heading\n<script>x</script> [link](javascript:alert(1))" })
      .where(eq(annotation.id, done))
      .run();
    setThreadResolved({ db, viewer: BOB, id: done, resolved: true });
    const revisionId =
      db
        .select({ id: article.currentRevisionId })
        .from(article)
        .where(eq(article.id, articleId))
        .get()?.id ?? 0;
    const summary = getReviewSummary({ db, articleId, revisionId, viewer: null });
    expect(summary.open).toBe(1);
    expect(summary.resolved).toBe(1);
    expect(summary.sections.map((s) => s.anchor)).toEqual(["p-2", "p-3"]);
    expect(summary.sections[0]?.open.map((t) => t.id)).toEqual([open]);
    expect(summary.sections[1]?.resolved.map((t) => t.id)).toEqual([done]);
    const markdown = reviewMarkdown("A <b>title</b>", 1, summary);
    expect(markdown).toContain("## Paragraph 2");
    expect(markdown).toContain("### Resolved (1)");
    expect(markdown).not.toMatch(/^\s*# Not a heading/m);
    expect(markdown).not.toContain("<script>");
    // Escaped: the brackets are text, not a link.
    expect(markdown).toContain("\\[link\\](javascript:alert(1))");
  });
});

describe("who may revise", () => {
  it("is the linked author, the article's editor or an admin; never a panel's or class's owner", () => {
    const { db, articleId } = createSeededDb();
    const author = addUser(db, "u-author");
    const editor = addUser(db, "u-editor");
    const panelOwner = addUser(db, "u-panel");
    const classOwner = addUser(db, "u-class");
    const admin = addUser(db, "u-admin", "admin");
    const found = () => {
      const a = db.select().from(article).where(eq(article.id, articleId)).get();
      return { id: articleId, authorId: a?.authorId ?? null, editorId: a?.editorId ?? null };
    };
    expect(canRevise(ADA, found())).toBe(false);
    expect(canRevise(null, found())).toBe(false);
    expect(canRevise(admin, found())).toBe(true);
    db.update(article)
      .set({ authorId: author.id, editorId: editor.id })
      .where(eq(article.id, articleId))
      .run();
    expect(canRevise(author, found())).toBe(true);
    expect(canRevise(editor, found())).toBe(true);
    for (const [owner, kind] of [
      [panelOwner, "panel"],
      [classOwner, "class"],
    ] as const) {
      const groupId = createGroupWith(db, { owner });
      db.run(sql`update "group" set kind = ${kind} where id = ${groupId}`);
      db.run(
        sql`insert into "assignment" (group_id, article_id) values (${groupId}, ${articleId})`,
      );
    }
    // Anyone may start a panel and set any article to it: running one gives no right to rewrite
    // the text, and neither does a class reading it.
    expect(canRevise(panelOwner, found())).toBe(false);
    expect(canRevise(classOwner, found())).toBe(false);
  });
});

describe("a review panel's comments", () => {
  /** A panel reviewing the seed article blind, with two reviewers, and a class reading it too. */
  function world() {
    const { db, articleId } = createSeededDb();
    const editor = addUser(db, "u-editor");
    const author = addUser(db, "u-author");
    const outsider = addUser(db, "u-outsider");
    const teacher = addUser(db, "u-teacher");
    db.update(article).set({ authorId: author.id }).where(eq(article.id, articleId)).run();
    const panel = createGroupWith(db, { owner: editor, members: [ADA, BOB] });
    db.run(sql`update "group" set kind = 'panel' where id = ${panel}`);
    db.run(
      sql`insert into "assignment" (group_id, article_id, post_before_see) values (${panel}, ${articleId}, 1)`,
    );
    const otherClass = createGroupWith(db, { owner: teacher, members: [BOB] });
    db.run(
      sql`insert into "assignment" (group_id, article_id) values (${otherClass}, ${articleId})`,
    );
    const post = (by: { id: string }, groupId: number) =>
      createAnnotation({
        db,
        author: by,
        articleId,
        blockId: blockAt(db, articleId, "p-2").id,
        input: newInput({ visibility: "group", groupId }),
      });
    return { db, articleId, editor, author, outsider, panel, otherClass, post };
  }

  const seenBy = (db: Db, blockId: number, viewer: { id: string } | null) =>
    getParagraphThreads({ db, blockId, viewer }).map((t) => t.id);

  it("are blind until posted for reviewers, open to the editor, and read by the article's author", () => {
    const { db, articleId, editor, author, outsider, panel, post } = world();
    const blockId = blockAt(db, articleId, "p-2").id;
    const ada = post(ADA, panel);
    // Bob has not posted on this response yet: he sees nothing of Ada's.
    expect(seenBy(db, blockId, BOB)).toEqual([]);
    expect(seenBy(db, blockId, ADA)).toEqual([ada]);
    expect(seenBy(db, blockId, editor)).toEqual([ada]);
    // The linked author reads (and may answer and resolve) what the panel says about their text.
    expect(seenBy(db, blockId, author)).toEqual([ada]);
    expect(seenBy(db, blockId, outsider)).toEqual([]);
    expect(seenBy(db, blockId, null)).toEqual([]);
    const bob = post(BOB, panel);
    expect(seenBy(db, blockId, BOB).sort()).toEqual([ada, bob].sort());
    const answer = createReply({
      db,
      author,
      parentId: ada,
      input: { kind: "annotation", body: "Fixed in the next draft.", source: null },
    });
    expect(seenBy(db, blockId, ADA)).toContain(ada);
    expect(
      getParagraphThreads({ db, blockId, viewer: ADA })
        .find((t) => t.id === ada)
        ?.replies.map((r) => r.id),
    ).toEqual([answer]);
    setThreadResolved({ db, viewer: author, id: ada, resolved: true });
  });

  it("names anonymous reviewers 'Reviewer n' to each other, and by name to the editor", () => {
    const { db, articleId, editor, author, panel, post } = world();
    db.run(
      sql`update "assignment" set anonymous = 1, post_before_see = 0 where group_id = ${panel}`,
    );
    const blockId = blockAt(db, articleId, "p-2").id;
    const ada = post(ADA, panel);
    const asBob = getParagraphThreads({ db, blockId, viewer: BOB }).find((t) => t.id === ada);
    expect(asBob?.alias).toBe("Reviewer 1");
    expect(asBob?.author).toBeNull();
    const asEditor = getParagraphThreads({ db, blockId, viewer: editor }).find((t) => t.id === ada);
    expect(asEditor?.alias).toBeNull();
    expect(asEditor?.author?.displayName).toBe("Ada Lovelace");
    // Resolving her own thread does not unmask her, and the reviewed text's author (no reviewer)
    // answers by name.
    setThreadResolved({ db, viewer: ADA, id: ada, resolved: true });
    const answer = createReply({
      db,
      author,
      parentId: ada,
      input: { kind: "annotation", body: "Thanks.", source: null },
    });
    const again = getParagraphThreads({ db, blockId, viewer: BOB }).find((t) => t.id === ada);
    expect(again?.resolved?.by).toBe("Reviewer 1");
    const reply = again?.replies.find((r) => r.id === answer);
    expect(reply?.alias).toBeNull();
    expect(reply?.author?.displayName).toBe("User u-author");
  });

  it("never shows the author a class's annotations, or a panel's on someone else's text", () => {
    const { db, articleId, author, otherClass, post } = world();
    const blockId = blockAt(db, articleId, "p-2").id;
    const classNote = post(BOB, otherClass);
    expect(seenBy(db, blockId, author)).not.toContain(classNote);
    // A panel on another article: its author is not this one.
    const elsewhere = importArticle(db, parseArticle(REVISION_2), { slug: "another" });
    const editor2 = addUser(db, "u-editor2");
    const panel2 = createGroupWith(db, { owner: editor2, members: [ADA] });
    db.run(sql`update "group" set kind = 'panel' where id = ${panel2}`);
    db.run(
      sql`insert into "assignment" (group_id, article_id) values (${panel2}, ${elsewhere.articleId})`,
    );
    const there = createAnnotation({
      db,
      author: ADA,
      articleId: elsewhere.articleId,
      blockId: blockAt(db, elsewhere.articleId, "p-2").id,
      input: newInput({ visibility: "group", groupId: panel2 }),
    });
    expect(seenBy(db, blockAt(db, elsewhere.articleId, "p-2").id, author)).not.toContain(there);
  });
});

describe("uploading revisions", () => {
  it("takes at most MAX_REVISIONS_PER_HOUR an hour from one person; the same text costs none", () => {
    const { db, articleId } = createSeededDb();
    db.update(article).set({ editorId: ADA.id }).where(eq(article.id, articleId)).run();
    const target = { id: articleId, slug: "seed", authorId: null, editorId: ADA.id };
    const base = readFileSync(SEED_ARTICLE_PATH, "utf8");
    const nth = (n: number) => ({
      parsed: parseArticle(`${base.trimEnd()}\n\nA closing line, version ${n}.\n`),
      note: `Version ${n}.`,
    });
    const upload = (n: number) =>
      uploadRevision({ db, viewer: ADA, article: target, input: nth(n) });
    for (let n = 1; n <= MAX_REVISIONS_PER_HOUR; n++) {
      upload(n);
      // Refused as unchanged: given back, not counted.
      if (n < MAX_REVISIONS_PER_HOUR) expect(() => upload(n)).toThrow(FieldValidationError);
    }
    expect(listRevisions({ db, articleId })).toHaveLength(MAX_REVISIONS_PER_HOUR + 1);
    expect(() => upload(MAX_REVISIONS_PER_HOUR + 1)).toThrow(RateLimitedError);
    expect(listRevisions({ db, articleId })).toHaveLength(MAX_REVISIONS_PER_HOUR + 1);
  });
});

/**
 * Article revisions: a new version of the text becomes the article's next revision, and every
 * annotation is carried over to it in the same transaction. Paragraphs are matched by content
 * (app/anchoring/revision.ts), so a kept paragraph keeps its anchor even when it moves; each
 * thread's root is re-anchored — found exactly (anchored, perhaps moved), found approximately
 * (changed: the quote as written is kept), or not at all (orphaned: it stays on the paragraph of
 * the revision it was written on, listed under "Orphaned comments"). Nothing is deleted, and old
 * revisions stay readable at their own address.
 */
import { and, asc, desc, eq, isNull, max, ne, sql } from "drizzle-orm";
import {
  matchParagraphs,
  type RevisionAnnotation,
  reanchorRevision,
} from "#app/anchoring/revision";
import { describePassage } from "#app/anchoring/selectors";
import type { ParsedArticle } from "#app/models/importer.server";
import type { Db } from "#app/utils/db.server";
import { NotFoundError } from "#app/utils/errors";
import { annotation, article, articleRevision, block, user } from "#db/schema";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** What a revision did to the annotations, as the importer and the revise form report it. */
export type RevisionOutcome = {
  revision: number;
  paragraphs: number;
  /** Threads found where they were. */
  anchored: number;
  /** Threads found exactly, elsewhere. */
  moved: number;
  /** Threads whose words changed: found approximately, or on a rewritten paragraph. */
  changed: number;
  /** Threads whose words are gone. */
  orphaned: number;
};

const PARAGRAPH_ANCHOR = /^p-(\d+)$/;

/**
 * Writes `parsed` as the article's next revision and re-anchors every live thread of the current
 * one. Runs inside the caller's (IMMEDIATE) transaction.
 */
export function reviseArticle(
  tx: Tx,
  {
    articleId,
    parsed,
    sourceHash,
    by,
    note,
  }: {
    articleId: number;
    parsed: ParsedArticle;
    sourceHash: string;
    by: string | null;
    note: string;
  },
): RevisionOutcome {
  const current = tx
    .select({ revisionId: article.currentRevisionId })
    .from(article)
    .where(eq(article.id, articleId))
    .get();
  if (!current?.revisionId) throw new NotFoundError("There is no such article.");
  const oldParagraphs = tx
    .select({ id: block.id, anchor: block.anchor, text: block.text })
    .from(block)
    .where(and(eq(block.revisionId, current.revisionId), eq(block.kind, "paragraph")))
    .orderBy(asc(block.position))
    .all();
  const newParagraphs = parsed.blocks.filter((b) => b.kind === "paragraph");

  const roots = tx
    .select({
      id: annotation.id,
      blockId: annotation.blockId,
      exact: annotation.quoteExact,
      prefix: annotation.quotePrefix,
      suffix: annotation.quoteSuffix,
      start: annotation.positionStart,
      end: annotation.positionEnd,
      status: annotation.anchorStatus,
      originBlockId: annotation.originBlockId,
      originQuote: annotation.originQuote,
    })
    .from(annotation)
    .where(
      and(
        sql`${annotation.blockId} in (select id from "block" where revision_id = ${current.revisionId})`,
        isNull(annotation.parentId),
        ne(annotation.anchorStatus, "orphaned"),
      ),
    )
    .all();
  const indexOfBlock = new Map(oldParagraphs.map((p, i) => [p.id, i]));
  const inputs: RevisionAnnotation[] = roots.map((root) => ({
    id: root.id,
    paragraph: indexOfBlock.get(root.blockId) ?? -1,
    selector:
      root.exact !== null && root.start !== null && root.end !== null
        ? {
            quote: { exact: root.exact, prefix: root.prefix ?? "", suffix: root.suffix ?? "" },
            position: { start: root.start, end: root.end },
          }
        : null,
  }));
  const oldTexts = oldParagraphs.map((p) => p.text);
  const newTexts = newParagraphs.map((p) => p.text);
  const matching = matchParagraphs(oldTexts, newTexts);
  const { continues } = matching;
  const outcomes = reanchorRevision(oldTexts, newTexts, inputs, matching);

  // Kept paragraphs keep their anchors; new ones take numbers no revision has used, so a link to
  // an old paragraph never lands on a different one.
  let nextNumber = 1;
  for (const b of tx
    .select({ anchor: block.anchor })
    .from(block)
    .where(and(eq(block.articleId, articleId), eq(block.kind, "paragraph")))
    .all()) {
    nextNumber = Math.max(nextNumber, Number(PARAGRAPH_ANCHOR.exec(b.anchor)?.[1] ?? 0) + 1);
  }
  const anchors = newParagraphs.map((_, i) => {
    const kept = continues[i];
    const keptAnchor =
      kept === null || kept === undefined ? undefined : oldParagraphs[kept]?.anchor;
    return keptAnchor ?? `p-${nextNumber++}`;
  });

  const number =
    (tx
      .select({ n: max(articleRevision.number) })
      .from(articleRevision)
      .where(eq(articleRevision.articleId, articleId))
      .get()?.n ?? 0) + 1;
  const revision = tx
    .insert(articleRevision)
    .values({ articleId, number, sourceHash, createdBy: by, note })
    .returning({ id: articleRevision.id })
    .get();
  let paragraphIndex = 0;
  const inserted = tx
    .insert(block)
    .values(
      parsed.blocks.map((b, position) => ({
        articleId,
        revisionId: revision.id,
        position,
        kind: b.kind,
        number: b.number,
        text: b.text,
        anchor: b.kind === "paragraph" ? (anchors[paragraphIndex++] ?? b.anchor) : b.anchor,
      })),
    )
    .returning({ id: block.id, kind: block.kind })
    .all();
  const newBlockIds = inserted.filter((b) => b.kind === "paragraph").map((b) => b.id);

  const counts = { anchored: 0, moved: 0, changed: 0, orphaned: 0 };
  const moveReplies = tx
    .update(annotation)
    .set({ blockId: sql.placeholder("blockId") as unknown as number })
    .where(
      and(
        eq(annotation.rootId, sql.placeholder("rootId") as unknown as number),
        sql`${annotation.parentId} is not null`,
      ),
    )
    .prepare();
  for (const root of roots) {
    const outcome = outcomes.get(root.id);
    if (!outcome || outcome.status === "orphaned" || outcome.paragraph === null) {
      tx.update(annotation)
        .set({ anchorStatus: "orphaned" })
        .where(eq(annotation.id, root.id))
        .run();
      counts.orphaned++;
      continue;
    }
    const newBlockId = newBlockIds[outcome.paragraph];
    const text = newParagraphs[outcome.paragraph]?.text;
    if (newBlockId === undefined || text === undefined) throw new Error("re-anchored past the end");
    const passage =
      outcome.position && root.exact !== null
        ? describePassage(text, outcome.position.start, outcome.position.end)
        : null;
    // Once changed, always changed: the words differ from what was commented on, even if a later
    // revision's text matches the moved quote exactly.
    const changed = outcome.status === "changed" || root.status === "changed";
    tx.update(annotation)
      .set({
        blockId: newBlockId,
        anchorStatus: changed ? "changed" : "anchored",
        originBlockId: root.originBlockId ?? root.blockId,
        originQuote:
          outcome.status === "changed" ? (root.originQuote ?? root.exact) : root.originQuote,
        ...(passage
          ? {
              quoteExact: passage.quote.exact,
              quotePrefix: passage.quote.prefix,
              quoteSuffix: passage.quote.suffix,
              positionStart: passage.position.start,
              positionEnd: passage.position.end,
            }
          : {}),
      })
      .where(eq(annotation.id, root.id))
      .run();
    moveReplies.run({ blockId: newBlockId, rootId: root.id });
    if (outcome.status === "changed") counts.changed++;
    else if (outcome.moved) counts.moved++;
    else counts.anchored++;
  }

  tx.update(articleRevision)
    .set({ report: JSON.stringify(counts) })
    .where(eq(articleRevision.id, revision.id))
    .run();
  tx.update(article)
    .set({
      currentRevisionId: revision.id,
      sourceHash,
      title: parsed.title,
      dek: parsed.dek,
      editorsNote: parsed.editorsNote,
    })
    .where(eq(article.id, articleId))
    .run();
  return { revision: number, paragraphs: newParagraphs.length, ...counts };
}

/** An article's revisions, newest first, with who made each. */
export function listRevisions({ db, articleId }: { db: Db; articleId: number }) {
  return db
    .select({
      id: articleRevision.id,
      number: articleRevision.number,
      note: articleRevision.note,
      report: articleRevision.report,
      createdAt: articleRevision.createdAt,
      byUsername: user.username,
      byDisplayName: user.displayName,
    })
    .from(articleRevision)
    .leftJoin(user, eq(user.id, articleRevision.createdBy))
    .where(eq(articleRevision.articleId, articleId))
    .orderBy(desc(articleRevision.number))
    .all();
}

/** How many revisions an article has: the current one's number. */
export function countRevisions({ db, articleId }: { db: Db; articleId: number }): number {
  return (
    db
      .select({ n: max(articleRevision.number) })
      .from(articleRevision)
      .where(eq(articleRevision.articleId, articleId))
      .get()?.n ?? 1
  );
}

/** One revision of an article with its blocks in reading order; NotFound when there is none. */
export function getRevision({
  db,
  articleId,
  number,
}: {
  db: Db;
  articleId: number;
  number: number;
}) {
  const found = db
    .select()
    .from(articleRevision)
    .where(and(eq(articleRevision.articleId, articleId), eq(articleRevision.number, number)))
    .get();
  if (!found) throw new NotFoundError("This article has no such revision.");
  const blocks = db
    .select()
    .from(block)
    .where(eq(block.revisionId, found.id))
    .orderBy(asc(block.position))
    .all();
  return { ...found, blocks };
}

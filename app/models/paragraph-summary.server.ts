/**
 * What each paragraph of an article has drawn, for the reading page's margin: counts by kind and
 * the passages to highlight, from tallies kept by triggers plus the viewer's own private notes.
 */
import { and, eq, isNotNull, isNull, ne, sql } from "drizzle-orm";
import {
  beyondPublic,
  beyondPublicIds,
  inLayer,
  type Layer,
  type Viewer,
  visibleTo,
} from "#app/models/visibility.server";
import type { AnnotationKind } from "#app/rules";
import type { Db } from "#app/utils/db.server";
import { annotation, paragraphTally, passageTally } from "#db/schema";

/** What a paragraph has drawn, for its margin: counts by kind and the passages to highlight. */
export type ParagraphSummary = {
  counts: Partial<Record<AnnotationKind, number>>;
  total: number;
  /** Distinct highlighted passages (code points), with how many threads quote each. */
  ranges: { start: number; end: number; kind: AnnotationKind; count: number }[];
};

/**
 * Counts and highlight ranges for every paragraph of an article. Public figures come from tallies
 * kept by triggers (one row per paragraph and kind, one per quoted passage); a signed-in reader's
 * own private notes are added by two small grouped queries. The cost follows the number of
 * paragraphs and distinct passages, not the number of annotations.
 */
export function getParagraphSummaries({
  db,
  articleId,
  viewer,
  layer = { kind: "all" },
}: {
  db: Db;
  articleId: number;
  viewer: Viewer;
  layer?: Layer;
}): Map<number, ParagraphSummary> {
  const summaries = new Map<number, ParagraphSummary>();
  const summaryFor = (blockId: number) => {
    let summary = summaries.get(blockId);
    if (!summary) {
      summary = { counts: {}, total: 0, ranges: [] };
      summaries.set(blockId, summary);
    }
    return summary;
  };
  const addCount = (row: { blockId: number; kind: AnnotationKind; count: number }) => {
    if (row.count <= 0) return;
    const summary = summaryFor(row.blockId);
    summary.counts[row.kind] = (summary.counts[row.kind] ?? 0) + row.count;
    summary.total += row.count;
  };
  const addRange = (row: {
    blockId: number;
    start: number | null;
    end: number | null;
    kind: AnnotationKind;
    count: number;
  }) => {
    if (row.start === null || row.end === null || row.count <= 0) return;
    summaryFor(row.blockId).ranges.push({
      start: row.start,
      end: row.end,
      kind: row.kind,
      count: row.count,
    });
  };

  // Public figures: one row per paragraph and kind, and one per quoted passage.
  const withPublic = layer.kind === "all" || layer.kind === "public";
  if (withPublic) {
    db.select()
      .from(paragraphTally)
      .where(eq(paragraphTally.articleId, articleId))
      .all()
      .forEach(addCount);
    db.select()
      .from(passageTally)
      .where(eq(passageTally.articleId, articleId))
      .all()
      .forEach(addRange);
  }
  if (!viewer || layer.kind === "public") return summaries;

  // What only this viewer sees (their private notes, their groups'), counted directly from the few
  // rows that can be theirs: the candidates drive the loop (CROSS JOIN keeps that order), or SQLite
  // would test every annotation of the article (565 ms on a 100,000-annotation article, 0.6 ms so).
  // In a group's layer or the private one, that is all there is.
  const mine = and(
    eq(annotation.articleId, articleId),
    withPublic ? beyondPublic(viewer) : and(visibleTo(viewer), inLayer(layer)),
  );
  const candidates = sql`${beyondPublicIds(viewer, articleId)} candidate cross join ${annotation} on ${annotation.id} = candidate.id`;
  db.all<{ blockId: number; kind: AnnotationKind; count: number }>(
    sql`select ${annotation.blockId} as blockId, ${annotation.kind} as kind, count(*) as count
      from ${candidates} where ${and(mine, isNull(annotation.deletedAt))}
      group by ${annotation.blockId}, ${annotation.kind}`,
  ).forEach(addCount);
  // A deleted root that still has replies keeps its highlight: the replies are about that passage.
  db.all<{
    blockId: number;
    start: number | null;
    end: number | null;
    kind: AnnotationKind;
    count: number;
  }>(
    sql`select ${annotation.blockId} as blockId, ${annotation.positionStart} as start,
        ${annotation.positionEnd} as "end", ${annotation.kind} as kind, count(*) as count
      from ${candidates}
      where ${and(
        mine,
        isNull(annotation.parentId),
        isNotNull(annotation.positionStart),
        ne(annotation.anchorStatus, "orphaned"),
      )}
      group by ${annotation.blockId}, ${annotation.positionStart}, ${annotation.positionEnd}, ${annotation.kind}`,
  ).forEach(addRange);
  return summaries;
}

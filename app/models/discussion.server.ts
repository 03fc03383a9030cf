/**
 * The discussion page: an article's threads that the viewer may see, sorted and filtered, a page at
 * a time. Threads are read with the same loader as everywhere else (thread.server.ts).
 */
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { toFtsQuery } from "#app/models/search.server";
import {
  countThreads,
  loadThreads,
  statusCondition,
  type ThreadCounts,
  type ThreadNode,
} from "#app/models/thread.server";
import {
  inLayer,
  type Layer,
  peerAlias,
  readableBy,
  type Viewer,
  visibleTo,
} from "#app/models/visibility.server";
import type { AnnotationKind, ThreadSort, ThreadStatus } from "#app/rules";
import type { Db } from "#app/utils/db.server";
import { annotation, block } from "#db/schema";

export const THREADS_PER_PAGE = 50;

/** A thread as the discussion page lists it: where it is, and the whole conversation. */
export type ThreadListing = {
  root: ThreadNode;
  anchor: string;
  paragraphNumber: number | null;
  replyCount: number;
};

/**
 * An article's threads that the viewer may see, sorted and filtered, one page at a time. A filter
 * keeps a thread when any live annotation in it matches (a counterargument deep in a thread counts).
 * Ties break on the root's id, so pages are stable.
 */
export function listThreads({
  db,
  articleId,
  viewer,
  sort = "reading",
  kind,
  authorUsername,
  text,
  page = 1,
  layer = { kind: "all" },
  status,
}: {
  db: Db;
  articleId: number;
  viewer: Viewer;
  sort?: ThreadSort;
  kind?: AnnotationKind;
  authorUsername?: string;
  text?: string;
  page?: number;
  layer?: Layer;
  status?: ThreadStatus | null;
}): {
  threads: ThreadListing[];
  total: number;
  page: number;
  pageCount: number;
  /** Threads matching every filter but the status: in all, open and resolved. */
  counts: ThreadCounts;
} {
  // Each filter names the threads (roots) holding a live annotation that matches; the subquery
  // is not correlated, so it runs once, not once per thread.
  const match = alias(annotation, "m");
  const matchConditions: SQL[] = [
    eq(match.articleId, articleId),
    isNull(match.deletedAt),
    // Filters look at words and authors: not at what a moderator hid from this viewer.
    readableBy(viewer, match),
  ];
  if (kind) matchConditions.push(eq(match.kind, kind));
  if (authorUsername) {
    matchConditions.push(
      sql`${match.authorId} = (select u.id from "user" u where lower(u.username) = lower(${authorUsername}))`,
      // Filtering by name must not pick out an anonymous classmate's "Student n".
      sql`${peerAlias(viewer, match)} is null`,
    );
  }
  if (text !== undefined) {
    const query = toFtsQuery(text);
    // Text that leaves nothing to search for matches nothing, rather than everything.
    matchConditions.push(
      query === null
        ? sql`0`
        : sql`${match.id} in (select rowid from annotation_search where annotation_search match ${query})`,
    );
  }
  const filtered = kind || authorUsername || text !== undefined;
  const unresolvedWhere = and(
    eq(annotation.articleId, articleId),
    isNull(annotation.parentId),
    visibleTo(viewer),
    inLayer(layer),
    filtered
      ? inArray(
          annotation.id,
          db
            .select({ rootId: match.rootId })
            .from(match)
            .where(and(...matchConditions)),
        )
      : undefined,
  );
  const where = and(unresolvedWhere, statusCondition(status));

  const order: SQL[] = {
    reading: [
      asc(block.position),
      sql`coalesce(${annotation.positionStart}, -1)`,
      asc(annotation.createdAt),
      asc(annotation.id),
    ],
    // The last key is the id, in the sort's own direction: pages stay stable, newest stays newest.
    newest: [desc(annotation.createdAt), desc(annotation.id)],
    endorsed: [desc(annotation.endorsementCount), desc(annotation.createdAt), desc(annotation.id)],
    replied: [desc(annotation.replyCount), desc(annotation.createdAt), desc(annotation.id)],
  }[sort];

  const counts = countThreads(db, unresolvedWhere);
  const total = status ? counts[status] : counts.all;
  const pageCount = Math.max(1, Math.ceil(total / THREADS_PER_PAGE));
  const current = Math.min(Math.max(1, Math.floor(page)), pageCount);
  const roots = db
    .select({
      id: annotation.id,
      anchor: block.anchor,
      number: block.number,
      replyCount: annotation.replyCount,
    })
    .from(annotation)
    .innerJoin(block, eq(block.id, annotation.blockId))
    .where(where)
    .orderBy(...order)
    .limit(THREADS_PER_PAGE)
    .offset((current - 1) * THREADS_PER_PAGE)
    .all();
  if (roots.length === 0) return { threads: [], total, page: current, pageCount, counts };

  const threads = loadThreads(
    db,
    viewer,
    inArray(
      annotation.rootId,
      roots.map((r) => r.id),
    ),
  );
  const trees = new Map(threads.map((node) => [node.id, node]));
  return {
    threads: roots.flatMap((r) => {
      const root = trees.get(r.id);
      return root
        ? [{ root, anchor: r.anchor, paragraphNumber: r.number, replyCount: r.replyCount }]
        : [];
    }),
    total,
    page: current,
    pageCount,
    counts,
  };
}

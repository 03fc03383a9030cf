/**
 * The discussion page: an article's threads that the viewer may see, sorted and filtered, a page at
 * a time, each with its first replies. Threads are read with the same loader as everywhere else
 * (thread.server.ts).
 */
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { toFtsQuery } from "#app/models/search.server";
import {
  countThreads,
  countVisibleThreads,
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
import { walkThread } from "#app/threading/build-threads";
import type { Db } from "#app/utils/db.server";
import { annotation, block } from "#db/schema";

/**
 * Threads per page. A page lists whole threads, and rendering them is most of what it costs: 50
 * threads of the most replied made 850 KB of HTML; 20, each with its first replies, is a page a
 * reader scans, and the pager reaches the rest.
 */
export const THREADS_PER_PAGE = 20;

/**
 * Replies a listed thread shows, the first written; "n more replies" links to the whole thread on
 * its permalink, where the conversation is read and answered.
 */
export const REPLIES_SHOWN = 3;

/** A thread as the discussion page lists it: where it is, its root and its first replies. */
export type ThreadListing = {
  root: ThreadNode;
  anchor: string;
  paragraphNumber: number | null;
  replyCount: number;
  /** Live replies not shown here (beyond REPLIES_SHOWN): the permalink has them. */
  moreReplies: number;
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

  // Unfiltered, the counts come from the tally (plus what the viewer sees beyond public); a
  // filter names the threads it keeps, so those are counted directly.
  const counts = filtered
    ? countThreads(db, unresolvedWhere)
    : countVisibleThreads({ db, articleId, viewer, layer });
  const total = status ? counts[status] : counts.all;
  const pageCount = Math.max(1, Math.ceil(total / THREADS_PER_PAGE));
  const current = Math.min(Math.max(1, Math.floor(page)), pageCount);

  // Each sort reads threads in the order of an index and stops after the page, testing
  // visibility only for the rows it passes; CROSS JOIN keeps SQLite from starting at the other
  // table and sorting every thread of the article (90 ms at 45,000 threads; issue 11).
  const columns = {
    id: annotation.id,
    anchor: block.anchor,
    number: block.number,
    replyCount: annotation.replyCount,
  };
  const ordered =
    sort === "reading"
      ? db
          .select(columns)
          .from(block)
          .crossJoin(annotation)
          .where(and(eq(block.articleId, articleId), eq(annotation.blockId, block.id), where))
          // Paragraphs in order (a paragraph of an earlier revision, holding orphaned threads,
          // beside the current one at its position), then passages (the whole paragraph first:
          // SQLite sorts a null position first), then time.
          .orderBy(
            asc(block.position),
            asc(block.id),
            asc(annotation.positionStart),
            asc(annotation.createdAt),
            asc(annotation.id),
          )
      : db
          .select(columns)
          .from(annotation)
          .crossJoin(block)
          .where(and(eq(block.id, annotation.blockId), where))
          // The last key is the id, in the sort's own direction: pages stay stable, newest
          // stays newest.
          .orderBy(
            ...{
              newest: [desc(annotation.createdAt), desc(annotation.id)],
              endorsed: [
                desc(annotation.endorsementCount),
                desc(annotation.createdAt),
                desc(annotation.id),
              ],
              replied: [
                desc(annotation.replyCount),
                desc(annotation.createdAt),
                desc(annotation.id),
              ],
            }[sort],
          );
  const roots = ordered
    .limit(THREADS_PER_PAGE)
    .offset((current - 1) * THREADS_PER_PAGE)
    .all();
  if (roots.length === 0) return { threads: [], total, page: current, pageCount, counts };

  // Each root with its first REPLIES_SHOWN replies by id, numbered in one pass over the threads
  // (the root first). A reply is always written after the one it answers, so every reply kept
  // has its parent kept too.
  const threads = loadThreads(
    db,
    viewer,
    sql`${annotation.id} in (select id from (
      select r.id, row_number() over (partition by r.root_id order by r.parent_id is not null, r.id) as n
      from "annotation" r where r.root_id in ${roots.map((r) => r.id)}
    ) where n <= ${REPLIES_SHOWN + 1})`,
  );
  const trees = new Map(threads.map((node) => [node.id, withoutSource(node)]));
  return {
    threads: roots.flatMap((r) => {
      const root = trees.get(r.id);
      if (!root) return [];
      const shown = walkThread(root).filter((node) => node.parentId !== null && !node.deleted);
      return [
        {
          root,
          anchor: r.anchor,
          paragraphNumber: r.number,
          replyCount: r.replyCount,
          moreReplies: Math.max(0, r.replyCount - shown.length),
        },
      ];
    }),
    total,
    page: current,
    pageCount,
    counts,
  };
}

/**
 * A listed node without its Markdown source: the listing links to the permalink to reply or edit
 * and shows only the stored HTML, so the source would be sent in the page's data for nothing.
 */
function withoutSource(node: ThreadNode): ThreadNode {
  return { ...node, body: "", replies: node.replies.map(withoutSource) };
}

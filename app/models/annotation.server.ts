/**
 * Annotations of every kind (commentary, questions, counterarguments, sources) and their threads.
 * Every read is filtered by `visibleTo(viewer)`; every write checks who is writing here, not in the
 * route. Reading-page figures come from aggregate queries, a paragraph's threads from one query.
 */
import {
  and,
  asc,
  count,
  desc,
  eq,
  inArray,
  isNotNull,
  isNull,
  ne,
  type SQL,
  sql,
} from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { describePassage, locateQuote } from "~/anchoring/selectors";
import { renderMarkdown } from "~/markdown.server";
import type {
  AnnotationEdit,
  AnnotationInput,
  NewAnnotationInput,
} from "~/models/annotation-input";
import { toFtsQuery } from "~/models/search.server";
import { beyondPublic, type Viewer, visibleTo } from "~/models/visibility.server";
import type { Db } from "~/utils/db.server";
import { FieldValidationError, ForbiddenError, NotFoundError } from "~/utils/errors";
import type { AnnotationKind, ThreadSort } from "../../db/enums";
import {
  annotation,
  block,
  endorsement,
  paragraphTally,
  passageTally,
  sourceLink,
  user,
} from "../../db/schema";

export type { AnnotationKind };

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
}: {
  db: Db;
  articleId: number;
  viewer: Viewer;
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
  if (!viewer) return summaries;

  // What only this viewer sees (their private notes), counted directly: few rows, by index.
  const mine = and(eq(annotation.articleId, articleId), beyondPublic(viewer));
  db.select({ blockId: annotation.blockId, kind: annotation.kind, count: sql<number>`count(*)` })
    .from(annotation)
    .where(and(mine, isNull(annotation.deletedAt)))
    .groupBy(annotation.blockId, annotation.kind)
    .all()
    .forEach(addCount);
  // A deleted root that still has replies keeps its highlight: the replies are about that passage.
  db.select({
    blockId: annotation.blockId,
    start: annotation.positionStart,
    end: annotation.positionEnd,
    kind: annotation.kind,
    count: sql<number>`count(*)`,
  })
    .from(annotation)
    .where(
      and(
        mine,
        isNull(annotation.parentId),
        isNotNull(annotation.positionStart),
        ne(annotation.anchorStatus, "orphaned"),
      ),
    )
    .groupBy(annotation.blockId, annotation.positionStart, annotation.positionEnd, annotation.kind)
    .all()
    .forEach(addRange);
  return summaries;
}

/** One annotation as a thread shows it, with its replies. */
export type ThreadNode = {
  id: number;
  kind: AnnotationKind;
  parentId: number | null;
  depth: number;
  /** Sanitized HTML rendered from the Markdown body; empty for a deleted annotation. */
  bodyHtml: string;
  body: string;
  author: { username: string; displayName: string } | null;
  isOwn: boolean;
  visibility: "public" | "private";
  quote: string | null;
  anchorStatus: "anchored" | "changed" | "orphaned";
  source: { url: string; title: string; stance: "supports" | "refutes" | "context" } | null;
  endorsements: number;
  endorsedByViewer: boolean;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  replies: ThreadNode[];
};

function threadColumns(viewer: Viewer) {
  return {
    id: annotation.id,
    articleId: annotation.articleId,
    kind: annotation.kind,
    parentId: annotation.parentId,
    rootId: annotation.rootId,
    depth: annotation.depth,
    body: annotation.body,
    authorId: annotation.authorId,
    username: user.username,
    displayName: user.displayName,
    visibility: annotation.visibility,
    quote: annotation.quoteExact,
    anchorStatus: annotation.anchorStatus,
    sourceUrl: sourceLink.url,
    sourceTitle: sourceLink.title,
    sourceStance: sourceLink.stance,
    endorsements: annotation.endorsementCount,
    endorsedByViewer: viewer
      ? sql<number>`exists (select 1 from "endorsement" e where e.annotation_id = "annotation"."id" and e.user_id = ${viewer.id})`
      : sql<number>`0`,
    createdAt: annotation.createdAt,
    editedAt: annotation.editedAt,
    deletedAt: annotation.deletedAt,
  };
}

type ThreadRow = {
  id: number;
  kind: AnnotationKind;
  parentId: number | null;
  depth: number;
  body: string;
  authorId: string | null;
  username: string | null;
  displayName: string | null;
  visibility: "public" | "private";
  quote: string | null;
  anchorStatus: "anchored" | "changed" | "orphaned";
  sourceUrl: string | null;
  sourceTitle: string | null;
  sourceStance: "supports" | "refutes" | "context" | null;
  endorsements: number;
  endorsedByViewer: number;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
};

function toNode(row: ThreadRow, viewer: Viewer): ThreadNode {
  const deleted = row.deletedAt !== null;
  return {
    id: row.id,
    kind: row.kind,
    parentId: row.parentId,
    depth: row.depth,
    bodyHtml: deleted ? "" : renderMarkdown(row.body),
    body: deleted ? "" : row.body,
    author:
      deleted || row.username === null || row.displayName === null
        ? null
        : { username: row.username, displayName: row.displayName },
    isOwn: !deleted && viewer !== null && row.authorId === viewer.id,
    visibility: row.visibility,
    quote: row.quote,
    anchorStatus: row.anchorStatus,
    source:
      !deleted && row.sourceUrl && row.sourceTitle && row.sourceStance
        ? { url: row.sourceUrl, title: row.sourceTitle, stance: row.sourceStance }
        : null,
    endorsements: row.endorsements,
    endorsedByViewer: Boolean(row.endorsedByViewer),
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt ? row.editedAt.toISOString() : null,
    deleted,
    replies: [],
  };
}

/** Builds the trees from rows in creation order; replies whose parent is not visible are dropped. */
function buildThreads(rows: ThreadRow[], viewer: Viewer): ThreadNode[] {
  const byId = new Map<number, ThreadNode>();
  const roots: ThreadNode[] = [];
  for (const row of rows) {
    const node = toNode(row, viewer);
    byId.set(node.id, node);
    if (row.parentId === null) roots.push(node);
    else byId.get(row.parentId)?.replies.push(node);
  }
  return roots;
}

/**
 * The annotations matching `where` that the viewer may see, with authors and source links, in one
 * query, built into threads in creation order.
 */
function loadThreads(db: Db, viewer: Viewer, where: SQL | undefined): ThreadNode[] {
  const rows = db
    .select(threadColumns(viewer))
    .from(annotation)
    .leftJoin(user, eq(user.id, annotation.authorId))
    .leftJoin(sourceLink, eq(sourceLink.annotationId, annotation.id))
    .where(and(where, visibleTo(viewer)))
    .orderBy(asc(annotation.createdAt), asc(annotation.id))
    .all();
  return buildThreads(rows, viewer);
}

/**
 * The threads drawn on one paragraph that the viewer may see, oldest first, in one query: all of
 * them, or (with `limit`) the first `limit` threads, replies included.
 */
export function getParagraphThreads({
  db,
  blockId,
  viewer,
  limit,
}: {
  db: Db;
  blockId: number;
  viewer: Viewer;
  limit?: number;
}): ThreadNode[] {
  const roots = alias(annotation, "root");
  const firstRoots = db
    .select({ id: roots.id })
    .from(roots)
    .where(and(eq(roots.blockId, blockId), isNull(roots.parentId), visibleTo(viewer, roots)))
    .orderBy(asc(roots.createdAt), asc(roots.id))
    .limit(limit ?? -1);
  return loadThreads(
    db,
    viewer,
    and(
      eq(annotation.blockId, blockId),
      limit === undefined ? undefined : inArray(annotation.rootId, firstRoots),
    ),
  );
}

/** How many threads on a paragraph the viewer may see. */
export function countParagraphThreads({
  db,
  blockId,
  viewer,
}: {
  db: Db;
  blockId: number;
  viewer: Viewer;
}): number {
  return (
    db
      .select({ n: count() })
      .from(annotation)
      .where(and(eq(annotation.blockId, blockId), isNull(annotation.parentId), visibleTo(viewer)))
      .get()?.n ?? 0
  );
}

function findParagraph(db: Db, articleId: number, blockId: number) {
  const found = db
    .select()
    .from(block)
    .where(and(eq(block.id, blockId), eq(block.articleId, articleId)))
    .get();
  if (found?.kind !== "paragraph") throw new NotFoundError("There is no such paragraph.");
  return found;
}

/** The annotation if the viewer may see it (deleted ones included: they hold threads together). */
function findVisible(db: Db, id: number, viewer: Viewer) {
  const found = db
    .select()
    .from(annotation)
    .where(and(eq(annotation.id, id), visibleTo(viewer)))
    .get();
  if (!found) throw new NotFoundError("That annotation does not exist or is not visible to you.");
  return found;
}

/** The database or an open transaction on it. */
type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

function insertSource(db: DbOrTx, annotationId: number, input: AnnotationInput) {
  if (input.kind !== "source" || !input.source) return;
  db.insert(sourceLink)
    .values({ annotationId, ...input.source })
    .run();
}

/**
 * Attaches a new thread to a paragraph, or to a passage of it. A quote must occur in the paragraph;
 * `quoteStart` (where the reader selected it) tells repeated phrases apart.
 */
export function createAnnotation({
  db,
  author,
  articleId,
  blockId,
  input,
}: {
  db: Db;
  author: { id: string };
  articleId: number;
  blockId: number;
  input: NewAnnotationInput;
}): number {
  const paragraph = findParagraph(db, articleId, blockId);
  let passage: ReturnType<typeof describePassage> = null;
  if (input.quote) {
    const position = locateQuote(
      paragraph.text,
      { exact: input.quote },
      input.quoteStart === null ? undefined : { start: input.quoteStart },
    );
    passage = position ? describePassage(paragraph.text, position.start, position.end) : null;
    if (!passage) {
      throw new FieldValidationError({
        quote: `These words do not occur in paragraph ${paragraph.number}. Quote them exactly as they appear, or leave the passage empty to comment on the whole paragraph.`,
      });
    }
  }
  return db.transaction((tx) => {
    const created = tx
      .insert(annotation)
      .values({
        articleId,
        blockId,
        kind: input.kind,
        body: input.body,
        authorId: author.id,
        visibility: input.visibility,
        depth: 0,
        quoteExact: passage?.quote.exact ?? null,
        quotePrefix: passage?.quote.prefix ?? null,
        quoteSuffix: passage?.quote.suffix ?? null,
        positionStart: passage?.position.start ?? null,
        positionEnd: passage?.position.end ?? null,
      })
      .returning({ id: annotation.id })
      .get();
    tx.update(annotation).set({ rootId: created.id }).where(eq(annotation.id, created.id)).run();
    insertSource(tx, created.id, input);
    return created.id;
  });
}

/** Replies to an annotation the author can see; the reply joins that thread and its visibility. */
export function createReply({
  db,
  author,
  parentId,
  input,
}: {
  db: Db;
  author: { id: string };
  parentId: number;
  input: AnnotationInput;
}): number {
  const parent = findVisible(db, parentId, author);
  if (parent.deletedAt)
    throw new NotFoundError("That annotation was deleted; it cannot be answered.");
  return db.transaction((tx) => {
    const created = tx
      .insert(annotation)
      .values({
        articleId: parent.articleId,
        blockId: parent.blockId,
        kind: input.kind,
        body: input.body,
        authorId: author.id,
        visibility: parent.visibility,
        parentId: parent.id,
        rootId: parent.rootId ?? parent.id,
        depth: parent.depth + 1,
      })
      .returning({ id: annotation.id })
      .get();
    insertSource(tx, created.id, input);
    return created.id;
  });
}

function findOwn(db: Db, id: number, viewer: { id: string }) {
  const found = findVisible(db, id, viewer);
  if (found.deletedAt) throw new NotFoundError("That annotation was deleted.");
  if (found.authorId !== viewer.id)
    throw new ForbiddenError("Only its author can change this annotation.");
  return found;
}

/** Changes the text (and a source's link) of the viewer's own annotation; its kind stays. */
export function updateAnnotation({
  db,
  viewer,
  id,
  input,
}: {
  db: Db;
  viewer: { id: string };
  id: number;
  input: AnnotationEdit;
}): void {
  const found = findOwn(db, id, viewer);
  db.transaction((tx) => {
    tx.update(annotation)
      .set({ body: input.body, editedAt: new Date() })
      .where(eq(annotation.id, found.id))
      .run();
    if (found.kind === "source" && input.source) {
      tx.update(sourceLink).set(input.source).where(eq(sourceLink.annotationId, found.id)).run();
    }
  });
}

/**
 * Deletes the viewer's own annotation. One with replies leaves a "[deleted]" placeholder so the
 * thread keeps its shape; one without disappears, and so do placeholders it leaves without replies.
 */
export function deleteAnnotation({
  db,
  viewer,
  id,
}: {
  db: Db;
  viewer: { id: string };
  id: number;
}): void {
  const found = findOwn(db, id, viewer);
  db.transaction((tx) => {
    const hasReplies = tx
      .select({ id: annotation.id })
      .from(annotation)
      .where(eq(annotation.parentId, found.id))
      .limit(1)
      .get();
    if (hasReplies) {
      tx.update(annotation)
        .set({ body: "", deletedAt: new Date() })
        .where(eq(annotation.id, found.id))
        .run();
      tx.delete(sourceLink).where(eq(sourceLink.annotationId, found.id)).run();
      // Endorsements were of the words, which are gone (and could no longer be taken back).
      tx.delete(endorsement).where(eq(endorsement.annotationId, found.id)).run();
      return;
    }
    tx.delete(annotation).where(eq(annotation.id, found.id)).run();
    let parentId = found.parentId;
    while (parentId !== null) {
      const parent = tx.select().from(annotation).where(eq(annotation.id, parentId)).get();
      if (!parent?.deletedAt) break;
      const remaining = tx
        .select({ id: annotation.id })
        .from(annotation)
        .where(eq(annotation.parentId, parent.id))
        .limit(1)
        .get();
      if (remaining) break;
      tx.delete(annotation).where(eq(annotation.id, parent.id)).run();
      parentId = parent.parentId;
    }
  });
}

export type { ThreadSort };
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
}: {
  db: Db;
  articleId: number;
  viewer: Viewer;
  sort?: ThreadSort;
  kind?: AnnotationKind;
  authorUsername?: string;
  text?: string;
  page?: number;
}): { threads: ThreadListing[]; total: number; page: number; pageCount: number } {
  // Each filter names the threads (roots) holding a live annotation that matches; the subquery
  // is not correlated, so it runs once, not once per thread.
  const match = alias(annotation, "m");
  const matchConditions: SQL[] = [
    eq(match.articleId, articleId),
    isNull(match.deletedAt),
    visibleTo(viewer, match),
  ];
  if (kind) matchConditions.push(eq(match.kind, kind));
  if (authorUsername) {
    matchConditions.push(
      sql`${match.authorId} = (select u.id from "user" u where lower(u.username) = lower(${authorUsername}))`,
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
  const where = and(
    eq(annotation.articleId, articleId),
    isNull(annotation.parentId),
    visibleTo(viewer),
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

  const total = db.select({ n: count() }).from(annotation).where(where).get()?.n ?? 0;
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
  if (roots.length === 0) return { threads: [], total, page: current, pageCount };

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
  };
}

/** The thread holding one annotation, for its permalink: the paragraph, and the whole thread. */
export function getThreadOf({ db, id, viewer }: { db: Db; id: number; viewer: Viewer }) {
  const found = findVisible(db, id, viewer);
  const paragraph = db.select().from(block).where(eq(block.id, found.blockId)).get();
  if (!paragraph) throw new NotFoundError("That annotation's paragraph no longer exists.");
  const [root] = loadThreads(db, viewer, eq(annotation.rootId, found.rootId ?? found.id));
  if (!root) throw new NotFoundError("That annotation's thread is not visible to you.");
  const passage = db
    .select({ start: annotation.positionStart, end: annotation.positionEnd, kind: annotation.kind })
    .from(annotation)
    .where(eq(annotation.id, root.id))
    .get();
  return {
    articleId: found.articleId,
    paragraph,
    root,
    /** The passage the thread's root quotes, to highlight in the paragraph. */
    passage:
      passage?.start != null && passage.end != null
        ? { ...passage, start: passage.start, end: passage.end }
        : null,
  };
}

/**
 * Endorses an annotation, or takes the endorsement back: one per user. Authors cannot endorse their
 * own, and deleted annotations cannot be endorsed. Returns whether the viewer now endorses it.
 */
export function toggleEndorsement({
  db,
  viewer,
  annotationId,
}: {
  db: Db;
  viewer: { id: string };
  annotationId: number;
}): boolean {
  const found = findVisible(db, annotationId, viewer);
  if (found.deletedAt) throw new NotFoundError("That annotation was deleted.");
  if (found.authorId === viewer.id)
    throw new ForbiddenError("You cannot endorse your own annotation.");
  return db.transaction((tx) => {
    const removed = tx
      .delete(endorsement)
      .where(and(eq(endorsement.userId, viewer.id), eq(endorsement.annotationId, annotationId)))
      .run();
    if (removed.changes > 0) return false;
    tx.insert(endorsement).values({ userId: viewer.id, annotationId }).run();
    return true;
  });
}

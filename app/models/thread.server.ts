/**
 * Reading threads: a paragraph's threads, the thread holding one annotation (its permalink), and
 * any set of threads by root. One query reads the rows the viewer may see (`visibleTo`), the pure
 * builder in app/threading nests them, and each node carries what the viewer may do (`can`).
 */
import { and, asc, count, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getVisibleAnnotation } from "#app/models/annotation.server";
import {
  aliasLabel,
  hiddenFrom,
  inLayer,
  type Layer,
  peerAlias,
  type Viewer,
  viewerRoleIn,
  visibleTo,
} from "#app/models/visibility.server";
import { type GroupRole, permissionsOf } from "#app/permissions";
import { buildThreads } from "#app/threading/build-threads";
import type { ThreadNode } from "#app/threading/thread-node";
import type { Db } from "#app/utils/db.server";
import { NotFoundError } from "#app/utils/errors";
import { annotation, block, group, sourceLink, user } from "#db/schema";

export type { ThreadNode };

function threadColumns(viewer: Viewer) {
  return {
    id: annotation.id,
    kind: annotation.kind,
    parentId: annotation.parentId,
    depth: annotation.depth,
    body: annotation.body,
    bodyHtml: annotation.bodyHtml,
    authorId: annotation.authorId,
    username: user.username,
    displayName: user.displayName,
    visibility: annotation.visibility,
    groupId: annotation.groupId,
    groupName: group.name,
    hiddenAt: annotation.hiddenAt,
    hiddenFromViewer: hiddenFrom(viewer),
    viewerRole: viewerRoleIn(viewer),
    alias: peerAlias(viewer),
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

type ThreadRow = ReturnType<typeof readRows>[number];

function readRows(db: Db, viewer: Viewer, where: SQL | undefined) {
  return db
    .select(threadColumns(viewer))
    .from(annotation)
    .leftJoin(user, eq(user.id, annotation.authorId))
    .leftJoin(sourceLink, eq(sourceLink.annotationId, annotation.id))
    .leftJoin(group, eq(group.id, annotation.groupId))
    .where(and(where, visibleTo(viewer)))
    .all();
}

function toNode(row: ThreadRow, viewer: Viewer): ThreadNode {
  const deleted = row.deletedAt !== null;
  const hidden = row.hiddenAt !== null;
  // A placeholder for this viewer: deleted, or hidden by a moderator from people other than its
  // author and moderators. Either way no words, no author and no link leave the server.
  const withheld = deleted || Boolean(row.hiddenFromViewer);
  const alias = aliasLabel(row.alias);
  return {
    id: row.id,
    kind: row.kind,
    parentId: row.parentId,
    depth: row.depth,
    bodyHtml: withheld ? "" : row.bodyHtml,
    body: withheld ? "" : row.body,
    author:
      withheld || alias !== null || row.username === null || row.displayName === null
        ? null
        : { username: row.username, displayName: row.displayName },
    alias: withheld ? null : alias,
    group:
      row.groupId !== null && row.groupName !== null
        ? { id: row.groupId, name: row.groupName }
        : null,
    hidden,
    hiddenFromViewer: !deleted && Boolean(row.hiddenFromViewer),
    can: permissionsOf(viewer, {
      authorId: row.authorId,
      deleted,
      hidden,
      visibility: row.visibility,
      actorRole: row.viewerRole as GroupRole | null,
    }),
    visibility: row.visibility,
    quote: row.quote,
    anchorStatus: row.anchorStatus,
    source:
      !withheld && row.sourceUrl && row.sourceTitle && row.sourceStance
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

/**
 * The annotations matching `where` that the viewer may see, with authors and source links, in one
 * query, nested into threads (oldest first at every level).
 */
export function loadThreads(db: Db, viewer: Viewer, where: SQL | undefined): ThreadNode[] {
  return buildThreads(readRows(db, viewer, where).map((row) => toNode(row, viewer)));
}

/**
 * The threads drawn on one paragraph that the viewer may see, oldest first, in one query: all of
 * them, or (with `limit`) the first `limit` threads, replies included. `include` names a thread to
 * show even beyond the limit (the one just written, so a post always lands where its writer sees it).
 */
export function getParagraphThreads({
  db,
  blockId,
  viewer,
  limit,
  include,
  layer = { kind: "all" },
}: {
  db: Db;
  blockId: number;
  viewer: Viewer;
  limit?: number;
  include?: number;
  layer?: Layer;
}): ThreadNode[] {
  if (limit === undefined) {
    return loadThreads(db, viewer, and(eq(annotation.blockId, blockId), inLayer(layer)));
  }
  const roots = alias(annotation, "root");
  const firstRoots = db
    .select({ id: roots.id })
    .from(roots)
    .where(
      and(
        eq(roots.blockId, blockId),
        isNull(roots.parentId),
        visibleTo(viewer, roots),
        inLayer(layer, roots),
      ),
    )
    .orderBy(asc(roots.createdAt), asc(roots.id))
    .limit(limit);
  const included =
    include === undefined
      ? undefined
      : db
          .select({ rootId: annotation.rootId })
          .from(annotation)
          .where(and(eq(annotation.id, include), eq(annotation.blockId, blockId)));
  return loadThreads(
    db,
    viewer,
    and(
      eq(annotation.blockId, blockId),
      included
        ? sql`(${inArray(annotation.rootId, firstRoots)} or ${inArray(annotation.rootId, included)})`
        : inArray(annotation.rootId, firstRoots),
    ),
  );
}

/** How many threads on a paragraph the viewer may see. */
export function countParagraphThreads({
  db,
  blockId,
  viewer,
  layer = { kind: "all" },
}: {
  db: Db;
  blockId: number;
  viewer: Viewer;
  layer?: Layer;
}): number {
  return (
    db
      .select({ n: count() })
      .from(annotation)
      .where(
        and(
          eq(annotation.blockId, blockId),
          isNull(annotation.parentId),
          visibleTo(viewer),
          inLayer(layer),
        ),
      )
      .get()?.n ?? 0
  );
}

/** The thread holding one annotation, for its permalink: the paragraph, and the whole thread. */
export function getThreadOf({ db, id, viewer }: { db: Db; id: number; viewer: Viewer }) {
  const found = getVisibleAnnotation(db, id, viewer);
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

/**
 * Reading threads: a paragraph's threads, the thread holding one annotation (its permalink), and
 * any set of threads by root. One query reads the rows the viewer may see (`visibleTo`), the pure
 * builder in app/threading nests them, and each node carries what the viewer may do (`can`).
 */
import { and, asc, count, eq, inArray, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { alias, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import { getVisibleAnnotation } from "#app/models/annotation.server";
import {
  aliasLabel,
  articleRoleOf,
  beyondPublic,
  beyondPublicIds,
  hiddenFrom,
  inLayer,
  type Layer,
  peerAlias,
  takesPartIn,
  type Viewer,
  viewerRoleIn,
  visibleTo,
} from "#app/models/visibility.server";
import { type GroupRole, permissionsOf } from "#app/permissions";
import type { ThreadStatus } from "#app/rules";
import { buildThreads } from "#app/threading/build-threads";
import type { ThreadNode } from "#app/threading/thread-node";
import type { Db } from "#app/utils/db.server";
import { NotFoundError } from "#app/utils/errors";
import {
  annotation,
  articleRevision,
  block,
  group,
  sourceLink,
  threadTally,
  user,
} from "#db/schema";

export type { ThreadNode };

/** Roots by review state (`table` is the roots' alias); undefined for every thread. */
export function statusCondition(
  status: ThreadStatus | null | undefined,
  table: { resolvedAt: SQLiteColumn } = annotation,
): SQL | undefined {
  if (status === "open") return isNull(table.resolvedAt);
  if (status === "resolved") return isNotNull(table.resolvedAt);
  return undefined;
}

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
    viewerInGroup: takesPartIn(viewer),
    alias: peerAlias(viewer),
    quote: annotation.quoteExact,
    anchorStatus: annotation.anchorStatus,
    originQuote: annotation.originQuote,
    // Where it was written, once a revision moved or orphaned it: "revision:anchor".
    // An imported orphan was never on this article's text: it names no revision it was written on.
    writtenOn: sql<
      string | null
    >`(case when ${annotation.originBlockId} is null and (${annotation.anchorStatus} <> 'orphaned' or exists (select 1 from "imported_annotation" ia where ia.annotation_id = "annotation"."id")) then null else
      (select r.number || ':' || b.anchor from "block" b join "article_revision" r on r.id = b.revision_id where b.id = coalesce(${annotation.originBlockId}, ${annotation.blockId})) end)`,
    importedFrom: sql<
      string | null
    >`(select json_object('from', i.format, 'by', coalesce(ia.original_creator_name || case when ia.original_creator is not null then ' (' || ia.original_creator || ')' else '' end, ia.original_creator), 'at', ia.original_created_at)
      from "imported_annotation" ia join "annotation_import" i on i.id = ia.import_id where ia.annotation_id = "annotation"."id")`,
    resolvedAt: annotation.resolvedAt,
    resolvedById: annotation.resolvedBy,
    resolvedBy: sql<
      string | null
    >`(select u.display_name from "user" u where u.id = ${annotation.resolvedBy})`,
    articleRole: articleRoleOf(viewer),
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

function parseWrittenOn(value: string | null): ThreadNode["writtenOn"] {
  const match = value ? /^(\d+):(.+)$/.exec(value) : null;
  return match ? { revision: Number(match[1]), anchor: match[2] ?? "" } : null;
}

function parseImported(value: string | null): ThreadNode["imported"] {
  if (!value) return null;
  const parsed = JSON.parse(value) as {
    from: "w3c" | "hypothesis";
    by: string | null;
    at: number | null;
  };
  return {
    from: parsed.from,
    by: parsed.by,
    at: parsed.at === null ? null : new Date(parsed.at).toISOString(),
  };
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
      inGroup: Boolean(row.viewerInGroup),
      root: row.parentId === null,
      articleRole: row.articleRole,
    }),
    visibility: row.visibility,
    quote: row.quote,
    anchorStatus: row.anchorStatus,
    originQuote: withheld ? null : row.originQuote,
    writtenOn: parseWrittenOn(row.writtenOn),
    imported: withheld ? null : parseImported(row.importedFrom),
    resolved: row.resolvedAt
      ? {
          at: row.resolvedAt.toISOString(),
          // A writer who resolved their own thread under an alias keeps the alias.
          by:
            alias !== null && row.resolvedById === row.authorId
              ? alias
              : (row.resolvedBy ?? "deleted user"),
        }
      : null,
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
  status,
}: {
  db: Db;
  blockId: number;
  viewer: Viewer;
  limit?: number;
  include?: number;
  layer?: Layer;
  status?: ThreadStatus | null;
}): ThreadNode[] {
  const roots = alias(annotation, "root");
  if (limit === undefined) {
    const byStatus = statusCondition(status, roots);
    return loadThreads(
      db,
      viewer,
      and(
        eq(annotation.blockId, blockId),
        inLayer(layer),
        byStatus
          ? inArray(
              annotation.rootId,
              db
                .select({ id: roots.id })
                .from(roots)
                .where(and(eq(roots.blockId, blockId), byStatus)),
            )
          : undefined,
      ),
    );
  }
  const firstRoots = db
    .select({ id: roots.id })
    .from(roots)
    .where(
      and(
        eq(roots.blockId, blockId),
        isNull(roots.parentId),
        visibleTo(viewer, roots),
        inLayer(layer, roots),
        statusCondition(status, roots),
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

/** How many threads on a paragraph the viewer may see: all of them, and how many are still open. */
export function countParagraphThreads({
  db,
  articleId,
  blockId,
  viewer,
  layer = { kind: "all" },
}: {
  db: Db;
  articleId: number;
  blockId: number;
  viewer: Viewer;
  layer?: Layer;
}): ThreadCounts {
  return countVisibleThreads({ db, articleId, blockId, viewer, layer });
}

export type ThreadCounts = { all: number; open: number; resolved: number };

/** Threads (roots) matching `where`, in all and by review state, in one query. */
export function countThreads(db: Db, where: SQL | undefined): ThreadCounts {
  const row = db
    .select({
      all: count(),
      open: sql<number>`coalesce(sum(${annotation.resolvedAt} is null), 0)`,
    })
    .from(annotation)
    .where(where)
    .get();
  const all = row?.all ?? 0;
  const open = row?.open ?? 0;
  return { all, open, resolved: all - open };
}

/**
 * The threads of an article (or of one of its paragraphs) that the viewer may see in a layer, in
 * all and by review state, without reading every thread: public ones from `thread_tally` (kept by
 * triggers), plus what the viewer sees beyond public (`beyondPublic`), counted directly from the
 * few rows that can be theirs (`beyondPublicIds`). Equal to `countThreads` over roots filtered by
 * `visibleTo` and `inLayer` (tests/unit/thread-tally.test.ts).
 */
export function countVisibleThreads({
  db,
  articleId,
  blockId,
  viewer,
  layer = { kind: "all" },
}: {
  db: Db;
  articleId: number;
  blockId?: number;
  viewer: Viewer;
  layer?: Layer;
}): ThreadCounts {
  let open = 0;
  let resolved = 0;
  if (layer.kind === "all" || layer.kind === "public") {
    const row = db
      .select({
        open: sql<number>`coalesce(sum(${threadTally.open}), 0)`,
        resolved: sql<number>`coalesce(sum(${threadTally.resolved}), 0)`,
      })
      .from(threadTally)
      .where(
        and(
          eq(threadTally.articleId, articleId),
          blockId === undefined ? undefined : eq(threadTally.blockId, blockId),
        ),
      )
      .get();
    open += row?.open ?? 0;
    resolved += row?.resolved ?? 0;
  }
  if (viewer && layer.kind !== "public") {
    // The candidates drive the loop (CROSS JOIN keeps that order): SQLite would otherwise pick
    // the article's (article_id, parent_id) index and test every thread.
    const where = and(
      isNull(annotation.parentId),
      blockId === undefined ? undefined : eq(annotation.blockId, blockId),
      beyondPublic(viewer),
      inLayer(layer),
    );
    const row = db.get<{ all: number; open: number }>(
      sql`select count(*) as "all", coalesce(sum(${annotation.resolvedAt} is null), 0) as "open"
        from ${beyondPublicIds(viewer, articleId)} candidate cross join ${annotation}
        on ${annotation.id} = candidate.id where ${where}`,
    );
    open += row?.open ?? 0;
    resolved += (row?.all ?? 0) - (row?.open ?? 0);
  }
  return { all: open + resolved, open, resolved };
}

/** The thread holding one annotation, for its permalink: the paragraph, and the whole thread. */
export function getThreadOf({ db, id, viewer }: { db: Db; id: number; viewer: Viewer }) {
  const found = getVisibleAnnotation(db, id, viewer);
  const paragraph = db.select().from(block).where(eq(block.id, found.blockId)).get();
  if (!paragraph) throw new NotFoundError("That annotation's paragraph no longer exists.");
  // Which revision the paragraph belongs to: an orphaned thread stays on an earlier one.
  const revision = db
    .select({
      number: articleRevision.number,
      current: sql<number>`(${articleRevision.id} = (select current_revision_id from "article" where id = ${found.articleId}))`,
    })
    .from(articleRevision)
    .where(eq(articleRevision.id, paragraph.revisionId ?? -1))
    .get();
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
    revision: {
      number: revision?.number ?? 1,
      current: revision ? Boolean(revision.current) : true,
    },
    root,
    /** The passage the thread's root quotes, to highlight in the paragraph. */
    passage:
      passage?.start != null && passage.end != null
        ? { ...passage, start: passage.start, end: passage.end }
        : null,
  };
}

/**
 * Exports as W3C Web Annotations (docs/w3c-mapping.md): an article's annotations, a reader's own
 * ("my annotations") and a class's or panel's (its owners only). Every row is read through
 * `visibleTo`, so an export holds exactly what its reader may see anywhere else: private notes
 * only for their writer, a group's annotations only for its members, "post before you see" and
 * "Student n" as on the page. A deleted annotation, or one a moderator hid from this reader,
 * stays as a placeholder without words or writer when it holds a thread together, so every reply
 * still reaches its thread's passage.
 *
 * Each export is one collection: as a whole in one file (its single page embedded), described
 * with its first page of PAGE_SIZE embedded (for clients that asked for JSON-LD), or one page
 * (`page: n`, 1-based). The whole file is never built in memory: it is written out item by item,
 * EXPORT_CHUNK rows read at a time (`StreamedDocument`), so its size is the reader's to take at
 * their pace, not the server's to hold.
 */
import { and, asc, count, eq, inArray, isNull, type SQL } from "drizzle-orm";
import {
  type AnnotationCollection,
  type AnnotationPage,
  type CollectionInfo,
  pageCount,
  toCollection,
  toPage,
} from "#app/interop/document.server";
import type { PortableAnnotation } from "#app/interop/portable.server";
import {
  annotationIri,
  articleCollectionIri,
  groupIri,
  PAGE_SIZE,
  profileIri,
  revisionIri,
} from "#app/interop/vocabulary";
import { toW3C } from "#app/interop/w3c.server";
import { requireGroupRole } from "#app/models/group.server";
import {
  aliasLabel,
  hiddenFrom,
  peerAlias,
  type Viewer,
  visibleTo,
} from "#app/models/visibility.server";
import type { Db } from "#app/utils/db.server";
import { ForbiddenError, NotFoundError } from "#app/utils/errors";
import { annotation, article, articleRevision, block, group, sourceLink, user } from "#db/schema";

/**
 * Which part of a collection to answer with: all of it in one file (`null`: the collection with
 * its single page embedded; `all`: that page alone), the collection described with its first
 * page of PAGE_SIZE embedded (`paged`), or one page (1-based).
 */
export type ExportPart = { page: "all" } | { page: number } | { page: null } | { page: "paged" };

/**
 * A whole collection as JSON text, written out in parts: `head`, then the items (each one
 * annotation's JSON, a list per EXPORT_CHUNK rows read, read only as they are asked for), each
 * separated by a comma, then `tail`. Together they are one JSON document.
 */
export type StreamedDocument = {
  head: string;
  chunks: Iterable<string[]>;
  tail: string;
};

export type ExportDocument = {
  /** A document small enough to build (a page, an empty or paged collection), or a streamed one. */
  document: AnnotationCollection | AnnotationPage | StreamedDocument;
  /** A file name for the download: letters, digits and dashes. */
  filename: string;
};

/** Rows read per query while a whole collection is written out. */
export const EXPORT_CHUNK = 200;

/**
 * Most annotations a signed-out reader may download in one file. Every page stays open to them;
 * a larger file costs the server in proportion, and is for readers it can tell apart.
 */
export const MAX_ANONYMOUS_DOWNLOAD = 5_000;

function exportColumns(viewer: Viewer) {
  return {
    id: annotation.id,
    slug: article.slug,
    kind: annotation.kind,
    body: annotation.body,
    username: user.username,
    displayName: user.displayName,
    visibility: annotation.visibility,
    groupId: annotation.groupId,
    groupName: group.name,
    parentId: annotation.parentId,
    anchor: block.anchor,
    revision: articleRevision.number,
    quoteExact: annotation.quoteExact,
    quotePrefix: annotation.quotePrefix,
    quoteSuffix: annotation.quoteSuffix,
    positionStart: annotation.positionStart,
    positionEnd: annotation.positionEnd,
    anchorStatus: annotation.anchorStatus,
    originQuote: annotation.originQuote,
    resolvedAt: annotation.resolvedAt,
    createdAt: annotation.createdAt,
    editedAt: annotation.editedAt,
    deletedAt: annotation.deletedAt,
    hiddenFromViewer: hiddenFrom(viewer),
    alias: peerAlias(viewer),
    sourceUrl: sourceLink.url,
    sourceTitle: sourceLink.title,
    sourceStance: sourceLink.stance,
  };
}

type ExportRow = ReturnType<typeof readRows>[number];

/**
 * The ids of the annotations in `where` this viewer may see, oldest first (which is also parents
 * before their replies), or a slice of them: ids alone, so that a page joins and serialises only
 * its own rows. No index serves this order: one on (article_id, id) made SQLite prefer it for the
 * paragraph's threads and the discussion page (20 → 130 ms, 30 → 170 ms a request), which every
 * reader pays; a page of an export sorts the article's ids instead.
 */
function visibleIds(
  db: Db,
  viewer: Viewer,
  where: SQL,
  range?: { limit: number; offset: number },
): number[] {
  return visibleIdsQuery(db, viewer, where, range)
    .all()
    .map((row) => row.id);
}

/** `visibleIds`'s query, unrun. */
function visibleIdsQuery(
  db: Db,
  viewer: Viewer,
  where: SQL,
  range: { limit: number; offset: number } = { limit: -1, offset: 0 },
) {
  return db
    .select({ id: annotation.id })
    .from(annotation)
    .where(and(where, visibleTo(viewer)))
    .orderBy(asc(annotation.id))
    .limit(range.limit)
    .offset(range.offset);
}

/**
 * The rows of these annotations, oldest first, still within `where` and visible to the viewer
 * (they may have changed since their ids were read). The joins run for these rows only.
 */
function rowsWithIds(db: Db, viewer: Viewer, where: SQL, ids: number[]): ExportRow[] {
  if (ids.length === 0) return [];
  return readRows(db, viewer, and(where, inArray(annotation.id, ids)) as SQL);
}

/** Oldest first, which is also parents before their replies. */
function readRows(db: Db, viewer: Viewer, where: SQL) {
  return db
    .select(exportColumns(viewer))
    .from(annotation)
    .innerJoin(article, eq(article.id, annotation.articleId))
    .innerJoin(block, eq(block.id, annotation.blockId))
    .leftJoin(articleRevision, eq(articleRevision.id, block.revisionId))
    .leftJoin(user, eq(user.id, annotation.authorId))
    .leftJoin(sourceLink, eq(sourceLink.annotationId, annotation.id))
    .leftJoin(group, eq(group.id, annotation.groupId))
    .where(and(where, visibleTo(viewer)))
    .orderBy(asc(annotation.id))
    .all();
}

function countRows(db: Db, viewer: Viewer, where: SQL): number {
  return visibleCountQuery(db, viewer, where).get()?.n ?? 0;
}

/** `countRows`'s query, unrun (tests read its plan). */
function visibleCountQuery(db: Db, viewer: Viewer, where: SQL) {
  return db
    .select({ n: count() })
    .from(annotation)
    .where(and(where, visibleTo(viewer)));
}

/** One row as this viewer may see it, with the site's IRIs on `origin`. */
export function portableOf(row: ExportRow, origin: string): PortableAnnotation {
  const withheld = row.deletedAt ? "deleted" : row.hiddenFromViewer ? "hidden" : null;
  const alias = aliasLabel(row.alias);
  const root = row.parentId === null;
  const created = row.createdAt.toISOString();
  return {
    id: annotationIri(origin, row.slug, row.id),
    kind: row.kind,
    body: withheld ? "" : row.body,
    source:
      !withheld && row.sourceUrl && row.sourceTitle && row.sourceStance
        ? { url: row.sourceUrl, title: row.sourceTitle, stance: row.sourceStance }
        : null,
    target: root
      ? {
          source: revisionIri(origin, row.slug, row.revision ?? 1),
          paragraph: row.anchor,
          quote:
            row.quoteExact !== null
              ? {
                  exact: row.quoteExact,
                  prefix: row.quotePrefix ?? "",
                  suffix: row.quoteSuffix ?? "",
                }
              : null,
          position:
            row.positionStart !== null && row.positionEnd !== null
              ? { start: row.positionStart, end: row.positionEnd }
              : null,
        }
      : null,
    parent: root ? null : annotationIri(origin, row.slug, row.parentId as number),
    creator:
      withheld || (alias === null && (row.username === null || row.displayName === null))
        ? null
        : alias !== null
          ? { id: null, name: alias, nickname: null }
          : {
              id: profileIri(origin, row.username as string),
              name: row.displayName,
              nickname: row.username,
            },
    created,
    modified: row.editedAt ? row.editedAt.toISOString() : created,
    visibility: row.visibility,
    group: row.groupId !== null ? { id: groupIri(origin, row.groupId), name: row.groupName } : null,
    // Replies follow their root: only a root's anchoring says anything.
    anchorStatus: root ? row.anchorStatus : "anchored",
    originalQuote: root && !withheld ? row.originQuote : null,
    resolved: root && row.resolvedAt ? row.resolvedAt.toISOString() : null,
    withheld,
    tags: [],
  };
}

/** A file name with nothing a header or a file system could trip on. */
export function safeFileName(...parts: string[]): string {
  const name = parts
    .join("-")
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase()
    .slice(0, 100)
    .replace(/-+$/, "");
  return `${name || "annotations"}.jsonld`;
}

type Scope = { collectionId: string; label: string; where: SQL; filename: string };

/** The whole file's limits: rows per read, and a signed-out reader's most (tests use small ones). */
export type ExportLimits = { chunkSize?: number; anonymousLimit?: number };

/**
 * A document whose items are left out, written out around them: `head` is its JSON up to the
 * items list's opening bracket, `tail` from its closing one. JSON.stringify escapes every quote
 * inside a string, so `"items":[]` occurs only as the empty list itself.
 */
function streamAround(
  document: AnnotationCollection | AnnotationPage,
  chunks: Iterable<string[]>,
): StreamedDocument {
  const json = JSON.stringify(document);
  const marker = '"items":[]';
  const at = json.indexOf(marker);
  if (at === -1 || at !== json.lastIndexOf(marker)) {
    throw new Error("An export document must hold exactly one empty items list.");
  }
  const open = at + marker.length - 1;
  return { head: json.slice(0, open), chunks, tail: json.slice(open) };
}

/** The items, as JSON, EXPORT_CHUNK rows read at a time, each read only when asked for. */
function* itemChunks(
  db: Db,
  viewer: Viewer,
  origin: string,
  where: SQL,
  ids: number[],
  chunkSize: number,
): Generator<string[]> {
  for (let at = 0; at < ids.length; at += chunkSize) {
    const rows = rowsWithIds(db, viewer, where, ids.slice(at, at + chunkSize));
    yield rows.map((row) => JSON.stringify(toW3C(portableOf(row, origin), { withContext: false })));
  }
}

/**
 * The collection: whole (streamed), described with its first page, or a page. A page past the
 * last is NotFound; an empty collection has no pages, only its description. A signed-out reader's
 * whole file holds at most MAX_ANONYMOUS_DOWNLOAD annotations (Forbidden beyond: sign in, or
 * read the pages).
 */
function exportScope(
  db: Db,
  viewer: Viewer,
  origin: string,
  scope: Scope,
  part: ExportPart,
  { chunkSize = EXPORT_CHUNK, anonymousLimit = MAX_ANONYMOUS_DOWNLOAD }: ExportLimits = {},
): ExportDocument {
  const { collectionId: id, label, filename } = scope;
  if (part.page === null || part.page === "all") {
    // The ids first, and the total from them: the file's count and items then agree (rows deleted
    // meanwhile are left out), and each chunk of rows is read by id.
    const ids = visibleIds(db, viewer, scope.where);
    const total = ids.length;
    if (viewer === null && total > anonymousLimit) {
      throw new ForbiddenError(
        `There are more than ${anonymousLimit.toLocaleString("en")} annotations here: sign in to download them in one file, or read them in pages of ${PAGE_SIZE} (?page=1).`,
      );
    }
    // The whole collection in one file: a single page holds everything.
    const info: CollectionInfo = {
      id,
      label,
      total,
      pageSize: Math.max(total, 1),
      pageIri: () => `${id}?page=all`,
    };
    const chunks = itemChunks(db, viewer, origin, scope.where, ids, chunkSize);
    if (part.page === "all") {
      return { document: streamAround(toPage(info, 0, []), chunks), filename };
    }
    if (total === 0) return { document: toCollection(info), filename };
    const first = toPage(info, 0, [], { embedded: true });
    return { document: streamAround(toCollection(info, first), chunks), filename };
  }
  const total = countRows(db, viewer, scope.where);
  const info: CollectionInfo = {
    id,
    label,
    total,
    pageSize: PAGE_SIZE,
    pageIri: (n) => `${id}?page=${n + 1}`,
  };
  if (part.page === "paged") {
    const first = total > 0 ? pageOf(db, viewer, origin, scope.where, info, 0, true) : undefined;
    return { document: toCollection(info, first), filename };
  }
  const index = part.page - 1;
  if (index < 0 || index >= pageCount(info)) {
    throw new NotFoundError("There is no such page of this collection.");
  }
  return { document: pageOf(db, viewer, origin, scope.where, info, index, false), filename };
}

/** Page `index` (0-based) of a collection: its ids by index, then their rows. */
function pageOf(
  db: Db,
  viewer: Viewer,
  origin: string,
  where: SQL,
  info: CollectionInfo,
  index: number,
  embedded: boolean,
): AnnotationPage {
  const ids = visibleIds(db, viewer, where, {
    limit: info.pageSize,
    offset: index * info.pageSize,
  });
  const rows = rowsWithIds(db, viewer, where, ids);
  return toPage(
    info,
    index,
    rows.map((r) => portableOf(r, origin)),
    { embedded },
  );
}

/** Every annotation on an article the viewer may see; NotFound for an unknown slug. */
export function exportArticleAnnotations({
  db,
  viewer,
  slug,
  origin,
  part,
  limits,
}: {
  db: Db;
  viewer: Viewer;
  slug: string;
  origin: string;
  part: ExportPart;
  limits?: ExportLimits;
}): ExportDocument {
  const found = db
    .select({ id: article.id, slug: article.slug, title: article.title })
    .from(article)
    .where(eq(article.slug, slug))
    .get();
  if (!found) throw new NotFoundError("No article has this address.");
  return exportScope(
    db,
    viewer,
    origin,
    {
      collectionId: articleCollectionIri(origin, found.slug),
      label: `Annotations on “${found.title}” (Marginalia)`,
      where: eq(annotation.articleId, found.id),
      filename: safeFileName(found.slug, "annotations"),
    },
    part,
    limits,
  );
}

/** Everything the viewer wrote, on every article, private notes included; deleted ones are gone. */
export function exportMyAnnotations({
  db,
  viewer,
  origin,
  part,
}: {
  db: Db;
  viewer: { id: string; username: string; displayName: string };
  origin: string;
  part: ExportPart;
}): ExportDocument {
  return exportScope(
    db,
    viewer,
    origin,
    {
      collectionId: `${origin.replace(/\/+$/, "")}/account/annotations.jsonld`,
      label: `Annotations by ${viewer.displayName} (@${viewer.username}) (Marginalia)`,
      where: and(eq(annotation.authorId, viewer.id), isNull(annotation.deletedAt)) as SQL,
      filename: safeFileName("marginalia", viewer.username, "annotations"),
    },
    part,
  );
}

/**
 * A class's or panel's annotations, for its owners: NotFound for outsiders (as every group page),
 * Forbidden for members who do not own it (the `export` row of `canInGroup`).
 */
export function exportGroupAnnotations({
  db,
  viewer,
  groupId,
  origin,
  part,
}: {
  db: Db;
  viewer: NonNullable<Viewer>;
  groupId: number;
  origin: string;
  part: ExportPart;
}): ExportDocument {
  requireGroupRole(db, viewer, groupId, "export");
  const found = db.select({ name: group.name }).from(group).where(eq(group.id, groupId)).get();
  if (!found) throw new NotFoundError("There is no such group, or you are not in it.");
  return exportScope(
    db,
    viewer,
    origin,
    {
      collectionId: `${groupIri(origin, groupId)}/annotations.jsonld`,
      label: `Annotations in ${found.name} (Marginalia)`,
      where: eq(annotation.groupId, groupId),
      filename: safeFileName(found.name, "annotations"),
    },
    part,
  );
}

/**
 * One annotation as this viewer may see it (a placeholder if deleted or hidden from them), for
 * whatever serves an annotation at its own IRI; NotFound when they may not see it at all.
 */
export function getPortableAnnotation({
  db,
  viewer,
  id,
  origin,
}: {
  db: Db;
  viewer: Viewer;
  id: number;
  origin: string;
}): PortableAnnotation {
  const [row] = readRows(db, viewer, eq(annotation.id, id));
  if (!row) throw new NotFoundError("That annotation does not exist or is not visible to you.");
  return portableOf(row, origin);
}

/**
 * How many of an article's annotations this viewer may see (placeholders included, as in the
 * export): the total of its Annotation Protocol container (app/interop/protocol.server.ts).
 */
export function countArticleAnnotations({
  db,
  viewer,
  articleId,
}: {
  db: Db;
  viewer: Viewer;
  articleId: number;
}): number {
  return countRows(db, viewer, eq(annotation.articleId, articleId));
}

/**
 * A slice of an article's annotations as this viewer may see them (oldest first, placeholders
 * included, as in the export): a page of its Annotation Protocol container, which names its own
 * pages and counts once (`countArticleAnnotations`).
 */
export function listArticleAnnotations({
  db,
  viewer,
  articleId,
  origin,
  offset,
  limit,
}: {
  db: Db;
  viewer: Viewer;
  articleId: number;
  origin: string;
  offset: number;
  limit: number;
}): PortableAnnotation[] {
  if (limit <= 0) return [];
  const where = eq(annotation.articleId, articleId);
  const ids = visibleIds(db, viewer, where, { limit, offset });
  return rowsWithIds(db, viewer, where, ids).map((r) => portableOf(r, origin));
}

/** `?page=` as the export routes take it: a page number from 1, `all`, or absent. */
export function parseExportPart(value: string | null): ExportPart | null {
  if (value === null || value === "") return { page: null };
  if (value === "all") return { page: "all" };
  return /^[1-9]\d{0,8}$/.test(value) ? { page: Number(value) } : null;
}

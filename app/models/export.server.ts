/**
 * Exports as W3C Web Annotations (docs/w3c-mapping.md): an article's annotations, a reader's own
 * ("my annotations") and a class's or panel's (its owners only). Every row is read through
 * `visibleTo`, so an export holds exactly what its reader may see anywhere else: private notes
 * only for their writer, a group's annotations only for its members, "post before you see" and
 * "Student n" as on the page. A deleted annotation, or one a moderator hid from this reader,
 * stays as a placeholder without words or writer when it holds a thread together, so every reply
 * still reaches its thread's passage.
 *
 * Each export is one collection: as a whole in one file (its single page embedded), or in pages
 * of PAGE_SIZE (`page: n`, 1-based) for clients that want them.
 */
import { and, asc, count, eq, isNull, type SQL } from "drizzle-orm";
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
import { requireGroupRole } from "#app/models/group.server";
import {
  aliasLabel,
  hiddenFrom,
  peerAlias,
  type Viewer,
  visibleTo,
} from "#app/models/visibility.server";
import type { Db } from "#app/utils/db.server";
import { NotFoundError } from "#app/utils/errors";
import { annotation, article, articleRevision, block, group, sourceLink, user } from "#db/schema";

/** Which part of a collection to answer with: all of it in one document, or one page (1-based). */
export type ExportPart = { page: "all" } | { page: number } | { page: null };

export type ExportDocument = {
  document: AnnotationCollection | AnnotationPage;
  /** A file name for the download: letters, digits and dashes. */
  filename: string;
};

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

/** Oldest first, which is also parents before their replies. */
function readRows(db: Db, viewer: Viewer, where: SQL, range?: { limit: number; offset: number }) {
  const query = db
    .select(exportColumns(viewer))
    .from(annotation)
    .innerJoin(article, eq(article.id, annotation.articleId))
    .innerJoin(block, eq(block.id, annotation.blockId))
    .leftJoin(articleRevision, eq(articleRevision.id, block.revisionId))
    .leftJoin(user, eq(user.id, annotation.authorId))
    .leftJoin(sourceLink, eq(sourceLink.annotationId, annotation.id))
    .leftJoin(group, eq(group.id, annotation.groupId))
    .where(and(where, visibleTo(viewer)))
    .orderBy(asc(annotation.id));
  return range ? query.limit(range.limit).offset(range.offset).all() : query.all();
}

function countRows(db: Db, viewer: Viewer, where: SQL): number {
  return (
    db
      .select({ n: count() })
      .from(annotation)
      .where(and(where, visibleTo(viewer)))
      .get()?.n ?? 0
  );
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

/**
 * The collection, whole or a page. A page past the last is NotFound; an empty collection has no
 * pages, only its description.
 */
function exportScope(
  db: Db,
  viewer: Viewer,
  origin: string,
  scope: Scope,
  part: ExportPart,
): ExportDocument {
  const total = countRows(db, viewer, scope.where);
  const { collectionId: id, label, filename } = scope;
  if (part.page === null || part.page === "all") {
    // The whole collection in one file: a single page holds everything.
    const info: CollectionInfo = {
      id,
      label,
      total,
      pageSize: Math.max(total, 1),
      pageIri: () => `${id}?page=all`,
    };
    const items =
      total > 0 ? readRows(db, viewer, scope.where).map((r) => portableOf(r, origin)) : [];
    if (part.page === "all") {
      return { document: toPage(info, 0, items), filename };
    }
    const first = total > 0 ? toPage(info, 0, items, { embedded: true }) : undefined;
    return { document: toCollection(info, first), filename };
  }
  const info: CollectionInfo = {
    id,
    label,
    total,
    pageSize: PAGE_SIZE,
    pageIri: (n) => `${id}?page=${n + 1}`,
  };
  const index = part.page - 1;
  if (index < 0 || index >= pageCount(info)) {
    throw new NotFoundError("There is no such page of this collection.");
  }
  const rows = readRows(db, viewer, scope.where, { limit: PAGE_SIZE, offset: index * PAGE_SIZE });
  return {
    document: toPage(
      info,
      index,
      rows.map((r) => portableOf(r, origin)),
    ),
    filename,
  };
}

/** Every annotation on an article the viewer may see; NotFound for an unknown slug. */
export function exportArticleAnnotations({
  db,
  viewer,
  slug,
  origin,
  part,
}: {
  db: Db;
  viewer: Viewer;
  slug: string;
  origin: string;
  part: ExportPart;
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
 * A slice of an article's annotations as this viewer may see them (oldest first, placeholders
 * included, as in the export) and how many there are in all: the pages of the article's
 * Annotation Protocol container (app/interop/protocol.server.ts), which names its own pages.
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
}): { total: number; items: PortableAnnotation[] } {
  const where = eq(annotation.articleId, articleId);
  const total = countRows(db, viewer, where);
  if (limit <= 0 || offset >= total) return { total, items: [] };
  const rows = readRows(db, viewer, where, { limit, offset });
  return { total, items: rows.map((r) => portableOf(r, origin)) };
}

/** `?page=` as the export routes take it: a page number from 1, `all`, or absent. */
export function parseExportPart(value: string | null): ExportPart | null {
  if (value === null || value === "") return { page: null };
  if (value === "all") return { page: "all" };
  return /^[1-9]\d{0,8}$/.test(value) ? { page: Number(value) } : null;
}

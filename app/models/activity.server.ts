/**
 * Annotations across threads, newest first: one person's (their page, /u/:username) and an
 * article's or the whole site's most recent (the Atom feed, the library's "recent discussion").
 * Like every read of annotations these filter with the one visibility rule (`readableBy`: what
 * `visibleTo` allows, less what a moderator hid from this viewer); deleted annotations ("[deleted]"
 * placeholders) are never listed. In an anonymous assignment a classmate is "Student n" here too.
 */
import { and, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { aliasLabel, peerAlias, readableBy, type Viewer } from "#app/models/visibility.server";
import type { Db } from "#app/utils/db.server";
import { annotation, article, block, sourceLink, user } from "#db/schema";

/** One annotation listed outside its thread, with enough context to say where it is. */
export type ActivityItem = {
  id: number;
  kind: (typeof annotation.$inferSelect)["kind"];
  /** Whether it is a reply within a thread rather than a thread's first annotation. */
  isReply: boolean;
  visibility: "public" | "private" | "group";
  article: { id: number; slug: string; title: string };
  /** The paragraph the thread is attached to. */
  /** `current`: a paragraph of the article's current revision (false for an orphaned thread's). */
  paragraph: { anchor: string; number: number | null; current: boolean };
  author: { username: string; displayName: string } | null;
  /** "Student 3", when the author is an anonymous classmate to this viewer (`author` is null). */
  alias: string | null;
  /** The quoted passage, when the annotation quotes one (replies never do). */
  quote: string | null;
  /** The Markdown source. */
  body: string;
  /** Sanitized HTML rendered from `body` (renderMarkdown) when it was written, as stored. */
  bodyHtml: string;
  source: { url: string; title: string; stance: "supports" | "refutes" | "context" } | null;
  /** ISO 8601 timestamps. */
  createdAt: string;
  editedAt: string | null;
};

const itemColumns = (viewer: Viewer) => ({
  id: annotation.id,
  kind: annotation.kind,
  parentId: annotation.parentId,
  visibility: annotation.visibility,
  articleId: article.id,
  articleSlug: article.slug,
  articleTitle: article.title,
  anchor: block.anchor,
  number: block.number,
  current: sql<number>`(${block.revisionId} = ${article.currentRevisionId})`,
  username: user.username,
  displayName: user.displayName,
  quote: annotation.quoteExact,
  body: annotation.body,
  bodyHtml: annotation.bodyHtml,
  sourceUrl: sourceLink.url,
  sourceTitle: sourceLink.title,
  sourceStance: sourceLink.stance,
  createdAt: annotation.createdAt,
  editedAt: annotation.editedAt,
  alias: peerAlias(viewer),
});

function listItems(
  db: Db,
  viewer: Viewer,
  where: SQL | undefined,
  limit: number,
  offset: number,
): ActivityItem[] {
  const rows = db
    .select(itemColumns(viewer))
    .from(annotation)
    .innerJoin(article, eq(article.id, annotation.articleId))
    .innerJoin(block, eq(block.id, annotation.blockId))
    .leftJoin(user, eq(user.id, annotation.authorId))
    .leftJoin(sourceLink, eq(sourceLink.annotationId, annotation.id))
    .where(where)
    .orderBy(desc(annotation.createdAt), desc(annotation.id))
    .limit(limit)
    .offset(offset)
    .all();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    isReply: row.parentId !== null,
    visibility: row.visibility,
    article: { id: row.articleId, slug: row.articleSlug, title: row.articleTitle },
    paragraph: { anchor: row.anchor, number: row.number, current: Boolean(row.current) },
    author:
      row.alias === null && row.username !== null && row.displayName !== null
        ? { username: row.username, displayName: row.displayName }
        : null,
    alias: aliasLabel(row.alias),
    quote: row.quote,
    body: row.body,
    bodyHtml: row.bodyHtml,
    source:
      row.sourceUrl !== null && row.sourceTitle !== null && row.sourceStance !== null
        ? { url: row.sourceUrl, title: row.sourceTitle, stance: row.sourceStance }
        : null,
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt ? row.editedAt.toISOString() : null,
  }));
}

/** A person as their page shows them. */
export type Person = { id: string; username: string; displayName: string };

/** The account with this username, compared without regard to case; null when there is none. */
export function findPersonByUsername({
  db,
  username,
}: {
  db: Db;
  username: string;
}): Person | null {
  return (
    db
      .select({ id: user.id, username: user.username, displayName: user.displayName })
      .from(user)
      .where(eq(sql`lower(${user.username})`, username.toLowerCase()))
      .get() ?? null
  );
}

/**
 * One person's annotations and replies that `viewer` may see (their private notes only to
 * themselves), across articles, newest first; `total` counts them all for paging.
 */
export function listAnnotationsByAuthor({
  db,
  viewer,
  authorId,
  limit,
  offset = 0,
}: {
  db: Db;
  viewer: Viewer;
  authorId: string;
  limit: number;
  offset?: number;
}): { items: ActivityItem[]; total: number } {
  const where = and(
    eq(annotation.authorId, authorId),
    isNull(annotation.deletedAt),
    readableBy(viewer),
    // A list of one person's words would name the "Student n" of an anonymous assignment.
    sql`${peerAlias(viewer)} is null`,
  );
  const total =
    db.select({ count: sql<number>`count(*)` }).from(annotation).where(where).get()?.count ?? 0;
  return { items: total > offset ? listItems(db, viewer, where, limit, offset) : [], total };
}

/**
 * The newest annotations and replies that `viewer` may see, on one article (`articleId`) or on all,
 * newest first. The article feed calls it with an anonymous viewer (`null`), so it lists public
 * annotations only; the library's "recent discussion" passes the signed-in reader.
 */
export function listRecentAnnotations({
  db,
  viewer,
  articleId,
  limit,
}: {
  db: Db;
  viewer: Viewer;
  articleId?: number;
  limit: number;
}): ActivityItem[] {
  const conditions: SQL[] = [isNull(annotation.deletedAt), readableBy(viewer)];
  if (articleId !== undefined) conditions.push(eq(annotation.articleId, articleId));
  return listItems(db, viewer, and(...conditions), limit, 0);
}

/**
 * Collections (symposia): an editor's question put to several writers, with an introduction and
 * their responses (articles) in the editor's order. Collections are public: anyone may read one,
 * and any signed-in reader may start one, becoming its editor. Only the editor (or a site admin)
 * changes it.
 *
 * Linking an article to its author's account matters beyond this page: the linked author may
 * revise the text, resolve threads and read the review panels set to it (visibility.server.ts
 * `reviewedAuthor`). So it is never the collection's editor who decides that for an article they
 * did not add: only the editor who added the article (`article.editor_id`) or an admin may link it,
 * whichever collection it sits in. Otherwise anyone could start a collection, add the seed article
 * and make themselves its author.
 */
import { and, asc, count, eq, inArray, isNull, max, or, sql } from "drizzle-orm";
import type { DbOrTx } from "#app/models/annotation.server";
import type { CollectionInput } from "#app/models/collection-input.server";
import {
  ImportError,
  importArticle,
  MAX_IMPORT_BYTES,
  parseArticle,
  slugify,
} from "#app/models/importer.server";
import { findUserRowByUsername } from "#app/models/user.server";
import { visibleTo } from "#app/models/visibility.server";
import type { Db } from "#app/utils/db.server";
import { FieldValidationError, ForbiddenError, NotFoundError } from "#app/utils/errors";
import { IMMEDIATE } from "#db/client";
import { annotation, article, collection, collectionItem, user } from "#db/schema";

type Viewer = { id: string; role?: "user" | "admin" };

const NO_SUCH_COLLECTION = "There is no such collection.";
const NOT_EDITOR = "Only the collection's editor can change it.";
const NOT_IN_COLLECTION = "That response is not in this collection.";
const NOT_ARTICLE_EDITOR =
  "Only the editor who added this article (or a site admin) can link its author's account.";

/** A slug no row has yet: `base`, then `base-2`, `base-3`… (`taken` asks inside the transaction). */
function uniqueSlug(base: string, taken: (slug: string) => boolean): string {
  let slug = base;
  for (let n = 2; taken(slug); n++) slug = `${base}-${n}`;
  return slug;
}

function isEditor(viewer: Viewer | null, editorId: string | null): boolean {
  return (
    viewer !== null && (viewer.role === "admin" || (editorId !== null && editorId === viewer.id))
  );
}

/** The collection's id when the viewer may change it; NotFound, or Forbidden for anyone else. */
function requireEditor(tx: DbOrTx, viewer: Viewer, slug: string): number {
  const row = tx
    .select({ id: collection.id, editorId: collection.editorId })
    .from(collection)
    .where(eq(collection.slug, slug))
    .get();
  if (!row) throw new NotFoundError(NO_SUCH_COLLECTION);
  if (!isEditor(viewer, row.editorId)) throw new ForbiddenError(NOT_EDITOR);
  return row.id;
}

/** A user's id by username ("" → null: no account); an unknown name is a field error. */
function resolveAuthor(tx: DbOrTx, username: string): string | null {
  if (username === "") return null;
  const found = findUserRowByUsername(tx as Db, username);
  if (!found) throw new FieldValidationError({ authorUsername: "No account has this username." });
  return found.id;
}

function nextPosition(tx: DbOrTx, collectionId: number): number {
  const last = tx
    .select({ last: max(collectionItem.position) })
    .from(collectionItem)
    .where(eq(collectionItem.collectionId, collectionId))
    .get()?.last;
  return (last ?? 0) + 1;
}

// ---------------------------------------------------------------------------------------------
// Reading

export type CollectionSummary = {
  id: number;
  slug: string;
  title: string;
  question: string;
  responseCount: number;
};

/** Every collection, newest first, for the library and /collections. */
export function listCollections({ db }: { db: Db }): CollectionSummary[] {
  return db
    .select({
      id: collection.id,
      slug: collection.slug,
      title: collection.title,
      question: collection.question,
      responseCount: sql<number>`(select count(*) from "collection_item" ci where ci.collection_id = ${collection.id})`,
    })
    .from(collection)
    .orderBy(sql`${collection.createdAt} desc`, sql`${collection.id} desc`)
    .all();
}

/** For each article in some collection, the first collection it is in (the library's note). */
export function collectionsOfArticles({
  db,
}: {
  db: Db;
}): Map<number, { slug: string; title: string }> {
  const rows = db
    .select({ articleId: collectionItem.articleId, slug: collection.slug, title: collection.title })
    .from(collectionItem)
    .innerJoin(collection, eq(collection.id, collectionItem.collectionId))
    .orderBy(asc(collection.id))
    .all();
  const out = new Map<number, { slug: string; title: string }>();
  for (const { articleId, ...c } of rows) if (!out.has(articleId)) out.set(articleId, c);
  return out;
}

export type CollectionResponse = {
  articleId: number;
  slug: string;
  title: string;
  byline: string | null;
  /** The linked author account, if any. */
  author: { username: string; displayName: string } | null;
  paragraphCount: number;
  /** Threads on it the viewer may see, and how many of those are still open. */
  threads: number;
  openThreads: number;
  /** Whether the viewer may link or change the author account (they added it, or are an admin). */
  canLinkAuthor: boolean;
};

export type CollectionView = {
  id: number;
  slug: string;
  title: string;
  question: string;
  introduction: string;
  editor: { username: string; displayName: string } | null;
  responses: CollectionResponse[];
  /** Whether the viewer may edit it (its editor, or a site admin). */
  canEdit: boolean;
};

/**
 * Threads (root annotations) per article that the viewer may see, and the open ones among them. A
 * deleted root counts only while replies keep its thread on the page, as the discussion shows it.
 */
function reviewCounts(db: Db, viewer: Viewer | null, articleIds: number[]) {
  if (articleIds.length === 0) return new Map<number, { threads: number; open: number }>();
  const rows = db
    .select({
      articleId: annotation.articleId,
      threads: count(),
      open: sql<number>`coalesce(sum(${annotation.resolvedAt} is null), 0)`,
    })
    .from(annotation)
    .where(
      and(
        inArray(annotation.articleId, articleIds),
        isNull(annotation.parentId),
        or(isNull(annotation.deletedAt), sql`${annotation.replyCount} > 0`),
        visibleTo(viewer),
      ),
    )
    .groupBy(annotation.articleId)
    .all();
  return new Map(rows.map((r) => [r.articleId, { threads: r.threads, open: r.open }]));
}

/** A collection with its responses in order, or null. */
export function findCollection({
  db,
  viewer,
  slug,
}: {
  db: Db;
  viewer: Viewer | null;
  slug: string;
}): CollectionView | null {
  const row = db
    .select({
      id: collection.id,
      slug: collection.slug,
      title: collection.title,
      question: collection.question,
      introduction: collection.introduction,
      editorId: collection.editorId,
      editorUsername: user.username,
      editorName: user.displayName,
    })
    .from(collection)
    .leftJoin(user, eq(user.id, collection.editorId))
    .where(eq(collection.slug, slug))
    .get();
  if (!row) return null;
  const items = db
    .select({
      articleId: article.id,
      slug: article.slug,
      title: article.title,
      byline: article.byline,
      editorId: article.editorId,
      authorUsername: user.username,
      authorName: user.displayName,
      paragraphCount: sql<number>`(select count(*) from "block" as b where b.revision_id = "article"."current_revision_id" and b.kind = 'paragraph')`,
    })
    .from(collectionItem)
    .innerJoin(article, eq(article.id, collectionItem.articleId))
    .leftJoin(user, eq(user.id, article.authorId))
    .where(eq(collectionItem.collectionId, row.id))
    // The article id breaks ties, so the order is the same on every load.
    .orderBy(asc(collectionItem.position), asc(collectionItem.articleId))
    .all();
  const counts = reviewCounts(
    db,
    viewer,
    items.map((i) => i.articleId),
  );
  const canEdit = isEditor(viewer, row.editorId);
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    question: row.question,
    introduction: row.introduction,
    editor:
      row.editorUsername && row.editorName
        ? { username: row.editorUsername, displayName: row.editorName }
        : null,
    canEdit,
    responses: items.map((i) => ({
      articleId: i.articleId,
      slug: i.slug,
      title: i.title,
      byline: i.byline,
      author:
        i.authorUsername && i.authorName
          ? { username: i.authorUsername, displayName: i.authorName }
          : null,
      paragraphCount: i.paragraphCount,
      threads: counts.get(i.articleId)?.threads ?? 0,
      openThreads: counts.get(i.articleId)?.open ?? 0,
      canLinkAuthor:
        canEdit &&
        viewer !== null &&
        (viewer.role === "admin" || (i.editorId !== null && i.editorId === viewer.id)),
    })),
  };
}

/** Every article, by title, for the "add an existing article" select. */
export function listArticleChoices({ db }: { db: Db }) {
  return db
    .select({ id: article.id, title: article.title })
    .from(article)
    .orderBy(asc(sql`lower(${article.title})`), asc(article.id))
    .all();
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A new collection, with the viewer as its editor; returns its slug. */
export function createCollection({
  db,
  editor,
  input,
}: {
  db: Db;
  editor: { id: string };
  input: CollectionInput;
}): string {
  return db.transaction((tx) => {
    const slug = uniqueSlug(
      slugify(input.title) || "collection",
      (s) =>
        !!tx.select({ id: collection.id }).from(collection).where(eq(collection.slug, s)).get(),
    );
    tx.insert(collection)
      .values({ ...input, slug, editorId: editor.id })
      .run();
    return slug;
  }, IMMEDIATE);
}

/** New title, question and introduction. The slug stays: links to the collection keep working. */
export function updateCollection({
  db,
  viewer,
  slug,
  input,
}: {
  db: Db;
  viewer: Viewer;
  slug: string;
  input: CollectionInput;
}): void {
  db.transaction((tx) => {
    const id = requireEditor(tx, viewer, slug);
    tx.update(collection).set(input).where(eq(collection.id, id)).run();
  }, IMMEDIATE);
}

/** Adds an article already on the site as the last response. */
export function addExistingArticle({
  db,
  viewer,
  slug,
  articleId,
}: {
  db: Db;
  viewer: Viewer;
  slug: string;
  articleId: number;
}): void {
  db.transaction((tx) => {
    const id = requireEditor(tx, viewer, slug);
    const found = tx
      .select({ id: article.id })
      .from(article)
      .where(eq(article.id, articleId))
      .get();
    if (!found) throw new FieldValidationError({ articleId: "There is no such article." });
    const already = tx
      .select({ position: collectionItem.position })
      .from(collectionItem)
      .where(and(eq(collectionItem.collectionId, id), eq(collectionItem.articleId, articleId)))
      .get();
    if (already) {
      throw new FieldValidationError({ articleId: "That article is already in this collection." });
    }
    tx.insert(collectionItem)
      .values({ collectionId: id, articleId, position: nextPosition(tx, id) })
      .run();
  }, IMMEDIATE);
}

/** An uploaded file as the route read it from the form. */
export type Upload = { name: string; size: number; bytes: Uint8Array };

const FILE_TYPES = "Upload a .txt file (plain text) or a .md file (Markdown).";

/**
 * The article in an uploaded file, parsed, or a field error on `file`: the same checks the
 * command-line importer makes (readArticleFile), on bytes instead of a path.
 */
export function parseUpload(upload: Upload | null) {
  const fail = (message: string): never => {
    throw new FieldValidationError({ file: message });
  };
  // A form sent without a file chosen still carries the field: an empty file with no name.
  if (!upload || (upload.name === "" && upload.size === 0)) return fail("Choose a file to upload.");
  const extension = /\.([^.]+)$/.exec(upload.name)?.[1]?.toLowerCase() ?? "";
  if (!["txt", "md", "markdown"].includes(extension)) return fail(FILE_TYPES);
  if (upload.size > MAX_IMPORT_BYTES || upload.bytes.length > MAX_IMPORT_BYTES) {
    return fail(`The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB.`);
  }
  if (upload.bytes.length === 0) return fail("The file is empty.");
  if (upload.bytes.includes(0))
    return fail(`This looks like a binary file, not text. ${FILE_TYPES}`);
  let source: string;
  try {
    source = new TextDecoder("utf-8", { fatal: true }).decode(upload.bytes);
  } catch {
    return fail("The file is not UTF-8 text. Save it as UTF-8 and upload it again.");
  }
  source = source.replace(/^\uFEFF/, "");
  if (source.trim() === "") return fail("The file is empty.");
  try {
    return parseArticle(source, { markdown: extension !== "txt" });
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    // The importer words its errors for the command line: "the file has no text".
    return fail(`This file is not an article: ${error.message}.`);
  }
}

/**
 * A new response from an uploaded file: imported as a new article (the viewer its editor, so they
 * may later link or change its author), then added as the last response. All in one transaction,
 * so that nothing is written when any part is refused, and so that the slug chosen is still free
 * when it is written: importArticle on a taken slug would revise that article instead.
 */
export function addUploadedResponse({
  db,
  viewer,
  slug,
  upload,
  byline,
  authorUsername,
}: {
  db: Db;
  viewer: Viewer;
  slug: string;
  upload: Upload | null;
  byline: string;
  authorUsername: string;
}): { articleSlug: string } {
  return db.transaction((tx) => {
    const id = requireEditor(tx, viewer, slug);
    // Both field errors at once, so the editor fixes the form in one go.
    const errors: Record<string, string> = {};
    let parsed: ReturnType<typeof parseUpload> | null = null;
    let authorId: string | null = null;
    try {
      parsed = parseUpload(upload);
    } catch (error) {
      if (!(error instanceof FieldValidationError)) throw error;
      Object.assign(errors, error.errors);
    }
    try {
      authorId = resolveAuthor(tx, authorUsername);
    } catch (error) {
      if (!(error instanceof FieldValidationError)) throw error;
      Object.assign(errors, error.errors);
    }
    if (!parsed || Object.keys(errors).length > 0) throw new FieldValidationError(errors);
    const articleSlug = uniqueSlug(
      slugify(parsed.title) || "response",
      (s) => !!tx.select({ id: article.id }).from(article).where(eq(article.slug, s)).get(),
    );
    // importArticle opens its own transaction; given ours, drizzle makes it a savepoint inside it.
    const result = importArticle(tx as unknown as Db, parsed, {
      slug: articleSlug,
      byline,
      editorId: viewer.id,
      authorId,
    });
    if (result.status !== "created") throw new Error(`the free slug ${articleSlug} was taken`);
    tx.insert(collectionItem)
      .values({ collectionId: id, articleId: result.articleId, position: nextPosition(tx, id) })
      .run();
    return { articleSlug };
  }, IMMEDIATE);
}

/** Swaps a response with its neighbour above or below; at either end nothing changes. */
export function moveResponse({
  db,
  viewer,
  slug,
  articleId,
  direction,
}: {
  db: Db;
  viewer: Viewer;
  slug: string;
  articleId: number;
  direction: "up" | "down";
}): void {
  db.transaction((tx) => {
    const id = requireEditor(tx, viewer, slug);
    const items = tx
      .select({ articleId: collectionItem.articleId })
      .from(collectionItem)
      .where(eq(collectionItem.collectionId, id))
      .orderBy(asc(collectionItem.position), asc(collectionItem.articleId))
      .all()
      .map((i) => i.articleId);
    const from = items.indexOf(articleId);
    if (from === -1) throw new NotFoundError(NOT_IN_COLLECTION);
    const to = direction === "up" ? from - 1 : from + 1;
    if (to < 0 || to >= items.length) return;
    [items[from], items[to]] = [items[to] as number, items[from] as number];
    // Renumbered 1…n: positions stay distinct whatever earlier removals left behind.
    items.forEach((itemId, index) => {
      tx.update(collectionItem)
        .set({ position: index + 1 })
        .where(and(eq(collectionItem.collectionId, id), eq(collectionItem.articleId, itemId)))
        .run();
    });
  }, IMMEDIATE);
}

/** Takes a response out of the collection; the article itself stays on the site. */
export function removeResponse({
  db,
  viewer,
  slug,
  articleId,
}: {
  db: Db;
  viewer: Viewer;
  slug: string;
  articleId: number;
}): void {
  db.transaction((tx) => {
    const id = requireEditor(tx, viewer, slug);
    const removed = tx
      .delete(collectionItem)
      .where(and(eq(collectionItem.collectionId, id), eq(collectionItem.articleId, articleId)))
      .run();
    if (removed.changes === 0) throw new NotFoundError(NOT_IN_COLLECTION);
  }, IMMEDIATE);
}

/**
 * Links a response to its author's account, changes the link, or (an empty username) removes it.
 * See the header: the collection's editor may do this only for an article they added themselves.
 */
export function linkAuthor({
  db,
  viewer,
  slug,
  articleId,
  authorUsername,
}: {
  db: Db;
  viewer: Viewer;
  slug: string;
  articleId: number;
  authorUsername: string;
}): void {
  db.transaction((tx) => {
    const id = requireEditor(tx, viewer, slug);
    const found = tx
      .select({ editorId: article.editorId })
      .from(collectionItem)
      .innerJoin(article, eq(article.id, collectionItem.articleId))
      .where(and(eq(collectionItem.collectionId, id), eq(collectionItem.articleId, articleId)))
      .get();
    if (!found) throw new NotFoundError(NOT_IN_COLLECTION);
    if (viewer.role !== "admin" && found.editorId !== viewer.id) {
      throw new ForbiddenError(NOT_ARTICLE_EDITOR);
    }
    const authorId = resolveAuthor(tx, authorUsername);
    tx.update(article).set({ authorId }).where(eq(article.id, articleId)).run();
  }, IMMEDIATE);
}

// ---------------------------------------------------------------------------------------------
// The demo collection

export const DEMO_COLLECTION_SLUG = "afghanistan-one-year-later";
const DEMO_TITLE = "Afghanistan, one year after the withdrawal";

/**
 * The question and introduction in a symposium response's editor's note: the quoted question
 * ("… the following question: “How should …?”"), and the sentences around it. A note without a
 * quoted question is all question.
 */
export function splitEditorsNote(note: string): { question: string; introduction: string } {
  const match = /[“"]([^”"]+\?)[”"]/.exec(note);
  if (!match?.[1]) return { question: note.trim(), introduction: "" };
  const before = note.slice(0, match.index).trim().replace(/\s*:$/, ".");
  const after = note.slice(match.index + match[0].length).trim();
  // "The following article is one of their responses:" speaks of one article, not the collection.
  const kept = /^the following (article|essay|piece)/i.test(after) ? "" : after;
  return { question: match[1].trim(), introduction: [before, kept].filter(Boolean).join(" ") };
}

/**
 * The demo collection around the seed article, unless it exists. Looks for its slug inside a BEGIN
 * IMMEDIATE transaction, so that of several processes seeding at once one writes it and the
 * others, waiting for that one's lock, find it and write nothing.
 */
export function seedDemoCollection(db: Db, seedArticleSlug: string): void {
  db.transaction((tx) => {
    const exists = tx
      .select({ id: collection.id })
      .from(collection)
      .where(eq(collection.slug, DEMO_COLLECTION_SLUG))
      .get();
    if (exists) return;
    const seed = tx
      .select({ id: article.id, title: article.title, editorsNote: article.editorsNote })
      .from(article)
      .where(eq(article.slug, seedArticleSlug))
      .get();
    if (!seed) return;
    const { question, introduction } = splitEditorsNote(seed.editorsNote ?? "");
    const created = tx
      .insert(collection)
      .values({
        slug: DEMO_COLLECTION_SLUG,
        title: DEMO_TITLE,
        question: question || seed.title,
        introduction,
        editorId: null,
      })
      .returning({ id: collection.id })
      .get();
    tx.insert(collectionItem)
      .values({ collectionId: created.id, articleId: seed.id, position: 1 })
      .run();
  }, IMMEDIATE);
}

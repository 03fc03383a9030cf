/**
 * Site-wide search over annotations: their bodies, quoted passages and source titles, through the
 * SQLite FTS5 table `annotation_search` (rowid = annotation id) that triggers keep in step with every
 * write (db/migrations/0001_search.sql).
 *
 * Whatever a reader types is turned into a safe FTS5 query by `toFtsQuery` (words only, each quoted),
 * so FTS5's own syntax (quotes, `*`, `NEAR`, `OR`, column filters…) can never cause an error. Results
 * are filtered by `visibleTo(viewer)` like every other read. Highlighted snippets come back as HTML
 * that is safe to inject: FTS5 marks matches with private-use sentinels, the text is HTML-escaped,
 * and only then do the sentinels become <mark> elements.
 */
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import { aliasLabel, peerAlias, readableBy, type Viewer } from "#app/models/visibility.server";
import type { Db } from "#app/utils/db.server";
import { annotation, article, block, sourceLink, user } from "#db/schema";

/** A word, as FTS5's unicode61 tokenizer sees one: letters and digits (with combining marks). */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
/** More words than this add cost and no precision; the rest are ignored. */
export const MAX_QUERY_WORDS = 16;
/** Longer "words" are cut: nobody types them, and they keep the query string small. */
export const MAX_WORD_LENGTH = 64;
/** Input beyond this is not read (a pasted essay still searches for its first words). */
const MAX_INPUT_LENGTH = 1_000;

function quote(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}

/**
 * Turns anything a person types into a valid FTS5 query: its words, each quoted as a string and
 * joined by AND. The last word also matches as a prefix (`"talib"*` finds "Taliban") when the input
 * ends in it and it has at least `minPrefixLength` characters. Null when no word is left to search
 * for (empty input, only punctuation or symbols).
 */
export function toFtsQuery(
  input: string,
  { prefix = true, minPrefixLength = 2 }: { prefix?: boolean; minPrefixLength?: number } = {},
): string | null {
  const text = input.slice(0, MAX_INPUT_LENGTH).normalize("NFC");
  const words = [...text.matchAll(WORD)].slice(0, MAX_QUERY_WORDS).map((match) => ({
    word: match[0].slice(0, MAX_WORD_LENGTH),
    end: match.index + match[0].length,
  }));
  if (words.length === 0) return null;
  const last = words[words.length - 1];
  const prefixLast =
    prefix &&
    last !== undefined &&
    last.end === text.length &&
    [...last.word].length >= minPrefixLength;
  return words
    .map(({ word }, i) => (prefixLast && i === words.length - 1 ? `${quote(word)}*` : quote(word)))
    .join(" AND ");
}

/** Private-use characters that FTS5 puts around each match before the text is escaped. */
const OPEN = "\uE000";
const CLOSE = "\uE001";
const ELLIPSIS = "…";
/** Tokens per snippet of a body or a quote. */
const SNIPPET_TOKENS = 32;

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Escapes FTS5 highlight output and turns its sentinels into <mark>…</mark>, joining marks that only
 * whitespace separates. Sentinels are read as a strict open/close alternation, so even text that
 * itself contains these characters cannot produce unbalanced or nested marks.
 */
export function markedHtml(highlighted: string): string {
  let html = "";
  let open = false;
  for (const part of highlighted.split(/([\uE000\uE001])/)) {
    if (part === OPEN) {
      if (!open) html += "<mark>";
      open = true;
    } else if (part === CLOSE) {
      if (open) html += "</mark>";
      open = false;
    } else {
      html += escapeHtml(part);
    }
  }
  if (open) html += "</mark>";
  // FTS5 marks each matching word; a phrase reads better as one mark.
  return html.replaceAll("<mark></mark>", "").replace(/<\/mark>(\s+)<mark>/g, "$1");
}

/** One annotation found by a search, with where it is and what matched. */
export type SearchResult = {
  id: number;
  kind: (typeof annotation.$inferSelect)["kind"];
  /** Whether it is a reply within a thread rather than a thread's first annotation. */
  isReply: boolean;
  visibility: "public" | "private" | "group";
  article: { slug: string; title: string };
  /** The paragraph the thread is attached to. */
  /** `current`: a paragraph of the article's current revision (false for an orphaned thread's). */
  paragraph: { anchor: string; number: number | null; current: boolean };
  author: { username: string; displayName: string } | null;
  /** "Student 3", when the author is an anonymous classmate to this viewer (`author` is null). */
  alias: string | null;
  createdAt: string;
  /** Safe HTML: escaped text with matches in <mark>; a snippet for long bodies. */
  bodyHtml: string;
  /** Safe HTML of the quoted passage, or null when the annotation quotes none. */
  quoteHtml: string | null;
  /** Safe HTML of a source's title, or null for other kinds. */
  sourceTitleHtml: string | null;
};

export type SearchPage = { results: SearchResult[]; total: number; query: string | null };

const SEARCH_TABLE = sql.raw("annotation_search");

/**
 * Annotations matching `query` that `viewer` may see (deleted ones never), best match first (bm25),
 * then by id so that pages are stable; `total` counts every match for paging. A query with nothing
 * searchable yields no results rather than an error.
 */
export function searchAnnotations({
  db,
  viewer,
  query,
  articleId,
  limit,
  offset = 0,
}: {
  db: Db;
  viewer: Viewer;
  query: string;
  articleId?: number;
  limit: number;
  offset?: number;
}): SearchPage {
  const ftsQuery = toFtsQuery(query);
  if (ftsQuery === null) return { results: [], total: 0, query: null };

  const conditions: SQL[] = [
    sql`${SEARCH_TABLE} MATCH ${ftsQuery}`,
    isNull(annotation.deletedAt),
    readableBy(viewer),
  ];
  if (articleId !== undefined) conditions.push(eq(annotation.articleId, articleId));
  const where = and(...conditions);

  const total =
    db
      .select({ count: sql<number>`count(*)` })
      .from(SEARCH_TABLE)
      .innerJoin(annotation, sql`${annotation.id} = ${SEARCH_TABLE}.rowid`)
      .where(where)
      .get()?.count ?? 0;
  if (total === 0 || offset >= total) return { results: [], total, query: ftsQuery };

  const rows = db
    .select({
      id: annotation.id,
      kind: annotation.kind,
      parentId: annotation.parentId,
      visibility: annotation.visibility,
      articleSlug: article.slug,
      articleTitle: article.title,
      anchor: block.anchor,
      number: block.number,
      current: sql<number>`(${block.revisionId} = ${article.currentRevisionId})`,
      username: user.username,
      displayName: user.displayName,
      alias: peerAlias(viewer),
      createdAt: annotation.createdAt,
      hasQuote: sql<number>`${annotation.quoteExact} is not null`,
      hasSource: sql<number>`${sourceLink.annotationId} is not null`,
      body: sql<string>`snippet(${SEARCH_TABLE}, 0, ${OPEN}, ${CLOSE}, ${ELLIPSIS}, ${SNIPPET_TOKENS})`,
      quote: sql<string>`snippet(${SEARCH_TABLE}, 1, ${OPEN}, ${CLOSE}, ${ELLIPSIS}, ${SNIPPET_TOKENS})`,
      sourceTitle: sql<string>`highlight(${SEARCH_TABLE}, 2, ${OPEN}, ${CLOSE})`,
    })
    .from(SEARCH_TABLE)
    .innerJoin(annotation, sql`${annotation.id} = ${SEARCH_TABLE}.rowid`)
    .innerJoin(article, eq(article.id, annotation.articleId))
    .innerJoin(block, eq(block.id, annotation.blockId))
    .leftJoin(user, eq(user.id, annotation.authorId))
    .leftJoin(sourceLink, eq(sourceLink.annotationId, annotation.id))
    .where(where)
    .orderBy(sql`bm25(${SEARCH_TABLE})`, annotation.id)
    .limit(limit)
    .offset(offset)
    .all();

  return {
    total,
    query: ftsQuery,
    results: rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      isReply: row.parentId !== null,
      visibility: row.visibility,
      article: { slug: row.articleSlug, title: row.articleTitle },
      paragraph: { anchor: row.anchor, number: row.number, current: Boolean(row.current) },
      author:
        row.alias === null && row.username !== null && row.displayName !== null
          ? { username: row.username, displayName: row.displayName }
          : null,
      alias: aliasLabel(row.alias),
      createdAt: row.createdAt.toISOString(),
      bodyHtml: markedHtml(row.body ?? ""),
      quoteHtml: row.hasQuote ? markedHtml(row.quote ?? "") : null,
      sourceTitleHtml: row.hasSource ? markedHtml(row.sourceTitle ?? "") : null,
    })),
  };
}

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
import { and, eq, isNull, sql } from "drizzle-orm";
import {
  countWords,
  highlightText,
  type Matcher,
  matcherFor,
  scoreText,
} from "#app/models/search-text.server";
import {
  aliasLabel,
  BOUND_VIEWER,
  peerAlias,
  readableBy,
  type Viewer,
} from "#app/models/visibility.server";
import type { Db } from "#app/utils/db.server";
import { perConnection } from "#app/utils/statements.server";
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

/** The words of a search, as typed, and whether the last one also matches as a prefix. */
export type SearchTerms = { words: string[]; prefixLast: boolean };

/**
 * The words a person typed that a search looks for: words only, at most MAX_QUERY_WORDS, each cut
 * to MAX_WORD_LENGTH. The last word also matches as a prefix when the input ends in it and it has
 * at least `minPrefixLength` characters. Null when no word is left.
 */
export function searchTerms(
  input: string,
  { prefix = true, minPrefixLength = 2 }: { prefix?: boolean; minPrefixLength?: number } = {},
): SearchTerms | null {
  const text = input.slice(0, MAX_INPUT_LENGTH).normalize("NFC");
  const words = [...text.matchAll(WORD)].slice(0, MAX_QUERY_WORDS).map((match) => ({
    word: match[0].slice(0, MAX_WORD_LENGTH),
    end: match.index + match[0].length,
  }));
  const last = words[words.length - 1];
  if (last === undefined) return null;
  const prefixLast = prefix && last.end === text.length && [...last.word].length >= minPrefixLength;
  return { words: words.map((w) => w.word), prefixLast };
}

function ftsQueryOf({ words, prefixLast }: SearchTerms): string {
  return words
    .map((word, i) => (prefixLast && i === words.length - 1 ? `${quote(word)}*` : quote(word)))
    .join(" AND ");
}

/**
 * Turns anything a person types into a valid FTS5 query: its words, each quoted as a string and
 * joined by AND. The last word also matches as a prefix (`"talib"*` finds "Taliban") when the input
 * ends in it and it has at least `minPrefixLength` characters. Null when no word is left to search
 * for (empty input, only punctuation or symbols).
 */
export function toFtsQuery(
  input: string,
  options: { prefix?: boolean; minPrefixLength?: number } = {},
): string | null {
  const terms = searchTerms(input, options);
  return terms && ftsQueryOf(terms);
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

export type SearchPage = {
  results: SearchResult[];
  /** Every match the viewer may see, or, when `capped`, how many were ranked (more match). */
  total: number;
  /** More than SEARCH_CANDIDATES match: the newest that many were ranked and paged. */
  capped: boolean;
  query: string | null;
};

/**
 * How many matches a search ranks: the newest this many that the viewer may see. A search for
 * words most annotations contain ranks the recent discussion rather than the whole site; paging
 * stops there, and the page says so ("more than 200"). Below it, every match is ranked.
 */
export const SEARCH_CANDIDATES = 200;
/** Of each candidate, the text read for ranking (a body is at most 10,000 characters). */
const SCORED_CHARACTERS = 2_000;

const SEARCH_TABLE = sql.raw("annotation_search");

const SNIPPET_MARKS = { open: OPEN, close: CLOSE, ellipsis: ELLIPSIS };

type Candidate = { id: number; body: string; quote: string | null; title: string | null };

/** Which of the kept statements a search runs: how readableBy reads for this viewer, and scope. */
type Shape = `${"anonymous" | "reader" | "admin"}:${"site" | "article"}`;

function shapeOf(viewer: Viewer, articleId: number | undefined): Shape {
  const who = viewer === null ? "anonymous" : viewer.role === "admin" ? "admin" : "reader";
  return `${who}:${articleId === undefined ? "site" : "article"}`;
}

/** The viewer a kept statement is prepared for, its id bound when it runs. */
function boundViewer(shape: Shape): Viewer {
  if (shape.startsWith("anonymous")) return null;
  return shape.startsWith("admin") ? { ...BOUND_VIEWER, role: "admin" } : BOUND_VIEWER;
}

/** Statements kept per connection and shape: building and preparing them cost ~2 ms a search. */
function keptPerShape<T>(make: (db: Db, shape: Shape) => T): (db: Db, shape: Shape) => T {
  const perDb = perConnection(() => new Map<Shape, T>());
  return (db, shape) => {
    const kept = perDb(db);
    let statement = kept.get(shape);
    if (statement === undefined) {
      statement = make(db, shape);
      kept.set(shape, statement);
    }
    return statement;
  };
}

/**
 * The matches the viewer may read, newest first, at most SEARCH_CANDIDATES + 1 (one more says
 * there are more), with the start of their text for ranking. CROSS JOIN keeps the full-text index
 * as the outer loop, reading matches in rowid order and stopping at the limit: the annotation
 * table as the outer loop would look each row up in the index by rowid, which FTS5 does slowly.
 */
const candidateQuery = keptPerShape((db, shape) =>
  db
    .select({
      id: annotation.id,
      body: sql<string>`substr(${annotation.body}, 1, ${SCORED_CHARACTERS})`,
      quote: sql<string | null>`substr(${annotation.quoteExact}, 1, ${SCORED_CHARACTERS})`,
      title: sourceLink.title,
    })
    .from(SEARCH_TABLE)
    .crossJoin(annotation)
    .leftJoin(sourceLink, eq(sourceLink.annotationId, annotation.id))
    .where(
      and(
        sql`${SEARCH_TABLE} match ${sql.placeholder("query")}`,
        sql`${annotation.id} = ${SEARCH_TABLE}.rowid`,
        isNull(annotation.deletedAt),
        readableBy(boundViewer(shape)),
        shape.endsWith("article")
          ? eq(annotation.articleId, sql.placeholder("articleId"))
          : undefined,
      ),
    )
    .orderBy(sql`${SEARCH_TABLE}.rowid desc`)
    .limit(SEARCH_CANDIDATES + 1)
    .prepare(),
);

function findCandidates(db: Db, viewer: Viewer, ftsQuery: string, articleId?: number): Candidate[] {
  return candidateQuery(db, shapeOf(viewer, articleId)).all({
    query: ftsQuery,
    viewerId: viewer?.id,
    articleId,
  });
}

/** What a result shows, for the page's annotations (ids as a JSON array). */
const pageQuery = keptPerShape((db, shape) =>
  db
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
      alias: peerAlias(boundViewer(shape)),
      createdAt: annotation.createdAt,
      body: annotation.body,
      quote: annotation.quoteExact,
      sourceTitle: sourceLink.title,
    })
    .from(annotation)
    .innerJoin(article, eq(article.id, annotation.articleId))
    .innerJoin(block, eq(block.id, annotation.blockId))
    .leftJoin(user, eq(user.id, annotation.authorId))
    .leftJoin(sourceLink, eq(sourceLink.annotationId, annotation.id))
    .where(sql`${annotation.id} in (select value from json_each(${sql.placeholder("ids")}))`)
    .prepare(),
);

/** Candidates best first: BM25 over their words (search-text.server.ts), then oldest first. */
function rank(candidates: Candidate[], match: Matcher, wordCount: number): number[] {
  const counted = candidates.map((c) => {
    const text = [c.body, c.quote ?? "", c.title ?? ""].join("\n");
    return { id: c.id, ...countWords(text, match, wordCount) };
  });
  const average = counted.reduce((sum, c) => sum + c.length, 0) / Math.max(counted.length, 1);
  return counted
    .map((c) => ({ id: c.id, score: scoreText(c, average) }))
    .sort((x, y) => y.score - x.score || x.id - y.id)
    .map((c) => c.id);
}

/**
 * Annotations matching `query` that `viewer` may see (deleted ones never), best match first, then
 * by id so that pages are stable; `total` counts the matches for paging (see SEARCH_CANDIDATES).
 * FTS5 finds the matches; ranking and highlighting are done here, for the page only
 * (search-text.server.ts). A query with nothing searchable yields no results rather than an error.
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
  const terms = searchTerms(query);
  if (terms === null) return { results: [], total: 0, capped: false, query: null };
  const ftsQuery = ftsQueryOf(terms);

  const found = findCandidates(db, viewer, ftsQuery, articleId);
  const capped = found.length > SEARCH_CANDIDATES;
  const candidates = capped ? found.slice(0, SEARCH_CANDIDATES) : found;
  const total = candidates.length;
  const none = { results: [], total, capped, query: ftsQuery };
  if (total === 0 || offset >= total) return none;

  const match = matcherFor(terms.words, terms.prefixLast);
  const pageIds = rank(candidates, match, terms.words.length).slice(offset, offset + limit);
  if (pageIds.length === 0) return none;

  // Site-wide or not, the page's rows are found by id: the scope only matters for the statement.
  const rows = pageQuery(db, shapeOf(viewer, undefined)).all({
    ids: JSON.stringify(pageIds),
    viewerId: viewer?.id,
  });
  const byId = new Map(rows.map((row) => [row.id, row]));

  return {
    total,
    capped,
    query: ftsQuery,
    results: pageIds.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      return [
        {
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
          bodyHtml: markedHtml(highlightText(row.body, match, SNIPPET_MARKS, SNIPPET_TOKENS)),
          quoteHtml:
            row.quote === null
              ? null
              : markedHtml(highlightText(row.quote, match, SNIPPET_MARKS, SNIPPET_TOKENS)),
          sourceTitleHtml:
            row.sourceTitle === null
              ? null
              : markedHtml(highlightText(row.sourceTitle, match, SNIPPET_MARKS)),
        },
      ];
    }),
  };
}

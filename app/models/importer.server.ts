/**
 * Article import: reads an article file (the seed's plain-text format, or Markdown), parses it into
 * metadata and ordered blocks, and writes it in one transaction. Parsing is pure so it can be tested
 * against the seed text without a database. Markdown is parsed by markdown-it (see
 * `markdownTextBlocks`): headings and paragraphs keep the text a reader would see.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { eq } from "drizzle-orm";
import { markdownTextBlocks } from "#app/markdown.server";
import { type RevisionOutcome, reviseArticle } from "#app/models/revision.server";
import { MAX_IMPORT_BYTES } from "#app/rules";
import { type Db, IMMEDIATE } from "#db/client";
import { article, articleRevision, block } from "#db/schema";

export { MAX_IMPORT_BYTES };

/** An import problem a person can fix; the CLI prints its message on one line. */
export class ImportError extends Error {
  override name = "ImportError";
}

export type ParsedBlock = {
  kind: "heading" | "paragraph";
  text: string;
  anchor: string;
  /** Paragraph number (1-based); null for headings. */
  number: number | null;
};

export type ParsedArticle = {
  title: string;
  dek: string | null;
  editorsNote: string | null;
  blocks: ParsedBlock[];
};

export type ArticleMetadata = {
  slug?: string;
  byline?: string | null;
  publication?: string | null;
  publishedOn?: string | null;
  /** Who added it through the site (they may revise it); null for a command-line import. */
  editorId?: string | null;
  authorId?: string | null;
};

export type ImportResult =
  | { status: "created"; articleId: number; slug: string; paragraphs: number; headings: number }
  | { status: "unchanged"; articleId: number; slug: string }
  | ({ status: "revised"; articleId: number; slug: string } & RevisionOutcome);

const EDITORS_NOTE = /^editor[’']s note:\s*/i;
/**
 * The most paragraphs an article may have. Matching a revision's paragraphs to the last one's
 * compares candidate pairs, and a crafted text of thousands of near-identical short paragraphs
 * would hold the write lock for seconds; the benchmark's long article has 1,000.
 */
export const MAX_PARAGRAPHS = 1500;
const MAX_HEADING_LENGTH = 80;
const MAX_DEK_LENGTH = 320;

/** Collapses every run of whitespace (non-breaking spaces included) to one space. */
export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}

export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}

/** A heading in plain text is a short single line without sentence punctuation at its end. */
function looksLikeHeading(raw: string, text: string): boolean {
  return (
    !raw.trim().includes("\n") &&
    text.length <= MAX_HEADING_LENGTH &&
    !/[.!?:;,”"’)]$/.test(text) &&
    /\p{L}/u.test(text)
  );
}

function isSingleSentence(text: string): boolean {
  const sentenceEnds = text.match(/[.!?](?=\s|$)/g) ?? [];
  return text.length <= MAX_DEK_LENGTH && sentenceEnds.length <= 1;
}

/** A block before classification; `markdownHeading` is the level of a Markdown heading. */
type RawBlock = { raw: string; text: string; markdownHeading?: number };

/**
 * Markdown blocks from markdown-it's tokens, inline markup reduced to its text. A line of only
 * whitespace (no-break spaces included, as pasted from web pages) separates blocks, as it does
 * in plain text, although CommonMark would not count it as blank.
 */
function splitMarkdownBlocks(source: string): RawBlock[] {
  return markdownTextBlocks(source.replace(/^[ \t\u00a0]+$/gm, ""))
    .map((b): RawBlock => {
      const text = normaliseWhitespace(b.text);
      return b.kind === "heading"
        ? { raw: b.text, text, markdownHeading: b.level }
        : { raw: b.text, text };
    })
    .filter((b) => b.text !== "");
}

function splitBlocks(source: string, markdown: boolean): RawBlock[] {
  if (markdown) return splitMarkdownBlocks(source);
  return source
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t\u00a0]*\n/)
    .map((raw) => raw.replace(/^\n+|\n+$/g, ""))
    .filter((raw) => raw.trim() !== "")
    .map((raw) => ({ raw, text: normaliseWhitespace(raw) }));
}

/** Parses an article's text. Markdown is chosen by the caller (by file extension or a `#` title). */
export function parseArticle(source: string, options: { markdown?: boolean } = {}): ParsedArticle {
  const markdown = options.markdown ?? /^\s*# /.test(source);
  const raws = splitBlocks(source, markdown);
  const first = raws.shift();
  if (!first) throw new ImportError("the file has no text");

  let title: string;
  if (markdown && first.markdownHeading === undefined) {
    throw new ImportError("a Markdown article must begin with a `# Title` heading");
  }
  if (markdown) {
    title = first.text;
  } else {
    // In plain text the title is the first line; anything after it in the same block is body text.
    const [titleLine = "", ...restLines] = first.raw.split("\n");
    title = normaliseWhitespace(titleLine);
    if (restLines.join("").trim())
      raws.unshift({ raw: restLines.join("\n"), text: normaliseWhitespace(restLines.join(" ")) });
  }
  if (!title) throw new ImportError("the article has no title line");

  // Exported pages often repeat the title as the first body block.
  if (raws[0]?.text === title) raws.shift();

  let dek: string | null = null;
  let editorsNote: string | null = null;
  const next = raws[0];
  if (
    next &&
    !EDITORS_NOTE.test(next.text) &&
    next.markdownHeading === undefined &&
    isSingleSentence(next.text)
  ) {
    const after = raws[1];
    // A one-sentence block is a dek only if more text follows it.
    if (after) {
      dek = next.text;
      raws.shift();
    }
  }

  const blocks: ParsedBlock[] = [];
  const usedAnchors = new Set<string>();
  let paragraphNumber = 0;
  for (const raw of raws) {
    if (EDITORS_NOTE.test(raw.text) && editorsNote === null && blocks.length === 0) {
      editorsNote = raw.text.replace(EDITORS_NOTE, "");
      continue;
    }
    const isHeading = markdown
      ? raw.markdownHeading !== undefined
      : looksLikeHeading(raw.raw, raw.text);
    if (isHeading) {
      let anchor = `s-${slugify(raw.text) || "section"}`;
      for (let n = 2; usedAnchors.has(anchor); n++) anchor = `s-${slugify(raw.text)}-${n}`;
      usedAnchors.add(anchor);
      blocks.push({ kind: "heading", text: raw.text, anchor, number: null });
    } else {
      paragraphNumber += 1;
      blocks.push({
        kind: "paragraph",
        text: raw.text,
        anchor: `p-${paragraphNumber}`,
        number: paragraphNumber,
      });
    }
  }

  if (paragraphNumber === 0) throw new ImportError("the article has no paragraphs");
  if (paragraphNumber > MAX_PARAGRAPHS) {
    throw new ImportError(
      `the article has ${paragraphNumber} paragraphs; an article has at most ${MAX_PARAGRAPHS}`,
    );
  }
  if (blocks.length > MAX_PARAGRAPHS * 2) {
    throw new ImportError(`the article has ${blocks.length} blocks; at most ${MAX_PARAGRAPHS * 2}`);
  }
  return { title, dek, editorsNote, blocks };
}

/** Reads and checks a file before parsing: it must exist, be text, and be at most 1 MB. */
export function readArticleFile(path: string): { source: string; markdown: boolean } {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ImportError(`${path} is not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError(`cannot read ${path}: no such file`);
  }
  if (size > MAX_IMPORT_BYTES) {
    throw new ImportError(`${path} is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is 1 MB`);
  }
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes.toString("utf8").trim() === "")
    throw new ImportError(`${path} is empty`);
  if (bytes.includes(0)) throw new ImportError(`${path} looks like a binary file, not text`);
  let source: string;
  try {
    source = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ImportError(`${path} is not valid UTF-8 text`);
  }
  const ext = extname(path).toLowerCase();
  const markdown =
    ext === ".md" || ext === ".markdown" || (ext !== ".txt" && /^\s*# /.test(source));
  return { source: source.replace(/^\uFEFF/, ""), markdown };
}

export function contentHash(parsed: ParsedArticle): string {
  return createHash("sha256").update(JSON.stringify(parsed)).digest("hex");
}

/**
 * Writes a parsed article and its blocks in one transaction, as its first revision. An unchanged
 * re-import is a no-op; a changed text for an existing slug becomes its next revision, with every
 * annotation re-anchored (revision.server.ts). `revisedBy` and `note` describe that revision.
 */
export function importArticle(
  db: Db,
  parsed: ParsedArticle,
  metadata: ArticleMetadata = {},
  revision: { revisedBy?: string | null; note?: string } = {},
): ImportResult {
  const slug = metadata.slug ?? slugify(parsed.title);
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug)) {
    throw new ImportError(`"${slug}" is not a valid slug (lower-case letters, digits and hyphens)`);
  }
  const hash = contentHash(parsed);
  return db.transaction((tx) => {
    const existing = tx.select().from(article).where(eq(article.slug, slug)).get();
    if (existing) {
      if (existing.sourceHash === hash)
        return { status: "unchanged", articleId: existing.id, slug } as const;
      const outcome = reviseArticle(tx, {
        articleId: existing.id,
        parsed,
        sourceHash: hash,
        by: revision.revisedBy ?? null,
        note: revision.note ?? "",
      });
      return { status: "revised", articleId: existing.id, slug, ...outcome } as const;
    }
    const created = tx
      .insert(article)
      .values({
        slug,
        title: parsed.title,
        dek: parsed.dek,
        editorsNote: parsed.editorsNote,
        byline: metadata.byline ?? null,
        publication: metadata.publication ?? null,
        publishedOn: metadata.publishedOn ?? null,
        editorId: metadata.editorId ?? null,
        authorId: metadata.authorId ?? null,
        sourceHash: hash,
      })
      .returning({ id: article.id })
      .get();
    const first = tx
      .insert(articleRevision)
      .values({ articleId: created.id, number: 1, sourceHash: hash, createdBy: metadata.editorId })
      .returning({ id: articleRevision.id })
      .get();
    tx.update(article).set({ currentRevisionId: first.id }).where(eq(article.id, created.id)).run();
    tx.insert(block)
      .values(
        parsed.blocks.map((b, position) => ({
          articleId: created.id,
          revisionId: first.id,
          position,
          ...b,
        })),
      )
      .run();
    return {
      status: "created",
      articleId: created.id,
      slug,
      paragraphs: parsed.blocks.filter((b) => b.kind === "paragraph").length,
      headings: parsed.blocks.filter((b) => b.kind === "heading").length,
    } as const;
  }, IMMEDIATE);
}

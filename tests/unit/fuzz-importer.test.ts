/**
 * Property-based tests of the article importer (app/models/importer.server.ts):
 *
 * - `parseArticle` on arbitrary text, plain or Markdown, either returns a well-formed article (a
 *   title, paragraphs numbered 1…n with anchors p-1…p-n, unique heading anchors, every text
 *   non-empty and whitespace-normalised) or throws its own `ImportError` — never anything else;
 * - `importArticle` stores exactly what was parsed (read back block by block), is a no-op the second
 *   time, refuses changed text under the same slug, and refuses bad slugs with `ImportError`,
 *   leaving the database untouched when it refuses;
 * - generated articles round-trip: the paragraphs that come out are the paragraphs that went in
 *   (whitespace collapsed), in plain text and in Markdown, inline markup reduced to its text.
 *
 * Bounded and seeded: a failure prints the seed and path (FUZZ_SEED=<seed> replays; FUZZ_RUNS=<n>).
 */
import { and, asc, eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ImportError,
  importArticle,
  normaliseWhitespace,
  type ParsedArticle,
  parseArticle,
} from "#app/models/importer.server";
import { article, block } from "#db/schema";
import { createTestDb } from "./test-db";

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const TIMEOUT = 60_000;

/** Lines an article file might hold, hostile ones included, in any order. */
const LINE_FRAGMENTS = [
  "",
  " ",
  "\t",
  "\u00a0",
  "# A title",
  "#",
  "# ",
  "## A section",
  "### Deeper",
  "Editor’s note: this was written in August.",
  "Editor's note:",
  "A sentence.",
  "Two sentences. Here.",
  "A short heading",
  "- a list item",
  "1. an ordered item",
  "2) another",
  "> a block quote",
  "```",
  "    indented code",
  "---",
  "***",
  "| a | b |",
  "[a link](https://example.com) and *emphasis* and `code`",
  "![an image](https://example.com/a.png)",
  "[x](javascript:alert(1))",
  "<script>alert(1)</script>",
  "<div>html</div>",
  "&amp; &lt; &#0; &#xFFFFFF;",
  "\\",
  "\r",
  "\u2028",
  "\ufeff",
  "😀 𝒳 e\u0301",
] as const;

const line = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LINE_FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
);
const anySource = fc
  .tuple(fc.array(line, { maxLength: 25 }), fc.constantFrom("\n", "\r\n", "\n\n"))
  .map(([lines, eol]) => lines.join(eol));
const markdownOption = fc.constantFrom<boolean | undefined>(true, false, undefined);

/** Calls `work`; any exception but ImportError fails the property. Returns null on ImportError. */
function orImportError<T>(work: () => T): T | null {
  try {
    return work();
  } catch (error) {
    if (error instanceof ImportError) return null;
    throw error;
  }
}

function expectWellFormed(parsed: ParsedArticle) {
  expect(parsed.title).not.toBe("");
  expect(parsed.title).toBe(normaliseWhitespace(parsed.title));
  if (parsed.dek !== null) expect(parsed.dek).toBe(normaliseWhitespace(parsed.dek));
  const paragraphs = parsed.blocks.filter((b) => b.kind === "paragraph");
  expect(paragraphs.length).toBeGreaterThan(0);
  paragraphs.forEach((p, i) => {
    expect(p.number).toBe(i + 1);
    expect(p.anchor).toBe(`p-${i + 1}`);
  });
  const headings = parsed.blocks.filter((b) => b.kind === "heading");
  for (const h of headings) {
    expect(h.number).toBeNull();
    expect(h.anchor).toMatch(/^s-[a-z0-9-]+$/);
  }
  expect(new Set(parsed.blocks.map((b) => b.anchor)).size).toBe(parsed.blocks.length);
  for (const b of parsed.blocks) {
    expect(b.text).not.toBe("");
    expect(b.text).toBe(normaliseWhitespace(b.text));
  }
}

/** What the database holds for an article: its fields and its blocks in order. */
function readBack(db: ReturnType<typeof createTestDb>, articleId: number) {
  const row = db.select().from(article).where(eq(article.id, articleId)).get();
  const blocks = db
    .select({ kind: block.kind, text: block.text, anchor: block.anchor, number: block.number })
    .from(block)
    .where(and(eq(block.articleId, articleId), eq(block.revisionId, row?.currentRevisionId ?? -1)))
    .orderBy(asc(block.position))
    .all();
  return { title: row?.title, dek: row?.dek, editorsNote: row?.editorsNote, blocks };
}

function counts(db: ReturnType<typeof createTestDb>) {
  return {
    articles: db.select().from(article).all().length,
    blocks: db.select().from(block).all().length,
  };
}

describe("parseArticle on arbitrary text", () => {
  it(
    "returns a well-formed article or throws ImportError, nothing else",
    () => {
      fc.assert(
        fc.property(anySource, markdownOption, (source, markdown) => {
          const parsed = orImportError(() => parseArticle(source, { markdown }));
          if (parsed) expectWellFormed(parsed);
        }),
        { seed: SEED, numRuns: RUNS * 2 },
      );
    },
    TIMEOUT,
  );

  it(
    "survives lone surrogates and control characters too",
    () => {
      const raw = fc.string({
        unit: fc.oneof(
          fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }),
          fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
          fc.constantFrom("\n", "\n\n", "# ", "Editor’s note: "),
        ),
        maxLength: 200,
      });
      fc.assert(
        fc.property(raw, markdownOption, (source, markdown) => {
          const parsed = orImportError(() => parseArticle(source, { markdown }));
          if (parsed) expectWellFormed(parsed);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe("importArticle on whatever parses", () => {
  it(
    "stores exactly what was parsed, once, and refuses without writing",
    () => {
      const db = createTestDb();
      let n = 0;
      fc.assert(
        fc.property(
          anySource,
          markdownOption,
          fc.oneof(fc.constant(undefined), fc.string({ maxLength: 12 })),
          (source, markdown, slugText) => {
            const parsed = orImportError(() => parseArticle(source, { markdown }));
            if (!parsed) return;
            n += 1;
            const slug = slugText === undefined ? `fuzz-${n}` : slugText;
            const before = counts(db);
            const result = orImportError(() => importArticle(db, parsed, { slug }));
            if (result === null) {
              // Refused (a bad slug): nothing written.
              expect(counts(db)).toEqual(before);
              return;
            }
            if (result.status === "unchanged") return;
            expect(result.slug).toBe(slug);
            expect(readBack(db, result.articleId)).toEqual({
              title: parsed.title,
              dek: parsed.dek,
              editorsNote: parsed.editorsNote,
              blocks: parsed.blocks,
            });
            // The same text again is a no-op; other text under this slug is its next revision,
            // which keeps every paragraph (same words, same anchors) and the first revision's blocks.
            expect(importArticle(db, parsed, { slug }).status).toBe("unchanged");
            const changed = { ...parsed, title: `${parsed.title} (revised)` };
            const afterFirst = counts(db);
            expect(importArticle(db, changed, { slug }).status).toBe("revised");
            expect(readBack(db, result.articleId)).toEqual({
              title: changed.title,
              dek: parsed.dek,
              editorsNote: parsed.editorsNote,
              blocks: parsed.blocks,
            });
            expect(counts(db)).toEqual({
              articles: afterFirst.articles,
              blocks: afterFirst.blocks + parsed.blocks.length,
            });
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
      db.$client.close();
    },
    TIMEOUT,
  );
});

// Generated articles whose paragraphs are known, to check that they come out as they went in.

/** A word: letters from several scripts (astral and combining included), no spaces or periods. */
const word = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCÉßøλжא字", "𝒳", "e\u0301", "’", "-"),
  minLength: 1,
  maxLength: 8,
});
/** Whitespace between words as a file might have it: runs, tabs, no-break spaces, line breaks. */
const gap = fc.constantFrom(" ", " ", " ", "  ", "\t", "\u00a0", "\n", " \n ");
/** A sentence: words joined by gaps, ending with a period. */
const sentence = fc
  .tuple(fc.array(fc.tuple(word, gap), { minLength: 1, maxLength: 10 }), word)
  .map(([pairs, last]) => `${pairs.map(([w, g]) => w + g).join("")}${last}.`);
/** A paragraph of two to four sentences: never a heading, never a dek. */
const paragraph = fc
  .array(sentence, { minLength: 2, maxLength: 4 })
  .map((sentences) => sentences.join(" "));
const title = fc
  .array(word, { minLength: 1, maxLength: 6 })
  .map((words) => words.join(" "))
  .filter((t) => /^\p{L}/u.test(t));

describe("round trips", () => {
  it(
    "plain text: the paragraphs that come out are the paragraphs that went in",
    () => {
      const db = createTestDb();
      let n = 0;
      fc.assert(
        fc.property(title, fc.array(paragraph, { minLength: 1, maxLength: 6 }), (t, paragraphs) => {
          const source = `${t}\n\n${paragraphs.join("\n\n")}\n`;
          const parsed = parseArticle(source, { markdown: false });
          expect(parsed.title).toBe(normaliseWhitespace(t));
          expect(parsed.dek).toBeNull();
          expect(parsed.blocks.map((b) => [b.kind, b.text])).toEqual(
            paragraphs.map((p) => ["paragraph", normaliseWhitespace(p)]),
          );
          n += 1;
          const { articleId } = importArticle(db, parsed, { slug: `round-${n}` });
          expect(readBack(db, articleId).blocks.map((b) => b.text)).toEqual(
            paragraphs.map((p) => normaliseWhitespace(p)),
          );
        }),
        { seed: SEED, numRuns: RUNS },
      );
      db.$client.close();
    },
    TIMEOUT,
  );

  /** A word wrapped in inline Markdown, with the text a reader sees of it. */
  const markedWord = fc
    .tuple(
      word.filter((w) => /^[\p{L}\p{M}]+$/u.test(w)),
      fc.constantFrom("plain", "em", "strong", "code", "link", "strike"),
    )
    .map(([w, how]) => {
      const marked: Record<string, string> = {
        plain: w,
        em: `*${w}*`,
        strong: `**${w}**`,
        code: `\`${w}\``,
        link: `[${w}](https://example.com/${encodeURIComponent(w)})`,
        strike: `~~${w}~~`,
      };
      return { markdown: marked[how] ?? w, text: w };
    });
  const markdownParagraph = fc
    .array(
      fc.array(markedWord, { minLength: 1, maxLength: 8 }).map((words) => ({
        markdown: `${words.map((w) => w.markdown).join(" ")}.`,
        text: `${words.map((w) => w.text).join(" ")}.`,
      })),
      { minLength: 2, maxLength: 3 },
    )
    .map((sentences) => ({
      // A soft line break between sentences: a newline in the file, a space once normalised.
      markdown: sentences.map((s) => s.markdown).join("\n"),
      text: sentences.map((s) => s.text).join(" "),
    }));

  it(
    "Markdown: inline markup is reduced to its text, headings stay headings",
    () => {
      fc.assert(
        fc.property(
          title,
          fc.array(fc.tuple(markdownParagraph, fc.option(title)), { minLength: 1, maxLength: 5 }),
          (t, sections) => {
            const parts = [`# ${t}`];
            const expected: [string, string][] = [];
            for (const [p, heading] of sections) {
              if (heading !== null) {
                parts.push(`## ${heading}`);
                expected.push(["heading", normaliseWhitespace(heading)]);
              }
              parts.push(p.markdown);
              expected.push(["paragraph", p.text]);
            }
            const parsed = parseArticle(parts.join("\n\n"), { markdown: true });
            expect(parsed.title).toBe(normaliseWhitespace(t));
            expect(parsed.dek).toBeNull();
            expect(parsed.blocks.map((b) => [b.kind, b.text])).toEqual(expected);
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

/**
 * Search ranks and highlights in JavaScript (search-text.server.ts) what FTS5 found, so its words
 * must be FTS5's words: here both cut the same texts (long and short, with punctuation, sentences,
 * diacritics, other scripts) and the snippets and highlights must come out the same as FTS5's own
 * `snippet()` and `highlight()` over a table with the index's tokenizer.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { markedHtml, searchTerms, toFtsQuery } from "#app/models/search.server";
import { countWords, highlightText, matcherFor } from "#app/models/search-text.server";

const WORDS = [
  "the",
  "Taliban",
  "government",
  "governments",
  "aid",
  "Kabul",
  "naïve",
  "Café",
  "DÉJÀ",
  "vu",
  "women",
  "education",
  "中文",
  "мир",
  "don't",
  "3.14",
  "1,000",
  "e\u0301cole",
  "Straße",
  "ﬁne",
];
const GLUE = [" ", " ", " ", ", ", ". ", ": ", " — ", "\n\n", " (", ") ", "; ", "! ", " “", "” "];

/** A deterministic stream of texts from a small seeded generator. */
function texts(count: number, seed = 7): string[] {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(state / 65_536) % n;
  };
  return Array.from({ length: count }, () => {
    const length = 1 + next(next(4) === 0 ? 200 : 40);
    let text = next(5) === 0 ? "« " : "";
    for (let i = 0; i < length; i++) {
      text += (WORDS[next(WORDS.length)] ?? "") + (GLUE[next(GLUE.length)] ?? " ");
    }
    return text;
  });
}

const MARKS = { open: "\uE000", close: "\uE001", ellipsis: "…" };

describe("search text", () => {
  const db = new Database(":memory:");
  db.exec(
    "create virtual table t using fts5(body, tokenize = 'unicode61 remove_diacritics 2');" +
      "create virtual table v using fts5vocab(t, 'instance');",
  );
  const all = texts(400);
  const insert = db.prepare("insert into t (rowid, body) values (?, ?)");
  all.forEach((text, i) => {
    insert.run(i + 1, text);
  });

  it.each([
    "taliban government",
    "government ",
    "the",
    "cafe deja",
    "ecole",
    "straße",
    "中文",
    "don",
    "aid women education",
  ])("snippets and highlights as FTS5's for %j", (input) => {
    const terms = searchTerms(input);
    const query = toFtsQuery(input);
    if (!terms || !query) throw new Error("no terms");
    const match = matcherFor(terms.words, terms.prefixLast);
    const rows = db
      .prepare(
        "select rowid, body, snippet(t, 0, ?, ?, ?, 32) as snippet, highlight(t, 0, ?, ?) as whole from t where t match ?",
      )
      .all(MARKS.open, MARKS.close, MARKS.ellipsis, MARKS.open, MARKS.close, query) as {
      rowid: number;
      body: string;
      snippet: string;
      whole: string;
    }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(markedHtml(highlightText(row.body, match, MARKS, 32)), `row ${row.rowid}`).toBe(
        markedHtml(row.snippet),
      );
      expect(markedHtml(highlightText(row.body, match, MARKS)), `row ${row.rowid}`).toBe(
        markedHtml(row.whole),
      );
    }
  });

  it("counts the words FTS5 indexes, and the query's among them", () => {
    const match = matcherFor(["the", "govern"], true);
    const length = db.prepare("select count(*) from v where doc = ?").pluck();
    const the = db.prepare("select count(*) from v where doc = ? and term = 'the'").pluck();
    const govern = db
      .prepare("select count(*) from v where doc = ? and term like 'govern%'")
      .pluck();
    all.forEach((text, i) => {
      expect(countWords(text, match, 2), `text ${i + 1}`).toEqual({
        length: length.get(i + 1),
        frequencies: [the.get(i + 1), govern.get(i + 1)],
      });
    });
  });
});

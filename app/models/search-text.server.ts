/**
 * What search does with the text of the annotations FTS5 found, in JavaScript: scoring them and
 * marking the words that matched. FTS5 decides what matches; this only ranks and highlights its
 * results, for the page shown. FTS5's own `bm25()` and `snippet()` cost too much for broad
 * searches: bm25 counts every document containing each word before it scores one (57,000 rows for
 * "Taliban" in the bench database), and snippets were built for every match, not the page (ADR 017).
 *
 * Words are cut and folded as the index's tokenizer (`unicode61 remove_diacritics 2`) does:
 * letters, digits and private-use characters, with combining marks folded away and case folded.
 * Compared with FTS5's own tokens over 3,000 bench bodies and the unit tests' hostile strings, they
 * agree token for token. The snippet follows FTS5's `snippet()`: the window of `tokens` words with
 * the most distinct matching words, centred on them, or starting a sentence when that scores as
 * well, with an ellipsis where text was left out.
 */

/** A word as the index's tokenizer sees one (marks included, then folded away). */
const TOKEN = /[\p{L}\p{N}\p{Co}\p{M}]+/gu;
const MARKS = /\p{M}/gu;

/** A word folded as the index folds it: no diacritics, lower case. */
export function foldWord(word: string): string {
  return word.normalize("NFD").replace(MARKS, "").toLowerCase();
}

/** Which query words (by index) a folded token is an instance of. */
export type Matcher = (folded: string) => number[];

const NO_HITS: number[] = [];

/** The query's words folded; the last also matches as a prefix when `prefixLast`. */
export function matcherFor(words: string[], prefixLast: boolean): Matcher {
  const folded = words.map(foldWord);
  const last = folded.length - 1;
  return (token) => {
    let hits = NO_HITS;
    for (let i = 0; i < folded.length; i++) {
      const word = folded[i] as string;
      if (token === word || (prefixLast && i === last && token.startsWith(word))) {
        if (hits === NO_HITS) hits = [];
        hits.push(i);
      }
    }
    return hits;
  };
}

type Token = { start: number; end: number; hits: number[] };

function tokenize(text: string, match: Matcher): Token[] {
  const tokens: Token[] = [];
  for (const found of text.matchAll(TOKEN)) {
    const folded = foldWord(found[0]);
    // A run of marks alone folds to nothing: the tokenizer skips it.
    if (folded === "") continue;
    tokens.push({ start: found.index, end: found.index + found[0].length, hits: match(folded) });
  }
  return tokens;
}

/**
 * BM25 over the texts of one annotation (body, quote, source title, as one document) for the
 * query's words, each weighted alike: every result contains every word (the query ANDs them), so
 * what tells results apart is how often the words occur and in how much text. `averageLength` is
 * the candidates' average.
 */
export function scoreText(
  counts: { length: number; frequencies: number[] },
  averageLength: number,
): number {
  const k1 = 1.2;
  const b = 0.75;
  const norm = k1 * (1 - b + (b * counts.length) / Math.max(averageLength, 1));
  let score = 0;
  for (const tf of counts.frequencies) score += (tf * (k1 + 1)) / (tf + norm);
  return score;
}

/** Anything between words, once the text is folded (marks are gone by then). */
const BETWEEN_WORDS = /[^\p{L}\p{N}\p{Co}]+/u;

/**
 * How many words a text has and how often each query word occurs in it. The whole text is folded
 * once and split, rather than word by word as for highlighting: ranking reads every candidate.
 */
export function countWords(
  text: string,
  match: Matcher,
  wordCount: number,
): { length: number; frequencies: number[] } {
  const frequencies = new Array<number>(wordCount).fill(0);
  let length = 0;
  for (const word of foldWord(text).split(BETWEEN_WORDS)) {
    if (word === "") continue;
    length += 1;
    for (const i of match(word)) frequencies[i] = (frequencies[i] ?? 0) + 1;
  }
  return { length, frequencies };
}

/** FTS5's snippet score of the window of `size` tokens from `from`: distinct words count most. */
function windowScore(tokens: Token[], from: number, size: number) {
  const seen = new Set<number>();
  let score = 0;
  let first = -1;
  let last = -1;
  for (let i = from; i < Math.min(from + size, tokens.length); i++) {
    const hits = tokens[i]?.hits ?? [];
    for (const hit of hits) {
      score += seen.has(hit) ? 1 : 1000;
      seen.add(hit);
    }
    if (hits.length > 0) {
      if (first < 0) first = i;
      last = i + 1;
    }
  }
  return { score, first, last };
}

/** Tokens that begin a sentence: the first, and any after a "." or ":" and white space. */
function sentenceStarts(text: string, tokens: Token[]): number[] {
  const starts: number[] = tokens.length > 0 ? [0] : [];
  for (let i = 1; i < tokens.length; i++) {
    let at = (tokens[i]?.start ?? 0) - 1;
    while (at >= 0 && " \t\n\r".includes(text[at] ?? "")) at--;
    if (at !== (tokens[i]?.start ?? 0) - 1 && (text[at] === "." || text[at] === ":")) {
      starts.push(i);
    }
  }
  return starts;
}

/** The first token of the best window of `size` tokens, as FTS5's snippet() chooses it. */
function bestWindow(text: string, tokens: Token[], size: number): number {
  const count = tokens.length;
  const starts = count > size ? sentenceStarts(text, tokens) : [];
  let bestScore = 0;
  let bestStart = 0;
  tokens.forEach((token, at) => {
    if (token.hits.length === 0) return;
    const { score, first, last } = windowScore(tokens, at, size);
    if (score > bestScore) {
      let adjusted = first - Math.trunc((size - (last - first)) / 2);
      if (adjusted + size > count) adjusted = count - size;
      bestScore = score;
      bestStart = Math.max(adjusted, 0);
    }
    if (starts.length > 0) {
      let j = 0;
      while (j < starts.length - 1 && (starts[j + 1] ?? 0) <= at) j++;
      const start = starts[j] ?? 0;
      if (start < at) {
        const sentence = windowScore(tokens, start, size).score + (start === 0 ? 120 : 100);
        if (sentence > bestScore) {
          bestScore = sentence;
          bestStart = start;
        }
      }
    }
  });
  return bestStart;
}

/**
 * The text (or, with `size`, the best window of `size` words of it) with every matching word
 * between `open` and `close`, and `ellipsis` where text was left out; the caller escapes it
 * (`markedHtml`).
 */
export function highlightText(
  text: string,
  match: Matcher,
  marks: { open: string; close: string; ellipsis: string },
  size?: number,
): string {
  const tokens = tokenize(text, match);
  const whole = size === undefined || tokens.length <= size;
  const from = whole ? 0 : bestWindow(text, tokens, size);
  const to = whole ? tokens.length - 1 : Math.min(from + size - 1, tokens.length - 1);
  let out = from > 0 ? marks.ellipsis : "";
  let offset = from > 0 ? (tokens[from]?.start ?? 0) : 0;
  for (let i = from; i <= to; i++) {
    const token = tokens[i];
    if (!token || token.hits.length === 0) continue;
    out += text.slice(offset, token.start) + marks.open + text.slice(token.start, token.end);
    out += marks.close;
    offset = token.end;
  }
  if (to >= tokens.length - 1) return out + text.slice(offset);
  return out + text.slice(offset, tokens[to]?.end ?? offset) + marks.ellipsis;
}

/**
 * W3C Web Annotation selectors over one paragraph's plain text: describing a reader's selection
 * as a quote plus a position, validating a submitted quote, and re-anchoring stored selectors
 * after the paragraph's text has been edited. Every offset counts Unicode code points, as the
 * W3C model defines, so an emoji before a quote shifts nothing. Approximate matching is
 * approx-string-match's (Myers' bit-parallel algorithm, as in the Hypothesis client).
 */
import search, { type Match } from "approx-string-match";

/** How many code points of context a selector keeps on each side of the quote. */
export const CONTEXT_LENGTH = 32;

/** The quoted text with some context on each side (W3C TextQuoteSelector). */
export type TextQuoteSelector = {
  /** The selected text itself. */
  exact: string;
  /** Up to {@link CONTEXT_LENGTH} code points immediately before the quote. */
  prefix: string;
  /** Up to {@link CONTEXT_LENGTH} code points immediately after the quote. */
  suffix: string;
};

/** A half-open range `[start, end)` of code point offsets (W3C TextPositionSelector). */
export type TextPositionSelector = {
  start: number;
  end: number;
};

/** Both selectors for one passage: the quote survives edits, the position tells repeats apart. */
export type PassageSelector = {
  quote: TextQuoteSelector;
  position: TextPositionSelector;
};

/** A quote to look for; context is optional because users' submissions may lack it. */
export type QuoteQuery = {
  exact: string;
  prefix?: string;
  suffix?: string;
};

/**
 * Outcome of {@link reanchor}, one of three:
 * - `anchored`: the exact quote was found; `moved` when not at the stored position (the stored
 *   position selector should then be updated to `position`).
 * - `changed`: only an approximate match remains, at `position`, with `similarity` (from
 *   {@link MIN_SIMILARITY} to just under 1; see there for its definition). The annotation
 *   should be re-described there (`describePassage`) and flagged as quoting edited text.
 * - `orphaned`: nothing close enough exists; `position` is absent.
 */
export type ReanchorResult =
  | { status: "anchored"; position: TextPositionSelector; moved: boolean }
  | { status: "changed"; position: TextPositionSelector; similarity: number }
  | { status: "orphaned"; position?: undefined };

/** Number of code points in `s`; a lone surrogate counts as one. */
export function codePointLength(s: string): number {
  let count = 0;
  for (const _ of s) count++;
  return count;
}

/** Like `Array.prototype.slice`, but indexes code points instead of UTF-16 units. */
export function codePointSlice(s: string, start: number, end?: number): string {
  return Array.from(s).slice(start, end).join("");
}

const WHITESPACE = /\s/u;

function isWhitespace(ch: string | undefined): boolean {
  return ch !== undefined && WHITESPACE.test(ch);
}

// Readers type straight quotes where the article has typographic ones (and vice versa); each
// fold maps one code point to one code point, so offsets are unaffected.
const QUOTE_FOLDS = new Map<string, string>([
  ["\u2018", "'"],
  ["\u2019", "'"],
  ["\u201A", "'"],
  ["\u201B", "'"],
  ["\u2032", "'"],
  ["\u201C", '"'],
  ["\u201D", '"'],
  ["\u201E", '"'],
  ["\u201F", '"'],
  ["\u2033", '"'],
]);

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHARACTER.test(ch);
}

function foldChar(ch: string): string {
  if (isWhitespace(ch)) return " ";
  return QUOTE_FOLDS.get(ch) ?? ch;
}

/** Text with whitespace runs collapsed and quotes folded, mapped back to code point offsets. */
type FoldedText = {
  text: string;
  /** For each UTF-16 unit of `text`, the code point offset it came from in the original. */
  origin: number[];
};

function foldText(chars: readonly string[]): FoldedText {
  const parts: string[] = [];
  const origin: number[] = [];
  let inSpace = false;
  chars.forEach((ch, i) => {
    const folded = foldChar(ch);
    if (folded === " ") {
      if (inSpace) return;
      inSpace = true;
    } else {
      inSpace = false;
    }
    parts.push(folded);
    for (let unit = 0; unit < folded.length; unit++) origin.push(i);
  });
  return { text: parts.join(""), origin };
}

function foldString(s: string): string {
  return foldText(Array.from(s)).text;
}

function commonSuffixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

function commonPrefixLength(a: string, b: string, bFrom: number): number {
  let n = 0;
  while (n < a.length && bFrom + n < b.length && a[n] === b[bFrom + n]) n++;
  return n;
}

type Occurrence = TextPositionSelector & {
  /** How many units of prefix and suffix agree with the text around this occurrence. */
  context: number;
};

/** Every place the quote occurs, whitespace-loosely, in ascending order of start. */
function findOccurrences(chars: readonly string[], query: QuoteQuery): Occurrence[] {
  const needle = foldString(query.exact).trim();
  if (needle === "") return [];
  const folded = foldText(chars);
  const prefix = foldString(query.prefix ?? "");
  const suffix = foldString(query.suffix ?? "");
  const found: Occurrence[] = [];
  for (let at = folded.text.indexOf(needle); at !== -1; at = folded.text.indexOf(needle, at + 1)) {
    const unit = folded.text.charCodeAt(at);
    // A match starting on a low surrogate would split a code point.
    if (unit >= 0xdc00 && unit <= 0xdfff) continue;
    const start = folded.origin[at];
    const last = folded.origin[at + needle.length - 1];
    if (start === undefined || last === undefined) continue;
    const context =
      commonSuffixLength(prefix, folded.text.slice(0, at)) +
      commonPrefixLength(suffix, folded.text, at + needle.length);
    found.push({ start, end: last + 1, context });
  }
  return found;
}

/** Picks the first element that no later element strictly beats. */
function pickBest<T>(items: readonly T[], better: (a: T, b: T) => boolean): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (best === undefined || better(item, best)) best = item;
  }
  return best;
}

/**
 * Builds quote and position selectors for `[start, end)` in `text` (code point offsets). The
 * range is first trimmed to non-whitespace ends, since selections often drag in spaces.
 * Returns null for an empty, out-of-bounds, non-integer or whitespace-only range.
 */
export function describePassage(text: string, start: number, end: number): PassageSelector | null {
  if (!Number.isInteger(start) || !Number.isInteger(end)) return null;
  const chars = Array.from(text);
  if (start < 0 || end > chars.length || start >= end) return null;
  let from = start;
  let to = end;
  while (from < to && isWhitespace(chars[from])) from++;
  while (to > from && isWhitespace(chars[to - 1])) to--;
  if (from === to) return null;
  return {
    quote: {
      exact: chars.slice(from, to).join(""),
      prefix: chars.slice(Math.max(0, from - CONTEXT_LENGTH), from).join(""),
      suffix: chars.slice(to, to + CONTEXT_LENGTH).join(""),
    },
    position: { start: from, end: to },
  };
}

/**
 * Finds `quote.exact` in `text`. Whitespace runs in the quote match whitespace runs in the text
 * (selections across line breaks), and typographic quotes match straight ones. An occurrence
 * starting exactly at `hint.start` wins; otherwise the one whose surroundings best agree with
 * the prefix and suffix, then the one nearest the hint, then the first. The returned range
 * covers the quote without leading or trailing whitespace. Null when the quote does not occur.
 */
export function locateQuote(
  text: string,
  quote: QuoteQuery,
  hint?: { start?: number },
): TextPositionSelector | null {
  const occurrences = findOccurrences(Array.from(text), quote);
  const hinted = hint?.start;
  const atHint = occurrences.find((o) => o.start === hinted);
  const best =
    atHint ??
    pickBest(occurrences, (a, b) => {
      if (a.context !== b.context) return a.context > b.context;
      if (hinted === undefined || !Number.isFinite(hinted)) return false;
      return Math.abs(a.start - hinted) < Math.abs(b.start - hinted);
    });
  return best ? { start: best.start, end: best.end } : null;
}

/** Code points of `s` after {@link foldChar}: the alphabet every comparison below works in. */
function foldedChars(s: string): string[] {
  return Array.from(s, foldChar);
}

function isSurrogateUnit(ch: string): boolean {
  const unit = ch.charCodeAt(0);
  return unit >= 0xd800 && unit <= 0xdfff;
}

/**
 * approx-string-match compares UTF-16 code units, so on its own an emoji would count as two
 * characters (two errors when replaced) and a match could start or end inside a surrogate pair.
 * This gives every code point in the inputs exactly one code unit: BMP characters keep their
 * own, and each distinct astral character (or lone surrogate) gets a unit that no input uses.
 * Offsets and error counts in the encoded strings are therefore code point offsets and edits.
 */
function codePointEncoder(
  inputs: readonly (readonly string[])[],
): (chars: readonly string[]) => string {
  const taken = new Set<number>();
  const astral = new Set<string>();
  for (const chars of inputs) {
    for (const ch of chars) {
      if (ch.length === 1 && !isSurrogateUnit(ch)) taken.add(ch.charCodeAt(0));
      else astral.add(ch);
    }
  }
  const units = new Map<string, string>();
  // Surrogate units first: no BMP character takes one, so they are free in all but the most
  // exotic paragraphs (over 2,048 distinct astral characters), where the search moves past them.
  let next = 0xd800;
  for (const ch of astral) {
    while (taken.has(next)) next++;
    units.set(ch, String.fromCharCode(Math.min(next++, 0xffff)));
  }
  return (chars) => chars.map((ch) => units.get(ch) ?? ch).join("");
}

/**
 * Least similarity an approximate match needs for a re-anchored annotation to be "changed"
 * rather than "orphaned". Similarity is `1 - errors / quote length`: errors are the code points
 * inserted, deleted or substituted (edit distance, as approx-string-match counts it) between
 * the stored quote and the passage found, and the quote length is the stored quote's length in
 * code points without surrounding whitespace. At 0.75 a quote of 40 code points survives 10
 * edits (an inserted or deleted word or two); a quote of 3 never matches approximately.
 */
export const MIN_SIMILARITY = 0.75;

// Weights from Hypothesis's match-quote.ts: the quote's similarity matters most, the context on
// each side next, and closeness to the old position only breaks ties.
const QUOTE_WEIGHT = 50;
const PREFIX_WEIGHT = 20;
const SUFFIX_WEIGHT = 20;
const POSITION_WEIGHT = 2;

/**
 * How well `expected` (stored context) matches within `actual` (the text beside a candidate),
 * from 0 to 1. An empty `expected` tells nothing about a candidate, so it scores 1 for all.
 */
function contextScore(actual: string, expected: string): number {
  if (expected.length === 0) return 1;
  if (actual.length === 0) return 0;
  // With `expected.length` errors allowed there is always a match: deleting everything.
  const errors = search(actual, expected, expected.length)[0]?.errors ?? expected.length;
  return 1 - errors / expected.length;
}

type ApproximateMatch = { position: TextPositionSelector; similarity: number };

/**
 * Counts the work of approximate searches, for a caller that must bound it (an imported file can
 * ask for thousands). Units, not time, so that the same input always spends the same amount.
 */
export type WorkMeter = { spent: number };

/** Roughly what a search for a quote does per text character and per match, beyond the bit-vectors. */
const PER_CHARACTER = 4;
const PER_MATCH = 750;
const PER_SEARCH = 2_000;

/**
 * The work of one approximate search of a quote of `quoteLength` code points in a text of
 * `textLength`, in units of about one bit-vector step, when approx-string-match returns `matches`.
 * Its forward pass steps each text character through ⌈quote/32⌉ words; each match costs a reverse
 * pass over about the quote's length plus its errors (to find the start), and the scoring of its
 * context. The per-match part is what explodes on repetitive text, where nearly every position is
 * an equally good match: measured, a unit is 5–100 ns on a small server.
 */
export function approximateSearchCost(
  textLength: number,
  quoteLength: number,
  matches: number,
): number {
  const words = Math.ceil(quoteLength / 32);
  const maxErrors = Math.floor(quoteLength * (1 - MIN_SIMILARITY) + 1e-9);
  return (
    PER_SEARCH +
    textLength * (words + PER_CHARACTER) +
    matches * ((quoteLength + maxErrors) * words + PER_MATCH)
  );
}

/** The most an approximate search can cost before it runs: every text position a match. */
export function worstApproximateCost(textLength: number, quoteLength: number): number {
  return approximateSearchCost(textLength, quoteLength, textLength);
}

/** The largest `editDistance` table an approximate match's growth may fill (~1 ms). */
const MAX_RECOUNT_CELLS = 250_000;

/** Edits (code points inserted, deleted or substituted) that turn `a` into `b`. */
function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The best approximate occurrence of the selector's quote in `chars`, with at least
 * {@link MIN_SIMILARITY}; null when there is none. approx-string-match finds the candidates with
 * the fewest edits; of those, the one whose surroundings best agree with the stored prefix and
 * suffix wins, then the one nearest the old position (Hypothesis's weighted score).
 */
function matchApproximately(
  chars: readonly string[],
  quote: TextQuoteSelector,
  oldStart: number,
  meter?: WorkMeter,
): ApproximateMatch | null {
  const pattern = foldedChars(quote.exact.trim());
  const maxErrors = Math.floor(pattern.length * (1 - MIN_SIMILARITY) + 1e-9);
  if (maxErrors === 0 || chars.length === 0) return null;
  const textChars = chars.map(foldChar);
  const prefixChars = foldedChars(quote.prefix);
  const suffixChars = foldedChars(quote.suffix);
  const encode = codePointEncoder([textChars, pattern, prefixChars, suffixChars]);
  const text = encode(textChars);
  const prefix = encode(prefixChars);
  const suffix = encode(suffixChars);

  const score = ({ start, end, errors }: Match): number => {
    const quoteScore = 1 - errors / pattern.length;
    const before = text.slice(Math.max(0, start - prefix.length), start);
    const after = text.slice(end, end + suffix.length);
    const positionScore = 1 - Math.abs(start - oldStart) / text.length;
    return (
      QUOTE_WEIGHT * quoteScore +
      PREFIX_WEIGHT * contextScore(before, prefix) +
      SUFFIX_WEIGHT * contextScore(after, suffix) +
      POSITION_WEIGHT * positionScore
    );
  };
  const matches = search(text, encode(pattern), maxErrors);
  if (meter) meter.spent += approximateSearchCost(chars.length, pattern.length, matches.length);
  const scored = matches.map((match) => ({
    match,
    score: score(match),
  }));
  const best = pickBest(scored, (a, b) => a.score > b.score)?.match;
  if (!best) return null;

  let { start, end } = best;
  while (start < end && isWhitespace(chars[start])) start++;
  while (end > start && isWhitespace(chars[end - 1])) end--;
  // Selections almost always stop at word boundaries, while the cheapest alignment happily
  // stops mid-word ("chose" edited to "chooses" aligns best with "choose"; "Doha" edited to
  // "Qatar" with "Qa", as cheap as "Qata"): when the original quote began or ended on a word
  // boundary, grow the match to one, if the grown passage is still within the error budget. Its
  // edits are counted afresh: each character added may as well remove an edit as add one.
  let errors = best.errors;
  const endsWord = isWordChar(pattern.at(-1)) && !isWordChar(suffixChars[0]);
  const startsWord = isWordChar(pattern[0]) && !isWordChar(prefixChars.at(-1));
  let grownEnd = end;
  while (
    endsWord &&
    grownEnd - end < maxErrors &&
    isWordChar(chars[grownEnd - 1]) &&
    isWordChar(chars[grownEnd])
  ) {
    grownEnd++;
  }
  let grownStart = start;
  while (
    startsWord &&
    start - grownStart < maxErrors &&
    isWordChar(chars[grownStart]) &&
    isWordChar(chars[grownStart - 1])
  ) {
    grownStart--;
  }
  if (grownStart !== start || grownEnd !== end) {
    const added = start - grownStart + (grownEnd - end);
    // Counting afresh is quadratic: past a few hundred code points, each character added is
    // charged as an edit instead (an upper bound).
    const grownErrors =
      pattern.length * (grownEnd - grownStart) <= MAX_RECOUNT_CELLS
        ? editDistance(textChars.slice(grownStart, grownEnd), pattern)
        : errors + added;
    if (grownErrors <= maxErrors) {
      start = grownStart;
      end = grownEnd;
      errors = grownErrors;
    }
  }
  if (start >= end) return null;
  return { position: { start, end }, similarity: 1 - errors / pattern.length };
}

/**
 * Re-anchors a stored selector in a possibly edited paragraph, Hypothesis-style, to one of
 * three outcomes:
 * - `anchored`: the exact quote is there: at the stored position (`moved: false`), or else at
 *   the occurrence nearest the old position, context breaking ties (`moved: true`). Whitespace
 *   runs and typographic quotes match loosely, as in {@link locateQuote}.
 * - `changed`: the quote is gone but a passage at least {@link MIN_SIMILARITY} similar to it
 *   remains; `position` covers that passage and `similarity` says how close it is.
 * - `orphaned`: nothing close enough is left (or the stored quote is blank).
 */
export function reanchor(
  text: string,
  selector: PassageSelector,
  {
    approximate: searchApproximately = true,
    meter,
  }: {
    /** False for the exact quote only: `orphaned` when it is not there. */
    approximate?: boolean;
    /** Where the approximate search's work is counted. */
    meter?: WorkMeter;
  } = {},
): ReanchorResult {
  const { quote, position } = selector;
  if (quote.exact.trim() === "") return { status: "orphaned" };
  const chars = Array.from(text);
  const { start, end } = position;
  if (
    Number.isInteger(start) &&
    Number.isInteger(end) &&
    start >= 0 &&
    end <= chars.length &&
    chars.slice(start, end).join("") === quote.exact
  ) {
    return { status: "anchored", position: { start, end }, moved: false };
  }
  const oldStart = Number.isFinite(start) ? start : 0;
  const exact = pickBest(findOccurrences(chars, quote), (a, b) => {
    const distanceA = Math.abs(a.start - oldStart);
    const distanceB = Math.abs(b.start - oldStart);
    if (distanceA !== distanceB) return distanceA < distanceB;
    return a.context > b.context;
  });
  if (exact) {
    const moved = exact.start !== start || exact.end !== end;
    return { status: "anchored", position: { start: exact.start, end: exact.end }, moved };
  }
  if (!searchApproximately) return { status: "orphaned" };
  const approximate = matchApproximately(chars, quote, oldStart, meter);
  return approximate ? { status: "changed", ...approximate } : { status: "orphaned" };
}

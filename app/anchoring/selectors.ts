/**
 * W3C Web Annotation selectors over one paragraph's plain text: describing a reader's selection
 * as a quote plus a position, validating a submitted quote, and re-anchoring stored selectors
 * after the paragraph's text has been edited. Every offset counts Unicode code points, as the
 * W3C model defines, so an emoji before a quote shifts nothing.
 */

/** How many code points of context a selector keeps on each side of the quote. */
export const CONTEXT_LENGTH = 32;

/** Fuzzy re-anchoring tolerates this share of the quote's length in edits. */
const MAX_ERROR_RATIO = 0.25;

/** Bounds the per-candidate scoring work when a repetitive text yields many fuzzy matches. */
const MAX_FUZZY_CANDIDATES = 64;

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
 * Outcome of re-anchoring: `anchored` when the exact quote was found (possibly elsewhere),
 * `changed` when only an approximate match remains, `orphaned` when nothing close enough exists.
 */
export type ReanchorResult =
  | { status: "anchored" | "changed"; position: TextPositionSelector }
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

type FuzzyMatch = TextPositionSelector & { errors: number };

/**
 * Sellers' approximate substring search with Ukkonen's cut-off: every end offset where some
 * substring ending there is within `maxErrors` edits of the pattern, with the start of one such
 * substring. The cut-off keeps it near O(n * maxErrors) rather than O(n * m) on typical text.
 */
function fuzzySearch(text: Int32Array, pattern: Int32Array, maxErrors: number): FuzzyMatch[] {
  const m = pattern.length;
  let prevCost = new Int32Array(m + 1);
  let prevStart = new Int32Array(m + 1);
  let cost = new Int32Array(m + 1);
  let start = new Int32Array(m + 1);
  for (let i = 0; i <= m; i++) prevCost[i] = i;
  // Rows past `active` hold costs above maxErrors; reading them as "too big" is enough.
  let active = Math.min(maxErrors, m);
  const tooBig = maxErrors + 2;
  const matches: FuzzyMatch[] = [];
  for (let j = 1; j <= text.length; j++) {
    const ch = text[j - 1];
    const top = Math.min(m, active + 1);
    cost[0] = 0;
    start[0] = j;
    for (let i = 1; i <= top; i++) {
      const diag = (prevCost[i - 1] ?? tooBig) + (pattern[i - 1] === ch ? 0 : 1);
      const up = (cost[i - 1] ?? tooBig) + 1;
      const left = i <= active ? (prevCost[i] ?? tooBig) + 1 : tooBig;
      if (diag <= up && diag <= left) {
        cost[i] = diag;
        start[i] = prevStart[i - 1] ?? j;
      } else if (up <= left) {
        cost[i] = up;
        start[i] = start[i - 1] ?? j;
      } else {
        cost[i] = left;
        start[i] = prevStart[i] ?? j;
      }
    }
    active = top;
    while (active > 0 && (cost[active] ?? tooBig) > maxErrors) active--;
    if (top === m && (cost[m] ?? tooBig) <= maxErrors) {
      matches.push({ start: start[m] ?? 0, end: j, errors: cost[m] ?? tooBig });
    }
    [prevCost, cost] = [cost, prevCost];
    [prevStart, start] = [start, prevStart];
  }
  return matches;
}

/** Keeps the ends that are local minima of the error count, so one region yields one match. */
function localMinima(matches: readonly FuzzyMatch[]): FuzzyMatch[] {
  return matches.filter((match, i) => {
    const before = matches[i - 1];
    const after = matches[i + 1];
    const beatsBefore = !before || before.end !== match.end - 1 || match.errors < before.errors;
    const beatsAfter = !after || after.end !== match.end + 1 || match.errors <= after.errors;
    return beatsBefore && beatsAfter;
  });
}

function levenshtein(a: readonly string[], b: readonly string[]): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      next.push(Math.min(substitute, (row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** 1 when `expected` matches `actual` exactly, falling towards 0 with edit distance. */
function similarity(expected: readonly string[], actual: readonly string[]): number {
  const length = Math.max(expected.length, actual.length);
  return length === 0 ? 1 : 1 - levenshtein(expected, actual) / length;
}

function toCodes(chars: readonly string[]): Int32Array {
  return Int32Array.from(chars, (ch) => foldChar(ch).codePointAt(0) ?? 0);
}

function fuzzyLocate(
  chars: readonly string[],
  selector: PassageSelector,
  oldStart: number,
): TextPositionSelector | null {
  const pattern = Array.from(selector.quote.exact.trim());
  if (pattern.length === 0 || chars.length === 0) return null;
  const maxErrors = Math.floor(pattern.length * MAX_ERROR_RATIO);
  const candidates = localMinima(fuzzySearch(toCodes(chars), toCodes(pattern), maxErrors))
    .sort((a, b) => a.errors - b.errors)
    .slice(0, MAX_FUZZY_CANDIDATES);
  const folded = (s: string) => Array.from(s, foldChar);
  const prefix = folded(selector.quote.prefix);
  const suffix = folded(selector.quote.suffix);
  const textFolded = chars.map(foldChar);
  // Weights follow Hypothesis: the quote matters most, context next, position only breaks ties.
  const score = (match: FuzzyMatch): number => {
    const quoteScore = 1 - match.errors / pattern.length;
    const before = textFolded.slice(Math.max(0, match.start - prefix.length), match.start);
    const after = textFolded.slice(match.end, match.end + suffix.length);
    const prefixScore = prefix.length > 0 ? similarity(prefix, before) : match.start === 0 ? 1 : 0;
    const suffixScore =
      suffix.length > 0 ? similarity(suffix, after) : match.end === chars.length ? 1 : 0;
    const positionScore = 1 - Math.abs(match.start - oldStart) / chars.length;
    return 50 * quoteScore + 20 * prefixScore + 20 * suffixScore + 2 * positionScore;
  };
  const scored = candidates.map((match) => ({ match, score: score(match) }));
  const best = pickBest(scored, (a, b) => a.score > b.score)?.match;
  if (!best) return null;
  let { start, end } = best;
  while (start < end && isWhitespace(chars[start])) start++;
  while (end > start && isWhitespace(chars[end - 1])) end--;
  // Selections almost always stop at word boundaries, while the cheapest alignment happily
  // stops mid-word ("chose" edited to "chooses" aligns best with "choose"): when the original
  // quote ended on a word boundary, grow the match to one, within the error budget.
  const suffixHead = Array.from(selector.quote.suffix)[0];
  const prefixTail = Array.from(selector.quote.prefix).at(-1);
  for (
    let grown = 0;
    grown < maxErrors && isWordChar(pattern.at(-1)) && !isWordChar(suffixHead);
  ) {
    if (!isWordChar(chars[end - 1]) || !isWordChar(chars[end])) break;
    end++;
    grown++;
  }
  for (let grown = 0; grown < maxErrors && isWordChar(pattern[0]) && !isWordChar(prefixTail); ) {
    if (!isWordChar(chars[start]) || !isWordChar(chars[start - 1])) break;
    start--;
    grown++;
  }
  return start < end ? { start, end } : null;
}

/**
 * Re-anchors a stored selector in a possibly edited paragraph, Hypothesis-style: the stored
 * position if it still holds the exact quote; else the exact quote elsewhere (nearest the old
 * position, context breaking ties); else the best approximate match within 25% edits
 * ("changed"); else "orphaned".
 */
export function reanchor(text: string, selector: PassageSelector): ReanchorResult {
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
    return { status: "anchored", position: { start, end } };
  }
  const oldStart = Number.isFinite(start) ? start : 0;
  const exact = pickBest(findOccurrences(chars, quote), (a, b) => {
    const distanceA = Math.abs(a.start - oldStart);
    const distanceB = Math.abs(b.start - oldStart);
    if (distanceA !== distanceB) return distanceA < distanceB;
    return a.context > b.context;
  });
  if (exact) return { status: "anchored", position: { start: exact.start, end: exact.end } };
  const fuzzy = fuzzyLocate(chars, selector, oldStart);
  return fuzzy ? { status: "changed", position: fuzzy } : { status: "orphaned" };
}

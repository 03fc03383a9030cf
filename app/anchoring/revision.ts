/**
 * Carrying annotations from one revision of an article to the next. Paragraphs are matched by
 * content, not by position, so a paragraph keeps its stable anchor key when it moves, is edited,
 * split or merged; then every annotation is re-anchored in the paragraph(s) its text went to.
 * Nothing is dropped: an annotation whose text is gone is reported as orphaned, not omitted.
 *
 * Pure functions over paragraph texts (code point offsets, as in ./selectors); the caller maps
 * indices to blocks and stores the outcome.
 */
import {
  codePointLength,
  codePointSlice,
  locateQuote,
  type PassageSelector,
  reanchor,
  type TextPositionSelector,
  type TextQuoteSelector,
} from "./selectors";

/**
 * Least word similarity (see {@link wordSimilarity}) for an edited paragraph to continue an
 * old one. In the seed article unrelated paragraphs on the same subject score at most 0.31,
 * while the larger half of a split paragraph (or the larger of two merged ones) scores at least
 * 0.67 before any other edit, so 0.5 leaves room on both sides.
 */
export const PARAGRAPH_SIMILARITY = 0.5;

/**
 * Two paragraphs share content when at least this fraction of the smaller one's word bag
 * (see {@link wordSimilarity}) is also in the other, and at least {@link MIN_SHARED_TOKENS}
 * tokens are. A split part or a merged-in paragraph scores near 1; unrelated seed paragraphs
 * score at most 0.30 (0.47 for two that repeat a clause, which is content they do share).
 */
export const SHARED_CONTENT = 0.5;

/** Keeps a short paragraph of common words from "sharing content" with every long one. */
export const MIN_SHARED_TOKENS = 6;

/**
 * Code points of stored prefix and suffix that must agree with the text around an exact quote
 * found outside the paragraph that continues the annotated one, so that a common phrase does not
 * jump to an unrelated paragraph just because it occurs there.
 */
export const TRUSTED_CONTEXT = 20;

/**
 * A quote at least this long (in code points) that occurs exactly once is trusted without
 * context: a paragraph split right before or after it leaves no context to check.
 */
export const DISTINCTIVE_LENGTH = 24;

/**
 * At most this many content-sharing paragraphs besides the continuation are searched for an
 * annotation: a split or merge spreads a paragraph over two or three, and near-duplicate
 * paragraphs (a repeated boilerplate note) must not multiply the approximate searches.
 */
export const MAX_RELATED = 3;

/** Whitespace runs collapsed, ends trimmed: the importer's normalisation, applied to both sides. */
function normalise(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The lower-cased words of a text (letters and digits). */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** A paragraph's words and adjacent word pairs with their counts. */
type WordBag = { counts: Map<string, number>; size: number };

// Single words measure shared vocabulary, which paragraphs on one subject have plenty of; pairs
// measure shared phrasing, which only edited copies of each other have. Counting both keeps
// light edits similar (a replaced word costs one word and two pairs) and unrelated text apart.
// A pair key contains a space and a word never does, so the two kinds cannot collide.
function wordBag(text: string): WordBag {
  const list = words(text);
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  list.forEach((word, i) => {
    add(word);
    if (i > 0) add(`${list[i - 1]} ${word}`);
  });
  return { counts, size: list.length === 0 ? 0 : 2 * list.length - 1 };
}

function sharedTokens(a: WordBag, b: WordBag): number {
  let shared = 0;
  for (const [key, count] of a.counts) shared += Math.min(count, b.counts.get(key) ?? 0);
  return shared;
}

function dice(shared: number, a: number, b: number): number {
  return a + b === 0 ? 1 : (2 * shared) / (a + b);
}

/**
 * Word similarity of two paragraphs, from 0 to 1: the Dice coefficient of their bags of
 * lower-cased words and adjacent word pairs (`2 × shared / (size a + size b)`, counting
 * repeats). Punctuation and whitespace are ignored.
 */
export function wordSimilarity(a: string, b: string): number {
  const bagA = wordBag(a);
  const bagB = wordBag(b);
  return dice(sharedTokens(bagA, bagB), bagA.size, bagB.size);
}

/**
 * How the paragraphs of two revisions correspond.
 * - `continues[n]`: the old paragraph that new paragraph `n` continues (it keeps that one's
 *   stable key), or null for a genuinely new paragraph.
 * - `continuedBy[o]`: the inverse, the new paragraph continuing old paragraph `o`, or null when
 *   it was deleted or merged into another.
 * - `overlap[o]`: the new paragraphs sharing content with old paragraph `o` (see
 *   {@link SHARED_CONTENT}), most shared tokens first, its continuation included: where its text
 *   went when it was split, merged into another, or lost its key to a larger part.
 */
export type ParagraphMatching = {
  continues: (number | null)[];
  continuedBy: (number | null)[];
  overlap: number[][];
};

/**
 * Matches paragraphs across revisions. Paragraphs identical after whitespace normalisation pair
 * first, wherever they moved (repeats pair in order). The rest pair one-to-one by
 * {@link wordSimilarity} of at least {@link PARAGRAPH_SIMILARITY}, most similar pairs first (then
 * the pair nearer in position), so a split paragraph is continued by its more similar part and
 * a merged paragraph continues the more similar of the old ones. Content sharing is measured
 * among the paragraphs not paired identically; an identical pair only shares with each other.
 *
 * Similarities come from an inverted index, so the cost is the number of shared words (common
 * words included) among unpaired paragraphs, not every pair's full comparison.
 */
export function matchParagraphs(oldTexts: string[], newTexts: string[]): ParagraphMatching {
  const continues: (number | null)[] = newTexts.map(() => null);
  const continuedBy: (number | null)[] = oldTexts.map(() => null);
  const overlap: number[][] = oldTexts.map(() => []);

  const identical = new Map<string, number[]>();
  oldTexts.forEach((text, o) => {
    const key = normalise(text);
    const queue = identical.get(key);
    if (queue) queue.push(o);
    else identical.set(key, [o]);
  });
  newTexts.forEach((text, n) => {
    const o = identical.get(normalise(text))?.shift();
    if (o === undefined) return;
    continues[n] = o;
    continuedBy[o] = n;
    overlap[o]?.push(n);
  });

  const oldLeft = oldTexts.flatMap((_, o) => (continuedBy[o] === null ? [o] : []));
  const newLeft = newTexts.flatMap((_, n) => (continues[n] === null ? [n] : []));
  if (oldLeft.length === 0 || newLeft.length === 0) return { continues, continuedBy, overlap };

  const oldSizes = new Int32Array(oldTexts.length);
  // Paragraph numbers and counts side by side: a million small objects would cost more.
  const postings = new Map<string, number[]>();
  for (const o of oldLeft) {
    const bag = wordBag(oldTexts[o] ?? "");
    oldSizes[o] = bag.size;
    for (const [key, count] of bag.counts) {
      const list = postings.get(key);
      if (list) list.push(o, count);
      else postings.set(key, [o, count]);
    }
  }

  const pairs: { o: number; n: number; similarity: number }[] = [];
  const sharing: { o: number; n: number; shared: number }[] = [];
  const shared = new Int32Array(oldTexts.length);
  const touched: number[] = [];
  for (const n of newLeft) {
    const bag = wordBag(newTexts[n] ?? "");
    for (const [key, count] of bag.counts) {
      const list = postings.get(key);
      if (!list) continue;
      for (let i = 0; i < list.length; i += 2) {
        const o = list[i] ?? 0;
        const before = shared[o] ?? 0;
        if (before === 0) touched.push(o);
        shared[o] = before + Math.min(count, list[i + 1] ?? 0);
      }
    }
    for (const o of touched) {
      const tokens = shared[o] ?? 0;
      shared[o] = 0;
      const oldSize = oldSizes[o] ?? 0;
      const similarity = dice(tokens, oldSize, bag.size);
      if (similarity >= PARAGRAPH_SIMILARITY) pairs.push({ o, n, similarity });
      if (tokens >= MIN_SHARED_TOKENS && tokens >= SHARED_CONTENT * Math.min(oldSize, bag.size)) {
        sharing.push({ o, n, shared: tokens });
      }
    }
    touched.length = 0;
  }

  pairs.sort(
    (a, b) =>
      b.similarity - a.similarity ||
      Math.abs(a.o - a.n) - Math.abs(b.o - b.n) ||
      a.o - b.o ||
      a.n - b.n,
  );
  for (const { o, n } of pairs) {
    if (continuedBy[o] !== null || continues[n] !== null) continue;
    continues[n] = o;
    continuedBy[o] = n;
  }

  sharing.sort((a, b) => b.shared - a.shared || a.n - b.n);
  for (const { o, n } of sharing) overlap[o]?.push(n);
  // The continuation passes the sharing test whenever it was paired by similarity; this only
  // guarantees it is listed for a tiny paragraph under MIN_SHARED_TOKENS.
  continuedBy.forEach((n, o) => {
    if (n !== null && !overlap[o]?.includes(n)) overlap[o]?.unshift(n);
  });
  return { continues, continuedBy, overlap };
}

/** One annotation to carry over: `paragraph` indexes the old texts; a null selector means the
 * whole paragraph. */
export type RevisionAnnotation = {
  id: number;
  paragraph: number;
  selector: PassageSelector | null;
};

/**
 * Where an annotation landed in the new revision.
 * - `anchored`: its exact quote was found (a whole-paragraph annotation: the paragraph is
 *   unchanged); `paragraph` is the new index and `position` the quote's range there.
 * - `changed`: only an approximate match of the quote remains, in the paragraph that continues
 *   the old one or one its text went to (a whole-paragraph annotation: that paragraph was
 *   edited, or it was merged away and this is where most of its text went). `similarity` is the
 *   quote's similarity as ./selectors defines it (MIN_SIMILARITY up to 1) for a passage, and the
 *   {@link wordSimilarity} of old and new paragraph for a whole-paragraph annotation. The
 *   caller should re-describe the passage there (`describePassage`) and flag the edit.
 * - `orphaned`: nothing trustworthy is left; `paragraph` is null.
 *
 * `moved` is true when the stored anchoring no longer describes it: it now sits in a paragraph
 * other than the one that continues (and so inherits the key of) its old paragraph, or at other
 * offsets. A paragraph that merely moved in the article does not move its annotations.
 */
export type Outcome = {
  status: "anchored" | "changed" | "orphaned";
  paragraph: number | null;
  position?: TextPositionSelector;
  similarity?: number;
  moved: boolean;
};

const ORPHANED: Outcome = { status: "orphaned", paragraph: null, moved: false };

/** Code points of stored context that agree with the text on each side of `at`. */
export function contextAgreement(
  chars: readonly string[],
  at: TextPositionSelector,
  quote: TextQuoteSelector,
): number {
  // Verbatim, as stored text is whitespace-normalised on import; the search for short quotes
  // elsewhere (occurrencesInContext) relies on it.
  const same = (a: string | undefined, b: string | undefined) => a !== undefined && a === b;
  const prefix = Array.from(quote.prefix);
  const suffix = Array.from(quote.suffix);
  let before = 0;
  while (
    before < prefix.length &&
    same(prefix[prefix.length - 1 - before], chars[at.start - 1 - before])
  ) {
    before++;
  }
  let after = 0;
  while (after < suffix.length && same(suffix[after], chars[at.end + after])) after++;
  return before + after;
}

/** Whether the quote occurs again in `text` beside the occurrence at `at` (not overlapping it). */
function occursElsewhere(text: string, exact: string, at: TextPositionSelector): boolean {
  return (
    locateQuote(codePointSlice(text, at.end), { exact }) !== null ||
    locateQuote(codePointSlice(text, 0, at.start), { exact }) !== null
  );
}

/**
 * The longest stretch of the quote without whitespace or quotation marks: locateQuote matches
 * those loosely, so only this part is certain to appear verbatim wherever the quote is found.
 */
export function literalCore(exact: string): string {
  let longest = "";
  for (const part of exact.split(/[\s'"\u2018-\u201F\u2032\u2033]+/u)) {
    if (part.length > longest.length) longest = part;
  }
  return longest;
}

// Characters locateQuote folds: with none of them in the quote and only single spaces in the
// paragraph, its loose matches are exactly the verbatim ones.
const FOLDED_IN_QUOTE = /[^\S ]| {2}|['"\u2018-\u201F\u2032\u2033]/u;
const FOLDED_IN_TEXT = /[^\S ]| {2}/u;
const SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The quote's position when it occurs verbatim exactly once and locateQuote's loose matching
 * could find no other occurrence: then locateQuote would return the same, at the cost of
 * folding the whole paragraph. Undefined when locateQuote has to decide.
 */
function soleVerbatim(text: string, exact: string): TextPositionSelector | undefined {
  if (exact === "" || exact !== exact.trim() || FOLDED_IN_QUOTE.test(exact)) return undefined;
  const index = text.indexOf(exact);
  if (index === -1 || text.indexOf(exact, index + 1) !== -1 || FOLDED_IN_TEXT.test(text)) {
    return undefined;
  }
  const before = text.slice(0, index);
  const start = SURROGATE.test(before) ? codePointLength(before) : index;
  return { start, end: start + codePointLength(exact) };
}

type Found = { paragraph: number; position: TextPositionSelector; context: number };

/**
 * The words of a quote that are whole in every occurrence: a word cut by the selection's edge
 * (the prefix or suffix continues it) may be part of a longer word elsewhere.
 */
function wholeWords(quote: TextQuoteSelector): string[] {
  const list = words(quote.exact);
  const exact = quote.exact.trim();
  const letter = /[\p{L}\p{N}]/u;
  if (letter.test(exact.at(0) ?? "") && letter.test(quote.prefix.at(-1) ?? "")) list.shift();
  if (letter.test(exact.at(-1) ?? "") && letter.test(quote.suffix.at(0) ?? "")) list.pop();
  return list;
}

/**
 * Re-anchors every annotation from the old revision's paragraphs into the new one's. Returns one
 * outcome per annotation id (ids are expected to be unique). For a passage, in order:
 *
 * 1. the exact quote in the paragraph continuing the old one (at the stored position if it is
 *    still there, else the occurrence whose context agrees best, then the nearest), or in
 *    another paragraph that shares content with the old one (a split or merge took it there)
 *    when its context agrees better and the find is trustworthy (below);
 * 2. the exact quote anywhere else in the new text, when trustworthy: at least
 *    {@link TRUSTED_CONTEXT} code points of stored prefix and suffix agree with its new
 *    surroundings, or it is at least {@link DISTINCTIVE_LENGTH} code points long and occurs
 *    exactly once in the new text;
 * 3. an approximate match (./selectors' `reanchor`) in the continuing and content-sharing
 *    paragraphs, the most similar winning: `changed`;
 * 4. otherwise `orphaned`.
 *
 * A whole-paragraph annotation follows the continuing paragraph (`anchored` when its text is
 * unchanged, `changed` when edited), else the paragraph that took most of its content
 * (`changed`), else it is `orphaned`.
 *
 * "Content-sharing" here means the first {@link MAX_RELATED} of `overlap` besides the
 * continuation. Approximate searches only run in those few paragraphs; the search elsewhere
 * only in paragraphs containing all of the quote's whole words and, for a quote shorter than
 * {@link DISTINCTIVE_LENGTH}, half of {@link TRUSTED_CONTEXT} of its stored context verbatim
 * beside it. So the cost grows with annotations times paragraph length, not annotations times
 * article length. Annotations with the same paragraph and selector are resolved once.
 */
export function reanchorRevision(
  oldTexts: string[],
  newTexts: string[],
  annotations: readonly RevisionAnnotation[],
  matching: ParagraphMatching = matchParagraphs(oldTexts, newTexts),
): Map<number, Outcome> {
  const charCache = new Map<number, string[]>();
  const charsOf = (n: number): string[] => {
    let chars = charCache.get(n);
    if (!chars) {
      chars = Array.from(newTexts[n] ?? "");
      charCache.set(n, chars);
    }
    return chars;
  };

  // Built on first use: a revision where every quote is found nearby never needs it.
  let wordIndex: Map<string, Set<number>> | undefined;
  const paragraphsWithAll = (list: readonly string[]): number[] => {
    if (!wordIndex) {
      const index = new Map<string, Set<number>>();
      newTexts.forEach((text, n) => {
        for (const word of words(text)) {
          const entry = index.get(word);
          if (entry) entry.add(n);
          else index.set(word, new Set([n]));
        }
      });
      wordIndex = index;
    }
    const index = wordIndex;
    const sets = [...new Set(list)].map((word) => index.get(word) ?? new Set<number>());
    sets.sort((a, b) => a.size - b.size);
    const [rarest, ...rest] = sets;
    if (!rarest) return [];
    return [...rarest].filter((n) => rest.every((set) => set.has(n)));
  };

  const find = (n: number, quote: TextQuoteSelector, hint?: number): Found | null => {
    // locateQuote folds the whole paragraph on every call; a native substring test on the
    // quote's longest literal stretch rules most paragraphs out first.
    const text = newTexts[n] ?? "";
    if (!text.includes(literalCore(quote.exact))) return null;
    const position = soleVerbatim(text, quote.exact) ?? locateQuote(text, quote, { start: hint });
    if (!position) return null;
    return { paragraph: n, position, context: contextAgreement(charsOf(n), position, quote) };
  };

  const everyOccurrence = new WeakMap<TextQuoteSelector, Found[]>();
  const occurrences = (quote: TextQuoteSelector): Found[] => {
    let found = everyOccurrence.get(quote);
    if (!found) {
      const list = wholeWords(quote);
      found = list.length === 0 ? [] : paragraphsWithAll(list).flatMap((n) => find(n, quote) ?? []);
      everyOccurrence.set(quote, found);
    }
    return found;
  };

  const unique = (quote: TextQuoteSelector): boolean => {
    const [only, ...more] = occurrences(quote);
    return (
      only !== undefined &&
      more.length === 0 &&
      !occursElsewhere(newTexts[only.paragraph] ?? "", quote.exact, only.position)
    );
  };

  /**
   * Occurrences of a quote too short to be trusted without context, in paragraphs where it
   * could have enough: agreeing on TRUSTED_CONTEXT code points means agreeing on at least half
   * of them on one side, so that stretch of stored context and the quote occur verbatim. A
   * native substring test then spares locateQuote the many paragraphs holding a common phrase.
   */
  const occurrencesInContext = (quote: TextQuoteSelector): Found[] => {
    const list = wholeWords(quote);
    if (list.length === 0) return [];
    const half = Math.ceil(TRUSTED_CONTEXT / 2);
    const prefix = Array.from(quote.prefix);
    const suffix = Array.from(quote.suffix);
    const stretches: string[] = [];
    if (prefix.length >= half) stretches.push(prefix.slice(-half).join("") + quote.exact);
    if (suffix.length >= half) stretches.push(quote.exact + suffix.slice(0, half).join(""));
    return paragraphsWithAll(list)
      .filter((n) => stretches.some((stretch) => newTexts[n]?.includes(stretch)))
      .flatMap((n) => find(n, quote) ?? []);
  };

  const trusted = (found: Found, quote: TextQuoteSelector): boolean =>
    found.context >= TRUSTED_CONTEXT ||
    (codePointLength(quote.exact.trim()) >= DISTINCTIVE_LENGTH && unique(quote));

  const anchoredAt = (found: Found, selector: PassageSelector, cont: number | null): Outcome => ({
    status: "anchored",
    paragraph: found.paragraph,
    position: found.position,
    moved:
      found.paragraph !== cont ||
      found.position.start !== selector.position.start ||
      found.position.end !== selector.position.end,
  });

  const passage = (o: number, selector: PassageSelector): Outcome => {
    const { quote, position } = selector;
    if (quote.exact.trim() === "") return ORPHANED;
    const cont = matching.continuedBy[o] ?? null;
    const related = (matching.overlap[o] ?? []).filter((n) => n !== cont).slice(0, MAX_RELATED);

    // The common case, an untouched passage, costs one slice.
    const { start, end } = position;
    if (cont !== null && Number.isInteger(start) && Number.isInteger(end) && start >= 0) {
      if (charsOf(cont).slice(start, end).join("") === quote.exact) {
        return { status: "anchored", paragraph: cont, position: { ...position }, moved: false };
      }
    }

    const inCont = cont === null ? null : find(cont, quote, position.start);
    const byContext = (a: Found, b: Found) => b.context - a.context;
    const inRelated = related.flatMap((n) => find(n, quote) ?? []).sort(byContext);
    const bestRelated = inRelated[0];
    if (
      bestRelated &&
      (inCont === null || bestRelated.context > inCont.context) &&
      trusted(bestRelated, quote)
    ) {
      return anchoredAt(bestRelated, selector, cont);
    }
    if (inCont) return anchoredAt(inCont, selector, cont);

    const searched = new Set(related);
    const distinctive = codePointLength(quote.exact.trim()) >= DISTINCTIVE_LENGTH;
    const bestElsewhere = (distinctive ? occurrences(quote) : occurrencesInContext(quote))
      .filter((found) => found.paragraph !== cont && !searched.has(found.paragraph))
      .sort(byContext)[0];
    if (bestElsewhere && trusted(bestElsewhere, quote)) {
      return anchoredAt(bestElsewhere, selector, cont);
    }

    let approximate: Outcome | null = null;
    for (const n of cont === null ? related : [cont, ...related]) {
      const result = reanchor(newTexts[n] ?? "", selector);
      // An exact find here was already judged untrustworthy above.
      if (result.status !== "changed") continue;
      if (approximate && (approximate.similarity ?? 0) >= result.similarity) continue;
      approximate = {
        status: "changed",
        paragraph: n,
        position: result.position,
        similarity: result.similarity,
        moved:
          n !== cont ||
          result.position.start !== position.start ||
          result.position.end !== position.end,
      };
    }
    return approximate ?? ORPHANED;
  };

  const wholeParagraph = (o: number): Outcome => {
    const cont = matching.continuedBy[o] ?? null;
    const oldText = oldTexts[o] ?? "";
    if (cont !== null) {
      const newText = newTexts[cont] ?? "";
      if (normalise(oldText) === normalise(newText)) {
        return { status: "anchored", paragraph: cont, moved: false };
      }
      return {
        status: "changed",
        paragraph: cont,
        similarity: wordSimilarity(oldText, newText),
        moved: false,
      };
    }
    const heir = matching.overlap[o]?.[0];
    if (heir === undefined) return ORPHANED;
    return {
      status: "changed",
      paragraph: heir,
      similarity: wordSimilarity(oldText, newTexts[heir] ?? ""),
      moved: true,
    };
  };

  const byParagraph = new Map<number, RevisionAnnotation[]>();
  for (const annotation of annotations) {
    const group = byParagraph.get(annotation.paragraph);
    if (group) group.push(annotation);
    else byParagraph.set(annotation.paragraph, [annotation]);
  }

  const outcomes = new Map<number, Outcome>();
  for (const [o, group] of byParagraph) {
    const valid = Number.isInteger(o) && o >= 0 && o < oldTexts.length;
    const memo = new Map<string, Outcome>();
    for (const { id, selector } of group) {
      if (!valid) {
        outcomes.set(id, ORPHANED);
        continue;
      }
      const key = selector
        ? JSON.stringify([selector.position.start, selector.position.end, selector.quote])
        : "";
      let outcome = memo.get(key);
      if (!outcome) {
        outcome = selector ? passage(o, selector) : wholeParagraph(o);
        memo.set(key, outcome);
      }
      // Copies, so a caller adjusting one outcome cannot change another's.
      outcomes.set(id, {
        ...outcome,
        ...(outcome.position ? { position: { ...outcome.position } } : {}),
      });
    }
  }
  return outcomes;
}

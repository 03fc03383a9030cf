/**
 * Anchoring annotations brought in from elsewhere (a W3C Web Annotation file, a Hypothesis export)
 * onto an article's current paragraphs, with the machinery revisions use (./selectors' `reanchor`
 * and `locateQuote`, ./revision's context agreement): the exact quote → `anchored`; an approximate
 * match at least MIN_SIMILARITY similar → `changed`; nothing → `orphaned`. Nothing is guessed.
 *
 * What differs from a revision is what is known beforehand. A revision knows the paragraph each
 * thread was on and which new paragraph continues it; an imported annotation may name a paragraph
 * (Marginalia's own export carries its fragment, `p-7`), or only a quote and a position over a
 * whole web page (Hypothesis). So the named paragraph is searched first, then the whole article
 * for the exact quote, then the few paragraphs sharing most of the quote's words approximately.
 *
 * Pure functions over paragraph texts (code point offsets); the caller maps indices to blocks.
 */
import { contextAgreement, literalCore, MAX_RELATED, words } from "./revision";
import {
  codePointLength,
  locateQuote,
  MIN_SIMILARITY,
  type PassageSelector,
  reanchor,
  type TextPositionSelector,
  type TextQuoteSelector,
  type WorkMeter,
  worstApproximateCost,
} from "./selectors";

/**
 * The approximate matching one file may ask for, in ./selectors' work units
 * (`approximateSearchCost`): about a second on a small server. A file of thousands of edited
 * quotes (each searched for in up to four paragraphs) would otherwise hold a server process for
 * minutes, at every preview and again at the import. Exact finds cost no budget and are always
 * made; past it, quotes not found exactly are orphaned unsearched (`unsearched`), and say so.
 */
export const APPROXIMATE_BUDGET = 10_000_000;

/**
 * One search whose worst case (a repetitive paragraph where nearly every position matches) is more
 * than this is not made at all: a search cannot be stopped halfway, so this bounds how far past
 * the budget the last one can go.
 */
export const MAX_SEARCH_COST = 4 * APPROXIMATE_BUDGET;

/** Where an imported annotation says it belongs. */
export type ImportTarget = {
  /** The paragraph it names (an index into the texts), or null when it names none or an unknown one. */
  paragraph: number | null;
  /** Its quote; null for a note on the whole paragraph (or the whole document). */
  quote: TextQuoteSelector | null;
  /**
   * Its position: within `paragraph` when it names one, else over the whole document (a web
   * page's text, which is not the article's: only a hint to tell equal quotes apart).
   */
  position: TextPositionSelector | null;
};

/**
 * What anchoring found:
 * - `anchored`: the exact quote (or, without a quote, the named paragraph) is there;
 * - `changed`: only a passage at least MIN_SIMILARITY similar to the quote is, at `position`;
 * - `orphaned`: neither; `paragraph` is the one it named, if any.
 */
export type ImportOutcome =
  | { status: "anchored"; paragraph: number; position: TextPositionSelector | null }
  | { status: "changed"; paragraph: number; position: TextPositionSelector; similarity: number }
  | {
      status: "orphaned";
      paragraph: number | null;
      /**
       * True when an approximate search that might have found it was not made: the file had spent
       * its budget (APPROXIMATE_BUDGET), or the search alone would cost more than MAX_SEARCH_COST.
       */
      unsearched?: true;
    };

type Found = { paragraph: number; position: TextPositionSelector; context: number };

/**
 * Anchors each target onto `texts` (the current revision's paragraphs, in reading order), in
 * order, approximate searches counted on `meter` up to `budget` (see APPROXIMATE_BUDGET). The
 * same texts and targets always give the same outcomes, so a preview and its import agree.
 */
export function anchorImported(
  texts: readonly string[],
  targets: readonly ImportTarget[],
  {
    budget = APPROXIMATE_BUDGET,
    meter = { spent: 0 },
  }: { budget?: number; meter?: WorkMeter } = {},
) {
  const chars = new Map<number, string[]>();
  const charsOf = (n: number): string[] => {
    let found = chars.get(n);
    if (!found) {
      found = Array.from(texts[n] ?? "");
      chars.set(n, found);
    }
    return found;
  };
  // Where each paragraph starts in the article as one text: a document-wide position only breaks
  // ties between equally good exact finds, so the separator's length is of no consequence.
  const starts: number[] = [];
  let offset = 0;
  for (const text of texts) {
    starts.push(offset);
    offset += codePointLength(text) + 1;
  }

  let wordIndex: Map<string, Set<number>> | undefined;
  /** The paragraphs holding most of the quote's words, most first: where an approximate match can be. */
  const related = (quote: TextQuoteSelector): number[] => {
    if (!wordIndex) {
      wordIndex = new Map();
      texts.forEach((text, n) => {
        for (const word of words(text)) {
          const entry = wordIndex?.get(word);
          if (entry) entry.add(n);
          else wordIndex?.set(word, new Set([n]));
        }
      });
    }
    const shared = new Map<number, number>();
    for (const word of new Set(words(quote.exact))) {
      for (const n of wordIndex.get(word) ?? []) shared.set(n, (shared.get(n) ?? 0) + 1);
    }
    return [...shared]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, MAX_RELATED)
      .map(([n]) => n);
  };

  const findExact = (n: number, quote: TextQuoteSelector, hint?: number): Found | null => {
    const text = texts[n] ?? "";
    // A native substring test on the quote's longest literal stretch rules most paragraphs out
    // before locateQuote folds the whole paragraph.
    if (!text.includes(literalCore(quote.exact))) return null;
    const position = locateQuote(text, quote, { start: hint });
    if (!position) return null;
    return { paragraph: n, position, context: contextAgreement(charsOf(n), position, quote) };
  };

  const anchor = ({ paragraph, quote, position }: ImportTarget): ImportOutcome => {
    const named = paragraph !== null && paragraph >= 0 && paragraph < texts.length;
    const home = named ? paragraph : null;
    if (!quote || quote.exact.trim() === "") {
      return home === null
        ? { status: "orphaned", paragraph: null }
        : { status: "anchored", paragraph: home, position: null };
    }
    const selector: PassageSelector = { quote, position: position ?? { start: -1, end: -1 } };
    const quoteLength = codePointLength(quote.exact.trim());
    let unsearched = false;
    /** Whether an approximate search in paragraph `n` may be made: the budget is not spent. */
    const affordable = (n: number): boolean => {
      // A quote too short to allow a single edit is never searched approximately (selectors).
      if (Math.floor(quoteLength * (1 - MIN_SIMILARITY) + 1e-9) === 0) return false;
      const ok =
        meter.spent < budget &&
        worstApproximateCost(charsOf(n).length, quoteLength) <= MAX_SEARCH_COST;
      if (!ok) unsearched = true;
      return ok;
    };
    let approximate: Extract<ImportOutcome, { status: "changed" }> | null = null;
    const consider = (n: number, result: ReturnType<typeof reanchor>) => {
      if (result.status !== "changed") return;
      if (approximate && approximate.similarity >= result.similarity) return;
      approximate = {
        status: "changed",
        paragraph: n,
        position: result.position,
        similarity: result.similarity,
      };
    };

    if (home !== null) {
      // Past the budget the named paragraph is still searched for the exact quote.
      const result = reanchor(texts[home] ?? "", selector, {
        approximate: affordable(home),
        meter,
      });
      if (result.status === "anchored") {
        return { status: "anchored", paragraph: home, position: result.position };
      }
      consider(home, result);
    }

    // The exact quote anywhere: the find whose surroundings agree best with the stored context,
    // then (for a document-wide position) the one nearest it.
    const documentHint = home === null && position ? position.start : undefined;
    let best: Found | null = null;
    for (let n = 0; n < texts.length; n++) {
      if (n === home) continue;
      const found = findExact(n, quote);
      if (!found) continue;
      if (
        !best ||
        found.context > best.context ||
        (found.context === best.context &&
          documentHint !== undefined &&
          Math.abs((starts[n] ?? 0) + found.position.start - documentHint) <
            Math.abs((starts[best.paragraph] ?? 0) + best.position.start - documentHint))
      ) {
        best = found;
      }
    }
    if (best) return { status: "anchored", paragraph: best.paragraph, position: best.position };

    for (const n of related(quote)) {
      if (n !== home && affordable(n)) consider(n, reanchor(texts[n] ?? "", selector, { meter }));
    }
    if (approximate) return approximate;
    return unsearched
      ? { status: "orphaned", paragraph: home, unsearched: true }
      : { status: "orphaned", paragraph: home };
  };

  // Files often repeat a quote (a thread and its copies, several readers on one line).
  const memo = new Map<string, ImportOutcome>();
  return targets.map((target) => {
    const key = JSON.stringify([target.paragraph, target.quote, target.position]);
    let outcome = memo.get(key);
    if (!outcome) {
      outcome = anchor(target);
      memo.set(key, outcome);
    }
    return structuredClone(outcome);
  });
}

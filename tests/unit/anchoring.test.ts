/** Unit tests for the W3C selectors: code point offsets, quote location and re-anchoring. */
import { describe, expect, it } from "vitest";
import {
  CONTEXT_LENGTH,
  codePointLength,
  codePointSlice,
  describePassage,
  locateQuote,
  MIN_SIMILARITY,
  type PassageSelector,
  reanchor,
} from "#app/anchoring/selectors";

/** Code point offset of the first (or `nth`) occurrence of `needle`; fails loudly if absent. */
function at(text: string, needle: string, nth = 0): number {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`${needle} not in ${text}`);
  }
  return codePointLength(text.slice(0, index));
}

function span(text: string, needle: string, nth = 0) {
  const start = at(text, needle, nth);
  return { start, end: start + codePointLength(needle) };
}

const EMOJI = "😀";
const CJK_EXT_B = "𠀀𠀁𠀂"; // U+20000..U+20002: outside the BMP, two UTF-16 units each

describe("codePointLength / codePointSlice", () => {
  it.each([
    ["", 0],
    ["abc", 3],
    [EMOJI, 1],
    [`${EMOJI}a${EMOJI}`, 3],
    [CJK_EXT_B, 3],
    ["e\u0301", 2], // combining marks are their own code points
    ["\uD83D", 1], // a lone surrogate still counts once
  ])("codePointLength(%j) = %i", (input, expected) => {
    expect(codePointLength(input)).toBe(expected);
  });

  it.each([
    [`${EMOJI}a𠀀b`, 1, 3, "a𠀀"],
    [`${EMOJI}a𠀀b`, 0, 1, EMOJI],
    [`${EMOJI}a𠀀b`, 2, undefined, "𠀀b"],
    [`${EMOJI}a𠀀b`, -1, undefined, "b"],
    [`${EMOJI}a𠀀b`, 3, 1, ""],
    ["abc", 5, 9, ""],
  ] as const)("codePointSlice(%j, %s, %s) = %j", (input, start, end, expected) => {
    expect(codePointSlice(input, start, end)).toBe(expected);
  });
});

describe("describePassage", () => {
  const text = "The quick brown fox jumps over the lazy dog.";

  it("builds quote and position selectors", () => {
    expect(describePassage(text, 4, 9)).toEqual({
      quote: { exact: "quick", prefix: "The ", suffix: " brown fox jumps over the lazy d" },
      position: { start: 4, end: 9 },
    });
  });

  it("trims surrounding whitespace from the range", () => {
    const padded = "  hello  world \n";
    expect(describePassage(padded, 0, codePointLength(padded))).toEqual({
      quote: { exact: "hello  world", prefix: "  ", suffix: " \n" },
      position: { start: 2, end: 14 },
    });
  });

  it.each([
    ["ASCII", "a", "b"],
    ["emoji", EMOJI, EMOJI],
    ["CJK extension B", "𠀀", "𠀁"],
  ])("keeps exactly %s context of 32 code points", (_name, before, after) => {
    const long = `${before.repeat(40)}QUOTE${after.repeat(40)}`;
    const passage = describePassage(long, 40, 45);
    expect(passage?.quote.exact).toBe("QUOTE");
    expect(CONTEXT_LENGTH).toBe(32);
    expect(codePointLength(passage?.quote.prefix ?? "")).toBe(32);
    expect(codePointLength(passage?.quote.suffix ?? "")).toBe(32);
    expect(passage?.quote.prefix).toBe(before.repeat(32));
    expect(passage?.quote.suffix).toBe(after.repeat(32));
  });

  it("keeps short context near the paragraph's edges", () => {
    expect(describePassage(text, 0, 3)?.quote.prefix).toBe("");
    expect(describePassage("the lazy dog.", 9, 13)?.quote).toEqual({
      exact: "dog.",
      prefix: "the lazy ",
      suffix: "",
    });
  });

  it("counts code points outside the BMP as one offset each", () => {
    const astral = `${EMOJI}${CJK_EXT_B} hello world`;
    expect(astral.indexOf("hello")).toBe(9); // UTF-16 index
    expect(describePassage(astral, 5, 10)).toEqual({
      quote: { exact: "hello", prefix: `${EMOJI}${CJK_EXT_B} `, suffix: " world" },
      position: { start: 5, end: 10 },
    });
  });

  it.each([
    ["empty range", 3, 3],
    ["reversed range", 5, 2],
    ["negative start", -1, 2],
    ["end past the text", 0, 45],
    ["start past the text", 50, 60],
    ["whitespace only", 3, 4],
    ["fractional offset", 1.5, 3],
    ["NaN", Number.NaN, 3],
    ["infinite end", 0, Number.POSITIVE_INFINITY],
  ])("returns null for %s", (_name, start, end) => {
    expect(describePassage(text, start, end)).toBeNull();
  });

  it("returns null on empty text", () => {
    expect(describePassage("", 0, 0)).toBeNull();
  });

  it("uses code point bounds, not UTF-16 bounds", () => {
    const astral = `${EMOJI}${EMOJI}`;
    expect(describePassage(astral, 0, 2)?.quote.exact).toBe(astral);
    expect(describePassage(astral, 0, 3)).toBeNull();
  });
});

describe("locateQuote", () => {
  const repeated = "The quick brown fox jumps over the lazy dog. The quick brown fox sleeps.";
  const first = span(repeated, "quick brown fox", 0);
  const second = span(repeated, "quick brown fox", 1);

  it.each([
    ["no hint picks the first occurrence", {}, undefined, first],
    ["hint exactly on the second occurrence", {}, { start: second.start }, second],
    ["hint exactly on the first occurrence", {}, { start: first.start }, first],
    ["hint nearer the second occurrence", {}, { start: second.start - 3 }, second],
    ["hint nearer the first occurrence", {}, { start: 10 }, first],
    ["suffix picks the second", { suffix: " sleeps." }, undefined, second],
    ["suffix picks the first", { suffix: " jumps over" }, undefined, first],
    ["prefix picks the second", { prefix: "lazy dog. The " }, undefined, second],
    ["suffix beats a distant hint", { suffix: " jumps over" }, { start: 60 }, first],
    ["context beats a nearby hint", { suffix: " jumps" }, { start: second.start + 2 }, first],
    ["an exact hint beats context", { suffix: " jumps" }, { start: second.start }, second],
    ["empty context falls back to the hint", { prefix: "", suffix: "" }, { start: 60 }, second],
  ])("repeated phrase: %s", (_name, context, hint, expected) => {
    expect(locateQuote(repeated, { exact: "quick brown fox", ...context }, hint)).toEqual(expected);
  });

  it.each([
    ["newline in the text", "the quick\n  brown fox", "quick brown", { start: 4, end: 17 }],
    ["newline in the quote", "the quick brown fox", "quick\r\n brown", { start: 4, end: 15 }],
    ["tabs and spaces", "a\t\tb c", "a b  c", { start: 0, end: 6 }],
    ["no-break space", "one\u00a0two three", "one two", { start: 0, end: 7 }],
    [
      "quote padded with whitespace",
      "the quick brown fox",
      "  quick brown\n",
      { start: 4, end: 15 },
    ],
  ])("whitespace-loose: %s", (_name, text, exact, expected) => {
    expect(locateQuote(text, { exact })).toEqual(expected);
  });

  it("does not let whitespace in the quote match no whitespace at all", () => {
    expect(locateQuote("quickbrown fox", { exact: "quick brown" })).toBeNull();
    expect(locateQuote("quick brown fox", { exact: "quickbrown" })).toBeNull();
  });

  const typographic = "She said “it’s fine” and left; ‘fine’ it was.";
  it.each([
    ["exact typographic quotes", "“it’s fine”"],
    ["straight quotes typed by the reader", '"it\'s fine"'],
    ["mixed quotes", "“it's fine\""],
  ])("typographic quotes: %s", (_name, exact) => {
    expect(locateQuote(typographic, { exact })).toEqual(span(typographic, "“it’s fine”"));
  });

  it("finds a single curly apostrophe word", () => {
    expect(locateQuote(typographic, { exact: "‘fine’" })).toEqual(span(typographic, "‘fine’"));
  });

  it.each([
    ["emoji", `${EMOJI}${EMOJI} note: the quote here`, 9],
    ["CJK extension B", `${CJK_EXT_B}: the quote here`, 5],
    ["emoji inside the quote", `x ${EMOJI} the ${EMOJI} quote`, 4],
  ])("code point offsets after %s", (_name, text, start) => {
    const exact = text.includes(`the ${EMOJI}`) ? `the ${EMOJI} quote` : "the quote";
    const found = locateQuote(text, { exact });
    expect(found).toEqual({ start, end: start + codePointLength(exact) });
    expect(codePointSlice(text, found?.start ?? 0, found?.end)).toBe(exact);
  });

  it("tells repeated emoji phrases apart by code point hint", () => {
    const text = `${EMOJI} go ${EMOJI} go ${EMOJI} go`;
    expect(locateQuote(text, { exact: `${EMOJI} go` }, { start: 5 })).toEqual({
      start: 5,
      end: 9,
    });
  });

  it.each([
    ["absent quote", "The cat", "dog"],
    ["empty quote", "The cat", ""],
    ["whitespace-only quote", "The cat", "  \n"],
    ["empty text", "", "cat"],
    ["longer than the text", "cat", "cats"],
    ["case differs", "The Cat", "the cat"],
  ])("returns null for %s", (_name, text, exact) => {
    expect(locateQuote(text, { exact })).toBeNull();
  });

  it("ignores an out-of-range or nonsense hint", () => {
    expect(locateQuote(repeated, { exact: "quick brown fox" }, { start: -50 })).toEqual(first);
    expect(locateQuote(repeated, { exact: "quick brown fox" }, { start: 10_000 })).toEqual(second);
    expect(locateQuote(repeated, { exact: "quick brown fox" }, { start: Number.NaN })).toEqual(
      first,
    );
  });

  it("round-trips with describePassage", () => {
    const passage = describePassage(repeated, second.start, second.end);
    expect(passage).not.toBeNull();
    if (!passage) return;
    expect(locateQuote(repeated, passage.quote)).toEqual(second);
  });
});

describe("reanchor", () => {
  const base =
    "Marginalia keeps annotations attached to the passage a reader chose, even after the " +
    "editors revise the paragraph around it.";
  const quote = "the passage a reader chose";
  const selector = describePassage(base, at(base, quote), at(base, quote) + quote.length);
  if (!selector) throw new Error("fixture selector");

  it.each<[string, string, "anchored" | "changed" | "orphaned", string | null]>([
    ["unchanged text", base, "anchored", quote],
    ["text inserted before", `Update: ${base}`, "anchored", quote],
    ["emoji inserted before", `${EMOJI}${CJK_EXT_B} ${base}`, "anchored", quote],
    ["text inserted after", `${base} More text follows here.`, "anchored", quote],
    [
      "quote moved to the front",
      "The passage a reader chose... no: the passage a reader chose stays put. " +
        "Marginalia keeps it.",
      "anchored",
      quote,
    ],
    ["whitespace changed inside", base.replace("passage a", "passage\n  a"), "anchored", null],
    ["quote lightly edited", base.replace("chose", "chooses"), "changed", null],
    ["typo fixed in the quote", base.replace("passage", "pasage"), "changed", null],
    ["one word replaced", base.replace("reader", "person"), "changed", null],
    ["quote removed", base.replace(`to ${quote}`, "forever"), "orphaned", null],
    [
      "paragraph rewritten",
      "An entirely different paragraph about gardening and tomatoes.",
      "orphaned",
      null,
    ],
    ["empty paragraph", "", "orphaned", null],
  ])("%s", (_name, text, status, expectedQuote) => {
    const result = reanchor(text, selector);
    expect(result.status).toBe(status);
    if (status === "orphaned") {
      expect(result.position).toBeUndefined();
      return;
    }
    const position = result.position;
    expect(position).toBeDefined();
    if (!position) return;
    if (result.status === "anchored") {
      // Moved exactly when the stored position no longer holds the quote.
      const stillThere = text.startsWith(base.slice(0, base.indexOf(quote) + quote.length));
      expect(result.moved).toBe(!stillThere);
    }
    if (result.status === "changed") {
      expect(result.similarity).toBeGreaterThanOrEqual(MIN_SIMILARITY);
      expect(result.similarity).toBeLessThan(1);
    }
    const found = codePointSlice(text, position.start, position.end);
    if (expectedQuote !== null) {
      expect(found).toBe(expectedQuote);
      expect(position).toEqual(span(text, expectedQuote, text === base ? 0 : undefined));
    }
    // Even approximate matches must cover a plausible version of the passage.
    expect(found).toMatch(/^the pa/);
    expect(found).toMatch(/(chose|chooses|person chose)$/);
  });

  it("ends an approximate match on a whole word when the cheapest alignment stops inside one", () => {
    // "Doha" → "Qatar": "Qa" and "Qata" align as cheaply; charging one edit per character grown
    // ran out of budget at "Qata".
    const before =
      "The United States can talk to the Taliban while withholding recognition, and it already " +
      "does so through intermediaries in Doha.";
    const quoted = "intermediaries in Doha";
    const doha = describePassage(before, at(before, quoted), at(before, quoted) + quoted.length);
    if (!doha) throw new Error("fixture selector");
    const after = before.replace("Doha", "Qatar");
    const result = reanchor(after, doha);
    if (result.status !== "changed") throw new Error(`expected changed, got ${result.status}`);
    expect(codePointSlice(after, result.position.start, result.position.end)).toBe(
      "intermediaries in Qatar",
    );
    // Four edits in 22 code points, counted afresh for the grown passage.
    expect(result.similarity).toBeCloseTo(1 - 4 / 22);
  });

  it("keeps the stored position when it still holds the quote", () => {
    expect(reanchor(base, selector)).toEqual({
      status: "anchored",
      position: selector.position,
      moved: false,
    });
  });

  it("reports the new position in code points after an inserted emoji", () => {
    const result = reanchor(`${EMOJI} ${base}`, selector);
    expect(result).toEqual({
      status: "anchored",
      position: { start: selector.position.start + 2, end: selector.position.end + 2 },
      moved: true,
    });
  });

  it("lightly edited quote covers the edited words", () => {
    const edited = base.replace("chose", "chooses");
    expect(reanchor(edited, selector)).toEqual({
      status: "changed",
      position: span(edited, "the passage a reader chooses"),
      // "chose" to "chooses": two insertions in a quote of 26 code points.
      similarity: 1 - 2 / 26,
    });
  });

  describe("repeated phrases", () => {
    const text = "one fish two fish red fish blue fish";
    const third = describePassage(text, at(text, "fish", 2), at(text, "fish", 2) + 4);
    if (!third) throw new Error("fixture selector");

    it("picks the occurrence nearest the old position once the text shifts", () => {
      const shifted = `so, ${text}`;
      expect(reanchor(shifted, third)).toEqual({
        status: "anchored",
        position: span(shifted, "fish", 2),
        moved: true,
      });
    });

    it("prefers the nearest occurrence even when another has better context", () => {
      const text = `red fish ${"-".repeat(20)} blue fish`;
      const stale: PassageSelector = {
        quote: { exact: "fish", prefix: "red ", suffix: " " },
        position: { start: 33, end: 37 },
      };
      expect(reanchor(text, stale)).toEqual({
        status: "anchored",
        position: span(text, "fish", 1),
        moved: true,
      });
      expect(locateQuote(text, stale.quote, { start: 33 })).toEqual(span(text, "fish", 0));
    });

    it.each([
      ["prefix picks the later one", { prefix: "rd ", suffix: "" }, 26],
      ["prefix picks the earlier one", { prefix: "blue ", suffix: "" }, 18],
      ["suffix picks the earlier one", { prefix: "", suffix: " rd" }, 18],
    ])("breaks a distance tie: %s", (_name, context, expected) => {
      // Both occurrences sit 4 code points from the stale position 22.
      const tie = `${"x".repeat(13)}blue fish rd fish`;
      const stale: PassageSelector = {
        quote: { exact: "fish", ...context },
        position: { start: 22, end: 26 },
      };
      expect([at(tie, "fish", 0), at(tie, "fish", 1)]).toEqual([18, 26]);
      expect(reanchor(tie, stale)).toEqual({
        status: "anchored",
        position: { start: expected, end: expected + 4 },
        moved: true,
      });
    });
  });

  it("orphans an empty or whitespace-only quote", () => {
    const empty: PassageSelector = {
      quote: { exact: " ", prefix: "", suffix: "" },
      position: { start: 0, end: 1 },
    };
    expect(reanchor(" hello", empty)).toEqual({ status: "orphaned" });
  });

  it("survives a nonsense stored position", () => {
    const broken: PassageSelector = {
      quote: selector.quote,
      position: { start: Number.NaN, end: -4 },
    };
    expect(reanchor(base, broken)).toEqual({
      status: "anchored",
      position: selector.position,
      moved: true,
    });
  });

  it("does not fuzzily match very short quotes", () => {
    const short = describePassage("a cat sat", 2, 5);
    if (!short) throw new Error("fixture selector");
    expect(reanchor("a cot sat", short).status).toBe("orphaned");
  });

  it("prefers the approximate match whose context agrees", () => {
    const text =
      "Alpha says the passage a reader chase here. Beta says the passage a reader chase there.";
    const sel: PassageSelector = {
      quote: { exact: quote, prefix: "Beta says ", suffix: " there." },
      position: { start: 0, end: quote.length },
    };
    const result = reanchor(text, sel);
    expect(result.status).toBe("changed");
    expect(result.position).toEqual(span(text, "the passage a reader chase", 1));
  });

  it("stays fast on a paragraph of several thousand characters", () => {
    const words = Array.from({ length: 700 }, (_, i) => `word${i}`);
    const text = words.join(" ");
    expect(codePointLength(text)).toBeGreaterThan(4000);
    const start = at(text, "word300 ");
    const end = at(text, "word340 ");
    const middle = describePassage(text, start, end);
    const whole = describePassage(text, 0, codePointLength(text));
    if (!middle || !whole) throw new Error("fixture selector");

    const edited = text.replace("word320", "WORD-320").replace("word310", "");
    const began = performance.now();
    expect(reanchor(edited, middle).status).toBe("changed");
    expect(reanchor(edited, whole).status).toBe("changed");
    expect(reanchor("lorem ipsum ".repeat(400), whole).status).toBe("orphaned");
    expect(reanchor(edited, middle)).toEqual({
      status: "changed",
      position: { start: at(edited, "word300"), end: at(edited, "word339 ") + 7 },
      // "word310" deleted (7 edits) and "word320" turned into "WORD-320" (5) in 319 code points.
      similarity: 1 - 12 / 319,
    });
    expect(performance.now() - began).toBeLessThan(2000);
  });
});

describe("reanchor after edits (approximate matching)", () => {
  const paragraph =
    "Marginalia keeps annotations attached to the passage a reader chose, even after the " +
    "editors revise the paragraph around it. Readers can then argue about the very words.";
  const quote = "keeps annotations attached to the passage a reader chose"; // 56 code points
  const astralParagraph =
    `${EMOJI} Marginalia keeps ${CJK_EXT_B} annotations attached to the passage a reader ` +
    "chose, even after the editors revise the paragraph around it.";
  const astralQuote = `keeps ${CJK_EXT_B} annotations attached to the passage a reader chose`;

  function selectorFor(text: string, exact: string): PassageSelector {
    const start = at(text, exact);
    const passage = describePassage(text, start, start + codePointLength(exact));
    if (!passage) throw new Error("fixture selector");
    return passage;
  }

  type Row = {
    name: string;
    /** The paragraph as annotated, and the quote selected in it. */
    original?: [string, string];
    edited: string;
    /** The passage expected to be found (and which occurrence), with its similarity. */
    expected: { passage: string; nth?: number; similarity: number } | "orphaned";
  };

  const rows: Row[] = [
    {
      name: "word inserted",
      edited: paragraph.replace("annotations attached", "annotations firmly attached"),
      expected: {
        passage: "keeps annotations firmly attached to the passage a reader chose",
        similarity: 1 - 7 / 56,
      },
    },
    {
      name: "word deleted",
      edited: paragraph.replace("attached ", ""),
      expected: {
        passage: "keeps annotations to the passage a reader chose",
        similarity: 1 - 9 / 56,
      },
    },
    {
      name: "word changed",
      edited: paragraph.replace("reader", "student"),
      expected: {
        passage: "keeps annotations attached to the passage a student chose",
        similarity: 1 - 5 / 56,
      },
    },
    {
      name: "sentence rewritten beyond recognition",
      edited: paragraph.replace(`${quote},`, "pins notes onto whatever text someone highlighted,"),
      expected: "orphaned",
    },
    {
      name: "passage removed",
      edited: paragraph.replace(` ${quote},`, " survives,"),
      expected: "orphaned",
    },
    {
      name: "the edited phrase now appears twice: context beats the nearer occurrence",
      edited:
        "Other tools say it keeps annotations attached to the passage the reader chose. " +
        "Marginalia keeps annotations attached to the passage the reader chose, even after the " +
        "editors revise the paragraph around it.",
      expected: {
        passage: "keeps annotations attached to the passage the reader chose",
        nth: 1,
        similarity: 1 - 3 / 56,
      },
    },
    {
      name: "the edited phrase now appears twice: context keeps the original occurrence",
      edited:
        "Marginalia keeps annotations attached to the passage the reader chose, even after the " +
        "editors revise the paragraph around it. Critics? It keeps annotations attached to the " +
        "passage the reader chose, they say.",
      expected: {
        passage: "keeps annotations attached to the passage the reader chose",
        nth: 0,
        similarity: 1 - 3 / 56,
      },
    },
    {
      name: "non-BMP: astral character replaced, emoji inserted before (one edit per code point)",
      original: [astralParagraph, astralQuote],
      edited: `${EMOJI}${astralParagraph.replace("𠀁", "😎")}`,
      expected: {
        passage: "keeps 𠀀😎𠀂 annotations attached to the passage a reader chose",
        similarity: 1 - 1 / codePointLength(astralQuote),
      },
    },
    {
      name: "non-BMP: emoji word inserted inside the quote",
      original: [astralParagraph, astralQuote],
      edited: astralParagraph.replace("annotations", `annotations ${EMOJI}${EMOJI}`),
      expected: {
        passage: `keeps ${CJK_EXT_B} annotations ${EMOJI}${EMOJI} attached to the passage a reader chose`,
        similarity: 1 - 3 / codePointLength(astralQuote),
      },
    },
  ];

  it.each(rows.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    const [original, exact] = row.original ?? [paragraph, quote];
    const selector = selectorFor(original, exact);
    const result = reanchor(row.edited, selector);
    if (row.expected === "orphaned") {
      expect(result).toEqual({ status: "orphaned" });
      return;
    }
    const { passage, nth, similarity } = row.expected;
    expect(result).toEqual({
      status: "changed",
      position: span(row.edited, passage, nth),
      similarity,
    });
    expect(similarity).toBeGreaterThanOrEqual(MIN_SIMILARITY);
    if (result.status !== "changed") return;
    expect(codePointSlice(row.edited, result.position.start, result.position.end)).toBe(passage);
  });

  it("states its minimum similarity and orphans a match just below it", () => {
    expect(MIN_SIMILARITY).toBe(0.75);
    // 16 code points: up to 4 edits are "changed", 5 are "orphaned".
    const text = "we read abcdefghijklmnop today";
    const selector = selectorFor(text, "abcdefghijklmnop");
    const fourEdits = text.replace("abcdefghijklmnop", "abcdWXYZijklmnop");
    const fiveEdits = text.replace("abcdefghijklmnop", "abcdVWXYZjklmnop");
    expect(reanchor(fourEdits, selector)).toEqual({
      status: "changed",
      position: span(fourEdits, "abcdWXYZijklmnop"),
      similarity: 0.75,
    });
    expect(reanchor(fiveEdits, selector)).toEqual({ status: "orphaned" });
  });

  it("keeps the exact-match fast path: an exact quote is anchored even beside a closer edit", () => {
    const text = `Intro: ${quote.replace("reader", "readr")}. Later: ${quote}.`;
    const selector: PassageSelector = {
      quote: { exact: quote, prefix: "Intro: ", suffix: ". Later" },
      position: { start: 7, end: 7 + 56 },
    };
    expect(reanchor(text, selector)).toEqual({
      status: "anchored",
      position: span(text, quote),
      moved: true,
    });
  });
});

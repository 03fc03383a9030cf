/** Unit tests for splitting a paragraph into flat highlight segments. */
import { describe, expect, it } from "vitest";
import { type HighlightRange, segmentHighlights } from "#app/anchoring/highlights";
import { codePointLength } from "#app/anchoring/selectors";

function range(id: number, start: number, end: number, kind = "note"): HighlightRange {
  return { id, start, end, kind };
}

/** Compact view: [text, ids, kinds] per segment. */
function summary(text: string, ranges: HighlightRange[]) {
  return segmentHighlights(text, ranges).map((s) => [s.text, s.ids, s.kinds]);
}

/** Every segment list must tile the text: contiguous, non-empty, in order, complete. */
function expectTiling(text: string, ranges: HighlightRange[]) {
  const segments = segmentHighlights(text, ranges);
  expect(segments.map((s) => s.text).join("")).toBe(text);
  let cursor = 0;
  for (const segment of segments) {
    expect(segment.start).toBe(cursor);
    expect(segment.end).toBeGreaterThan(segment.start);
    expect(codePointLength(segment.text)).toBe(segment.end - segment.start);
    cursor = segment.end;
  }
  expect(cursor).toBe(codePointLength(text));
  return segments;
}

describe("segmentHighlights", () => {
  const text = "abcdefghij";

  it.each<[string, HighlightRange[], [string, number[], string[]][]]>([
    ["no ranges", [], [["abcdefghij", [], []]]],
    ["whole text", [range(1, 0, 10)], [["abcdefghij", [1], ["note"]]]],
    [
      "disjoint",
      [range(1, 1, 3), range(2, 5, 7)],
      [
        ["a", [], []],
        ["bc", [1], ["note"]],
        ["de", [], []],
        ["fg", [2], ["note"]],
        ["hij", [], []],
      ],
    ],
    [
      "adjacent",
      [range(1, 0, 3), range(2, 3, 6, "source")],
      [
        ["abc", [1], ["note"]],
        ["def", [2], ["source"]],
        ["ghij", [], []],
      ],
    ],
    [
      "overlapping",
      [range(1, 0, 6), range(2, 4, 10, "counter")],
      [
        ["abcd", [1], ["note"]],
        ["ef", [1, 2], ["counter", "note"]],
        ["ghij", [2], ["counter"]],
      ],
    ],
    [
      "nested",
      [range(1, 0, 10), range(2, 3, 5, "source")],
      [
        ["abc", [1], ["note"]],
        ["de", [1, 2], ["note", "source"]],
        ["fghij", [1], ["note"]],
      ],
    ],
    [
      "identical ranges, same kind",
      [range(7, 2, 4), range(3, 2, 4)],
      [
        ["ab", [], []],
        ["cd", [3, 7], ["note"]],
        ["efghij", [], []],
      ],
    ],
    [
      "nested sharing a start and an end",
      [range(1, 2, 8), range(2, 2, 5), range(3, 5, 8, "question")],
      [
        ["ab", [], []],
        ["cde", [1, 2], ["note"]],
        ["fgh", [1, 3], ["note", "question"]],
        ["ij", [], []],
      ],
    ],
    [
      "ids sort numerically, not as strings",
      [range(10, 0, 2), range(9, 0, 2), range(100, 0, 2)],
      [
        ["ab", [9, 10, 100], ["note"]],
        ["cdefghij", [], []],
      ],
    ],
    [
      "unsorted input",
      [range(2, 6, 8), range(1, 1, 2)],
      [
        ["a", [], []],
        ["b", [1], ["note"]],
        ["cdef", [], []],
        ["gh", [2], ["note"]],
        ["ij", [], []],
      ],
    ],
  ])("%s", (_name, ranges, expected) => {
    expect(summary(text, ranges)).toEqual(expected);
    expectTiling(text, ranges);
  });

  it.each<[string, HighlightRange[], [string, number[], string[]][]]>([
    ["empty range", [range(1, 3, 3)], [["abcdefghij", [], []]]],
    ["reversed range", [range(1, 6, 2)], [["abcdefghij", [], []]]],
    ["entirely past the end", [range(1, 12, 20)], [["abcdefghij", [], []]]],
    ["entirely before the start", [range(1, -5, -1)], [["abcdefghij", [], []]]],
    ["NaN bounds", [range(1, Number.NaN, 4)], [["abcdefghij", [], []]]],
    [
      "clamped at both ends",
      [range(1, -3, 2), range(2, 8, 99)],
      [
        ["ab", [1], ["note"]],
        ["cdefgh", [], []],
        ["ij", [2], ["note"]],
      ],
    ],
  ])("ignores or clamps out-of-bounds input: %s", (_name, ranges, expected) => {
    expect(summary(text, ranges)).toEqual(expected);
  });

  it("returns no segments for empty text", () => {
    expect(segmentHighlights("", [range(1, 0, 3)])).toEqual([]);
  });

  it("reports full segment objects with code point offsets", () => {
    expect(segmentHighlights("ab", [range(1, 1, 2, "source")])).toEqual([
      { text: "a", start: 0, end: 1, ids: [], kinds: [] },
      { text: "b", start: 1, end: 2, ids: [1], kinds: ["source"] },
    ]);
  });

  it("splits non-BMP text by code points, never inside a surrogate pair", () => {
    const astral = "😀a𠀀b😀";
    const segments = expectTiling(astral, [range(1, 1, 3), range(2, 2, 5)]);
    expect(segments.map((s) => [s.text, s.start, s.end, s.ids])).toEqual([
      ["😀", 0, 1, []],
      ["a", 1, 2, [1]],
      ["𠀀", 2, 3, [1, 2]],
      ["b😀", 3, 5, [2]],
    ]);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const segment of segments) expect(segment.text).not.toMatch(loneSurrogate);
  });

  it("merges neighbouring pieces of the same highlight", () => {
    expect(summary(text, [range(1, 0, 3), range(1, 3, 6)])).toEqual([
      ["abcdef", [1], ["note"]],
      ["ghij", [], []],
    ]);
  });

  it("counts a range object passed twice as two overlapping ranges", () => {
    const shared = range(1, 0, 4);
    expect(summary(text, [shared, shared, range(2, 2, 6)])).toEqual([
      ["ab", [1], ["note"]],
      ["cd", [1, 2], ["note"]],
      ["ef", [2], ["note"]],
      ["ghij", [], []],
    ]);
  });

  it("property: random ranges always tile the text with correct coverage", () => {
    // A small deterministic generator keeps failures reproducible.
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ["a", "b", " ", "😀", "𠀀", "é", "\n"];
    for (let trial = 0; trial < 200; trial++) {
      const chars = Array.from({ length: random(40) }, () => alphabet[random(alphabet.length)]);
      const sample = chars.join("");
      const ranges = Array.from({ length: random(8) }, (_, id) =>
        range(id, random(50) - 5, random(50) - 5, ["note", "source", "question"][random(3)]),
      );
      const segments = expectTiling(sample, ranges);
      for (const segment of segments) {
        // Brute force: which ranges cover this segment's first code point?
        const covering = ranges.filter(
          (r) => r.start < r.end && r.start <= segment.start && segment.start < r.end,
        );
        expect(segment.ids).toEqual(covering.map((r) => r.id).sort((a, b) => a - b));
        expect(segment.kinds).toEqual([...new Set(covering.map((r) => r.kind))].sort());
        for (let at = segment.start; at < segment.end; at++) {
          const here = ranges.filter((r) => r.start <= at && at < r.end).map((r) => r.id);
          expect(here.sort((a, b) => a - b)).toEqual(segment.ids);
        }
      }
    }
  });

  it("handles many ranges over a long paragraph quickly", () => {
    const long = "lorem ipsum dolor ".repeat(300);
    const ranges = Array.from({ length: 2000 }, (_, i) =>
      range(i, (i * 7) % 5000, ((i * 7) % 5000) + 40),
    );
    const began = performance.now();
    const segments = expectTiling(long, ranges);
    expect(segments.length).toBeGreaterThan(100);
    expect(performance.now() - began).toBeLessThan(1000);
  });
});

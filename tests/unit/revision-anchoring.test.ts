/**
 * Carrying annotations across article revisions: paragraph matching by content, re-anchoring of
 * passages and whole-paragraph annotations for every kind of edit an author makes, a realistic
 * revision of the seed article, and the word diff shown when comparing revisions.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffWords } from "#app/anchoring/diff";
import {
  matchParagraphs,
  type Outcome,
  type RevisionAnnotation,
  reanchorRevision,
} from "#app/anchoring/revision";
import {
  codePointLength,
  codePointSlice,
  describePassage,
  type PassageSelector,
  reanchor,
} from "#app/anchoring/selectors";
import { parseArticle } from "#app/models/importer.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";

/** Selector for the `nth` occurrence of `quote` in `text`; fails loudly if it is absent. */
function passage(text: string, quote: string, nth = 0): PassageSelector {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(quote, index + 1);
    if (index === -1) throw new Error(`${JSON.stringify(quote)} not in ${JSON.stringify(text)}`);
  }
  const start = codePointLength(text.slice(0, index));
  const selector = describePassage(text, start, start + codePointLength(quote));
  if (!selector) throw new Error(`cannot describe ${quote}`);
  return selector;
}

/** Every annotation has exactly one outcome; anchored passages quote the new text exactly. */
function expectNothingLost(
  annotations: readonly RevisionAnnotation[],
  outcomes: Map<number, Outcome>,
  newTexts: readonly string[],
) {
  expect([...outcomes.keys()].sort((a, b) => a - b)).toEqual(
    annotations.map((a) => a.id).sort((a, b) => a - b),
  );
  for (const annotation of annotations) {
    const outcome = outcomes.get(annotation.id);
    expect(outcome).toBeDefined();
    if (!outcome) continue;
    expect(outcome.paragraph === null).toBe(outcome.status === "orphaned");
    if (outcome.status === "anchored" && annotation.selector) {
      expect(outcome.position).toBeDefined();
      const { start, end } = outcome.position ?? { start: 0, end: 0 };
      expect(codePointSlice(newTexts[outcome.paragraph ?? -1] ?? "", start, end)).toBe(
        annotation.selector.quote.exact,
      );
    }
  }
}

const BRIDGE =
  "The committee met on Tuesday to review the budget for the coming year. Members argued at length about the cost of repairing the old bridge over the river. In the end they agreed to postpone the decision until the engineers report.";
const QUARRY =
  "Residents have complained for months about the noise from the quarry north of town. The mayor promised to visit the site before the summer holidays begin.";
const SCHOOLS =
  "Schools will reopen in September with new timetables for every class. Teachers welcomed the change but asked for more time to prepare their lessons.";
const LIBRARY =
  "The library is raising money to extend its opening hours on weekends. Volunteers will run a book sale in the town square next month.";
const HARVEST =
  "Local farmers expect a poor harvest after the long dry spring. Several have asked the council for help with the cost of irrigation.";
const ARTICLE = [BRIDGE, QUARRY, SCHOOLS, LIBRARY, HARVEST];

/** The article with paragraph `index` replaced by `texts` (none: deleted; two: split). */
function revise(index: number, ...texts: string[]): string[] {
  return [...ARTICLE.slice(0, index), ...texts, ...ARTICLE.slice(index + 1)];
}

type Case = {
  edit: string;
  newTexts: string[];
  paragraph: number;
  /** The quoted passage, or null for a whole-paragraph annotation. */
  quote: string | null;
  expected: Pick<Outcome, "status" | "paragraph" | "moved">;
};

const cases: Case[] = [
  {
    edit: "word inserted inside the quote",
    newTexts: revise(0, BRIDGE.replace("cost of repairing", "cost of fully repairing")),
    paragraph: 0,
    quote: "the cost of repairing the old bridge",
    expected: { status: "changed", paragraph: 0, moved: true },
  },
  {
    edit: "word inserted before the quote",
    newTexts: revise(0, BRIDGE.replace("on Tuesday", "on Tuesday morning")),
    paragraph: 0,
    quote: "the old bridge over the river",
    expected: { status: "anchored", paragraph: 0, moved: true },
  },
  {
    edit: "word inserted after the quote",
    newTexts: revise(0, BRIDGE.replace("they agreed", "they finally agreed")),
    paragraph: 0,
    quote: "the old bridge over the river",
    expected: { status: "anchored", paragraph: 0, moved: false },
  },
  {
    edit: "word deleted inside the quote",
    newTexts: revise(0, BRIDGE.replace("about the cost", "about cost")),
    paragraph: 0,
    quote: "Members argued at length about the cost",
    expected: { status: "changed", paragraph: 0, moved: true },
  },
  {
    edit: "word deleted before the quote",
    newTexts: revise(0, BRIDGE.replace("at length ", "")),
    paragraph: 0,
    quote: "postpone the decision",
    expected: { status: "anchored", paragraph: 0, moved: true },
  },
  {
    edit: "sentence rewritten",
    newTexts: revise(
      1,
      QUARRY.replace(
        "The mayor promised to visit the site before the summer holidays begin.",
        "A council spokesperson said an inspection is planned.",
      ),
    ),
    paragraph: 1,
    quote: "The mayor promised to visit the site",
    expected: { status: "orphaned", paragraph: null, moved: false },
  },
  {
    edit: "paragraph split (passage in the second part)",
    newTexts: [
      "The committee met on Tuesday to review the budget for the coming year. Members argued at length about the cost of repairing the old bridge over the river.",
      "In the end they agreed to postpone the decision until the engineers report.",
      ...ARTICLE.slice(1),
    ],
    paragraph: 0,
    quote: "postpone the decision until the engineers report",
    expected: { status: "anchored", paragraph: 1, moved: true },
  },
  {
    edit: "paragraph split (passage in the first part, which keeps the key)",
    newTexts: [
      "The committee met on Tuesday to review the budget for the coming year. Members argued at length about the cost of repairing the old bridge over the river.",
      "In the end they agreed to postpone the decision until the engineers report.",
      ...ARTICLE.slice(1),
    ],
    paragraph: 0,
    quote: "review the budget",
    expected: { status: "anchored", paragraph: 0, moved: false },
  },
  {
    edit: "two paragraphs merged (passage in the absorbed one)",
    newTexts: [...ARTICLE.slice(0, 3), `${LIBRARY} ${HARVEST}`],
    paragraph: 4,
    quote: "asked the council for help",
    expected: { status: "anchored", paragraph: 3, moved: true },
  },
  {
    edit: "two paragraphs merged (passage in the one keeping its key)",
    newTexts: [...ARTICLE.slice(0, 3), `${LIBRARY} ${HARVEST}`],
    paragraph: 3,
    quote: "a book sale",
    expected: { status: "anchored", paragraph: 3, moved: false },
  },
  {
    edit: "paragraphs reordered",
    newTexts: [BRIDGE, SCHOOLS, QUARRY, LIBRARY, HARVEST],
    paragraph: 2,
    quote: "new timetables",
    expected: { status: "anchored", paragraph: 1, moved: false },
  },
  {
    edit: "passage removed",
    newTexts: revise(4, "Local farmers expect a poor harvest after the long dry spring."),
    paragraph: 4,
    quote: "asked the council for help with the cost of irrigation",
    expected: { status: "orphaned", paragraph: null, moved: false },
  },
  {
    edit: "the same phrase now appears twice (context picks the right one)",
    newTexts: revise(
      2,
      SCHOOLS.replace("Teachers", "Parents asked for more time to adjust. Teachers"),
    ),
    paragraph: 2,
    quote: "asked for more time",
    expected: { status: "anchored", paragraph: 2, moved: true },
  },
  {
    edit: "paragraph deleted: a common phrase does not jump elsewhere",
    newTexts: revise(4),
    paragraph: 4,
    quote: "the cost",
    expected: { status: "orphaned", paragraph: null, moved: false },
  },
  {
    edit: "a sentence moved to another paragraph follows it (long and unique)",
    newTexts: [
      BRIDGE,
      "Residents have complained for months about the noise from the quarry north of town.",
      SCHOOLS,
      `${LIBRARY} The mayor promised to visit the site before the summer holidays begin.`,
      HARVEST,
    ],
    paragraph: 1,
    quote: "The mayor promised to visit the site",
    expected: { status: "anchored", paragraph: 3, moved: true },
  },
  {
    edit: "whole paragraph, edited",
    newTexts: revise(1, QUARRY.replace("for months", "for many months")),
    paragraph: 1,
    quote: null,
    expected: { status: "changed", paragraph: 1, moved: false },
  },
  {
    edit: "whole paragraph, reordered but unchanged",
    newTexts: [BRIDGE, SCHOOLS, QUARRY, LIBRARY, HARVEST],
    paragraph: 1,
    quote: null,
    expected: { status: "anchored", paragraph: 2, moved: false },
  },
  {
    edit: "whole paragraph, deleted",
    newTexts: revise(4),
    paragraph: 4,
    quote: null,
    expected: { status: "orphaned", paragraph: null, moved: false },
  },
  {
    edit: "whole paragraph, merged into another",
    newTexts: [...ARTICLE.slice(0, 3), `${LIBRARY} ${HARVEST}`],
    paragraph: 4,
    quote: null,
    expected: { status: "changed", paragraph: 3, moved: true },
  },
];

describe("reanchorRevision: one edit at a time", () => {
  it.each(cases)("$edit → $expected.status", ({ newTexts, paragraph, quote, expected }) => {
    const text = ARTICLE[paragraph] ?? "";
    const annotations: RevisionAnnotation[] = [
      { id: 1, paragraph, selector: quote === null ? null : passage(text, quote) },
      // Bystanders on every paragraph must all come through as well.
      ...ARTICLE.map((_, p) => ({ id: 100 + p, paragraph: p, selector: null })),
    ];
    const outcomes = reanchorRevision(ARTICLE, newTexts, annotations);
    expectNothingLost(annotations, outcomes, newTexts);
    expect(outcomes.get(1)).toMatchObject(expected);
  });

  it("picks the repeated phrase by its context where the nearest occurrence is the wrong one", () => {
    const edited = SCHOOLS.replace("Teachers", "Parents asked for more time to adjust. Teachers");
    const selector = passage(SCHOOLS, "asked for more time");
    const right = passage(edited, "asked for more time", 1).position;
    const wrong = passage(edited, "asked for more time", 0).position;
    // The premise: re-anchoring within the paragraph alone prefers the nearest occurrence.
    expect(reanchor(edited, selector).position).toEqual(wrong);
    const outcome = reanchorRevision(ARTICLE, revise(2, edited), [
      { id: 1, paragraph: 2, selector },
    ]);
    expect(outcome.get(1)?.position).toEqual(right);
  });

  it("reports changed passages with their similarity and new range", () => {
    const edited = BRIDGE.replace("cost of repairing", "cost of fully repairing");
    const selector = passage(BRIDGE, "the cost of repairing the old bridge");
    const outcome = reanchorRevision(ARTICLE, revise(0, edited), [
      { id: 7, paragraph: 0, selector },
    ]).get(7);
    expect(outcome?.status).toBe("changed");
    expect(outcome?.similarity).toBeGreaterThanOrEqual(0.75);
    expect(outcome?.similarity).toBeLessThan(1);
    const { start, end } = outcome?.position ?? { start: 0, end: 0 };
    expect(codePointSlice(edited, start, end)).toBe("the cost of fully repairing the old bridge");
  });

  it("orphans annotations on an out-of-range paragraph and blank quotes, without losing them", () => {
    const blank: PassageSelector = {
      quote: { exact: " ", prefix: "", suffix: "" },
      position: { start: 0, end: 1 },
    };
    const annotations: RevisionAnnotation[] = [
      { id: 1, paragraph: 99, selector: null },
      { id: 2, paragraph: -1, selector: passage(BRIDGE, "bridge") },
      { id: 3, paragraph: 0, selector: blank },
    ];
    const outcomes = reanchorRevision(ARTICLE, ARTICLE, annotations);
    expectNothingLost(annotations, outcomes, ARTICLE);
    for (const id of [1, 2, 3]) expect(outcomes.get(id)?.status).toBe("orphaned");
  });

  it("does not trust a stored position outside the paragraph", () => {
    const selector = passage(BRIDGE, "the old bridge");
    const bogus = { ...selector, position: { start: -14, end: 0 } };
    const outcome = reanchorRevision(ARTICLE, ARTICLE, [{ id: 1, paragraph: 0, selector: bogus }]);
    expect(outcome.get(1)).toMatchObject({
      status: "anchored",
      position: selector.position,
      moved: true,
    });
  });
});

describe("matchParagraphs", () => {
  it("pairs identical paragraphs wherever they moved", () => {
    const m = matchParagraphs(ARTICLE, [HARVEST, BRIDGE, QUARRY, SCHOOLS, LIBRARY]);
    expect(m.continues).toEqual([4, 0, 1, 2, 3]);
    expect(m.continuedBy).toEqual([1, 2, 3, 4, 0]);
    expect(m.overlap).toEqual([[1], [2], [3], [4], [0]]);
  });

  it("ignores whitespace differences", () => {
    const m = matchParagraphs([BRIDGE], [`  ${BRIDGE.replaceAll(" ", "\n ")}`]);
    expect(m.continues).toEqual([0]);
  });

  it("lets the larger part of a split keep the key, and lists both parts as sharing", () => {
    const [first, second] = [
      "The committee met on Tuesday to review the budget for the coming year.",
      "Members argued at length about the cost of repairing the old bridge over the river. In the end they agreed to postpone the decision until the engineers report.",
    ];
    const m = matchParagraphs(ARTICLE, [first ?? "", second ?? "", ...ARTICLE.slice(1)]);
    expect(m.continues.slice(0, 2)).toEqual([null, 0]);
    expect(m.overlap[0]).toEqual([1, 0]);
  });

  it("lets a merged paragraph continue the more similar of the two", () => {
    const m = matchParagraphs(ARTICLE, [BRIDGE, QUARRY, SCHOOLS, `${HARVEST} ${LIBRARY}`]);
    // LIBRARY has 25 words, HARVEST 22: the merged paragraph is more like LIBRARY.
    expect(m.continues).toEqual([0, 1, 2, 3]);
    expect(m.continuedBy[4]).toBeNull();
    expect(m.overlap[4]).toEqual([3]);
  });

  it("leaves unrelated new paragraphs new and deleted ones unpaired", () => {
    const fresh =
      "Elsewhere, the football club announced a new coach for the spring season, its third in two years.";
    const m = matchParagraphs(ARTICLE, [BRIDGE, fresh, SCHOOLS, LIBRARY, HARVEST]);
    expect(m.continues).toEqual([0, null, 2, 3, 4]);
    expect(m.continuedBy[1]).toBeNull();
    expect(m.overlap[1]).toEqual([]);
  });

  it("pairs repeated identical paragraphs in order", () => {
    const m = matchParagraphs(["Same.", "Other text here.", "Same."], ["Same.", "Same."]);
    expect(m.continues).toEqual([0, 2]);
  });
});

const REVISION_PATH = "tests/data/do-not-engage-the-taliban-for-free.rev2.txt";

function paragraphsOf(path: string): string[] {
  return parseArticle(readFileSync(path, "utf8"), { markdown: false })
    .blocks.filter((b) => b.kind === "paragraph")
    .map((b) => b.text);
}

type SeedAnnotation = {
  edit: string;
  /** Index among the seed's paragraphs. */
  paragraph: number;
  quote: string | null;
  nth?: number;
  expected: Pick<Outcome, "status" | "paragraph" | "moved">;
};

const anchored = (paragraph: number, moved: boolean) =>
  ({ status: "anchored", paragraph, moved }) as const;
const changed = (paragraph: number, moved: boolean) =>
  ({ status: "changed", paragraph, moved }) as const;
const orphaned = { status: "orphaned", paragraph: null, moved: false } as const;

/**
 * The seed's annotations and where each should land in rev2. Rev2's paragraphs, by seed index:
 * 0–2 edited in place; 3 split into 3 and 4; 4 and 5 merged into 5; 6 and 7 swapped (now 7 and
 * 6); 8 unchanged; 9 deleted; 10 lost a sentence (now 9); 11 and 12 unchanged (10, 11); 13 now
 * repeats a phrase (12); 13 in rev2 is new.
 */
const seedAnnotations: SeedAnnotation[] = [
  { edit: "word inserted", paragraph: 0, quote: null, expected: changed(0, false) },
  {
    edit: "word inserted inside the quote",
    paragraph: 0,
    quote: "returned to power after two decades of fighting the United States",
    expected: changed(0, true),
  },
  {
    edit: "word inserted before the quote",
    paragraph: 0,
    quote: "replaced a newly installed democratic system",
    expected: anchored(0, true),
  },
  { edit: "word deleted", paragraph: 1, quote: null, expected: changed(1, false) },
  {
    edit: "word deleted inside the quote",
    paragraph: 1,
    quote: "The implementation of new rules has further silenced progressive Afghans",
    expected: changed(1, true),
  },
  {
    edit: "word deleted before the quote",
    paragraph: 1,
    quote: "pose serious security threats to the region and the West",
    expected: anchored(1, true),
  },
  {
    edit: "word deleted after the quote",
    paragraph: 1,
    quote: "plundered women’s rights",
    expected: anchored(1, false),
  },
  { edit: "sentence rewritten", paragraph: 2, quote: null, expected: changed(2, false) },
  {
    edit: "sentence rewritten, the quote in it",
    paragraph: 2,
    quote: "This lack of validation has left two strong messages in its wake",
    expected: orphaned,
  },
  {
    edit: "sentence rewritten before the quote",
    paragraph: 2,
    quote: "the Taliban are inept at creating a government",
    expected: anchored(2, true),
  },
  { edit: "paragraph split", paragraph: 3, quote: null, expected: changed(3, false) },
  {
    edit: "paragraph split, quote in the first part",
    paragraph: 3,
    quote: "Jamaat Ansarullah, an Al Qaeda-linked terrorist organization in Tajikistan",
    expected: anchored(3, false),
  },
  {
    edit: "paragraph split, quote in the second part",
    paragraph: 3,
    quote: "Al Qaeda has consolidated power in Afghanistan",
    expected: anchored(4, true),
  },
  {
    edit: "paragraph split, quote opening the second part",
    paragraph: 3,
    quote: "According to a recent United Nations (UN) report",
    expected: anchored(4, true),
  },
  {
    edit: "paragraphs merged, the absorbed one",
    paragraph: 4,
    quote: null,
    expected: changed(5, true),
  },
  {
    edit: "paragraphs merged, quote in the absorbed one",
    paragraph: 4,
    quote: "a huge success for U.S. intelligence",
    expected: anchored(5, true),
  },
  {
    edit: "paragraphs merged, a short phrase in the absorbed one",
    paragraph: 4,
    quote: "Zawahiri",
    expected: anchored(5, true),
  },
  {
    edit: "paragraphs merged, the one keeping its key",
    paragraph: 5,
    quote: null,
    expected: changed(5, false),
  },
  {
    edit: "paragraphs merged, quote in the one keeping its key",
    paragraph: 5,
    quote: "a clear violation of the Doha Agreement",
    expected: anchored(5, true),
  },
  { edit: "paragraphs reordered", paragraph: 6, quote: null, expected: anchored(7, false) },
  {
    edit: "paragraphs reordered, quote",
    paragraph: 6,
    quote: "hinder Afghan society’s ability to think critically",
    expected: anchored(7, false),
  },
  { edit: "paragraphs reordered", paragraph: 7, quote: null, expected: anchored(6, false) },
  {
    edit: "paragraphs reordered, quote",
    paragraph: 7,
    quote: "Pashtun-led militancy",
    expected: anchored(6, false),
  },
  { edit: "unchanged", paragraph: 8, quote: null, expected: anchored(8, false) },
  {
    edit: "unchanged, quote",
    paragraph: 8,
    quote: "has left the majority of the population without representation",
    expected: anchored(8, false),
  },
  { edit: "paragraph deleted", paragraph: 9, quote: null, expected: orphaned },
  {
    edit: "paragraph deleted, quote",
    paragraph: 9,
    quote: "a new political process to facilitate dialogue",
    expected: orphaned,
  },
  {
    // "political process" is still in the paragraph before, in other words: it must not jump.
    edit: "paragraph deleted, a phrase found elsewhere",
    paragraph: 9,
    quote: "political process",
    nth: 1,
    expected: orphaned,
  },
  { edit: "passage removed", paragraph: 10, quote: null, expected: changed(9, false) },
  {
    edit: "passage removed, quote in it",
    paragraph: 10,
    quote: "Such a dictatorship would be hard to dismantle",
    expected: orphaned,
  },
  {
    edit: "passage removed after the quote",
    paragraph: 10,
    quote: "develop a policy of conditional engagement",
    expected: anchored(9, false),
  },
  {
    edit: "passage removed before the quote",
    paragraph: 10,
    quote: "De-escalation is needed",
    expected: anchored(9, true),
  },
  { edit: "unchanged", paragraph: 11, quote: null, expected: anchored(10, false) },
  {
    edit: "unchanged, quote",
    paragraph: 11,
    quote: "identifying, disrupting, and dismantling terrorist threats",
    expected: anchored(10, false),
  },
  { edit: "unchanged", paragraph: 12, quote: null, expected: anchored(11, false) },
  {
    edit: "unchanged, quote",
    paragraph: 12,
    quote: "the creeping normalization of international relations",
    expected: anchored(11, false),
  },
  {
    edit: "unchanged, a repeated phrase (second occurrence)",
    paragraph: 12,
    quote: "international platforms",
    nth: 1,
    expected: anchored(11, false),
  },
  { edit: "phrase now twice", paragraph: 13, quote: null, expected: changed(12, false) },
  {
    edit: "phrase now twice, quote",
    paragraph: 13,
    quote: "the humanitarian and economic crisis",
    expected: anchored(12, true),
  },
  {
    edit: "phrase now twice, later quote",
    paragraph: 13,
    quote: "people-centered",
    expected: anchored(12, true),
  },
];

describe("a realistic revision of the seed article", () => {
  const seed = readFileSync(SEED_ARTICLE_PATH, "utf8");
  const oldTexts = paragraphsOf(SEED_ARTICLE_PATH);
  const newTexts = paragraphsOf(REVISION_PATH);
  const annotations: RevisionAnnotation[] = seedAnnotations.map((a, id) => ({
    id,
    paragraph: a.paragraph,
    selector: a.quote === null ? null : passage(oldTexts[a.paragraph] ?? "", a.quote, a.nth),
  }));
  // Every seed paragraph also gets a whole-paragraph annotation and two passages (its first and
  // last sentence), so that whatever the edit nothing goes missing.
  oldTexts.forEach((text, paragraph) => {
    const sentences = text.match(/[^.!?:]+[.!?:]/g) ?? [text];
    annotations.push({ id: 1000 + paragraph, paragraph, selector: null });
    for (const [k, sentence] of [sentences[0], sentences.at(-1)].entries()) {
      annotations.push({
        id: 2000 + 10 * paragraph + k,
        paragraph,
        selector: passage(text, (sentence ?? "").trim()),
      });
    }
  });
  const outcomes = reanchorRevision(oldTexts, newTexts, annotations);

  it("parses as the same article, with the same title, dek, editor's note and headings", () => {
    const before = parseArticle(seed, { markdown: false });
    const after = parseArticle(readFileSync(REVISION_PATH, "utf8"), { markdown: false });
    expect(after.title).toBe(before.title);
    expect(after.dek).toBe(before.dek);
    expect(after.editorsNote).toBe(before.editorsNote);
    const headings = (p: typeof before) =>
      p.blocks.filter((b) => b.kind === "heading").map((b) => b.text);
    expect(headings(after)).toEqual(headings(before));
    expect([oldTexts.length, newTexts.length]).toEqual([14, 14]);
  });

  it("matches the paragraphs by content", () => {
    const matching = matchParagraphs(oldTexts, newTexts);
    expect(matching.continues).toEqual([0, 1, 2, 3, null, 5, 7, 6, 8, 10, 11, 12, 13, null]);
    expect(matching.continuedBy[4]).toBeNull();
    expect(matching.continuedBy[9]).toBeNull();
    expect(matching.overlap[3]).toEqual([3, 4]);
    expect(matching.overlap[4]).toEqual([5]);
    expect(matching.overlap[9]).toEqual([]);
  });

  it("keeps every annotation, each exactly once, anchored ones quoting the new text", () => {
    expectNothingLost(annotations, outcomes, newTexts);
  });

  it.each(seedAnnotations.map((a, id) => ({ ...a, id })))(
    "seed ¶$paragraph, $edit: $quote → $expected.status",
    ({ id, expected }) => {
      expect(outcomes.get(id)).toMatchObject(expected);
    },
  );

  it("anchors the repeated phrase at the occurrence its context names", () => {
    const id = seedAnnotations.findIndex((a) => a.edit === "phrase now twice, quote");
    const text = newTexts[12] ?? "";
    expect(outcomes.get(id)?.position).toEqual(
      passage(text, "the humanitarian and economic crisis", 1).position,
    );
  });

  it("re-anchors a 100,000-annotation, 1,000-paragraph revision in reasonable time", () => {
    // Seventy copies of the article, each revised as rev2 is, with annotations copied to match.
    const copies = 70;
    const bigOld = Array.from({ length: copies }, (_, c) =>
      oldTexts.map((t) => `${t} (${c})`),
    ).flat();
    const bigNew = Array.from({ length: copies }, (_, c) =>
      newTexts.map((t) => `${t} (${c})`),
    ).flat();
    const perCopy = Math.ceil(100_000 / copies / annotations.length);
    const many: RevisionAnnotation[] = [];
    for (let c = 0; c < copies; c++) {
      for (let r = 0; r < perCopy; r++) {
        for (const a of annotations) {
          many.push({ ...a, id: many.length, paragraph: a.paragraph + c * oldTexts.length });
        }
      }
    }
    const started = performance.now();
    const result = reanchorRevision(bigOld, bigNew, many);
    const elapsed = performance.now() - started;
    expect(result.size).toBe(many.length);
    expect(many.length).toBeGreaterThanOrEqual(100_000);
    // Generous: about five seconds on a two-core machine busy with other work.
    expect(elapsed).toBeLessThan(20_000);
  }, 60_000);
});

describe("diffWords", () => {
  it.each([
    [
      "a word inserted",
      "the old bridge",
      "the old wooden bridge",
      [
        { op: "equal", text: "the old " },
        { op: "insert", text: "wooden " },
        { op: "equal", text: "bridge" },
      ],
    ],
    [
      "a word deleted",
      "has further silenced progressive",
      "has silenced progressive",
      [
        { op: "equal", text: "has " },
        { op: "delete", text: "further " },
        { op: "equal", text: "silenced progressive" },
      ],
    ],
    [
      "punctuation replaced on its own",
      "a huge success, they said.",
      "a modest success; they said!",
      [
        { op: "equal", text: "a " },
        { op: "delete", text: "huge" },
        { op: "insert", text: "modest" },
        { op: "equal", text: " success" },
        { op: "delete", text: "," },
        { op: "insert", text: ";" },
        { op: "equal", text: " they said" },
        { op: "delete", text: "." },
        { op: "insert", text: "!" },
      ],
    ],
    [
      "an emoji replaced whole",
      "Kabul 😀 today",
      "Kabul 🎉 today",
      [
        { op: "equal", text: "Kabul " },
        { op: "delete", text: "😀" },
        { op: "insert", text: "🎉" },
        { op: "equal", text: " today" },
      ],
    ],
    ["identical text", "same text", "same text", [{ op: "equal", text: "same text" }]],
    ["from nothing", "", "new", [{ op: "insert", text: "new" }]],
    ["to nothing", "old", "", [{ op: "delete", text: "old" }]],
    ["both empty", "", "", []],
  ])("%s", (_name, before, after, expected) => {
    expect(diffWords(before, after)).toEqual(expected);
  });

  const reconstruct = (segments: ReturnType<typeof diffWords>) => ({
    before: segments
      .filter((s) => s.op !== "insert")
      .map((s) => s.text)
      .join(""),
    after: segments
      .filter((s) => s.op !== "delete")
      .map((s) => s.text)
      .join(""),
  });

  it.each([
    ["the Taliban’s rule", "the Taliban's  rule"],
    ["a  b", "a b"],
    ["a", "a  "],
    ["\n\tindented\n", "indented"],
    ["emoji 😀😀 pair", "emoji 😀 pair 👍🏽"],
    ["“quoted”—dash…", '"quoted" - dash...'],
    ["𠀀𠀁 CJK", "𠀀 CJK 𠀂"],
  ])("round-trips %j → %j", (before, after) => {
    expect(reconstruct(diffWords(before, after))).toEqual({ before, after });
  });

  it("round-trips any text, with no empty or repeated-op segments", () => {
    const token = fc.constantFrom(
      "the",
      "Taliban",
      "’s",
      " ",
      "  ",
      "\n",
      ",",
      ".",
      "—",
      "😀",
      "👍🏽",
      "é",
      "e\u0301",
      "𠀀",
      "a-b",
    );
    const text = fc.array(token, { maxLength: 25 }).map((tokens) => tokens.join(""));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const segments = diffWords(before, after);
        expect(reconstruct(segments)).toEqual({ before, after });
        for (const [i, segment] of segments.entries()) {
          expect(segment.text).not.toBe("");
          expect(segment.op).not.toBe(segments[i - 1]?.op);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("diffWords on a rewrite too big to align", () => {
  it("gives up within its budget and reports the paragraph replaced, losing nothing", () => {
    const words = Array.from({ length: 4000 }, (_, i) => `w${i}`);
    const before = words.join(" ");
    const after = [...words].reverse().join(" ");
    const started = performance.now();
    const parts = diffWords(before, after);
    // Not a timing assertion: a budget-less Myers diff of this pair does not finish in a test's time.
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(parts).toEqual([
      { op: "delete", text: before },
      { op: "insert", text: after },
    ]);
  });
});

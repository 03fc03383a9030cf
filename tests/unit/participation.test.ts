/**
 * The instructor's view (app/models/participation.server.ts): the score's arithmetic as a pure
 * function, the weights as stored and as typed, and the counts against a small class built through
 * the real models — what was posted is what is counted, and only that; who may see it.
 */
import { and, asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createAnnotation, deleteAnnotation } from "#app/models/annotation.server";
import { createAssignment } from "#app/models/assignment.server";
import { toggleEndorsement } from "#app/models/endorsement.server";
import {
  countWords,
  DEFAULT_WEIGHTS,
  describeFormula,
  getAssignmentInGroup,
  getHeatStrip,
  getParticipation,
  type ParticipationRow,
  parseWeights,
  type ScoreCounts,
  scoreOf,
  setWeights,
  type Weights,
} from "#app/models/participation.server";
import { weightsSchema } from "#app/models/participation-input.server";
import { ForbiddenError, NotFoundError } from "#app/utils/errors";
import { parseWith } from "#app/utils/forms.server";
import { assignment, block } from "#db/schema";
import { createThread, db, paragraph, type SignedIn } from "./factories";
import {
  type ClassWorld,
  classWorld,
  newGroup,
  postInGroup,
  replyTo,
  setCreatedAt,
  sourceLink,
} from "./participation-world";

const NOTHING: ScoreCounts = {
  kinds: { annotation: 0, question: 0, counterargument: 0, source: 0 },
  replies: 0,
  sourcesCited: 0,
  words: 0,
  endorsements: 0,
};

const ZERO: Weights = {
  annotation: 0,
  question: 0,
  counterargument: 0,
  source: 0,
  reply: 0,
  sourceCited: 0,
  per100Words: 0,
  endorsement: 0,
};

function sumOfLines(score: { lines: { points: number }[] }): number {
  // In hundredths, as scoreOf adds: the lines' points are exact to 2 decimals.
  return score.lines.reduce((sum, line) => sum + Math.round(line.points * 100), 0) / 100;
}

describe("scoreOf", () => {
  const counts: ScoreCounts = {
    kinds: { annotation: 3, question: 2, counterargument: 1, source: 1 },
    replies: 4,
    sourcesCited: 2,
    words: 250,
    endorsements: 5,
  };

  it("is a weighted sum whose breakdown adds up to the total", () => {
    const score = scoreOf(counts, DEFAULT_WEIGHTS);
    // 3×1 + 2×1 + 1×2 + 1×1 + 4×1 + 2×1 + 2.5×1 + 5×0.5
    expect(score.total).toBe(19);
    expect(sumOfLines(score)).toBe(score.total);
    expect(score.lines.map((l) => l.text)).toEqual([
      "3 annotations × 1 = 3",
      "2 questions × 1 = 2",
      "1 counterargument × 2 = 2",
      "1 source × 1 = 1",
      "4 replies to others × 1 = 4",
      "2 sources cited × 1 = 2",
      "250 words ÷ 100 × 1 = 2.5",
      "5 endorsements received × 0.5 = 2.5",
    ]);
  });

  it("a weight of 0 removes its term from the sum and from the breakdown", () => {
    const score = scoreOf(counts, { ...DEFAULT_WEIGHTS, question: 0, per100Words: 0 });
    expect(score.lines.map((l) => l.key)).not.toContain("question");
    expect(score.lines.map((l) => l.key)).not.toContain("per100Words");
    expect(score.total).toBe(19 - 2 - 2.5);
    expect(sumOfLines(score)).toBe(score.total);
  });

  it("every weight 0: no terms, total 0", () => {
    expect(scoreOf(counts, ZERO)).toEqual({ total: 0, lines: [] });
  });

  it("decimals stay exact (no 0.30000000000000004)", () => {
    const score = scoreOf(
      { ...NOTHING, kinds: { ...NOTHING.kinds, annotation: 3 }, words: 333, endorsements: 7 },
      { ...ZERO, annotation: 0.1, per100Words: 0.33, endorsement: 0.07 },
    );
    expect(score.lines.map((l) => l.points)).toEqual([0.3, 1.1, 0.49]);
    expect(score.total).toBe(1.89);
    expect(sumOfLines(score)).toBe(score.total);
    expect(score.lines[1]?.text).toBe("333 words ÷ 100 × 0.33 = 1.1");
  });

  it("words are pro rata: 250 words at 0.5 per 100 are 1.25 points", () => {
    const score = scoreOf({ ...NOTHING, words: 250 }, { ...ZERO, per100Words: 0.5 });
    expect(score.total).toBe(1.25);
  });

  it("zero counts with non-zero weights are listed as 0 (nothing hidden)", () => {
    const score = scoreOf(NOTHING, DEFAULT_WEIGHTS);
    expect(score.total).toBe(0);
    expect(score.lines).toHaveLength(8);
    expect(score.lines[0]?.text).toBe("0 annotations × 1 = 0");
  });

  it("describes the formula, leaving out weights of 0", () => {
    expect(describeFormula({ ...ZERO, counterargument: 2, per100Words: 0.5 })).toBe(
      "counterarguments × 2 + words ÷ 100 × 0.5",
    );
    expect(describeFormula(ZERO)).toBe("0 (every weight is 0)");
  });
});

describe("parseWeights", () => {
  it("the column's default {} is the default weights", () => {
    expect(parseWeights("{}")).toEqual(DEFAULT_WEIGHTS);
  });

  it("bad JSON, arrays and null fall back to the defaults", () => {
    for (const bad of ["not json", "[1,2]", "null", "", "42", null, undefined]) {
      expect(parseWeights(bad)).toEqual(DEFAULT_WEIGHTS);
    }
  });

  it("keeps each valid value and defaults each bad one", () => {
    const parsed = parseWeights(
      JSON.stringify({ annotation: 3, question: -1, counterargument: "2", source: 101, reply: 0 }),
    );
    expect(parsed).toEqual({ ...DEFAULT_WEIGHTS, annotation: 3, reply: 0 });
  });
});

describe("weightsSchema", () => {
  const valid = {
    annotation: "1",
    question: "0.5",
    counterargument: "2",
    source: "0",
    reply: "1.25",
    sourceCited: "100",
    per100Words: "0,75",
    endorsement: " 3 ",
  };

  it("reads numbers from 0 to 100 with up to 2 decimals (a comma is a decimal point)", () => {
    expect(parseWith(weightsSchema, valid)).toEqual({
      ok: true,
      value: {
        annotation: 1,
        question: 0.5,
        counterargument: 2,
        source: 0,
        reply: 1.25,
        sourceCited: 100,
        per100Words: 0.75,
        endorsement: 3,
      },
    });
  });

  it.each([
    ["", /Enter a weight per question/],
    ["-1", /cannot be negative/],
    ["101", /at most 100/],
    ["0.125", /at most 2 decimals/],
    ["abc", /Enter a number from 0 to 100/],
    ["1e2", /Enter a number from 0 to 100/],
  ])("refuses %j with a message on that field", (typed, message) => {
    const parsed = parseWith(weightsSchema, { ...valid, question: typed });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors)).toEqual(["question"]);
    expect(parsed.errors.question).toMatch(message);
  });
});

describe("countWords", () => {
  it.each([
    ["", 0],
    ["one", 1],
    ["  two   words ", 2],
    ["**Bold** claim — with a dash", 5],
    ["- a list\n- of things", 4],
    ["see https://example.org/x?y=1 now", 3],
    ["It's 2026, isn't it?", 4],
  ])("%j has %i words", (body, words) => {
    expect(countWords(body)).toBe(words);
  });
});

describe("getParticipation: counts against a class", () => {
  let world: ClassWorld;
  let a: SignedIn;
  let b: SignedIn;
  let c: SignedIn;
  const due = new Date(Date.now() + 86_400_000);
  let expected: { aWords: number; bWords: number };
  let bLate: number;

  beforeAll(async () => {
    world = await classWorld({ students: 3, dueAt: due });
    [a, b, c] = world.students as [SignedIn, SignedIn, SignedIn];
    const g = world.groupId;

    // Student A: two annotations, a question, a counterargument and a source thread.
    const a1 = postInGroup(a, g, { body: "First point here", anchor: "p-1" });
    postInGroup(a, g, { body: "Second point", anchor: "p-2" });
    postInGroup(a, g, { kind: "question", body: "Why though?", anchor: "p-2" });
    postInGroup(a, g, { kind: "counterargument", body: "Not so fast", anchor: "p-3" });
    postInGroup(a, g, {
      kind: "source",
      body: "See this",
      anchor: "p-3",
      source: sourceLink("supports"),
    });
    // Student B: one annotation, endorsed twice; a late one; a deleted one.
    const b1 = postInGroup(b, g, { body: "B thinks so", anchor: "p-1" });
    bLate = postInGroup(b, g, { kind: "question", body: "Late question", anchor: "p-3" });
    setCreatedAt(bLate, new Date(due.getTime() + 60_000));
    const bGone = postInGroup(b, g, { body: "Never mind this one", anchor: "p-2" });
    deleteAnnotation({ db, viewer: b, id: bGone });
    toggleEndorsement({ db, viewer: a, annotationId: b1 });
    toggleEndorsement({ db, viewer: world.moderator, annotationId: b1 });

    // A replies to B twice (one a refuting source), and to themself once (not a reply to others).
    replyTo(a, b1, { body: "I disagree with B" });
    replyTo(a, b1, { kind: "source", body: "Counter evidence", source: sourceLink("refutes") });
    replyTo(a, a1, { body: "Adding to my own" });

    // B's thread with a reply by A, then B deletes it: a placeholder, A's reply still counts.
    const bPlaceholder = postInGroup(b, g, { body: "Soon deleted", anchor: "p-4" });
    replyTo(a, bPlaceholder, { kind: "counterargument", body: "Reply kept" });
    deleteAnnotation({ db, viewer: b, id: bPlaceholder });

    // None of these count: public, private, another group's, another group's assignment.
    createThread(a, { body: "Public words here", anchor: "p-1" });
    createThread(a, { body: "Private words here", anchor: "p-1", visibility: "private" });
    const other = newGroup(world.outsider, [a]);
    createAssignment({
      db,
      viewer: world.outsider,
      groupId: other,
      input: {
        articleId: world.articleId,
        instructions: "",
        dueAt: null,
        timeZone: "UTC",
        postBeforeSee: false,
        anonymous: false,
      },
    });
    postInGroup(a, other, { kind: "counterargument", body: "Other class", anchor: "p-1" });

    // The owner posts once; the moderator does not.
    postInGroup(world.owner, g, { body: "Owner's note" });

    expected = {
      aWords: countWords(
        [
          "First point here",
          "Second point",
          "Why though?",
          "Not so fast",
          "See this",
          "I disagree with B",
          "Counter evidence",
          "Adding to my own",
          "Reply kept",
        ].join(" "),
      ),
      bWords: countWords("B thinks so Late question"),
    };
  });

  function rows(viewer: { id: string } = world.owner) {
    return getParticipation({ db, viewer, assignmentId: world.assignmentId }).rows;
  }

  function rowOf(person: { id: string }): ParticipationRow {
    const row = rows().find((r) => r.userId === person.id);
    if (!row) throw new Error("no row");
    return row;
  }

  it("one row per member, students first; staff only when they posted, marked by role", () => {
    const all = rows();
    expect(all.map((r) => [r.displayName, r.role])).toEqual([
      ["Student A", "member"],
      ["Student B", "member"],
      ["Student C", "member"],
      ["Ms Owner", "owner"],
    ]);
  });

  it("counts threads by kind (roots only), replies to others, sources by stance", () => {
    const row = rowOf(a);
    expect(row.kinds).toEqual({ annotation: 2, question: 1, counterargument: 1, source: 1 });
    expect(row.replies).toBe(3);
    expect(row.sources).toEqual({ supports: 1, refutes: 1, context: 0 });
    expect(row.sourcesCited).toBe(2);
    expect(row.words).toBe(expected.aWords);
  });

  it("deleted annotations do not count; endorsements received are counted", () => {
    const row = rowOf(b);
    expect(row.kinds).toEqual({ annotation: 1, question: 1, counterargument: 0, source: 0 });
    expect(row.replies).toBe(0);
    expect(row.words).toBe(expected.bWords);
    expect(row.endorsements).toBe(2);
    expect(rowOf(a).endorsements).toBe(0);
  });

  it("late: anything after the due date; on time: everything before; no activity", () => {
    expect(rowOf(a).timing).toBe("on time");
    expect(rowOf(a).lateCount).toBe(0);
    expect(rowOf(b).timing).toBe("late");
    expect(rowOf(b).lateCount).toBe(1);
    expect(rowOf(b).lastActivity).toBe(new Date(due.getTime() + 60_000).toISOString());
    const idle = rowOf(c);
    expect(idle.timing).toBe("no activity");
    expect([idle.firstActivity, idle.lastActivity]).toEqual([null, null]);
    expect(idle.score.total).toBe(0);
  });

  it("first activity is before last; both ISO", () => {
    const row = rowOf(a);
    expect(row.firstActivity).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Date.parse(row.firstActivity ?? "")).toBeLessThanOrEqual(
      Date.parse(row.lastActivity ?? ""),
    );
  });

  it("the score is scoreOf the row's counts with the assignment's weights", () => {
    const row = rowOf(a);
    expect(row.score).toEqual(scoreOf(row, DEFAULT_WEIGHTS));
    // 2 + 1 + 2 + 1 + 3 replies + 2 sources + words/100 + 0 endorsements
    expect(row.score.total).toBe((1100 + expected.aWords) / 100);
  });

  it("setWeights changes the scores, and the weights stay valid JSON", () => {
    const weights = { ...DEFAULT_WEIGHTS, annotation: 0, reply: 2.5 };
    setWeights({ db, viewer: world.owner, assignmentId: world.assignmentId, weights });
    const participation = getParticipation({
      db,
      viewer: world.owner,
      assignmentId: world.assignmentId,
    });
    expect(participation.weights).toEqual(weights);
    const row = participation.rows.find((r) => r.userId === a.id);
    expect(row?.score.lines.map((l) => l.key)).not.toContain("annotation");
    expect(row?.score.lines.find((l) => l.key === "reply")?.text).toBe(
      "3 replies to others × 2.5 = 7.5",
    );
    const stored = db
      .select({ weights: assignment.weights })
      .from(assignment)
      .where(eq(assignment.id, world.assignmentId))
      .get();
    expect(JSON.parse(stored?.weights ?? "")).toEqual(weights);
    setWeights({
      db,
      viewer: world.owner,
      assignmentId: world.assignmentId,
      weights: DEFAULT_WEIGHTS,
    });
  });

  it("the heat strip counts the group's live annotations and replies per paragraph, by kind", () => {
    const heat = getHeatStrip({ db, viewer: world.owner, assignmentId: world.assignmentId });
    const paragraphs = db
      .select({ anchor: block.anchor })
      .from(block)
      .where(and(eq(block.articleId, world.articleId), eq(block.kind, "paragraph")))
      .orderBy(asc(block.position))
      .all();
    expect(heat.paragraphs.map((p) => p.anchor)).toEqual(paragraphs.map((p) => p.anchor));
    const byAnchor = new Map(heat.paragraphs.map((p) => [p.anchor, p]));
    // p-1: A's and B's first threads, the owner's note, and the replies in their threads (which
    // carry their root's paragraph): two annotations and a source.
    expect(byAnchor.get("p-1")?.counts).toEqual({
      annotation: 5,
      question: 0,
      counterargument: 0,
      source: 1,
    });
    expect(byAnchor.get("p-2")?.counts).toEqual({
      annotation: 1,
      question: 1,
      counterargument: 0,
      source: 0,
    });
    expect(byAnchor.get("p-3")?.counts).toEqual({
      annotation: 0,
      question: 1,
      counterargument: 1,
      source: 1,
    });
    // The deleted root is a placeholder and does not count; the reply under it does.
    expect(byAnchor.get("p-4")?.counts).toEqual({
      annotation: 0,
      question: 0,
      counterargument: 1,
      source: 0,
    });
    expect(heat.max).toBe(6);
    expect(byAnchor.get("p-1")?.total).toBe(6);
  });
});

describe("who may see participation", () => {
  let world: ClassWorld;

  beforeAll(async () => {
    world = await classWorld({ students: 1 });
  });

  const read = (viewer: { id: string }) => () =>
    getParticipation({ db, viewer, assignmentId: world.assignmentId });
  const heat = (viewer: { id: string }) => () =>
    getHeatStrip({ db, viewer, assignmentId: world.assignmentId });
  const weigh = (viewer: { id: string }) => () =>
    setWeights({ db, viewer, assignmentId: world.assignmentId, weights: DEFAULT_WEIGHTS });

  it("an outsider: NotFound (the group is not told to them)", () => {
    expect(read(world.outsider)).toThrow(NotFoundError);
    expect(heat(world.outsider)).toThrow(NotFoundError);
    expect(weigh(world.outsider)).toThrow(NotFoundError);
  });

  it("a member: Forbidden", () => {
    const member = world.students[0] as SignedIn;
    expect(read(member)).toThrow(ForbiddenError);
    expect(heat(member)).toThrow(ForbiddenError);
    expect(weigh(member)).toThrow(ForbiddenError);
  });

  it("a moderator sees participation but may not set weights", () => {
    expect(read(world.moderator)).not.toThrow();
    expect(heat(world.moderator)).not.toThrow();
    expect(weigh(world.moderator)).toThrow(ForbiddenError);
  });

  it("the owner sees it and sets weights", () => {
    expect(read(world.owner)).not.toThrow();
    expect(heat(world.owner)).not.toThrow();
    expect(weigh(world.owner)).not.toThrow();
  });

  it("a missing assignment: NotFound", () => {
    expect(() => getParticipation({ db, viewer: world.owner, assignmentId: 999_999 })).toThrow(
      NotFoundError,
    );
  });

  it("an assignment at another group's address: NotFound, even for an owner of both", () => {
    const otherGroup = newGroup(world.owner, []);
    expect(() =>
      getAssignmentInGroup({
        db,
        viewer: world.owner,
        groupId: otherGroup,
        assignmentId: world.assignmentId,
      }),
    ).toThrow(NotFoundError);
  });

  it("a group annotation written straight through the model counts like any other", () => {
    const member = world.students[0] as SignedIn;
    const target = paragraph("p-2");
    createAnnotation({
      db,
      author: member,
      articleId: target.articleId,
      blockId: target.id,
      input: {
        kind: "question",
        body: "Direct",
        source: null,
        quote: null,
        quoteStart: null,
        visibility: "group",
        groupId: world.groupId,
      },
    });
    const row = read(world.owner)().rows.find((r) => r.userId === member.id);
    expect(row?.kinds.question).toBe(1);
  });
});

/**
 * The budget on approximate matching when anchoring imported annotations (app/anchoring/import.ts):
 * counted in work units, not time, so the same file always gives the same outcomes; exact finds
 * are always made; past the budget, quotes not found exactly are orphaned and marked unsearched.
 */
import { describe, expect, it } from "vitest";
import { anchorImported, type ImportTarget } from "#app/anchoring/import";
import { approximateSearchCost, worstApproximateCost } from "#app/anchoring/selectors";

const TEXTS = [
  "The committee met on Tuesday and agreed to publish the minutes within a week of every meeting.",
  "Nobody expected the river to flood twice in one spring, yet the town had sandbags ready.",
];

function target(exact: string): ImportTarget {
  return { paragraph: null, quote: { exact, prefix: "", suffix: "" }, position: null };
}

const EDITED = [
  "agreed to publish the minute within a weak of every meeting",
  "expected the rivers to flood twice in one sprang",
  "the town had sandbag ready",
];

describe("anchorImported's budget", () => {
  it("searches approximately until the budget is spent, then only exactly", () => {
    const targets = [...EDITED.map(target), target("flood twice in one spring")];
    const generous = anchorImported(TEXTS, targets, { meter: { spent: 0 } });
    expect(generous.map((o) => o.status)).toEqual(["changed", "changed", "changed", "anchored"]);

    // A budget of one unit: the first search is made (nothing was spent yet), no other.
    const meter = { spent: 0 };
    const tight = anchorImported(TEXTS, targets, { budget: 1, meter });
    expect(tight.map((o) => o.status)).toEqual(["changed", "orphaned", "orphaned", "anchored"]);
    expect(tight[1]).toMatchObject({ unsearched: true, paragraph: null });
    expect(tight[3]).not.toHaveProperty("unsearched");
    // The one search, counted as its cost (its text, its quote, the matches it found).
    expect(meter.spent).toBeGreaterThanOrEqual(approximateSearchCost(TEXTS[0]?.length ?? 0, 10, 0));
    expect(meter.spent).toBeLessThanOrEqual(
      worstApproximateCost(Math.max(...TEXTS.map((t) => t.length)), EDITED[0]?.length ?? 0),
    );

    // The same input, the same outcomes: a preview and its import agree.
    expect(anchorImported(TEXTS, targets, { budget: 1 })).toEqual(tight);
  });

  it("does not call a quote too short to match approximately unsearched", () => {
    const [outcome] = anchorImported(TEXTS, [target("xyz")], { budget: 0 });
    expect(outcome).toEqual({ status: "orphaned", paragraph: null });
  });
});

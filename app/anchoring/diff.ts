/**
 * Word-level differences between two revisions of a paragraph, for the "compare revisions" page.
 *
 * jsdiff's `diffWordsWithSpace` (Myers' O(ND) algorithm) does the work. Its sibling `diffWords`
 * is not used: it ignores whitespace while comparing and only "preserves it as far as possible"
 * in its output, so "a" against "a  " cannot be reconstructed from it. Treating each word,
 * punctuation mark and whitespace run as a token keeps every character in exactly one segment.
 */
import { diffWordsWithSpace } from "diff";

export type DiffOp = "equal" | "insert" | "delete";

/**
 * One run of the diff. Concatenating the `equal` and `delete` runs in order gives `before`;
 * the `equal` and `insert` runs give `after`. Adjacent runs never share an op, and where text
 * was replaced the `delete` comes before the `insert`.
 */
export type DiffSegment = { op: DiffOp; text: string };

/**
 * The most edits (inserted plus deleted tokens) worth aligning. Myers' algorithm costs grow with
 * the square of the edit distance: a paragraph rewritten beyond this reads better as "replaced"
 * anyway, and one request cannot make the server spend seconds on it.
 */
export const MAX_DIFF_EDITS = 400;

export function diffWords(before: string, after: string): DiffSegment[] {
  const changes = diffWordsWithSpace(before, after, { maxEditLength: MAX_DIFF_EDITS });
  if (!changes) {
    return [
      ...(before ? [{ op: "delete" as const, text: before }] : []),
      ...(after ? [{ op: "insert" as const, text: after }] : []),
    ];
  }
  const segments: DiffSegment[] = [];
  for (const change of changes) {
    if (change.value === "") continue;
    const op: DiffOp = change.added ? "insert" : change.removed ? "delete" : "equal";
    const last = segments.at(-1);
    if (last?.op === op) last.text += change.value;
    else segments.push({ op, text: change.value });
  }
  return segments;
}

/**
 * Splits a paragraph's text into segments at every highlight boundary, so overlapping and
 * nested highlights can be rendered as flat, non-nesting <mark> runs. Offsets are code points,
 * matching the selectors in ./selectors.
 */

/** One highlight to render: `[start, end)` in code points, with a kind for styling. */
export type HighlightRange = {
  id: number;
  start: number;
  end: number;
  kind: string;
};

/**
 * A maximal run of text covered by the same set of highlights. `ids` ascend; `kinds` are
 * deduplicated and sorted so class names come out deterministic.
 */
export type HighlightSegment = {
  text: string;
  start: number;
  end: number;
  ids: number[];
  kinds: string[];
};

type Edge = { at: number; index: number; opens: boolean };

/**
 * Covers `text` with consecutive segments, each listing the highlights over it. Ranges are
 * clamped to the text; empty and non-numeric ones are ignored. Runs a sweep over the sorted
 * range edges, so the cost grows with the number of ranges, not characters times ranges.
 */
export function segmentHighlights(text: string, ranges: HighlightRange[]): HighlightSegment[] {
  const chars = Array.from(text);
  const length = chars.length;
  const edges: Edge[] = [];
  ranges.forEach((range, index) => {
    if (!Number.isFinite(range.start) || !Number.isFinite(range.end)) return;
    const start = Math.max(0, Math.floor(range.start));
    const end = Math.min(length, Math.ceil(range.end));
    if (start >= end) return;
    edges.push({ at: start, index, opens: true }, { at: end, index, opens: false });
  });
  edges.sort((a, b) => a.at - b.at);

  const segments: HighlightSegment[] = [];
  // Keyed by position in `ranges`, so the same object passed twice still opens and closes twice.
  const open = new Map<number, HighlightRange>();
  const emit = (start: number, end: number) => {
    if (start >= end) return;
    const covering = [...open.values()];
    const ids = [...new Set(covering.map((r) => r.id))].sort((a, b) => a - b);
    const kinds = [...new Set(covering.map((r) => r.kind))].sort();
    const last = segments.at(-1);
    // Two ranges sharing an id can meet end to end; one segment reads better than two.
    if (last && sameList(last.ids, ids) && sameList(last.kinds, kinds)) {
      last.end = end;
      last.text += chars.slice(start, end).join("");
      return;
    }
    segments.push({ text: chars.slice(start, end).join(""), start, end, ids, kinds });
  };

  let cursor = 0;
  let i = 0;
  while (i < edges.length) {
    const at = edges[i]?.at ?? length;
    emit(cursor, at);
    cursor = at;
    for (; i < edges.length && edges[i]?.at === at; i++) {
      const edge = edges[i];
      const range = edge ? ranges[edge.index] : undefined;
      if (!edge || !range) continue;
      if (edge.opens) open.set(edge.index, range);
      else open.delete(edge.index);
    }
  }
  emit(cursor, length);
  return segments;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

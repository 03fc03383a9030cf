/**
 * A paragraph's text with its annotated passages marked. Overlaps render as flat runs whose
 * shade deepens with the number of threads on them; counterarguments are marked differently.
 */
import { type HighlightRange, segmentHighlights } from "#app/anchoring/highlights";

export type PassageRange = { start: number; end: number; kind: string; count: number };

export function HighlightedText({ text, ranges }: { text: string; ranges: PassageRange[] }) {
  if (ranges.length === 0) return <>{text}</>;
  const counts = ranges.map((r) => r.count);
  const highlightRanges: HighlightRange[] = ranges.map((r, id) => ({
    id,
    start: r.start,
    end: r.end,
    kind: r.kind,
  }));
  return (
    <>
      {segmentHighlights(text, highlightRanges).map((segment) => {
        if (segment.ids.length === 0) return <span key={segment.start}>{segment.text}</span>;
        const threads = segment.ids.reduce((sum, id) => sum + (counts[id] ?? 0), 0);
        const isCounter = segment.kinds.includes("counterargument");
        return (
          <mark
            key={segment.start}
            className={`highlight${isCounter ? " highlight-counter" : ""}${threads > 1 ? " highlight-dense" : ""}`}
            data-threads={threads}
          >
            {segment.text}
          </mark>
        );
      })}
    </>
  );
}

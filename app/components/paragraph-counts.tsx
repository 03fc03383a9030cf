import { KIND_LABELS } from "#app/rules";

/** "3 annotations · 2 counterarguments · 1 source": what a paragraph has drawn, by kind. */

const ORDER = ["annotation", "question", "counterargument", "source"] as const;
type Counts = Partial<Record<(typeof ORDER)[number], number>>;

function countParts(counts: Counts) {
  return ORDER.filter((kind) => (counts[kind] ?? 0) > 0).map((kind) => {
    const n = counts[kind] ?? 0;
    return { kind, text: `${n} ${n === 1 ? KIND_LABELS[kind].one : KIND_LABELS[kind].many}` };
  });
}

export function describeCounts(counts: Counts): string {
  return countParts(counts)
    .map((part) => part.text)
    .join(" · ");
}

export function ParagraphCounts({ counts }: { counts: Counts }) {
  return (
    <span className="paragraph-counts">
      {countParts(counts).map((part, i) => (
        <span key={part.kind} className={`count count-${part.kind}`}>
          {i > 0 ? " · " : null}
          {part.text}
        </span>
      ))}
    </span>
  );
}

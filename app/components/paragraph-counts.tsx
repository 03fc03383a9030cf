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

/**
 * The accessible name of a paragraph's "Discuss" link. It starts with the link's visible text
 * ("Discuss", or the counts that replace it) and then says which paragraph, so that what a reader
 * sees is what a voice-control user can say and what a screen reader announces (WCAG 2.5.3).
 */
export function discussLinkLabel(number: number | null, counts: Counts): string {
  const described = describeCounts(counts);
  const paragraph = number === null ? "this paragraph" : `paragraph ${number}`;
  return described ? `${described} on ${paragraph}` : `Discuss ${paragraph}`;
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

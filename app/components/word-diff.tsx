/**
 * A word diff, readable without colour: deletions are struck through and insertions underlined
 * (the <del> and <ins> elements, which assistive technology announces), each also named in
 * visually hidden text for screen readers that do not announce them.
 */
export type DiffPart = { op: "equal" | "insert" | "delete"; text: string };

export function WordDiff({ parts }: { parts: DiffPart[] }) {
  return (
    <p className="diff">
      {parts.map((part, i) =>
        part.op === "equal" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: a diff's parts never reorder.
          <span key={i}>{part.text}</span>
        ) : part.op === "insert" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: a diff's parts never reorder.
          <ins key={i}>
            <span className="visually-hidden">[inserted: </span>
            {part.text}
            <span className="visually-hidden">]</span>
          </ins>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: a diff's parts never reorder.
          <del key={i}>
            <span className="visually-hidden">[deleted: </span>
            {part.text}
            <span className="visually-hidden">]</span>
          </del>
        ),
      )}
    </p>
  );
}

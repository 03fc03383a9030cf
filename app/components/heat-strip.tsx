/**
 * The heat strip: for each paragraph of the assigned article, how much of the class's discussion
 * it drew, split by kind, so an instructor sees where the class pushed back and where it asked.
 *
 * Accessible by construction: each paragraph is a link (to its discussion in the class's layer)
 * whose text says it all ("Paragraph 4: 3 counterarguments, 1 question"); the bar beside it is
 * decoration hidden from assistive technology, and tells kinds apart by pattern and letter as
 * well as colour, so it reads in greyscale and for colour-blind readers. Widths are relative to the
 * busiest paragraph. Inline styles because the bars' widths are data (the policy allows style
 * attributes; see security-headers.server.ts).
 */
import { Link } from "@remix-run/react";
import type { CSSProperties } from "react";
import { type AnnotationKind, annotationKinds, KIND_LABELS } from "#app/rules";

export type HeatStripParagraph = {
  number: number;
  anchor: string;
  counts: Record<AnnotationKind, number>;
  total: number;
};

/** A letter and a pattern per kind: the bar never relies on colour alone. */
const LOOK: Record<AnnotationKind, { letter: string; background: string; color: string }> = {
  annotation: { letter: "A", background: "#6b655b", color: "#fff" },
  question: {
    letter: "Q",
    background: "repeating-linear-gradient(45deg, #1f5fbf 0 4px, #3f7bd6 4px 8px)",
    color: "#fff",
  },
  counterargument: {
    letter: "C",
    background: "repeating-linear-gradient(90deg, #8a3b12 0 3px, #a9532a 3px 6px)",
    color: "#fff",
  },
  source: {
    letter: "S",
    background: "repeating-linear-gradient(0deg, #2f6b3a 0 3px, #47854f 3px 6px)",
    color: "#fff",
  },
};

const SEGMENT: CSSProperties = {
  display: "inline-block",
  height: "1.4em",
  overflow: "hidden",
  fontSize: "0.75em",
  lineHeight: "1.4em",
  textAlign: "center",
  fontFamily: "var(--sans)",
  fontWeight: 700,
  verticalAlign: "middle",
};

const BAR: CSSProperties = {
  display: "inline-block",
  width: "12rem",
  maxWidth: "40vw",
  background: "var(--paper-deep)",
  whiteSpace: "nowrap",
  verticalAlign: "middle",
  margin: "0 0.5rem",
};

/** "3 counterarguments, 1 question": busiest kind first; "no discussion" when empty. */
export function describeHeat(counts: Record<AnnotationKind, number>): string {
  const parts = annotationKinds
    .filter((kind) => counts[kind] > 0)
    .sort((a, b) => counts[b] - counts[a])
    .map(
      (kind) =>
        `${counts[kind]} ${counts[kind] === 1 ? KIND_LABELS[kind].one : KIND_LABELS[kind].many}`,
    );
  return parts.length > 0 ? parts.join(", ") : "no discussion";
}

function Swatch({ kind }: { kind: AnnotationKind }) {
  const look = LOOK[kind];
  return (
    <span
      aria-hidden="true"
      style={{ ...SEGMENT, width: "1.6em", background: look.background, color: look.color }}
    >
      {look.letter}
    </span>
  );
}

function Bar({ paragraph, max }: { paragraph: HeatStripParagraph; max: number }) {
  return (
    <span aria-hidden="true" style={BAR}>
      {annotationKinds
        .filter((kind) => paragraph.counts[kind] > 0)
        .map((kind) => (
          <span
            key={kind}
            style={{
              ...SEGMENT,
              width: `${(paragraph.counts[kind] / max) * 100}%`,
              background: LOOK[kind].background,
              color: LOOK[kind].color,
            }}
          >
            {LOOK[kind].letter}
          </span>
        ))}
    </span>
  );
}

/** The paragraph that drew the most of `kind`, for the summary line; null when none did. */
function busiest(paragraphs: HeatStripParagraph[], kind: AnnotationKind) {
  let best: HeatStripParagraph | null = null;
  for (const p of paragraphs) {
    if (p.counts[kind] > 0 && (!best || p.counts[kind] > best.counts[kind])) best = p;
  }
  return best;
}

export function HeatStrip({
  paragraphs,
  max,
  hrefFor,
  headingId = "heat-strip-heading",
  headingLevel = 3,
}: {
  paragraphs: HeatStripParagraph[];
  max: number;
  /** Where a paragraph's discussion is, in the class's layer. */
  hrefFor: (anchor: string) => string;
  headingId?: string;
  /** The strip sits inside a page section (h2) by default. */
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const pushback = busiest(paragraphs, "counterargument");
  const questions = busiest(paragraphs, "question");
  return (
    <section className="heat-strip" aria-labelledby={headingId}>
      <Heading id={headingId}>Where the discussion went</Heading>
      <p className="section-note">
        Each paragraph's bar is as long as the class's annotations and replies on it, relative to
        the busiest paragraph, split by kind. Each link opens that paragraph's discussion.
      </p>
      <p className="heat-legend">
        Key:{" "}
        {annotationKinds.map((kind, i) => (
          <span key={kind}>
            {i > 0 ? " · " : null}
            <Swatch kind={kind} /> {KIND_LABELS[kind].many}
          </span>
        ))}
      </p>
      {max === 0 ? (
        <p>The class has not annotated this article yet.</p>
      ) : (
        <p>
          {pushback
            ? `Most counterarguments: paragraph ${pushback.number} (${pushback.counts.counterargument}). `
            : "No counterarguments yet. "}
          {questions
            ? `Most questions: paragraph ${questions.number} (${questions.counts.question}).`
            : "No questions yet."}
        </p>
      )}
      <ol className="heat-strip-list" style={{ listStyle: "none", paddingLeft: 0 }}>
        {paragraphs.map((paragraph) => (
          <li key={paragraph.anchor}>
            <Link to={hrefFor(paragraph.anchor)}>
              <span>Paragraph {paragraph.number}</span>
              <span className="visually-hidden">: </span>
              {paragraph.total > 0 ? (
                <Bar paragraph={paragraph} max={max} />
              ) : (
                <span aria-hidden="true" className="heat-bar-empty" style={BAR} />
              )}
              <span>{describeHeat(paragraph.counts)}</span>
            </Link>
          </li>
        ))}
      </ol>
    </section>
  );
}

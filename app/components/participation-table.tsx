/**
 * The instructor's participation table: one row per member, what they posted and when, and the
 * score with every term of its sum written out (a <details> per row, so the table stays readable
 * and nothing is a hidden formula). Presentational: the route's loader computes everything,
 * dates included, in the assignment's time zone.
 */
import {
  type AnnotationKind,
  annotationKinds,
  KIND_LABELS,
  type Stance,
  stances,
} from "#app/rules";
import { capitalise } from "#app/utils/format";

export type ParticipationTableRow = {
  userId: string;
  username: string;
  displayName: string;
  role: "owner" | "moderator" | "member";
  kinds: Record<AnnotationKind, number>;
  replies: number;
  sources: Record<Stance, number>;
  sourcesCited: number;
  words: number;
  endorsements: number;
  firstActivity: string | null;
  lastActivity: string | null;
  /** The same instants as the assignment's zone shows them ("4 Dec 2026, 17:00"). */
  firstActivityLabel: string | null;
  lastActivityLabel: string | null;
  timing: "on time" | "late" | "no activity";
  lateCount: number;
  score: { total: number; lines: { key: string; points: number; text: string }[] };
};

const ROLE_LABELS = { owner: "owner", moderator: "moderator", member: null } as const;

function points(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function Sources({ row }: { row: ParticipationTableRow }) {
  if (row.sourcesCited === 0) return <>0</>;
  const parts = stances.filter((s) => row.sources[s] > 0).map((s) => `${row.sources[s]} ${s}`);
  return (
    <>
      {row.sourcesCited} <span className="participation-detail">({parts.join(", ")})</span>
    </>
  );
}

function Timing({ row }: { row: ParticipationTableRow }) {
  if (row.timing === "late") {
    return (
      <>
        Late <span className="participation-detail">({row.lateCount} after the due date)</span>
      </>
    );
  }
  return <>{capitalise(row.timing)}</>;
}

function When({ iso, label }: { iso: string | null; label: string | null }) {
  if (!iso) return <>—</>;
  return <time dateTime={iso}>{label ?? iso}</time>;
}

function ScoreCell({ row }: { row: ParticipationTableRow }) {
  return (
    <details className="score-breakdown">
      <summary>
        <strong>{points(row.score.total)}</strong>
        <span className="visually-hidden"> points for {row.displayName}: show how</span>
      </summary>
      {row.score.lines.length === 0 ? (
        <p>Every weight is 0: nothing counts.</p>
      ) : (
        <ul>
          {row.score.lines.map((line) => (
            <li key={line.key}>{line.text}</li>
          ))}
          <li>
            <strong>Total {points(row.score.total)}</strong>
          </li>
        </ul>
      )}
    </details>
  );
}

export function ParticipationTable({
  rows,
  caption,
  timeZone,
}: {
  rows: ParticipationTableRow[];
  caption: string;
  timeZone: string;
}) {
  return (
    // A wide table scrolls sideways inside its own region, which keyboard users focus to scroll.
    <section
      className="table-scroll"
      aria-labelledby="participation-caption"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (axe scrollable-region-focusable)
      tabIndex={0}
      style={{ overflowX: "auto" }}
    >
      <table className="participation-table">
        <caption id="participation-caption">
          {caption} <span className="participation-detail">(times in {timeZone})</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">Member</th>
            {/* Next to the name: what an instructor reads first, never scrolled out of view. */}
            <th scope="col">Score</th>
            {annotationKinds.map((kind) => (
              <th scope="col" key={kind}>
                {capitalise(KIND_LABELS[kind].many)}
              </th>
            ))}
            <th scope="col">Replies to others</th>
            <th scope="col">Sources cited</th>
            <th scope="col">Words</th>
            <th scope="col">Endorsements received</th>
            <th scope="col">First activity</th>
            <th scope="col">Last activity</th>
            <th scope="col">On time?</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={13}>Nobody has joined this group as a member yet.</td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={row.userId}>
                <th scope="row">
                  {row.displayName} <span className="participation-detail">@{row.username}</span>
                  {ROLE_LABELS[row.role] ? (
                    <span className="participation-detail"> ({ROLE_LABELS[row.role]})</span>
                  ) : null}
                </th>
                <td>
                  <ScoreCell row={row} />
                </td>
                {annotationKinds.map((kind) => (
                  <td key={kind}>{row.kinds[kind]}</td>
                ))}
                <td>{row.replies}</td>
                <td>
                  <Sources row={row} />
                </td>
                <td>{row.words}</td>
                <td>{row.endorsements}</td>
                <td>
                  <When iso={row.firstActivity} label={row.firstActivityLabel} />
                </td>
                <td>
                  <When iso={row.lastActivity} label={row.lastActivityLabel} />
                </td>
                <td>
                  <Timing row={row} />
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}

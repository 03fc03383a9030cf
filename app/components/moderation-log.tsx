/**
 * A moderation log as a table: when, who, what (and whose annotation, or which member), why. For
 * a group's owners, and for site admins (public annotations).
 */
import { Link } from "@remix-run/react";
import { AuthorName } from "#app/components/author-name";
import { type AnnotationKind, KIND_LABELS } from "#app/rules";
import { formatDateTime, permalinkPath } from "#app/utils/format";

type Person = { username: string; displayName: string };

/** One entry, as the loader sends it (models/moderation.server.ts ModerationLogEntry). */
export type LogRow = {
  id: number;
  action: "flag" | "hide" | "restore" | "dismiss" | "remove_member" | "set_role";
  createdAt: string;
  reason: string;
  actor: Person | null;
  subject: Person | null;
  annotation: {
    id: number;
    kind: AnnotationKind;
    author: Person | null;
    article: { slug: string; title: string };
    paragraph: { anchor: string; number: number | null };
  } | null;
};

const VERBS: Record<LogRow["action"], string> = {
  flag: "Flagged",
  hide: "Hid",
  restore: "Restored",
  dismiss: "Dismissed the flags on",
  set_role: "Changed the role of",
  remove_member: "Removed",
};

function What({ row }: { row: LogRow }) {
  const verb = VERBS[row.action];
  if (row.action === "set_role" || row.action === "remove_member") {
    return (
      <>
        {verb} <AuthorName author={row.subject} link={false} />
      </>
    );
  }
  const target = row.annotation;
  if (!target) return <>{verb} an annotation since deleted</>;
  const where = target.paragraph.number === null ? "" : ` on paragraph ${target.paragraph.number}`;
  return (
    <>
      {verb}{" "}
      <Link to={`${permalinkPath(target.article.slug, target.id)}#a-${target.id}`}>
        {`${/^[aeiou]/i.test(KIND_LABELS[target.kind].one) ? "an" : "a"} ${KIND_LABELS[target.kind].one}${where} of ${target.article.title}`}
      </Link>{" "}
      by <AuthorName author={target.author} link={false} />
    </>
  );
}

export function ModerationLog({ rows, caption }: { rows: LogRow[]; caption: string }) {
  if (rows.length === 0) return <p className="empty">Nothing has been logged yet.</p>;
  return (
    <table className="moderation-log">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id}>
            <td>
              <time dateTime={row.createdAt}>{formatDateTime(row.createdAt)}</time>
            </td>
            <td>
              <AuthorName author={row.actor} link={false} />
            </td>
            <td>
              <What row={row} />
            </td>
            <td>{row.reason || <span className="field-hint">(no reason given)</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

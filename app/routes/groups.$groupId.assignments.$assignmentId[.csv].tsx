/**
 * /groups/:groupId/assignments/:assignmentId.csv — the participation table as CSV (a resource
 * route: no component), for the group's owners and moderators: the same rows and figures as the
 * page, with the score's breakdown in a column of its own. Outsiders get 404, other members 403.
 * Cells that a spreadsheet would run as a formula are neutralised (app/utils/csv.ts); times are
 * ISO 8601 in UTC, which spreadsheets and scripts read without guessing a zone.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  getAssignmentInGroup,
  getParticipation,
  type ParticipationRow,
} from "#app/models/participation.server";
import { annotationKinds, KIND_LABELS, stances } from "#app/rules";
import { requireUser } from "#app/utils/auth.server";
import { type CsvCell, toCsv } from "#app/utils/csv";
import { db } from "#app/utils/db.server";
import { statusOf } from "#app/utils/errors";
import { capitalise } from "#app/utils/format";
import { parseId } from "#app/utils/params";

const CSV_HEADER: string[] = [
  "Name",
  "Username",
  "Role",
  ...annotationKinds.map((kind) => capitalise(KIND_LABELS[kind].many)),
  "Replies to others",
  ...stances.map((stance) => `Sources cited: ${stance}`),
  "Words",
  "Endorsements received",
  "First activity (UTC)",
  "Last activity (UTC)",
  "On time",
  "Score",
  "Score breakdown",
];

function csvRow(row: ParticipationRow): CsvCell[] {
  return [
    row.displayName,
    row.username,
    row.role,
    ...annotationKinds.map((kind) => row.kinds[kind]),
    row.replies,
    ...stances.map((stance) => row.sources[stance]),
    row.words,
    row.endorsements,
    row.firstActivity,
    row.lastActivity,
    row.timing,
    row.score.total,
    row.score.lines.map((line) => line.text).join("; "),
  ];
}

/** A file name with nothing a header or a file system could trip on: letters, digits, dashes. */
function safeFileName(...parts: string[]): string {
  const name = parts
    .join("-")
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase()
    .slice(0, 100)
    .replace(/-+$/, "");
  return name || "participation";
}

function plainText(message: string, status: number): Response {
  return new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const groupId = parseId(params.groupId);
  const assignmentId = parseId(params.assignmentId);
  if (!groupId || !assignmentId) {
    throw plainText("There is no such assignment, or you are not in its group.", 404);
  }
  try {
    const { assignment } = getAssignmentInGroup({ db, viewer, groupId, assignmentId });
    const participation = getParticipation({ db, viewer, assignmentId });
    const csv = toCsv([CSV_HEADER, ...participation.rows.map(csvRow)]);
    const filename = `${safeFileName(assignment.groupName, assignment.article.slug, "participation")}.csv`;
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${filename}"`,
        // Names and figures of one class: never kept by a shared cache.
        "Cache-Control": "private, no-store",
      },
    });
  } catch (error) {
    const status = statusOf(error);
    if (status === null) throw error;
    throw plainText((error as Error).message, status);
  }
}

/**
 * /groups/:groupId/assignments/:assignmentId — an assignment, for the members of its group: the
 * article to read in the class's layer, the instructions, the due date in the zone it was set in,
 * and what its options mean. Owners and moderators also get the instructor's view: the heat strip,
 * the participation table with each score's breakdown, and the CSV; owners set the score's weights
 * and edit the assignment. Outsiders get 404 (a group is not told to them), like any group page.
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { AssignmentFields } from "#app/components/assignment-fields";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { FormMessage, StatusMessage, TextField, useAfterErrors } from "#app/components/form-field";
import { HeatStrip } from "#app/components/heat-strip";
import { ParticipationTable } from "#app/components/participation-table";
import { type AssignmentView, updateAssignment } from "#app/models/assignment.server";
import { assignmentSchema } from "#app/models/group-input.server";
import {
  describeFormula,
  formatActivity,
  getAssignmentInGroup,
  getHeatStrip,
  getParticipation,
  setWeights,
  WEIGHT_FIELDS,
  WEIGHT_KEYS,
} from "#app/models/participation.server";
import { weightsSchema } from "#app/models/participation-input.server";
import { canInGroup } from "#app/permissions";
import { GROUP_WORDS } from "#app/rules";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { type FieldErrors, invariantResponse, toResponseError } from "#app/utils/errors";
import { capitalise, dueFields, formatDue } from "#app/utils/format";
import { formFields, invalid, parseWith, readForm, refused } from "#app/utils/forms.server";
import { ASSIGNMENT_INTENTS, readIntent } from "#app/utils/intents";
import { parseId } from "#app/utils/params";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [{ title: `${data.assignment.article.title} · ${data.assignment.groupName} · Marginalia` }]
    : [{ title: errorTitle(error) }];

const NOT_FOUND = "There is no such assignment, or you are not in its group.";

const SAVED = {
  [ASSIGNMENT_INTENTS.weights]: "The weights are saved; the scores below use them.",
  [ASSIGNMENT_INTENTS.edit]: "The assignment is saved.",
} as const;

const EDIT_FIELDS = [
  "instructions",
  "dueDate",
  "dueTime",
  "timeZone",
  "postBeforeSee",
  "anonymous",
] as const;

function readIds(params: LoaderFunctionArgs["params"]) {
  const groupId = parseId(params.groupId);
  const assignmentId = parseId(params.assignmentId);
  invariantResponse(groupId && assignmentId, NOT_FOUND, { status: 404 });
  return { groupId, assignmentId };
}

/** The assignment and the viewer's role; the model's NotFound becomes a 404 page. */
function load(viewer: { id: string }, params: LoaderFunctionArgs["params"]) {
  const ids = readIds(params);
  try {
    return { ...ids, ...getAssignmentInGroup({ db, viewer, ...ids }) };
  } catch (error) {
    toResponseError(error);
  }
}

/** The edit form's fields as the owner entered them: the due date back in its own zone. */
function editValuesOf(assignment: AssignmentView): Record<(typeof EDIT_FIELDS)[number], string> {
  const { date, time } = dueFields(assignment.dueAt, assignment.timeZone);
  return {
    instructions: assignment.instructions,
    dueDate: date,
    dueTime: time,
    timeZone: assignment.timeZone,
    postBeforeSee: assignment.postBeforeSee ? "on" : "",
    anonymous: assignment.anonymous ? "on" : "",
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const { groupId, assignmentId, assignment, role } = load(viewer, params);
  const url = new URL(request.url);
  const saved = url.searchParams.get("saved");
  const zone = assignment.timeZone;
  const staff = canInGroup(role, "viewParticipation");
  const owner = canInGroup(role, "manage");

  let instructor = null;
  if (staff) {
    const participation = getParticipation({ db, viewer, assignmentId });
    const label = (iso: string | null) => (iso ? formatActivity(iso, zone) : null);
    instructor = {
      rows: participation.rows.map((row) => ({
        ...row,
        firstActivityLabel: label(row.firstActivity),
        lastActivityLabel: label(row.lastActivity),
      })),
      formula: describeFormula(participation.weights),
      weightFields: WEIGHT_KEYS.map((key) => ({
        key,
        ...WEIGHT_FIELDS[key],
        value: String(participation.weights[key]),
      })),
      heat: getHeatStrip({ db, viewer, assignmentId }),
      csvHref: `/groups/${groupId}/assignments/${assignmentId}.csv`,
    };
  }

  return {
    assignment,
    role,
    owner,
    /** "Friday 4 December 2026 at 17:00 (Europe/London time)", in the zone it was set in. */
    due: assignment.dueAt
      ? { iso: assignment.dueAt, label: formatDue(assignment.dueAt, zone) }
      : null,
    /** The edit form's fields as the owner entered them (owners only). */
    editValues: owner ? editValuesOf(assignment) : null,
    readHref: `/articles/${encodeURIComponent(assignment.article.slug)}?layer=group-${groupId}`,
    saved: saved && Object.hasOwn(SAVED, saved) ? SAVED[saved as keyof typeof SAVED] : null,
    instructor,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const form = await readForm(request);
  const intent = readIntent(form, ASSIGNMENT_INTENTS);
  const { groupId, assignmentId } = load(viewer, params);
  const here = `/groups/${groupId}/assignments/${assignmentId}`;

  if (intent === ASSIGNMENT_INTENTS.weights) {
    const fields = formFields(form, WEIGHT_KEYS);
    const parsed = parseWith(weightsSchema, fields);
    if (!parsed.ok) return invalid({ intent, errors: parsed.errors, values: fields });
    try {
      setWeights({ db, viewer, assignmentId, weights: parsed.value });
    } catch (error) {
      return refused(error, { intent, values: fields });
    }
    return redirect(`${here}?saved=${intent}#weights-heading`);
  }

  if (intent === ASSIGNMENT_INTENTS.edit) {
    const fields = formFields(form, EDIT_FIELDS);
    const parsed = parseWith(assignmentSchema, fields);
    if (!parsed.ok) return invalid({ intent, errors: parsed.errors, values: fields });
    try {
      updateAssignment({ db, viewer, assignmentId, input: parsed.value });
    } catch (error) {
      return refused(error, { intent, values: fields });
    }
    return redirect(`${here}?saved=${intent}`);
  }

  return invalid({ errors: { form: "Unknown action." }, values: {} });
}

export default function AssignmentPage() {
  const { assignment, owner, due, editValues, readHref, saved, instructor } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().formData?.get("intent");
  const weightsForm = useRef<HTMLFormElement>(null);
  const editForm = useRef<HTMLFormElement>(null);
  const weightsResult = result?.intent === ASSIGNMENT_INTENTS.weights ? result : null;
  const editResult = result?.intent === ASSIGNMENT_INTENTS.edit ? result : null;
  useAfterErrors(weightsForm, weightsResult);
  useAfterErrors(editForm, editResult);
  const weightErrors: FieldErrors = weightsResult?.errors ?? {};
  const editErrors: FieldErrors = editResult?.errors ?? {};
  const groupId = assignment.groupId;
  const words = GROUP_WORDS[assignment.groupKind];

  return (
    <div className="assignment-page">
      <p className="breadcrumb">
        <Link to={`/groups/${groupId}`}>{assignment.groupName}</Link>
      </p>
      <h1>{assignment.article.title}</h1>
      <StatusMessage message={saved} />
      <p className="assignment-due">
        {due ? (
          <>
            Due <time dateTime={due.iso}>{due.label}</time>
          </>
        ) : (
          "No due date."
        )}
      </p>
      <p>
        <Link to={readHref} className="auth-button">
          Read and annotate “{assignment.article.title}” with {assignment.groupName}
        </Link>
      </p>

      <section className="account-section" aria-labelledby="instructions-heading">
        <h2 id="instructions-heading">Instructions</h2>
        {assignment.instructions ? (
          // Plain text as the instructor typed it: line breaks and spacing kept, nothing rendered.
          <div className="assignment-instructions" style={{ whiteSpace: "pre-wrap" }}>
            {assignment.instructions}
          </div>
        ) : (
          <p>No instructions beyond reading and annotating the article.</p>
        )}
      </section>

      <section className="account-section" aria-labelledby="options-heading">
        <h2 id="options-heading">How this assignment works</h2>
        <ul>
          <li>
            <strong>
              {words.postBeforeSee}: {assignment.postBeforeSee ? "on" : "off"}.
            </strong>{" "}
            {assignment.postBeforeSee
              ? `You see your ${words.peers}' annotations on this article once you have posted one of your own. The group's owners and moderators always see everything.`
              : `You see your ${words.peers}' annotations on this article from the start.`}
          </li>
          <li>
            <strong>Anonymous to peers: {assignment.anonymous ? "on" : "off"}.</strong>{" "}
            {assignment.anonymous
              ? `${capitalise(words.peers)} see each other as “${words.alias} 1”, “${words.alias} 2” and so on; the number stays the same for this ${words.assignment}. The group's owners and moderators see names.`
              : `${capitalise(words.peers)} see each other's names.`}
          </li>
          <li>
            Your annotations are seen by the members of {assignment.groupName} when you write them
            in {words.layer} (the link above opens it).
          </li>
        </ul>
      </section>

      {instructor ? (
        <section className="account-section" aria-labelledby="participation-heading">
          <h2 id="participation-heading">Participation</h2>
          <p className="section-note">
            What each member posted in {assignment.groupName} on this article: their live
            annotations and replies (deleted ones do not count; hidden ones do). Threads are counted
            by kind; “replies to others” are replies to someone else's annotation; “sources cited”
            counts every link with a stance, in threads and replies. Words are runs of letters or
            digits between spaces.
          </p>
          <p className="section-note">
            {due ? (
              <>
                <strong>Late</strong> means at least one annotation or reply was posted after the
                due date ({due.label}); <strong>on time</strong> means all of it came before.
              </>
            ) : (
              "This assignment has no due date, so nothing is late."
            )}{" "}
            Times are in {assignment.timeZone} time.
          </p>
          <p className="section-note">
            <strong>Score</strong> = {instructor.formula}. Open a score to see its sum.
          </p>
          <p>
            <a href={instructor.csvHref} download>
              Download this table as CSV
            </a>
          </p>
          <HeatStrip
            paragraphs={instructor.heat.paragraphs}
            max={instructor.heat.max}
            hrefFor={(anchor) =>
              `/articles/${encodeURIComponent(assignment.article.slug)}/p/${anchor}?layer=group-${groupId}#${anchor}`
            }
          />
          <ParticipationTable
            rows={instructor.rows}
            caption={`Participation in ${assignment.groupName} on “${assignment.article.title}”`}
            timeZone={assignment.timeZone}
          />
        </section>
      ) : null}

      {instructor && owner ? (
        <section className="account-section" aria-labelledby="weights-heading">
          <h2 id="weights-heading">Score weights</h2>
          <p className="section-note">
            Points for each unit of each term, from 0 to 100 with at most 2 decimals. 0 leaves a
            term out. The score is the sum of the terms, shown in full for every member.
          </p>
          <Form method="post" className="auth-form" ref={weightsForm} noValidate>
            <input type="hidden" name="intent" value={ASSIGNMENT_INTENTS.weights} />
            <FormMessage message={weightErrors.form} />
            {instructor.weightFields.map((field) => (
              <TextField
                key={field.key}
                idPrefix="weight"
                name={field.key}
                label={field.label}
                hint={field.hint}
                error={weightErrors[field.key]}
                defaultValue={weightsResult ? weightsResult.values[field.key] : field.value}
                inputMode="decimal"
                autoComplete="off"
                maxLength={10}
                required
              />
            ))}
            <button
              type="submit"
              className="auth-button"
              disabled={submitting === ASSIGNMENT_INTENTS.weights}
            >
              Save weights
            </button>
          </Form>
        </section>
      ) : null}

      {owner ? (
        <section className="account-section" aria-labelledby="edit-heading">
          <h2 id="edit-heading">Edit the assignment</h2>
          <Form method="post" className="auth-form" ref={editForm} noValidate>
            <input type="hidden" name="intent" value={ASSIGNMENT_INTENTS.edit} />
            <FormMessage message={editErrors.form} />
            <AssignmentFields
              prefix="edit"
              kind={assignment.groupKind}
              errors={editErrors}
              values={editResult ? editResult.values : (editValues ?? {})}
            />
            <button
              type="submit"
              className="auth-button"
              disabled={submitting === ASSIGNMENT_INTENTS.edit}
            >
              Save the assignment
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

/**
 * One group (a class, or a review panel): what it reads (its assignments; a panel's responses under
 * review), who is in it, and for its owners the controls — the join link and code, roles, removals,
 * the size cap, new assignments. The page speaks of either kind in its own words (GROUP_WORDS in
 * app/rules.ts). Outsiders get a 404, as for a group that does not exist. Every form works without
 * script.
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
import { ConfirmedSubmit } from "#app/components/confirmed-submit";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { FormMessage, StatusMessage, TextField, useAfterErrors } from "#app/components/form-field";
import {
  createAssignment,
  listAssignableArticles,
  listGroupAssignments,
} from "#app/models/assignment.server";
import {
  formatJoinCode,
  getGroupFor,
  listMembers,
  removeMember,
  setJoinCode,
  setMemberRole,
  updateGroup,
} from "#app/models/group.server";
import {
  groupSettingsSchema,
  newAssignmentSchema,
  roleSchema,
} from "#app/models/group-input.server";
import { canInGroup } from "#app/permissions";
import {
  DEFAULT_SIZE_CAP,
  GROUP_DESCRIPTION_MAX,
  GROUP_NAME_MAX,
  GROUP_WORDS,
  SIZE_CAP_MAX,
} from "#app/rules";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse, toResponseError } from "#app/utils/errors";
import { formatDate, formatDue } from "#app/utils/format";
import { formFields, invalid, parseWith, readForm, refused } from "#app/utils/forms.server";
import { GROUP_INTENTS, readIntent } from "#app/utils/intents";
import { parseId } from "#app/utils/params";

export const meta: MetaFunction<typeof loader> = ({ data, error }) => [
  { title: data ? `${data.group.name} · Marginalia` : errorTitle(error) },
];

const ROLE_LABELS = { owner: "Owner", moderator: "Moderator", member: "Member" } as const;

const SAVED: Record<string, string> = {
  [GROUP_INTENTS.settings]: "The {kind}'s settings are saved.",
  [GROUP_INTENTS.rotateCode]: "There is a new join code; the old one no longer works.",
  [GROUP_INTENTS.disableCode]: "Joining is turned off. Make a new code to turn it on again.",
  [GROUP_INTENTS.setRole]: "The role is changed.",
  [GROUP_INTENTS.removeMember]: "The member is removed.",
};

function readGroupId(params: LoaderFunctionArgs["params"]): number {
  const id = parseId(params.groupId);
  invariantResponse(id, "There is no such group, or you are not in it.", { status: 404 });
  return id;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const groupId = readGroupId(params);
  let group: ReturnType<typeof getGroupFor>;
  try {
    group = getGroupFor({ db, viewer, groupId });
  } catch (error) {
    toResponseError(error);
  }
  const manages = canInGroup(group.role, "manage");
  const url = new URL(request.url);
  const saved = url.searchParams.get("saved");
  return {
    group: {
      ...group,
      joinCode: group.joinCode ? formatJoinCode(group.joinCode) : null,
      joinUrl: group.joinCode ? `${url.origin}/join/${group.joinCode}` : null,
    },
    viewerId: viewer.id,
    manages,
    moderates: canInGroup(group.role, "moderate"),
    exports: canInGroup(group.role, "export"),
    members: listMembers({ db, viewer, groupId }),
    // Dates are written on the server: the browser's Intl may word them differently.
    assignments: listGroupAssignments({ db, viewer, groupId }).map((a) => ({
      ...a,
      dueText: a.dueAt ? formatDue(a.dueAt, a.timeZone) : null,
    })),
    articles: manages ? listAssignableArticles(db) : [],
    saved:
      saved && Object.hasOwn(SAVED, saved)
        ? (SAVED[saved] as string).replace("{kind}", GROUP_WORDS[group.kind].kind)
        : null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const groupId = readGroupId(params);
  const form = await readForm(request);
  const intent = readIntent(form, GROUP_INTENTS);
  const here = `/groups/${groupId}`;
  const values = formFields(form, [
    "name",
    "description",
    "sizeCap",
    "userId",
    "role",
    "articleId",
    "instructions",
    "dueDate",
    "dueTime",
    "timeZone",
    "postBeforeSee",
    "anonymous",
  ]);
  const result = { intent: intent ?? undefined, values, targetId: undefined };
  try {
    switch (intent) {
      case GROUP_INTENTS.settings: {
        const parsed = parseWith(groupSettingsSchema, values);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        const { sizeCap, ...input } = parsed.value;
        updateGroup({ db, viewer, groupId, input, sizeCap });
        return redirect(`${here}?saved=${intent}`);
      }
      case GROUP_INTENTS.rotateCode:
      case GROUP_INTENTS.disableCode:
        setJoinCode({ db, viewer, groupId, enabled: intent === GROUP_INTENTS.rotateCode });
        return redirect(`${here}?saved=${intent}#invite`);
      case GROUP_INTENTS.setRole: {
        const parsed = parseWith(roleSchema, values);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        setMemberRole({ db, viewer, groupId, ...parsed.value });
        return redirect(`${here}?saved=${intent}#members`);
      }
      case GROUP_INTENTS.removeMember:
        removeMember({ db, viewer, groupId, userId: values.userId ?? "", leaving: false });
        return redirect(`${here}?saved=${intent}#members`);
      case GROUP_INTENTS.leave:
        removeMember({ db, viewer, groupId, userId: viewer.id, leaving: true });
        return redirect("/groups");
      case GROUP_INTENTS.assign: {
        const parsed = parseWith(newAssignmentSchema, values);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        const id = createAssignment({ db, viewer, groupId, input: parsed.value });
        return redirect(`${here}/assignments/${id}`);
      }
      default:
        return invalid({ ...result, errors: { form: "Unknown action." } });
    }
  } catch (error) {
    return refused(error, result);
  }
}

export default function GroupPage() {
  const { group, viewerId, manages, moderates, exports, members, assignments, articles, saved } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().formData?.get("intent");
  const resultFor = (intent: string) => (result?.intent === intent ? result : null);
  const settings = resultFor(GROUP_INTENTS.settings);
  const assign = resultFor(GROUP_INTENTS.assign);
  const memberResult = resultFor(GROUP_INTENTS.setRole) ?? resultFor(GROUP_INTENTS.removeMember);
  const settingsForm = useRef<HTMLFormElement>(null);
  const assignForm = useRef<HTMLFormElement>(null);
  useAfterErrors(settingsForm, settings);
  useAfterErrors(assignForm, assign);
  const words = GROUP_WORDS[group.kind];
  const panel = group.kind === "panel";

  return (
    <div className="group-page">
      <p className="breadcrumb">
        <Link to="/groups">Your classes and review panels</Link>
      </p>
      <h1>{group.name}</h1>
      <p className="group-meta">
        {group.kind === "panel" ? "Review panel" : "Class"} · you are{" "}
        {ROLE_LABELS[group.role].toLowerCase()} · {group.memberCount}{" "}
        {group.memberCount === 1 ? "member" : "members"}
      </p>
      {group.description ? <p className="group-description">{group.description}</p> : null}
      <StatusMessage message={saved} />
      {moderates ? (
        <p>
          <Link to={`/groups/${group.id}/moderation`}>Moderation queue and log</Link>
        </p>
      ) : null}
      {exports ? (
        <p>
          <a href={`/groups/${group.id}/annotations.jsonld`} download>
            Download the {words.kind}'s annotations (W3C JSON-LD)
          </a>
        </p>
      ) : null}

      <section aria-labelledby="assignments-heading">
        <h2 id="assignments-heading">{words.assignments}</h2>
        {assignments.length === 0 ? (
          <p className="empty">
            {panel ? "No response is under review yet." : "Nothing is assigned yet."}
          </p>
        ) : (
          <ul className="assignment-list">
            {assignments.map((a) => (
              <li key={a.id}>
                <Link to={`/groups/${group.id}/assignments/${a.id}`}>{a.article.title}</Link>
                {a.dueAt ? (
                  <span className="due">
                    {" "}
                    · due <time dateTime={a.dueAt}>{a.dueText}</time>
                  </span>
                ) : null}{" "}
                ·{" "}
                <Link to={`/articles/${a.article.slug}?layer=group-${group.id}`}>
                  Read with the {panel ? "panel" : "class"}
                </Link>
              </li>
            ))}
          </ul>
        )}
        {manages ? (
          <details className="assign-details" open={assign ? true : undefined}>
            <summary>{panel ? "Put a response under review" : "Assign an article"}</summary>
            <Form method="post" ref={assignForm} className="stacked-form" noValidate>
              <FormMessage message={assign?.errors.form} />
              <div className={assign?.errors.articleId ? "field field-invalid" : "field"}>
                <label htmlFor="assign-article">{panel ? "Response" : "Article"}</label>
                <select
                  id="assign-article"
                  name="articleId"
                  defaultValue={assign?.values.articleId ?? ""}
                  aria-invalid={assign?.errors.articleId ? true : undefined}
                  aria-describedby={assign?.errors.articleId ? "assign-article-error" : undefined}
                >
                  <option value="">Choose an article…</option>
                  {articles.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.title}
                    </option>
                  ))}
                </select>
                {assign?.errors.articleId ? (
                  <p id="assign-article-error" className="field-error">
                    {assign.errors.articleId}
                  </p>
                ) : null}
              </div>
              <AssignmentFields
                prefix="assign"
                kind={group.kind}
                errors={assign?.errors}
                values={assign?.values}
              />
              <button
                type="submit"
                name="intent"
                value={GROUP_INTENTS.assign}
                disabled={submitting === GROUP_INTENTS.assign}
              >
                {panel ? "Put under review" : "Assign"}
              </button>
            </Form>
          </details>
        ) : null}
      </section>

      {manages ? (
        <section aria-labelledby="invite-heading" id="invite">
          <h2 id="invite-heading">Invite</h2>
          {group.joinCode && group.joinUrl ? (
            <>
              <p>
                Share this link, or read out the code: a newcomer signs up and is in the{" "}
                {words.kind} in one step.
              </p>
              <dl className="join-details">
                <dt>Join link</dt>
                <dd>
                  <code className="join-url">{group.joinUrl}</code>
                </dd>
                <dt>Join code</dt>
                <dd>
                  <code className="join-code">{group.joinCode}</code>
                </dd>
              </dl>
            </>
          ) : (
            <p>Joining is turned off: nobody can join until you make a new code.</p>
          )}
          <Form method="post" className="inline-forms">
            {group.joinCode ? (
              <>
                <ConfirmedSubmit
                  label="Make a new code"
                  question="The link and code you have shared will stop working; only the new ones will let people join."
                  confirmLabel="Yes, make a new code"
                  value={GROUP_INTENTS.rotateCode}
                />
                <ConfirmedSubmit
                  label="Turn joining off"
                  question="Nobody will be able to join until you make a new code, and the link and code you have shared will not work again."
                  confirmLabel="Yes, turn joining off"
                  value={GROUP_INTENTS.disableCode}
                />
              </>
            ) : (
              <button type="submit" name="intent" value={GROUP_INTENTS.rotateCode}>
                Turn joining on (new code)
              </button>
            )}
          </Form>
        </section>
      ) : null}

      <section aria-labelledby="members-heading" id="members">
        <h2 id="members-heading">Members</h2>
        <FormMessage message={memberResult?.errors.form ?? memberResult?.errors.role} />
        {/* Narrow screens scroll the table sideways inside this region, not the whole page. */}
        <section
          className="table-scroll"
          aria-label={`Table of the members of ${group.name}`}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (axe scrollable-region-focusable)
          tabIndex={0}
        >
          <table className="members-table">
            <caption className="visually-hidden">Members of {group.name}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {manages ? <th scope="col">Change</th> : null}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId}>
                  <th scope="row">
                    <Link to={`/u/${m.username}`}>{m.displayName}</Link>{" "}
                    <span className="username">@{m.username}</span>
                  </th>
                  <td>{ROLE_LABELS[m.role]}</td>
                  <td>
                    <time dateTime={m.joinedAt}>{formatDate(m.joinedAt)}</time>
                  </td>
                  {manages ? (
                    <td>
                      {m.userId === viewerId ? null : (
                        <div className="inline-forms">
                          <Form method="post">
                            <input type="hidden" name="userId" value={m.userId} />
                            <label htmlFor={`role-${m.userId}`} className="visually-hidden">
                              Role of {m.displayName}
                            </label>
                            <select id={`role-${m.userId}`} name="role" defaultValue={m.role}>
                              <option value="member">Member</option>
                              <option value="moderator">Moderator</option>
                              <option value="owner">Owner</option>
                            </select>{" "}
                            <button type="submit" name="intent" value={GROUP_INTENTS.setRole}>
                              Save<span className="visually-hidden"> role of {m.displayName}</span>
                            </button>
                          </Form>
                          <Form method="post">
                            <input type="hidden" name="userId" value={m.userId} />
                            <ConfirmedSubmit
                              label={
                                <>
                                  Remove<span className="visually-hidden"> {m.displayName}</span>
                                </>
                              }
                              question={`${m.displayName} will leave ${group.name}. What they wrote stays with the group; they keep seeing their own.`}
                              confirmLabel={`Yes, remove ${m.displayName}`}
                              value={GROUP_INTENTS.removeMember}
                            />
                          </Form>
                        </div>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </section>

      {manages ? (
        <section aria-labelledby="settings-heading">
          <h2 id="settings-heading">Settings</h2>
          <Form method="post" ref={settingsForm} className="stacked-form" noValidate>
            <FormMessage message={settings?.errors.form} />
            <TextField
              name="name"
              idPrefix="settings"
              label="Name"
              error={settings?.errors.name}
              defaultValue={settings?.values.name ?? group.name}
              maxLength={GROUP_NAME_MAX}
              required
            />
            <div className={settings?.errors.description ? "field field-invalid" : "field"}>
              <label htmlFor="settings-description">Description</label>
              <textarea
                id="settings-description"
                name="description"
                rows={3}
                maxLength={GROUP_DESCRIPTION_MAX}
                defaultValue={settings?.values.description ?? group.description}
                aria-invalid={settings?.errors.description ? true : undefined}
              />
              {settings?.errors.description ? (
                <p className="field-error">{settings.errors.description}</p>
              ) : null}
            </div>
            <TextField
              name="sizeCap"
              idPrefix="settings"
              label="Size cap"
              hint={`The most members the join code admits (1–${SIZE_CAP_MAX}); empty for the site's limit of ${DEFAULT_SIZE_CAP}.`}
              error={settings?.errors.sizeCap}
              defaultValue={settings?.values.sizeCap ?? group.sizeCap?.toString() ?? ""}
              inputMode="numeric"
            />
            <button
              type="submit"
              name="intent"
              value={GROUP_INTENTS.settings}
              disabled={submitting === GROUP_INTENTS.settings}
            >
              Save settings
            </button>
          </Form>
        </section>
      ) : (
        <Form method="post" className="leave-form">
          <button type="submit" name="intent" value={GROUP_INTENTS.leave} className="danger">
            Leave this {words.kind}
          </button>
        </Form>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

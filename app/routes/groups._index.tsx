/**
 * The signed-in reader's groups (classes and review panels): the ones they are in, a form to start
 * one (a class, or a review panel for a collection's responses), and a form to join one with the
 * code its owner gave out.
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef, useState } from "react";
import { PageErrorBoundary } from "#app/components/error-boundary";
import { FormMessage, TextField, useAfterErrors } from "#app/components/form-field";
import { createGroup, joinGroup, listMyGroups } from "#app/models/group.server";
import { joinCodeSchema, newGroupSchema } from "#app/models/group-input.server";
import { GROUP_DESCRIPTION_MAX, GROUP_NAME_MAX, GROUP_WORDS } from "#app/rules";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { formFields, invalid, parseWith, readForm, refused } from "#app/utils/forms.server";
import { GROUP_INTENTS, readIntent } from "#app/utils/intents";

export const meta: MetaFunction = () => [{ title: "Your classes and review panels · Marginalia" }];

const ROLE_LABELS = { owner: "Owner", moderator: "Moderator", member: "Member" } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  return { groups: listMyGroups({ db, viewer }) };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const form = await readForm(request);
  const intent = readIntent(form, GROUP_INTENTS);
  if (intent === GROUP_INTENTS.create) {
    const fields = formFields(form, ["name", "description", "kind"]);
    const parsed = parseWith(newGroupSchema, fields);
    if (!parsed.ok) return invalid({ intent, errors: parsed.errors, values: fields });
    const { kind, ...input } = parsed.value;
    const id = createGroup({ db, owner: viewer, input, kind });
    return redirect(`/groups/${id}`);
  }
  if (intent === GROUP_INTENTS.join) {
    const fields = formFields(form, ["code"]);
    const parsed = parseWith(joinCodeSchema, fields);
    if (!parsed.ok) return invalid({ intent, errors: parsed.errors, values: fields });
    try {
      const id = joinGroup({ db, userId: viewer.id, code: parsed.value.code });
      return redirect(`/groups/${id}`);
    } catch (error) {
      return refused(error, { intent, values: fields });
    }
  }
  return invalid({ errors: { form: "Unknown action." }, values: {} });
}

export default function Groups() {
  const { groups } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().formData?.get("intent");
  const createForm = useRef<HTMLFormElement>(null);
  const joinForm = useRef<HTMLFormElement>(null);
  const createResult = result?.intent === GROUP_INTENTS.create ? result : null;
  const joinResult = result?.intent === GROUP_INTENTS.join ? result : null;
  useAfterErrors(createForm, createResult);
  useAfterErrors(joinForm, joinResult);
  // Only the submit button's wording follows the choice; without script it reads "Create the
  // class" whichever is chosen, and the server goes by the radio button.
  const [kind, setKind] = useState<keyof typeof GROUP_WORDS>(
    createResult?.values.kind === "panel" ? "panel" : "class",
  );
  return (
    <div className="groups-page">
      <h1>Your classes and review panels</h1>
      {groups.length === 0 ? (
        <p className="empty">
          You are in no class or review panel yet. Join one with the code you were given, or start
          one.
        </p>
      ) : (
        <ul className="group-list">
          {groups.map((g) => (
            <li key={g.id}>
              <Link to={`/groups/${g.id}`} className="group-name">
                {g.name}
              </Link>{" "}
              <span className="group-meta">
                {g.kind === "panel" ? "Review panel" : "Class"} · {ROLE_LABELS[g.role]} ·{" "}
                {g.memberCount} {g.memberCount === 1 ? "member" : "members"}
              </span>
              {g.description ? <p className="group-description">{g.description}</p> : null}
            </li>
          ))}
        </ul>
      )}
      <div className="group-forms">
        <section aria-labelledby="join-heading">
          <h2 id="join-heading">Join a class</h2>
          <Form method="post" ref={joinForm} className="stacked-form" noValidate>
            <FormMessage message={joinResult?.errors.form} />
            <TextField
              name="code"
              idPrefix="join"
              label="Join code"
              hint="Eight letters and digits, as your instructor wrote them (dashes and spaces do not matter)."
              error={joinResult?.errors.code}
              defaultValue={joinResult?.values.code}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={20}
              required
            />
            <button
              type="submit"
              name="intent"
              value={GROUP_INTENTS.join}
              disabled={submitting === GROUP_INTENTS.join}
            >
              Join
            </button>
          </Form>
        </section>
        <section aria-labelledby="create-heading">
          <h2 id="create-heading">Start a class or a review panel</h2>
          <Form method="post" ref={createForm} className="stacked-form" noValidate>
            <FormMessage message={createResult?.errors.form} />
            <fieldset
              className={createResult?.errors.kind ? "field field-invalid" : "field"}
              aria-describedby={createResult?.errors.kind ? "group-kind-error" : undefined}
            >
              <legend>What kind of group</legend>
              {(["class", "panel"] as const).map((k) => (
                <div className="radio-field" key={k}>
                  <input
                    type="radio"
                    id={`group-kind-${k}`}
                    name="kind"
                    value={k}
                    checked={kind === k}
                    onChange={() => setKind(k)}
                  />
                  <label htmlFor={`group-kind-${k}`}>
                    {k === "class"
                      ? "Class: an instructor and students, with assignments"
                      : "Review panel: an editor and reviewers, with responses under review"}
                  </label>
                </div>
              ))}
              {createResult?.errors.kind ? (
                <p id="group-kind-error" className="field-error">
                  {createResult.errors.kind}
                </p>
              ) : null}
            </fieldset>
            <TextField
              name="name"
              idPrefix="group"
              label="Name"
              error={createResult?.errors.name}
              defaultValue={createResult?.values.name}
              maxLength={GROUP_NAME_MAX}
              required
            />
            <div className={createResult?.errors.description ? "field field-invalid" : "field"}>
              <label htmlFor="group-description">Description (optional)</label>
              <textarea
                id="group-description"
                name="description"
                rows={3}
                maxLength={GROUP_DESCRIPTION_MAX}
                defaultValue={createResult?.values.description}
                aria-invalid={createResult?.errors.description ? true : undefined}
                aria-describedby={
                  createResult?.errors.description ? "group-description-error" : undefined
                }
              />
              {createResult?.errors.description ? (
                <p id="group-description-error" className="field-error">
                  {createResult.errors.description}
                </p>
              ) : null}
            </div>
            <button
              type="submit"
              name="intent"
              value={GROUP_INTENTS.create}
              disabled={submitting === GROUP_INTENTS.create}
            >
              Create the {GROUP_WORDS[kind].kind}
            </button>
          </Form>
        </section>
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

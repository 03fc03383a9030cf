/**
 * A group's join link: the code in the address. A signed-in reader joins with one button; a
 * newcomer signs up and is in the group in the same step (one transaction: no account without its
 * membership). Sign-ups here have their own limits (per link, per address across links, and the
 * group's size cap; login-attempt.server.ts), so a room behind one school address gets in at once.
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { FormMessage, useAfterErrors } from "#app/components/form-field";
import { SignUpFields } from "#app/components/sign-up-fields";
import { signUpSchema } from "#app/models/account-input.server";
import {
  findGroupByJoinCode,
  findRole,
  GROUP_FULL,
  joinGroup,
  joinGroupWithCode,
} from "#app/models/group.server";
import { checkJoinSignUpAllowed, recordJoinSignUp } from "#app/models/login-attempt.server";
import { createUser } from "#app/models/user.server";
import { createSessionCookieFor, getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";
import {
  formFields,
  invalid,
  parseWith,
  rateLimited,
  readForm,
  refused,
} from "#app/utils/forms.server";
import { GROUP_INTENTS, readIntent } from "#app/utils/intents";
import { withRedirectTo } from "#app/utils/redirect";
import { keepRetryAfter } from "#app/utils/retry-after";

export const meta: MetaFunction<typeof loader> = ({ data, error }) => [
  { title: data ? `Join ${data.group.name} · Marginalia` : errorTitle(error) },
];

export const headers = keepRetryAfter;

const TOO_MANY =
  "Too many accounts have been made through this link (or from your network) just now. Please try again";

function findGroupOr404(code: string | undefined) {
  const group = findGroupByJoinCode({ db, code: code ?? "" });
  invariantResponse(group, "No group has this join code. Check the link, or ask for a new one.", {
    status: 404,
  });
  return group;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const group = findGroupOr404(params.code);
  const viewer = await getUser(request);
  const member = viewer ? findRole(db, group.id, viewer.id) !== null : false;
  return {
    group: { name: group.name, description: group.description, kind: group.kind, full: group.full },
    groupId: member ? group.id : null,
    signedInAs: viewer?.displayName ?? null,
    signInHref: withRedirectTo("/login", new URL(request.url).pathname),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const group = findGroupOr404(params.code);
  const code = params.code ?? "";
  const viewer = await getUser(request);
  const form = await readForm(request);
  if (viewer) {
    if (readIntent(form, GROUP_INTENTS) !== GROUP_INTENTS.join) {
      return invalid({ errors: { form: "Unknown action." }, values: {} });
    }
    try {
      return redirect(`/groups/${joinGroup({ db, userId: viewer.id, code })}`);
    } catch (error) {
      return refused(error, { values: {} });
    }
  }

  const fields = formFields(form, ["username", "displayName", "password"]);
  const values = { username: fields.username, displayName: fields.displayName };
  if (group.full) return invalid({ errors: { form: GROUP_FULL }, values });
  const clientAddress = context.clientAddress ?? "unknown";
  const now = new Date();
  const limit = checkJoinSignUpAllowed({ db, groupId: group.id, clientAddress, now });
  if (!limit.allowed) return rateLimited({ values }, TOO_MANY, { retryAt: limit.retryAt, now });
  const parsed = parseWith(signUpSchema, fields);
  if (!parsed.ok) return invalid({ errors: parsed.errors, values });
  recordJoinSignUp({ db, groupId: group.id, clientAddress, now });
  let groupId = group.id;
  let created: Awaited<ReturnType<typeof createUser>>;
  try {
    created = await createUser({
      db,
      ...parsed.value,
      alongside: (tx, userId) => {
        groupId = joinGroupWithCode(tx, userId, code);
      },
    });
  } catch (error) {
    // A join code error (full meanwhile, or rotated) belongs to the whole form here.
    return refused(error, { values });
  }
  const cookie = await createSessionCookieFor(created.id, request);
  return redirect(`/groups/${groupId}`, { headers: { "Set-Cookie": cookie } });
}

export default function Join() {
  const { group, groupId, signedInAs, signInHref } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const form = useRef<HTMLFormElement>(null);
  useAfterErrors(form, result);
  const errors = result?.errors ?? {};
  const what = group.kind === "panel" ? "review panel" : "class";
  return (
    <div className="auth-page">
      <h1>Join {group.name}</h1>
      {group.description ? <p className="auth-lede">{group.description}</p> : null}
      {groupId !== null ? (
        <p>
          You are in this {what}. <Link to={`/groups/${groupId}`}>Go to {group.name}</Link>
        </p>
      ) : group.full ? (
        <p className="form-message" role="alert">
          This {what} is full. Ask its owner to raise the size limit.
        </p>
      ) : signedInAs ? (
        <Form method="post" className="auth-form" ref={form}>
          <FormMessage message={errors.form ?? errors.code} />
          <p>
            You are signed in as {signedInAs}. Join this {what} to read and annotate with it.
          </p>
          <button
            type="submit"
            name="intent"
            value={GROUP_INTENTS.join}
            className="auth-button"
            disabled={busy}
          >
            {busy ? "Joining…" : `Join ${group.name}`}
          </button>
        </Form>
      ) : (
        <>
          <p className="auth-lede">
            Create an account to join this {what}: you will be in it as soon as the account exists.
          </p>
          <Form method="post" className="auth-form" ref={form} noValidate>
            <FormMessage message={errors.form ?? errors.code} />
            <SignUpFields errors={errors} values={result?.values} />
            <button type="submit" className="auth-button" disabled={busy}>
              {busy ? "Creating your account…" : "Create account and join"}
            </button>
          </Form>
          <p className="auth-switch">
            Already have an account? <Link to={signInHref}>Sign in</Link>, then open this link
            again.
          </p>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

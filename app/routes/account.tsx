/**
 * The signed-in person's account: display name, password (ends every other session) and deletion
 * (annotations stay, by "deleted user"). One route, three forms, told apart by `intent`. Password
 * checks here count as failed sign-ins, so a stolen session cannot be used to guess the password.
 */
import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { FormMessage, StatusMessage, TextField, useAfterErrors } from "#app/components/form-field";
import { usernameKey } from "#app/models/account-rules.server";
import {
  checkSignInAllowed,
  describeRetry,
  recordSignInFailure,
} from "#app/models/login-attempt.server";
import { changeDisplayName, changePassword, deleteUser } from "#app/models/user.server";
import { DISPLAY_NAME_MAX, PASSWORD_MIN } from "#app/rules";
import { blankSessionCookie, requireUserSession } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import type { FieldErrors } from "#app/utils/errors";
import { keepRetryAfter, retryAfterHeaders } from "#app/utils/retry-after";
import {
  changePasswordSchema,
  deleteAccountSchema,
  displayNameFormSchema,
  fieldErrors,
  formFields,
} from "#app/utils/validation.server";

export const meta: MetaFunction = () => [{ title: "Your account · Marginalia" }];

const SAVED: Record<string, string> = {
  "display-name": "Your display name is saved.",
  password: "Your password is changed. You have been signed out everywhere else.",
};

export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUserSession(request);
  const saved = new URL(request.url).searchParams.get("saved");
  return { user, saved: saved && Object.hasOwn(SAVED, saved) ? SAVED[saved] : null };
}

type Intent = "display-name" | "password" | "delete";
type ActionResult = { intent: Intent; errors: FieldErrors; values: { displayName?: string } };

function tooMany(intent: Intent, retryAt: Date, now: Date) {
  return data<ActionResult>(
    {
      intent,
      errors: {
        form: `Too many wrong passwords. For your safety, password checks are paused: try again ${describeRetry(retryAt, now)}.`,
      },
      values: {},
    },
    { status: 429, headers: retryAfterHeaders(retryAt, now) },
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, session } = await requireUserSession(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const clientAddress = context.clientAddress ?? "unknown";
  const limitKey = { db, usernameKey: usernameKey(user.username), clientAddress };

  if (intent === "display-name") {
    const fields = formFields(form, ["displayName"]);
    const parsed = displayNameFormSchema.safeParse(fields);
    if (!parsed.success) {
      return data<ActionResult>(
        { intent, errors: fieldErrors(parsed.error), values: fields },
        { status: 400 },
      );
    }
    changeDisplayName({ db, userId: user.id, displayName: parsed.data.displayName });
    return redirect("/account?saved=display-name");
  }

  if (intent === "password") {
    const now = new Date();
    const limit = checkSignInAllowed({ ...limitKey, now });
    if (!limit.allowed) return tooMany(intent, limit.retryAt, now);
    const parsed = changePasswordSchema.safeParse(
      formFields(form, ["currentPassword", "newPassword"]),
    );
    if (!parsed.success) {
      return data<ActionResult>(
        { intent, errors: fieldErrors(parsed.error), values: {} },
        { status: 400 },
      );
    }
    const changed = await changePassword({
      db,
      userId: user.id,
      keepSessionId: session.id,
      ...parsed.data,
    });
    if (!changed.ok) {
      if (changed.errors.currentPassword) recordSignInFailure({ ...limitKey, now });
      return data<ActionResult>({ intent, errors: changed.errors, values: {} }, { status: 400 });
    }
    return redirect("/account?saved=password");
  }

  if (intent === "delete") {
    const now = new Date();
    const limit = checkSignInAllowed({ ...limitKey, now });
    if (!limit.allowed) return tooMany(intent, limit.retryAt, now);
    const parsed = deleteAccountSchema.safeParse(formFields(form, ["password"]));
    if (!parsed.success) {
      return data<ActionResult>(
        { intent, errors: fieldErrors(parsed.error), values: {} },
        { status: 400 },
      );
    }
    const deleted = await deleteUser({ db, userId: user.id, password: parsed.data.password });
    if (!deleted.ok) {
      recordSignInFailure({ ...limitKey, now });
      return data<ActionResult>({ intent, errors: deleted.errors, values: {} }, { status: 400 });
    }
    return redirect("/", { headers: { "Set-Cookie": blankSessionCookie(request) } });
  }

  throw data("Unknown action.", { status: 400 });
}

export default function Account() {
  const { user, saved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const nameForm = useRef<HTMLFormElement>(null);
  const passwordForm = useRef<HTMLFormElement>(null);
  const deleteForm = useRef<HTMLFormElement>(null);
  const errorsFor = (intent: Intent): FieldErrors =>
    result?.intent === intent ? result.errors : {};
  useAfterErrors(nameForm, result?.intent === "display-name" ? result : null);
  useAfterErrors(passwordForm, result?.intent === "password" ? result : null);
  useAfterErrors(deleteForm, result?.intent === "delete" ? result : null);
  const nameErrors = errorsFor("display-name");
  const passwordErrors = errorsFor("password");
  const deleteErrors = errorsFor("delete");

  return (
    <div className="account-page">
      <h1>Your account</h1>
      <p className="auth-lede">
        Signed in as <strong>{user.displayName}</strong> (username <code>{user.username}</code>
        {user.role === "admin" ? ", site administrator" : ""}).
      </p>
      <StatusMessage message={saved} />

      <section className="account-section" aria-labelledby="name-heading">
        <h2 id="name-heading">Display name</h2>
        <Form method="post" className="auth-form" ref={nameForm} noValidate>
          <input type="hidden" name="intent" value="display-name" />
          <FormMessage message={nameErrors.form} />
          <TextField
            idPrefix="name"
            name="displayName"
            label="Display name"
            hint="The name other readers see next to your annotations."
            error={nameErrors.displayName}
            defaultValue={
              result?.intent === "display-name" ? result.values.displayName : user.displayName
            }
            key={user.displayName}
            autoComplete="name"
            maxLength={DISPLAY_NAME_MAX}
            required
          />
          <button type="submit" className="auth-button" disabled={submitting === "display-name"}>
            Save display name
          </button>
        </Form>
      </section>

      <section className="account-section" aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        <p className="section-note">Changing your password signs you out on every other device.</p>
        <Form method="post" className="auth-form" ref={passwordForm} noValidate>
          <input type="hidden" name="intent" value="password" />
          <FormMessage message={passwordErrors.form} />
          {/* Lets password managers file the new password under the right account. */}
          <input type="hidden" name="username" value={user.username} autoComplete="username" />
          <TextField
            idPrefix="password"
            name="currentPassword"
            label="Current password"
            type="password"
            error={passwordErrors.currentPassword}
            autoComplete="current-password"
            required
          />
          <TextField
            idPrefix="password"
            name="newPassword"
            label="New password"
            type="password"
            hint={`At least ${PASSWORD_MIN} characters, not your username, not a common password.`}
            error={passwordErrors.newPassword}
            autoComplete="new-password"
            minLength={PASSWORD_MIN}
            required
          />
          <button type="submit" className="auth-button" disabled={submitting === "password"}>
            Change password
          </button>
        </Form>
      </section>

      <section className="account-section danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete account</h2>
        <p className="section-note">
          This cannot be undone. Your annotations and replies stay, shown as by “deleted user”; your
          name and account are removed.
        </p>
        <Form method="post" className="auth-form" ref={deleteForm} noValidate>
          <input type="hidden" name="intent" value="delete" />
          <FormMessage message={deleteErrors.form} />
          <TextField
            idPrefix="delete"
            name="password"
            label="Your password, to confirm"
            type="password"
            error={deleteErrors.password}
            autoComplete="current-password"
            required
          />
          <button
            type="submit"
            className="auth-button auth-button-danger"
            disabled={submitting === "delete"}
          >
            Delete my account
          </button>
        </Form>
      </section>
    </div>
  );
}

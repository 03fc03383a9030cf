/**
 * The signed-in person's account: display name, password (ends every other session) and deletion
 * (annotations stay, by "deleted user"). One route, three forms, told apart by `intent`. Password
 * checks here count as failed sign-ins, so a stolen session cannot be used to guess the password.
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { FormMessage, StatusMessage, TextField, useAfterErrors } from "#app/components/form-field";
import {
  changePasswordSchema,
  deleteAccountSchema,
  displayNameFormSchema,
} from "#app/models/account-input.server";
import { usernameKey } from "#app/models/account-rules.server";
import { releaseSignInAttempt, reserveSignInAttempt } from "#app/models/login-attempt.server";
import { changeDisplayName, changePassword, deleteUser } from "#app/models/user.server";
import { DISPLAY_NAME_MAX, PASSWORD_MIN } from "#app/rules";
import { blankSessionCookie, requireUserSession } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { type FieldErrors, FieldValidationError } from "#app/utils/errors";
import {
  formFields,
  invalid,
  parseWith,
  rateLimited,
  readForm,
  refused,
} from "#app/utils/forms.server";
import { ACCOUNT_INTENTS, type AccountIntent, readIntent } from "#app/utils/intents";
import { keepRetryAfter } from "#app/utils/retry-after";

export const meta: MetaFunction = () => [{ title: "Your account · Marginalia" }];

const SAVED: Record<string, string> = {
  [ACCOUNT_INTENTS.displayName]: "Your display name is saved.",
  [ACCOUNT_INTENTS.password]: "Your password is changed. You have been signed out everywhere else.",
};

export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUserSession(request);
  const saved = new URL(request.url).searchParams.get("saved");
  return { user, saved: saved && Object.hasOwn(SAVED, saved) ? SAVED[saved] : null };
}

const TOO_MANY = "Too many wrong passwords. For your safety, password checks are paused: try again";

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, session } = await requireUserSession(request);
  const form = await readForm(request);
  const intent = readIntent(form, ACCOUNT_INTENTS);
  const clientAddress = context.clientAddress ?? "unknown";
  const limitKey = { db, usernameKey: usernameKey(user.username), clientAddress };

  if (intent === ACCOUNT_INTENTS.displayName) {
    const fields = formFields(form, ["displayName"]);
    const parsed = parseWith(displayNameFormSchema, fields);
    if (!parsed.ok) return invalid({ intent, errors: parsed.errors, values: fields });
    changeDisplayName({ db, userId: user.id, displayName: parsed.value.displayName });
    return redirect(`/account?saved=${intent}`);
  }

  if (intent === ACCOUNT_INTENTS.password || intent === ACCOUNT_INTENTS.delete) {
    const parsed =
      intent === ACCOUNT_INTENTS.password
        ? parseWith(changePasswordSchema, formFields(form, ["currentPassword", "newPassword"]))
        : parseWith(deleteAccountSchema, formFields(form, ["password"]));
    if (!parsed.ok) return invalid({ intent, errors: parsed.errors, values: {} });
    // Both forms check the password, so both count as sign-in attempts, reserved before the check
    // (parallel guesses cannot all slip under the limit) and released unless it was wrong.
    const now = new Date();
    const attempt = reserveSignInAttempt({ ...limitKey, now });
    if (!attempt.allowed) {
      return rateLimited({ intent, values: {} }, TOO_MANY, { retryAt: attempt.retryAt, now });
    }
    const passwordField = intent === ACCOUNT_INTENTS.password ? "currentPassword" : "password";
    try {
      if ("newPassword" in parsed.value) {
        await changePassword({ db, userId: user.id, keepSessionId: session.id, ...parsed.value });
      } else {
        await deleteUser({ db, userId: user.id, password: parsed.value.password });
      }
    } catch (error) {
      const wrongPassword = error instanceof FieldValidationError && error.errors[passwordField];
      if (!wrongPassword) releaseSignInAttempt({ db, attemptId: attempt.attemptId });
      return refused(error, { intent, values: {} });
    }
    releaseSignInAttempt({ db, attemptId: attempt.attemptId });
    if (intent === ACCOUNT_INTENTS.password) return redirect(`/account?saved=${intent}`);
    return redirect("/", { headers: { "Set-Cookie": blankSessionCookie(request) } });
  }

  throw new Response("Unknown action.", { status: 400 });
}

export default function Account() {
  const { user, saved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const nameForm = useRef<HTMLFormElement>(null);
  const passwordForm = useRef<HTMLFormElement>(null);
  const deleteForm = useRef<HTMLFormElement>(null);
  const errorsFor = (intent: AccountIntent): FieldErrors =>
    result?.intent === intent ? result.errors : {};
  useAfterErrors(nameForm, result?.intent === ACCOUNT_INTENTS.displayName ? result : null);
  useAfterErrors(passwordForm, result?.intent === ACCOUNT_INTENTS.password ? result : null);
  useAfterErrors(deleteForm, result?.intent === ACCOUNT_INTENTS.delete ? result : null);
  const nameErrors = errorsFor(ACCOUNT_INTENTS.displayName);
  const passwordErrors = errorsFor(ACCOUNT_INTENTS.password);
  const deleteErrors = errorsFor(ACCOUNT_INTENTS.delete);

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
          <input type="hidden" name="intent" value={ACCOUNT_INTENTS.displayName} />
          <FormMessage message={nameErrors.form} />
          <TextField
            idPrefix="name"
            name="displayName"
            label="Display name"
            hint="The name other readers see next to your annotations."
            error={nameErrors.displayName}
            defaultValue={
              result?.intent === ACCOUNT_INTENTS.displayName
                ? result.values.displayName
                : user.displayName
            }
            key={user.displayName}
            autoComplete="name"
            maxLength={DISPLAY_NAME_MAX}
            required
          />
          <button
            type="submit"
            className="auth-button"
            disabled={submitting === ACCOUNT_INTENTS.displayName}
          >
            Save display name
          </button>
        </Form>
      </section>

      <section className="account-section" aria-labelledby="password-heading">
        <h2 id="password-heading">Password</h2>
        <p className="section-note">Changing your password signs you out on every other device.</p>
        <Form method="post" className="auth-form" ref={passwordForm} noValidate>
          <input type="hidden" name="intent" value={ACCOUNT_INTENTS.password} />
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
          <button
            type="submit"
            className="auth-button"
            disabled={submitting === ACCOUNT_INTENTS.password}
          >
            Change password
          </button>
        </Form>
      </section>

      <section className="account-section" aria-labelledby="export-heading">
        <h2 id="export-heading">Your annotations</h2>
        <p className="section-note">
          Everything you wrote, on every article and private notes included, as W3C Web Annotations
          (JSON-LD) that other annotation tools read.
        </p>
        <p>
          <a href="/account/annotations.jsonld" download>
            Download my annotations
          </a>
        </p>
      </section>

      <section className="account-section danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete account</h2>
        <p className="section-note">
          This cannot be undone. Your annotations and replies stay, shown as by “deleted user”; your
          name and account are removed.
        </p>
        <Form method="post" className="auth-form" ref={deleteForm} noValidate>
          <input type="hidden" name="intent" value={ACCOUNT_INTENTS.delete} />
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
            disabled={submitting === ACCOUNT_INTENTS.delete}
          >
            Delete my account
          </button>
        </Form>
      </section>
    </div>
  );
}

/**
 * Create an account. Sign-ups are limited per address; a new account is signed in at once and
 * returned to where it came from.
 */
import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { FormMessage, TextField, useAfterErrors } from "#app/components/form-field";
import { checkSignUpAllowed, describeRetry, recordSignUp } from "#app/models/login-attempt.server";
import { createUser } from "#app/models/user.server";
import { DISPLAY_NAME_MAX, PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN } from "#app/rules";
import { createSessionCookieFor, getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import type { FieldErrors } from "#app/utils/errors";
import { safeRedirectPath } from "#app/utils/redirect";
import { keepRetryAfter, retryAfterHeaders } from "#app/utils/retry-after";
import { fieldErrors, formFields, signUpSchema } from "#app/utils/validation.server";

export const meta: MetaFunction = () => [{ title: "Create an account · Marginalia" }];

export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"));
  if (await getUser(request)) throw redirect(redirectTo);
  return { redirectTo };
}

type ActionResult = {
  errors: FieldErrors;
  values: { username: string; displayName: string; redirectTo: string };
};

export async function action({ request, context }: ActionFunctionArgs) {
  const fields = formFields(await request.formData(), [
    "username",
    "displayName",
    "password",
    "redirectTo",
  ]);
  const redirectTo = safeRedirectPath(fields.redirectTo);
  const values = { username: fields.username, displayName: fields.displayName, redirectTo };
  const clientAddress = context.clientAddress ?? "unknown";
  const now = new Date();
  const limit = checkSignUpAllowed({ db, clientAddress, now });
  if (!limit.allowed) {
    return data<ActionResult>(
      {
        errors: {
          form: `Too many accounts have been created from your network recently. Please try again ${describeRetry(limit.retryAt, now)}.`,
        },
        values,
      },
      { status: 429, headers: retryAfterHeaders(limit.retryAt, now) },
    );
  }
  const parsed = signUpSchema.safeParse(fields);
  if (!parsed.success) {
    return data<ActionResult>({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  }
  recordSignUp({ db, clientAddress, now });
  const created = await createUser({ db, ...parsed.data });
  if (!created.ok) return data<ActionResult>({ errors: created.errors, values }, { status: 400 });
  const cookie = await createSessionCookieFor(created.user.id, request);
  return redirect(redirectTo, { headers: { "Set-Cookie": cookie } });
}

export default function SignUp() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const form = useRef<HTMLFormElement>(null);
  useAfterErrors(form, result);
  const errors = result?.errors ?? {};
  const signIn = redirectTo === "/" ? "/login" : `/login?${new URLSearchParams({ redirectTo })}`;
  return (
    <div className="auth-page">
      <h1>Create an account</h1>
      <p className="auth-lede">
        An account lets you annotate, reply and join a class. Reading needs none.
      </p>
      <Form method="post" className="auth-form" ref={form} noValidate>
        <FormMessage message={errors.form} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField
          name="username"
          label="Username"
          hint={`${USERNAME_MIN}–${USERNAME_MAX} letters, digits, _ or -. Shown in your profile's address.`}
          error={errors.username}
          defaultValue={result?.values.username}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          minLength={USERNAME_MIN}
          maxLength={USERNAME_MAX}
          required
        />
        <TextField
          name="displayName"
          label="Display name"
          hint="The name other readers see next to your annotations."
          error={errors.displayName}
          defaultValue={result?.values.displayName}
          autoComplete="name"
          maxLength={DISPLAY_NAME_MAX}
          required
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          hint={`At least ${PASSWORD_MIN} characters. A few unrelated words make a good one.`}
          error={errors.password}
          autoComplete="new-password"
          minLength={PASSWORD_MIN}
          required
        />
        <button type="submit" className="auth-button" disabled={busy}>
          {busy ? "Creating your account…" : "Create account"}
        </button>
      </Form>
      <p className="auth-switch">
        Already have an account? <Link to={signIn}>Sign in</Link>
      </p>
    </div>
  );
}

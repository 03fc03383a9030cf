/**
 * Sign in. A wrong username and a wrong password get the same answer; failures are counted per
 * username and per address, and past the limit the form answers 429 until the window has passed.
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
import { usernameKey } from "#app/models/account-rules.server";
import {
  checkSignInAllowed,
  clearSignInFailures,
  describeRetry,
  recordSignInFailure,
} from "#app/models/login-attempt.server";
import { verifyCredentials } from "#app/models/user.server";
import { createSessionCookieFor, getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import type { FieldErrors } from "#app/utils/errors";
import { safeRedirectPath } from "#app/utils/redirect";
import { keepRetryAfter, retryAfterHeaders } from "#app/utils/retry-after";
import { fieldErrors, formFields, signInSchema } from "#app/utils/validation.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Marginalia" }];

const BAD_CREDENTIALS =
  "That username and password do not match an account. Check both and try again.";

export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"));
  if (await getUser(request)) throw redirect(redirectTo);
  return { redirectTo };
}

type ActionResult = { errors: FieldErrors; values: { username: string; redirectTo: string } };

export async function action({ request, context }: ActionFunctionArgs) {
  const fields = formFields(await request.formData(), ["username", "password", "redirectTo"]);
  const redirectTo = safeRedirectPath(fields.redirectTo);
  const values = { username: fields.username, redirectTo };
  const parsed = signInSchema.safeParse(fields);
  if (!parsed.success) {
    return data<ActionResult>({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  }
  const key = usernameKey(parsed.data.username);
  const clientAddress = context.clientAddress ?? "unknown";
  const now = new Date();
  const limit = checkSignInAllowed({ db, usernameKey: key, clientAddress, now });
  if (!limit.allowed) {
    return data<ActionResult>(
      {
        errors: {
          form: `Too many failed sign-in attempts. For your safety, signing in is paused: try again ${describeRetry(limit.retryAt, now)}.`,
        },
        values,
      },
      { status: 429, headers: retryAfterHeaders(limit.retryAt, now) },
    );
  }
  const user = await verifyCredentials({ db, ...parsed.data });
  if (!user) {
    recordSignInFailure({ db, usernameKey: key, clientAddress, now });
    return data<ActionResult>({ errors: { form: BAD_CREDENTIALS }, values }, { status: 400 });
  }
  clearSignInFailures({ db, usernameKey: key });
  const cookie = await createSessionCookieFor(user.id, request);
  return redirect(redirectTo, { headers: { "Set-Cookie": cookie } });
}

export default function Login() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const form = useRef<HTMLFormElement>(null);
  useAfterErrors(form, result);
  const errors = result?.errors ?? {};
  const signUp = redirectTo === "/" ? "/signup" : `/signup?${new URLSearchParams({ redirectTo })}`;
  return (
    <div className="auth-page">
      <h1>Sign in</h1>
      <p className="auth-lede">
        Reading is open to everyone. Sign in to annotate, reply and join a class.
      </p>
      <Form method="post" className="auth-form" ref={form} noValidate>
        <FormMessage message={errors.form} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField
          name="username"
          label="Username"
          error={errors.username}
          defaultValue={result?.values.username}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          autoComplete="current-password"
          required
        />
        <button type="submit" className="auth-button" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </Form>
      <p className="auth-switch">
        New here? <Link to={signUp}>Create an account</Link>
      </p>
    </div>
  );
}

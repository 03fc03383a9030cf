/**
 * Sign in. A wrong username and a wrong password get the same answer; failures are counted per
 * username and per address, and past the limit the form answers 429 until the window has passed.
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { FormMessage, TextField, useAfterErrors } from "#app/components/form-field";
import { signInSchema } from "#app/models/account-input.server";
import { usernameKey } from "#app/models/account-rules.server";
import {
  clearSignInFailures,
  releaseSignInAttempt,
  reserveSignInAttempt,
} from "#app/models/login-attempt.server";
import { verifyCredentials } from "#app/models/user.server";
import { createSessionCookieFor, requireAnonymous } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { formFields, invalid, parseWith, rateLimited, readForm } from "#app/utils/forms.server";
import { safeRedirectPath, withRedirectTo } from "#app/utils/redirect";
import { keepRetryAfter } from "#app/utils/retry-after";

export const meta: MetaFunction = () => [{ title: "Sign in · Marginalia" }];

const BAD_CREDENTIALS =
  "That username and password do not match an account. Check both and try again.";
const TOO_MANY =
  "Too many failed sign-in attempts. For your safety, signing in is paused: try again";

export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  return { redirectTo: await requireAnonymous(request) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const fields = formFields(await readForm(request), ["username", "password", "redirectTo"]);
  const redirectTo = safeRedirectPath(fields.redirectTo);
  const values = { username: fields.username, redirectTo };
  const parsed = parseWith(signInSchema, fields);
  if (!parsed.ok) return invalid({ errors: parsed.errors, values });
  const key = usernameKey(parsed.value.username);
  const clientAddress = context.clientAddress ?? "unknown";
  const now = new Date();
  // Counted before the password is checked, so parallel guesses cannot all slip under the limit.
  const attempt = reserveSignInAttempt({ db, usernameKey: key, clientAddress, now });
  if (!attempt.allowed) return rateLimited({ values }, TOO_MANY, { retryAt: attempt.retryAt, now });
  const user = await verifyCredentials({ db, ...parsed.value });
  if (!user) return invalid({ errors: { form: BAD_CREDENTIALS }, values });
  releaseSignInAttempt({ db, attemptId: attempt.attemptId });
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
  const signUp = withRedirectTo("/signup", redirectTo);
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

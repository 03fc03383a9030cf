/**
 * Create an account. Sign-ups are limited per address; a new account is signed in at once and
 * returned to where it came from.
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { FormMessage, useAfterErrors } from "#app/components/form-field";
import { SignUpFields } from "#app/components/sign-up-fields";
import { signUpSchema } from "#app/models/account-input.server";
import { checkSignUpAllowed, recordSignUp } from "#app/models/login-attempt.server";
import { createUser } from "#app/models/user.server";
import { createSessionCookieFor, requireAnonymous } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import {
  formFields,
  invalid,
  parseWith,
  rateLimited,
  readForm,
  refused,
} from "#app/utils/forms.server";
import { safeRedirectPath, withRedirectTo } from "#app/utils/redirect";
import { keepRetryAfter } from "#app/utils/retry-after";

export const meta: MetaFunction = () => [{ title: "Create an account · Marginalia" }];

const TOO_MANY = "Too many accounts have been created from your network recently. Please try again";

export const headers = keepRetryAfter;

export async function loader({ request }: LoaderFunctionArgs) {
  return { redirectTo: await requireAnonymous(request) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const fields = formFields(await readForm(request), [
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
  if (!limit.allowed) return rateLimited({ values }, TOO_MANY, { retryAt: limit.retryAt, now });
  const parsed = parseWith(signUpSchema, fields);
  if (!parsed.ok) return invalid({ errors: parsed.errors, values });
  recordSignUp({ db, clientAddress, now });
  let created: Awaited<ReturnType<typeof createUser>>;
  try {
    created = await createUser({ db, ...parsed.value });
  } catch (error) {
    return refused(error, { values });
  }
  const cookie = await createSessionCookieFor(created.id, request);
  return redirect(redirectTo, { headers: { "Set-Cookie": cookie } });
}

export default function SignUp() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const form = useRef<HTMLFormElement>(null);
  useAfterErrors(form, result);
  const errors = result?.errors ?? {};
  const signIn = withRedirectTo("/login", redirectTo);
  return (
    <div className="auth-page">
      <h1>Create an account</h1>
      <p className="auth-lede">
        An account lets you annotate, reply and join a class. Reading needs none.
      </p>
      <Form method="post" className="auth-form" ref={form} noValidate>
        <FormMessage message={errors.form} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <SignUpFields errors={errors} values={result?.values} />
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

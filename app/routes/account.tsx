/**
 * The signed-in person's account: display name, password (ends every other session), personal API
 * tokens (made, listed, revoked; a new one's secret shown once) and deletion (annotations stay, by
 * "deleted user"). One route, several forms, told apart by `intent`. Password checks here count as
 * failed sign-ins, so a stolen session cannot be used to guess the password.
 */
import {
  type ActionFunctionArgs,
  data,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { type RefObject, useRef, useState } from "react";
import { FormMessage, StatusMessage, TextField, useAfterErrors } from "#app/components/form-field";
import {
  changePasswordSchema,
  deleteAccountSchema,
  displayNameFormSchema,
} from "#app/models/account-input.server";
import { usernameKey } from "#app/models/account-rules.server";
import {
  type ApiTokenSummary,
  createToken,
  findOwnLiveToken,
  listTokens,
  revokeToken,
} from "#app/models/api-token.server";
import { newTokenSchema } from "#app/models/api-token-input.server";
import { releaseSignInAttempt, reserveSignInAttempt } from "#app/models/login-attempt.server";
import { changeDisplayName, changePassword, deleteUser } from "#app/models/user.server";
import {
  DISPLAY_NAME_MAX,
  MAX_LIVE_TOKENS,
  PASSWORD_MIN,
  TOKEN_LIFETIME_LABELS,
  TOKEN_NAME_MAX,
  TOKEN_SCOPE_LABELS,
  type TokenLifetime,
  tokenLifetimes,
  tokenScopes,
} from "#app/rules";
import { blankSessionCookie, requireUserSession } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { type FieldErrors, FieldValidationError } from "#app/utils/errors";
import { formatDateTime } from "#app/utils/format";
import {
  formFields,
  invalid,
  parseWith,
  rateLimited,
  readForm,
  refused,
} from "#app/utils/forms.server";
import { ACCOUNT_INTENTS, type AccountIntent, readIntent } from "#app/utils/intents";
import { parseId } from "#app/utils/params";
import { keepRetryAfter } from "#app/utils/retry-after";
import {
  clearTokenFlashCookie,
  readTokenFlash,
  tokenFlashCookie,
} from "#app/utils/token-flash.server";
import { useHydrated } from "#app/utils/use-hydrated";

export const meta: MetaFunction = () => [{ title: "Your account · Marginalia" }];

const SAVED: Record<string, string> = {
  [ACCOUNT_INTENTS.displayName]: "Your display name is saved.",
  [ACCOUNT_INTENTS.password]:
    "Your password is changed. You have been signed out everywhere else, and your API tokens no longer work.",
  [ACCOUNT_INTENTS.revokeToken]: "The token is revoked: it no longer works.",
};

/**
 * An action's Retry-After, and the loader's no-store when it shows a new token's secret (every
 * signed-in page is already `private, no-store`, entry.server.tsx; this page must be whatever the
 * cookie rules say).
 */
export const headers: HeadersFunction = (args) => {
  const out = new Headers(keepRetryAfter(args));
  const cacheControl = args.loaderHeaders.get("Cache-Control");
  if (cacheControl) out.set("Cache-Control", cacheControl);
  return out;
};

/** A token as the page lists it: dates as ISO strings, so server and browser format them alike. */
function tokenView(token: ApiTokenSummary) {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    prefix: token.prefix,
    status: token.status,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

type TokenView = ReturnType<typeof tokenView>;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUserSession(request);
  const saved = new URL(request.url).searchParams.get("saved");
  const now = new Date();
  // A token made a moment ago: shown on this one answer, whose Set-Cookie clears the flash, and
  // only to its owner while it still works.
  const flash = readTokenFlash(request);
  const fresh = flash ? findOwnLiveToken(db, user.id, flash, now) : null;
  const body = {
    user,
    saved: saved && Object.hasOwn(SAVED, saved) ? SAVED[saved] : null,
    tokens: listTokens(db, user.id, now).map(tokenView),
    newToken: fresh && flash ? { ...tokenView(fresh), secret: flash } : null,
  };
  if (!flash) return data(body);
  return data(body, {
    headers: { "Set-Cookie": clearTokenFlashCookie(request), "Cache-Control": "no-store" },
  });
}

const LIFETIME_DAYS: Record<TokenLifetime, number | null> = {
  "30": 30,
  "90": 90,
  "365": 365,
  never: null,
};

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

  if (intent === ACCOUNT_INTENTS.createToken) {
    const fields = formFields(form, ["name", "scope", "lifetime"]);
    const parsed = parseWith(newTokenSchema, fields);
    if (!parsed.ok) return invalid({ intent, errors: parsed.errors, values: fields });
    const now = new Date();
    const days = LIFETIME_DAYS[parsed.value.lifetime];
    let secret: string;
    try {
      ({ secret } = createToken(db, user.id, {
        name: parsed.value.name,
        scope: parsed.value.scope,
        expiresAt: days === null ? null : new Date(now.getTime() + days * 86_400_000),
        now,
      }));
    } catch (error) {
      return refused(error, { intent, values: fields });
    }
    // Post/redirect/get: a reload or Back cannot post again. The secret crosses the redirect in a
    // flash cookie that the next page clears (app/utils/token-flash.server.ts).
    return redirect("/account#new-token", {
      headers: { "Set-Cookie": tokenFlashCookie(secret, request) },
    });
  }

  if (intent === ACCOUNT_INTENTS.revokeToken) {
    const tokenId = parseId(form.get("tokenId"));
    if (tokenId === null) {
      return invalid({ intent, errors: { form: "Which token? Reload the page." }, values: {} });
    }
    try {
      revokeToken(db, user.id, tokenId);
    } catch (error) {
      return refused(error, { intent, targetId: tokenId, values: {} });
    }
    return redirect(`/account?saved=${intent}#api-tokens`);
  }

  throw new Response("Unknown action.", { status: 400 });
}

export default function Account() {
  const { user, saved, tokens, newToken } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const nameForm = useRef<HTMLFormElement>(null);
  const passwordForm = useRef<HTMLFormElement>(null);
  const deleteForm = useRef<HTMLFormElement>(null);
  const tokenForm = useRef<HTMLFormElement>(null);
  const errorsFor = (intent: AccountIntent): FieldErrors =>
    result?.intent === intent ? result.errors : {};
  useAfterErrors(nameForm, result?.intent === ACCOUNT_INTENTS.displayName ? result : null);
  useAfterErrors(passwordForm, result?.intent === ACCOUNT_INTENTS.password ? result : null);
  useAfterErrors(deleteForm, result?.intent === ACCOUNT_INTENTS.delete ? result : null);
  useAfterErrors(tokenForm, result?.intent === ACCOUNT_INTENTS.createToken ? result : null);
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
        <p className="section-note">
          Changing your password signs you out on every other device and revokes your API tokens.
        </p>
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

      <ApiTokens
        tokens={tokens}
        newToken={newToken}
        formRef={tokenForm}
        createResult={result?.intent === ACCOUNT_INTENTS.createToken ? result : null}
        revokeError={
          result?.intent === ACCOUNT_INTENTS.revokeToken ? result.errors.form : undefined
        }
        submitting={submitting === ACCOUNT_INTENTS.createToken}
      />

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

const STATUS_WORDS: Record<TokenView["status"], string> = {
  live: "Active",
  revoked: "Revoked",
  expired: "Expired",
};

/** The secret of a token just made, in a read-only field to copy: this page shows it only once. */
function NewToken({ token }: { token: TokenView & { secret: string } }) {
  const hydrated = useHydrated();
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const copy = async () => {
    field.current?.select();
    try {
      await navigator.clipboard.writeText(token.secret);
      setCopied(true);
    } catch {
      // No clipboard permission: the text is selected, and Ctrl+C or the menu copies it.
    }
  };
  return (
    <div className="new-token" id="new-token">
      <h3>New token “{token.name}”</h3>
      <p className="new-token-warning">
        <strong>Copy it now: you will not see it again.</strong> Marginalia keeps only a fingerprint
        of it. If you lose it, revoke it and make another.
      </p>
      <div className="field">
        <label htmlFor="new-token-value">
          Your new token ({TOKEN_SCOPE_LABELS[token.scope].label.toLowerCase()})
        </label>
        <div className="copy-row">
          <input
            ref={field}
            id="new-token-value"
            className="token-value"
            type="text"
            value={token.secret}
            readOnly
            autoComplete="off"
            spellCheck={false}
            onFocus={(event) => event.currentTarget.select()}
          />
          {hydrated ? (
            <button type="button" className="copy-button" onClick={copy}>
              Copy
            </button>
          ) : null}
        </div>
        <p className="field-hint" role="status">
          {copied ? "Copied." : ""}
        </p>
      </div>
      <p className="field-hint">
        Send it as <code>Authorization: Bearer {token.prefix}…</code> to the annotation addresses of
        an article (<code>/articles/&lt;slug&gt;/annotations/</code>).
      </p>
    </div>
  );
}

function ApiTokens({
  tokens,
  newToken,
  formRef,
  createResult,
  revokeError,
  submitting,
}: {
  tokens: TokenView[];
  newToken: (TokenView & { secret: string }) | null;
  formRef: RefObject<HTMLFormElement>;
  createResult: { errors: FieldErrors; values: Record<string, string> } | null;
  revokeError: string | undefined;
  submitting: boolean;
}) {
  const errors = createResult?.errors ?? {};
  const values = createResult?.values ?? {};
  const scope =
    values.scope && (tokenScopes as readonly string[]).includes(values.scope)
      ? values.scope
      : "read";
  const lifetime =
    values.lifetime && (tokenLifetimes as readonly string[]).includes(values.lifetime)
      ? values.lifetime
      : "90";
  const live = tokens.filter((t) => t.status === "live").length;
  return (
    <section className="account-section" aria-labelledby="tokens-heading" id="api-tokens">
      <h2 id="tokens-heading">Personal API tokens</h2>
      <p className="section-note">
        For scripts and other tools that read or write your annotations through the Annotation
        Protocol. A token acts as you: keep it as you would a password. At most {MAX_LIVE_TOKENS} at
        a time.
      </p>
      {newToken ? <NewToken token={newToken} /> : null}

      {/* A new key once a token is made: the form starts empty again, as after any post. */}
      <Form
        method="post"
        className="auth-form"
        ref={formRef}
        noValidate
        key={newToken?.id ?? "new"}
      >
        <input type="hidden" name="intent" value={ACCOUNT_INTENTS.createToken} />
        <FormMessage message={errors.form} />
        <TextField
          idPrefix="token"
          name="name"
          label="Token name"
          hint="So you know later what uses it, such as “Zotero sync”."
          error={errors.name}
          defaultValue={values.name ?? ""}
          maxLength={TOKEN_NAME_MAX}
          autoComplete="off"
          required
        />
        <fieldset
          className={errors.scope ? "field field-invalid choice-field" : "field choice-field"}
          aria-describedby={errors.scope ? "token-scope-error" : undefined}
        >
          <legend>What it may do</legend>
          {tokenScopes.map((s) => (
            <div className="radio-field" key={s}>
              <input
                type="radio"
                id={`token-scope-${s}`}
                name="scope"
                value={s}
                defaultChecked={scope === s}
                aria-describedby={`token-scope-${s}-hint`}
              />
              <label htmlFor={`token-scope-${s}`}>{TOKEN_SCOPE_LABELS[s].label}</label>
              <span id={`token-scope-${s}-hint`} className="field-hint">
                {TOKEN_SCOPE_LABELS[s].hint}
              </span>
            </div>
          ))}
          {errors.scope ? (
            <p id="token-scope-error" className="field-error">
              {errors.scope}
            </p>
          ) : null}
        </fieldset>
        <div className={errors.lifetime ? "field field-invalid" : "field"}>
          <label htmlFor="token-lifetime">Expires after</label>
          <select
            id="token-lifetime"
            name="lifetime"
            defaultValue={lifetime}
            aria-invalid={errors.lifetime ? true : undefined}
            aria-describedby={errors.lifetime ? "token-lifetime-error" : undefined}
          >
            {tokenLifetimes.map((l) => (
              <option key={l} value={l}>
                {TOKEN_LIFETIME_LABELS[l]}
              </option>
            ))}
          </select>
          {errors.lifetime ? (
            <p id="token-lifetime-error" className="field-error">
              {errors.lifetime}
            </p>
          ) : null}
        </div>
        <button type="submit" className="auth-button" disabled={submitting}>
          Create token
        </button>
      </Form>

      <h3 className="tokens-list-heading">Your tokens</h3>
      <FormMessage message={revokeError} />
      {tokens.length === 0 ? (
        <p className="empty">You have no tokens.</p>
      ) : (
        <section
          className="table-scroll"
          aria-label="Table of your API tokens"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (axe scrollable-region-focusable)
          tabIndex={0}
        >
          <table className="members-table tokens-table">
            <caption className="visually-hidden">
              Your API tokens ({live} active of at most {MAX_LIVE_TOKENS})
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">May</th>
                <th scope="col">Starts with</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id} className={t.status === "live" ? undefined : "token-ended"}>
                  <th scope="row">{t.name}</th>
                  <td>{TOKEN_SCOPE_LABELS[t.scope].label}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>
                    <time dateTime={t.createdAt}>{formatDateTime(t.createdAt)}</time>
                  </td>
                  <td>
                    {t.lastUsedAt ? (
                      <time dateTime={t.lastUsedAt}>{formatDateTime(t.lastUsedAt)}</time>
                    ) : (
                      "Never"
                    )}
                  </td>
                  <td>
                    <TokenStatus token={t} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

/** Active (with its expiry and a revoke button), or when it was revoked or expired. */
function TokenStatus({ token }: { token: TokenView }) {
  if (token.status === "revoked" && token.revokedAt) {
    return (
      <>
        {STATUS_WORDS.revoked}{" "}
        <time dateTime={token.revokedAt}>{formatDateTime(token.revokedAt)}</time>
      </>
    );
  }
  if (token.status === "expired" && token.expiresAt) {
    return (
      <>
        {STATUS_WORDS.expired}{" "}
        <time dateTime={token.expiresAt}>{formatDateTime(token.expiresAt)}</time>
      </>
    );
  }
  return (
    <div className="inline-forms">
      <span>
        {STATUS_WORDS.live}
        {token.expiresAt ? (
          <>
            , until <time dateTime={token.expiresAt}>{formatDateTime(token.expiresAt)}</time>
          </>
        ) : null}
      </span>
      <Form method="post">
        <input type="hidden" name="intent" value={ACCOUNT_INTENTS.revokeToken} />
        <input type="hidden" name="tokenId" value={token.id} />
        <button type="submit" className="danger">
          Revoke<span className="visually-hidden"> {token.name}</span>
        </button>
      </Form>
    </div>
  );
}

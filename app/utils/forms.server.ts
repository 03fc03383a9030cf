/**
 * The form kit every action uses: read a form's fields, validate them with the form's one schema,
 * and answer a failure in one shape — `FormResult`: which form (`intent`, `targetId`), the message
 * for each field, and what was typed (never a password), with a 4xx status. Domain errors thrown by
 * the models become results here through the one status mapping in errors.ts.
 */
import { data } from "@remix-run/node";
import type { z } from "zod";
import {
  type FieldErrors,
  FieldValidationError,
  RateLimitedError,
  statusOf,
} from "#app/utils/errors";
import { retryAfterHeaders } from "#app/utils/retry-after";

/** What an action answers when a form is refused; the page shows it by the fields it names. */
export type FormResult = {
  intent?: string;
  /** The annotation a form in a thread was about, so only that form shows the errors. */
  targetId?: number;
  errors: FieldErrors;
  values: Record<string, string>;
};

/** A validation outcome: the parsed value, or the message for each field. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Fields that are never sent back to the browser after a failed submission. */
const SECRET_FIELDS = /password/i;

const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * The submitted form. A body of another type answers 415, and one that cannot be parsed 400, with
 * a message, instead of an exception (a 500 with a stack trace in the log).
 */
export async function readForm(request: Request): Promise<FormData> {
  if (!FORM_TYPES.test(request.headers.get("Content-Type") ?? "")) {
    throw new Response(
      "This address takes a form: send it as application/x-www-form-urlencoded or multipart/form-data.",
      {
        status: 415,
        headers: { Accept: "application/x-www-form-urlencoded, multipart/form-data" },
      },
    );
  }
  try {
    return await request.formData();
  } catch {
    throw new Response("That form could not be read. Reload the page and try again.", {
      status: 400,
    });
  }
}

/** A submitted form's text fields (files are ignored): absent fields read as "". */
export function formFields<K extends string>(
  form: FormData,
  names: readonly K[],
): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = form.get(name);
    out[name] = typeof value === "string" ? value : "";
  }
  return out;
}

/** What was typed, to put back into the form after a refusal: every text field but secrets. */
export function formValues(form: FormData | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = form instanceof FormData ? form.entries() : Object.entries(form);
  for (const [key, value] of entries) {
    if (typeof value === "string" && !SECRET_FIELDS.test(key)) out[key] = value;
  }
  return out;
}

/** The first message for each field, in the order the schema reported them. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    errors[key] ??= issue.message;
  }
  return errors;
}

/** Validates `input` with a form's schema. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, errors: fieldErrors(parsed.error) };
}

/** A refused form: 400 unless said otherwise. */
export function invalid(
  result: FormResult,
  status = 400,
  headers?: HeadersInit,
): ReturnType<typeof data<FormResult>> {
  return data(result, { status, headers });
}

/** A form refused by a rate limit: 429 with Retry-After and when to try again, in words. */
export function rateLimited(
  result: Omit<FormResult, "errors">,
  message: string,
  limit: { retryAt: Date; now: Date },
) {
  return refused(new RateLimitedError(message, limit.retryAt, limit.now), result);
}

/**
 * A domain error from a model as a refused form, keeping the page and what was typed: field
 * errors by their fields, anything else (not found, not allowed) as the form's message, with the
 * status the one mapping gives. Errors that are not the domain's are rethrown.
 */
export function refused(error: unknown, result: Omit<FormResult, "errors">) {
  if (error instanceof RateLimitedError) {
    return invalid(
      { ...result, errors: { form: error.message } },
      429,
      retryAfterHeaders(error.retryAt, error.now),
    );
  }
  const status = statusOf(error);
  if (status === null) throw error;
  const errors =
    error instanceof FieldValidationError ? error.errors : { form: (error as Error).message };
  return invalid({ ...result, errors }, status);
}

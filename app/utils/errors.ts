/**
 * Errors that domain modules throw and routes turn into responses: models stay free of HTTP, and
 * every route maps them the same way, through `statusOf`.
 *
 * The convention in app/models: a `find…` lookup returns null when there is nothing (the route
 * decides what that means, usually `invariantResponse(found, "…", { status: 404 })`); every other
 * function either succeeds or throws one of these.
 */
import { describeRetry } from "#app/utils/format";
import { retryAfterHeaders } from "#app/utils/retry-after";

/** Field name → the message shown next to that field (`form` for the whole form). */
export type FieldErrors = Partial<Record<string, string>>;

/** The thing does not exist, or this viewer may not know that it does. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** The viewer may see the thing but not do this to it. */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}

/** Input that the domain's rules refuse (a quote not in the paragraph, a taken username). */
export class FieldValidationError extends Error {
  override name = "FieldValidationError";
  constructor(readonly errors: FieldErrors) {
    super(Object.values(errors).join(" "));
  }
}

/**
 * Too many of something in too short a time. `reason` is a sentence that "in N minutes." ends:
 * "Too many failed sign-in attempts: try again" becomes "… try again in 12 minutes."
 */
export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(
    reason: string,
    readonly retryAt: Date,
    readonly now: Date,
  ) {
    super(`${reason} ${describeRetry(retryAt, now)}.`);
  }
}

/** The one mapping from domain errors to HTTP statuses; null for anything else (a bug: 500). */
export function statusOf(error: unknown): 400 | 403 | 404 | 429 | null {
  if (error instanceof RateLimitedError) return 429;
  if (error instanceof FieldValidationError) return 400;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  return null;
}

/**
 * Throws a Response with `status` and `message` unless `condition` holds: for loaders and actions,
 * whose route's ErrorBoundary then shows the message where the route renders.
 */
export function invariantResponse(
  condition: unknown,
  message: string,
  init: { status: number } = { status: 400 },
): asserts condition {
  if (!condition) throw new Response(message, { status: init.status });
}

/** Rethrows a model's domain error as a Response with its status and message; others as they are. */
export function toResponseError(error: unknown): never {
  const status = statusOf(error);
  if (status === null) throw error;
  const headers =
    error instanceof RateLimitedError ? retryAfterHeaders(error.retryAt, error.now) : undefined;
  throw new Response((error as Error).message, { status, headers });
}

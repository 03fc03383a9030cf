/**
 * Errors that domain modules throw and routes turn into responses: models stay free of HTTP, and
 * every route maps them the same way.
 */

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

/** Input that passed the form schema but not the domain's rules (e.g. a quote not in the paragraph). */
export class FieldValidationError extends Error {
  override name = "FieldValidationError";
  constructor(readonly errors: FieldErrors) {
    super(Object.values(errors).join(" "));
  }
}

/** Rethrows a model's NotFound/Forbidden as a 404/403 response; anything else as it is. */
export function toResponseError(error: unknown): never {
  if (error instanceof NotFoundError)
    throw new Response(error.message || "Not found", { status: 404 });
  if (error instanceof ForbiddenError)
    throw new Response(error.message || "Forbidden", { status: 403 });
  throw error;
}

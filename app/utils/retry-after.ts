/**
 * Rate-limited answers (429) tell the client when to come back. Shared by the sign-in, sign-up
 * and account routes.
 */
import type { HeadersFunction } from "@remix-run/node";

/** The Retry-After header for a 429 answered at `now`, lifted at `retryAt`. */
export function retryAfterHeaders(retryAt: Date, now: Date): Record<string, string> {
  const seconds = Math.ceil((retryAt.getTime() - now.getTime()) / 1000);
  return { "Retry-After": String(Math.max(1, seconds)) };
}

/** A route's `headers`: keeps an action's Retry-After on the document response too. */
export const keepRetryAfter: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

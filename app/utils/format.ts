/**
 * Addresses and dates as every page writes them. Pure, so loaders and components share them, and
 * dates are formatted in UTC so the server's HTML and the browser's render agree.
 */

/** Where an annotation's permalink is, relative to the site. */
export function permalinkPath(slug: string, id: number): string {
  return `/articles/${encodeURIComponent(slug)}/annotations/${id}`;
}

/** An annotation in its paragraph's discussion on the reading page. */
export function inContextPath(slug: string, anchor: string, id: number): string {
  return `/articles/${encodeURIComponent(slug)}/p/${anchor}#a-${id}`;
}

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

const dateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/** "29 Nov 2026, 14:51" (UTC) for an ISO timestamp. */
export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}

/** "29 Nov 2026" (UTC) for an ISO timestamp. */
export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso));
}

/** "in 12 minutes", for the message that accompanies a 429. */
export function describeRetry(retryAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 60_000));
  return minutes === 1 ? "in a minute" : `in ${minutes} minutes`;
}

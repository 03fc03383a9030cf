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

/**
 * "Friday 4 December 2026 at 17:00 (Europe/London time)": a due date in the zone its owner set it
 * in, so everyone reads the same deadline wherever their browser is.
 */
export function formatDue(iso: string, timeZone: string): string {
  const when = new Intl.DateTimeFormat("en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
  })
    .format(new Date(iso))
    .replace(/, (\d\d:\d\d)$/, " at $1")
    .replace(/^(\w+),? /, "$1 ");
  return `${when} (${timeZone} time)`;
}

/** The date and time fields of a due date, as its owner entered them, for the edit form. */
export function dueFields(iso: string | null, timeZone: string): { date: string; time: string } {
  if (!iso) return { date: "", time: "" };
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
  };
}

/** "Students" for "students": a label that starts a sentence or a column. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Reading numbers from URLs and forms the same way everywhere: digits only, so "0x1f", "1e2" or
 * " 7 " are not ids, and anything odd falls back instead of failing.
 */

/** A positive integer id written as plain digits, or null. */
export function parseId(value: unknown): number | null {
  if (typeof value !== "string" || !/^[1-9]\d{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

/** A page number from `?page=`: 1 unless the value is a plain positive integer. */
export function parsePage(value: string | null): number {
  return parseId(value) ?? 1;
}

/**
 * CSV as RFC 4180 writes it, safe to open in a spreadsheet. Pure.
 *
 * - Records end with CRLF (the last one too). A field is quoted when it holds a comma, a double
 *   quote, CR or LF; quotes inside are doubled. Other fields are written as they are.
 * - Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins with `=`, `+`,
 *   `-` or `@` (and some treat a leading tab or CR the same way) as a formula, so an annotation body
 *   such as `=HYPERLINK("http://evil","click")` would become a live link. Such a **string** cell
 *   gets a leading apostrophe, which spreadsheets read as "this is text" and do not show.
 * - Numbers are passed as numbers and written as numbers, never neutralised: -1 from our own counts
 *   is a value, not a formula, and an apostrophe would turn it into text that cannot be summed.
 *   The flip side: a string that merely looks like a number ("-1", "+44 20…") is neutralised, since
 *   it came from someone's typing. Callers put their own numeric data in as `number`.
 * - `null` is an empty field. A number that is not finite (NaN, Infinity) is written empty too:
 *   spreadsheets read "NaN" as text and it is never a meaningful figure in an export.
 */

export type CsvCell = string | number | null;

/** What makes a spreadsheet treat a cell as a formula (OWASP CSV Injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

const NEEDS_QUOTES = /[",\r\n]/;

/** One cell's text before quoting: neutralised when it is a string that could run as a formula. */
export function neutralise(cell: CsvCell): string {
  if (cell === null) return "";
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : "";
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** One field as written: neutralised, then quoted if it must be. */
export function csvField(cell: CsvCell): string {
  const text = neutralise(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows (the first is usually the header) as a CSV document. */
export function toCsv(rows: CsvCell[][]): string {
  return rows.map((row) => `${row.map(csvField).join(",")}\r\n`).join("");
}

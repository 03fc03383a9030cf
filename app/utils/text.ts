/**
 * Cleaning what people type, shared by the schemas: Unicode normalised (NFKC), control characters
 * that have no business in text removed or refused, and invisible characters recognised, so that
 * names cannot impersonate and bodies cannot smuggle terminal escapes.
 */

/**
 * C0 controls except tab and newline, DEL and C1 controls: never meaningful in an annotation, and
 * NUL, BEL or ESC in stored text can corrupt exports and terminals. Carriage returns become
 * newlines' partners no more (CRLF → LF).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is removed
const STRAY_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

export function stripControls(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(STRAY_CONTROLS, "");
}

/** Any control character (C0, DEL, C1), tab and newline included. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is refused
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Characters that reorder the text around them: a name with U+202E reads backwards. */
export const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Characters that show nothing: format characters (zero-width spaces and joiners, soft hyphen,
 * BOM), separators, and the blank letters (Hangul fillers, the braille blank).
 */
const INVISIBLE = /[\p{Cf}\p{Z}\u115f\u1160\u3164\uffa0\u2800\u180e]/gu;

/** Whether nothing would be seen of `text`. */
export function isInvisible(text: string): boolean {
  return text.replace(INVISIBLE, "") === "";
}

/** A name as it is stored and compared: NFKC (full-width letters become ASCII), trimmed. */
export function normalizeName(text: string): string {
  return text.normalize("NFKC").trim();
}

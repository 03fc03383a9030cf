/**
 * URL checks for user-supplied links (sources, profile links, comment links). Pure, so both
 * the server's validation and the client's form hints can share it.
 */

import { MAX_URL_LENGTH } from "#app/rules";

export { MAX_URL_LENGTH };

/**
 * True when `value` holds whitespace or a C0/C1 control character. The WHATWG parser silently
 * strips or re-interprets these (a tab inside "java\tscript:", a leading NUL), so they signal a
 * smuggling attempt rather than a typo worth repairing.
 */
export function hasUnsafeCharacter(value: string): boolean {
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f) || /\s/u.test(ch)) return true;
  }
  return false;
}

/**
 * True only for an absolute `http:` or `https:` URL with a host, written out with `//`, with
 * no whitespace, control characters or embedded credentials, and at most 2,000 characters.
 */
export function isHttpUrl(value: string): boolean {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_URL_LENGTH) {
    return false;
  }
  if (hasUnsafeCharacter(value)) return false;
  // The parser accepts "http:example.com" and "http:\\example.com"; insist on the plain form.
  if (!/^https?:\/\//i.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  // "https://trusted.example@evil.example" reads as one host and goes to another.
  if (url.username !== "" || url.password !== "") return false;
  return url.hostname !== "";
}

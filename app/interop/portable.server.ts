/**
 * One annotation as it travels between Marginalia and other tools: what the exporter builds from
 * a row and `toW3C` writes, and what `fromW3C` and `fromHypothesis` read back from a file. It
 * names things by IRI (the annotation, the revision it is about, the one it answers, its writer),
 * never by database id, so a file can be read anywhere; `parseLocalIri` turns the site's own IRIs
 * back into slugs and ids. Everything here is pure: anchoring, threads and writes are the
 * importer's.
 *
 * The checks below are the ones every reader applies, whatever format the annotation came in:
 * the lengths and link rules of the forms (app/rules.ts), control characters stripped, dates and
 * IRIs well formed.
 */
import {
  type AnnotationKind,
  MAX_BODY_LENGTH,
  MAX_QUOTE_LENGTH,
  MAX_SOURCE_TITLE_LENGTH,
  MAX_URL_LENGTH,
  type Stance,
  type Visibility,
} from "#app/rules";
import { BIDI_CONTROL, stripControls } from "#app/utils/text";
import { hasUnsafeCharacter, isHttpUrl } from "#app/utils/url";

/** How a revision left a thread's root: on its words, on changed words, or without a place. */
export type AnchorStatus = "anchored" | "changed" | "orphaned";

/** Why an exported annotation carries no words: deleted by its writer, or hidden from this reader. */
export type Withheld = "deleted" | "hidden";

/** What a thread's root is about. */
export type PortableTarget = {
  /** The annotated document: for Marginalia's own, the IRI of the revision it was anchored on. */
  source: string;
  /** The paragraph (`p-3`) when the target names one; null for a whole document. */
  paragraph: string | null;
  /** The quoted passage; null for a whole paragraph (or document). */
  quote: { exact: string; prefix: string; suffix: string } | null;
  /**
   * Where the quote is, in Unicode code points: within the paragraph's text when `paragraph` is
   * set, else within the whole document's text (as Hypothesis counts).
   */
  position: { start: number; end: number } | null;
};

/** A writer, as far as the file says: an IRI, a name, a nickname (username), each optional. */
export type PortableCreator = { id: string | null; name: string | null; nickname: string | null };

export type PortableAnnotation = {
  /** The annotation's IRI (a Marginalia permalink, a Hypothesis `…/a/<id>`); null if the file gave none. */
  id: string | null;
  kind: AnnotationKind;
  /** Markdown. Empty only for a placeholder (`withheld`). */
  body: string;
  /** For a source: the link, its title and what it does to the passage. */
  source: { url: string; title: string; stance: Stance } | null;
  /** A thread's root: what it is about. Null for a reply. */
  target: PortableTarget | null;
  /** A reply: the IRI of the annotation it answers. Null for a root. */
  parent: string | null;
  /** Null when unknown: a deleted account, a placeholder, a file that does not say. */
  creator: PortableCreator | null;
  /** ISO 8601 instants. */
  created: string | null;
  modified: string | null;
  /** Who may read it, when the file says (Marginalia's own; Hypothesis's permissions). */
  visibility: Visibility | null;
  /** The class or panel of a `group` annotation. */
  group: { id: string; name: string | null } | null;
  anchorStatus: AnchorStatus;
  /** The quote as first written, when a revision re-anchored the thread to changed words. */
  originalQuote: string | null;
  /** When the thread (a root) was resolved. */
  resolved: string | null;
  /** A placeholder that holds a thread together: no words, no writer, no link. */
  withheld: Withheld | null;
  /** Tags from tools that have them (Hypothesis, W3C `tagging` bodies); Marginalia has none. */
  tags: string[];
};

/** What reading one annotation gives: the annotation, a reason it is left out, or what is wrong. */
export type ReadResult =
  | { status: "ok"; annotation: PortableAnnotation }
  | { status: "skipped"; reason: string }
  | { status: "invalid"; errors: string[] };

/** Longest writer's name or nickname taken from a file. */
export const MAX_NAME_LENGTH = 200;
/** Longest tag, and most tags on one annotation. */
export const MAX_TAG_LENGTH = 200;
export const MAX_TAGS = 50;
/** A position beyond this is no text anyone reads (the importer's files are at most 50 MB). */
export const MAX_POSITION = 100_000_000;
/** Most bodies, targets or selectors one annotation may list. */
export const MAX_LIST_LENGTH = 100;

export const anchorStatuses: readonly AnchorStatus[] = ["anchored", "changed", "orphaned"];
export const withheldReasons: readonly Withheld[] = ["deleted", "hidden"];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A property's values as a list: absent is none, one is one. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** An own property only: a file's `__proto__` or `constructor` key is data, never inherited. */
export function field(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * An absolute IRI: a scheme, then no whitespace or control characters, at most MAX_URL_LENGTH
 * long. Any scheme (`urn:uuid:`, `acct:`, `tag:`): only links people follow must be http(s).
 */
export function isIri(value: unknown): value is string {
  return (
    typeof value === "string" &&
    value.length <= MAX_URL_LENGTH &&
    /^[a-z][a-z0-9+.-]*:\S+$/i.test(value) &&
    !hasUnsafeCharacter(value)
  );
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** An xsd:dateTime with a zone, as ISO 8601 UTC; null when it is not one. */
export function readDateTime(value: unknown): string | null {
  if (typeof value !== "string" || !DATE_TIME.test(value)) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** Text from a file as stored: control characters removed (tab and newline stay). */
export function cleanText(value: string): string {
  return stripControls(value);
}

/** A name from a file: one line, no bidirectional overrides, trimmed; null when nothing is left. */
export function cleanName(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const cleaned = stripControls(value)
    .replace(new RegExp(BIDI_CONTROL.source, "g"), "")
    .replace(/[\t\n]+/g, " ")
    .trim();
  return cleaned === "" ? null : cleaned;
}

/** A title for a link the file gave without one: the address, shortened to fit. */
export function titleFromUrl(url: string): string {
  return url.length <= MAX_SOURCE_TITLE_LENGTH
    ? url
    : `${url.slice(0, MAX_SOURCE_TITLE_LENGTH - 1)}…`;
}

const THOUSANDS = (n: number) => n.toLocaleString("en");

/**
 * What the forms would refuse in an annotation read from a file, as messages; none when it may be
 * imported. The same limits as app/models/annotation-input.server.ts, from app/rules.ts.
 */
export function checkPortable(annotation: PortableAnnotation): string[] {
  const errors: string[] = [];
  if (annotation.body.length > MAX_BODY_LENGTH) {
    errors.push(`Its text is longer than ${THOUSANDS(MAX_BODY_LENGTH)} characters.`);
  }
  if (annotation.withheld === null && annotation.body.trim() === "") {
    errors.push("It has no text.");
  }
  if (annotation.source) {
    if (!isHttpUrl(annotation.source.url)) {
      errors.push(
        "Its link is not a full web address starting with http:// or https:// (or is longer than 2,000 characters).",
      );
    }
    if (annotation.source.title.length > MAX_SOURCE_TITLE_LENGTH) {
      errors.push(`Its link's title is longer than ${MAX_SOURCE_TITLE_LENGTH} characters.`);
    }
  } else if (annotation.kind === "source" && annotation.withheld === null) {
    errors.push("It is a source but links to nothing.");
  }
  const quote = annotation.target?.quote;
  if (quote) {
    if (quote.exact === "") errors.push("Its quote is empty.");
    for (const [name, text] of [
      ["quote", quote.exact],
      ["quote's prefix", quote.prefix],
      ["quote's suffix", quote.suffix],
    ] as const) {
      if (text.length > MAX_QUOTE_LENGTH) {
        errors.push(`Its ${name} is longer than ${THOUSANDS(MAX_QUOTE_LENGTH)} characters.`);
      }
    }
  }
  if (annotation.originalQuote && annotation.originalQuote.length > MAX_QUOTE_LENGTH) {
    errors.push(`Its original quote is longer than ${THOUSANDS(MAX_QUOTE_LENGTH)} characters.`);
  }
  const position = annotation.target?.position;
  if (position && (position.start > position.end || position.end > MAX_POSITION)) {
    errors.push("Its text position ends before it starts, or lies beyond any text.");
  }
  const creator = annotation.creator;
  for (const name of [creator?.name, creator?.nickname, annotation.group?.name]) {
    if (name && name.length > MAX_NAME_LENGTH) {
      errors.push(`A name in it is longer than ${MAX_NAME_LENGTH} characters.`);
      break;
    }
  }
  if (annotation.tags.length > MAX_TAGS) errors.push(`It has more than ${MAX_TAGS} tags.`);
  if (annotation.tags.some((tag) => tag.length > MAX_TAG_LENGTH)) {
    errors.push(`A tag is longer than ${MAX_TAG_LENGTH} characters.`);
  }
  if (annotation.target === null && annotation.parent === null) {
    errors.push("It is about nothing: no target and no annotation it replies to.");
  }
  return errors;
}

/** The verdict on one annotation read from a file: ok, or the checks' messages. */
export function verdict(annotation: PortableAnnotation, errors: string[]): ReadResult {
  const all = [...errors, ...checkPortable(annotation)];
  return all.length > 0 ? { status: "invalid", errors: all } : { status: "ok", annotation };
}

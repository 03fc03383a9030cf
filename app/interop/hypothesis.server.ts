/**
 * Hypothesis's annotations, as its API returns them and its client exports them (`{ export_date,
 * export_userid, client_version, annotations: [...] }`), read into `PortableAnnotation`s. Hypothesis
 * has no kinds, sources or stances: every annotation is a plain one; a reply names its thread in
 * `references` (root first, direct parent last); a highlight has no text and is left out.
 *
 * A row's `id` is a short opaque string, not an IRI; it becomes `https://hypothes.is/a/<id>` (the
 * address Hypothesis shows it at), and so do the ids in `references`, so replies find their parents
 * within the file.
 */
import {
  asList,
  cleanName,
  cleanText,
  field,
  isIri,
  isPlainObject,
  MAX_LIST_LENGTH,
  type PortableAnnotation,
  type PortableCreator,
  type ReadResult,
  readDateTime,
  verdict,
} from "#app/interop/portable.server";

const HYPOTHESIS_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The IRI a Hypothesis annotation id stands for. */
export function hypothesisIri(id: string): string {
  return `https://hypothes.is/a/${id}`;
}

/** `acct:ada@hypothes.is` → ada. */
const ACCOUNT = /^acct:([^@\s]{1,100})@([^@\s]{1,200})$/;

function readCreator(row: Record<string, unknown>): PortableCreator | null {
  const user = field(row, "user");
  const info = field(row, "user_info");
  const displayName = isPlainObject(info) ? cleanName(field(info, "display_name")) : null;
  if (typeof user !== "string")
    return displayName ? { id: null, name: displayName, nickname: null } : null;
  const account = ACCOUNT.exec(user);
  const username = account ? cleanName(account[1]) : null;
  return {
    id: account && isIri(user) ? user : null,
    name: displayName ?? username,
    nickname: username,
  };
}

/** Who may read it: everyone (`group:__world__`), its writer alone, or a group we cannot name. */
function readVisibility(row: Record<string, unknown>): PortableAnnotation["visibility"] {
  const permissions = field(row, "permissions");
  if (!isPlainObject(permissions)) return null;
  const read = asList(field(permissions, "read")).filter((r) => typeof r === "string");
  if (read.includes("group:__world__")) return "public";
  if (read.length === 1 && read[0] === field(row, "user")) return "private";
  return null;
}

function text(value: unknown): string {
  return typeof value === "string" ? cleanText(value) : "";
}

/** Reads one annotation in Hypothesis's API format. */
export function fromHypothesis(row: unknown): ReadResult {
  if (!isPlainObject(row)) return { status: "invalid", errors: ["It is not a JSON object."] };
  const errors: string[] = [];
  const id = field(row, "id");
  if (id !== undefined && (typeof id !== "string" || !HYPOTHESIS_ID.test(id))) {
    errors.push("Its id is not a Hypothesis annotation id.");
  }
  const body = field(row, "text");
  if (body !== undefined && typeof body !== "string") errors.push("Its text is not text.");
  const uri = field(row, "uri");
  if (uri !== undefined && !isIri(uri)) errors.push("Its uri is not an address.");
  const references = asList(field(row, "references"));
  if (
    references.length > MAX_LIST_LENGTH ||
    references.some((r) => typeof r !== "string" || !HYPOTHESIS_ID.test(r))
  ) {
    errors.push("Its references are not Hypothesis annotation ids.");
  }
  const targets = asList(field(row, "target"));
  if (targets.length > MAX_LIST_LENGTH || targets.some((t) => !isPlainObject(t))) {
    errors.push("Its target is not a list of targets.");
  }
  const tags = asList(field(row, "tags"));
  if (tags.some((t) => typeof t !== "string")) errors.push("Its tags are not text.");
  const created = field(row, "created") === undefined ? null : readDateTime(field(row, "created"));
  const modified = field(row, "updated") === undefined ? null : readDateTime(field(row, "updated"));
  if (field(row, "created") !== undefined && created === null) {
    errors.push("Its created time is not a date and time with a time zone.");
  }
  if (field(row, "updated") !== undefined && modified === null) {
    errors.push("Its updated time is not a date and time with a time zone.");
  }
  if (errors.length > 0) return { status: "invalid", errors };

  const parentId = references.at(-1) as string | undefined;
  const [first] = targets as Record<string, unknown>[];
  const source = first && isIri(field(first, "source")) ? (field(first, "source") as string) : uri;
  if (!parentId && !isIri(source)) {
    return { status: "invalid", errors: ["It names no document: no uri and no target source."] };
  }
  const words = text(body).trim();
  if (words === "") {
    return {
      status: "skipped",
      reason: parentId
        ? "It is a reply without words."
        : "It is a highlight without words; Marginalia keeps annotations that say something.",
    };
  }
  let quote: { exact: string; prefix: string; suffix: string } | null = null;
  let position: { start: number; end: number } | null = null;
  const selectors = first ? asList(field(first, "selector")) : [];
  for (const selector of selectors.slice(0, MAX_LIST_LENGTH)) {
    if (!isPlainObject(selector)) continue;
    const type = field(selector, "type");
    if (type === "TextQuoteSelector" && typeof field(selector, "exact") === "string") {
      quote ??= {
        exact: text(field(selector, "exact")),
        prefix: text(field(selector, "prefix")),
        suffix: text(field(selector, "suffix")),
      };
    }
    const start = field(selector, "start");
    const end = field(selector, "end");
    if (
      type === "TextPositionSelector" &&
      Number.isSafeInteger(start) &&
      Number.isSafeInteger(end) &&
      (start as number) >= 0
    ) {
      position ??= { start: start as number, end: end as number };
    }
    // RangeSelectors address Hypothesis's view of the page's DOM: nothing here can follow them.
  }
  const annotation: PortableAnnotation = {
    id: typeof id === "string" ? hypothesisIri(id) : null,
    kind: "annotation",
    body: words,
    source: null,
    target: parentId ? null : { source: source as string, paragraph: null, quote, position },
    parent: parentId ? hypothesisIri(parentId) : null,
    creator: readCreator(row),
    created,
    modified,
    visibility: readVisibility(row),
    group: null,
    anchorStatus: "anchored",
    originalQuote: null,
    resolved: null,
    withheld: null,
    tags: (tags as string[]).map((t) => cleanName(t)).filter((t): t is string => t !== null),
  };
  return verdict(annotation, []);
}

/** Whether a JSON value looks like one Hypothesis API row rather than a W3C annotation. */
export function looksLikeHypothesis(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  if (field(value, "@context") !== undefined || field(value, "type") !== undefined) return false;
  return (
    typeof field(value, "uri") === "string" ||
    typeof field(value, "user") === "string" ||
    Array.isArray(field(value, "references"))
  );
}

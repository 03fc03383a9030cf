/**
 * Whole documents of annotations, both ways. Out: an `AnnotationCollection` and its
 * `AnnotationPage`s (the exports, and the protocol container to come). In: whatever a person may
 * hand the importer — one W3C annotation, an array of them, a collection with its page(s)
 * embedded, a page, a Hypothesis client export (`{ annotations: [...] }`), a Hypothesis API
 * search result (`{ rows: [...] }`) or a bare array of Hypothesis rows — read into
 * `PortableAnnotation`s, with every problem named by the item it is in.
 */
import { fromHypothesis, looksLikeHypothesis } from "#app/interop/hypothesis.server";
import {
  asList,
  field,
  isPlainObject,
  type PortableAnnotation,
  type ReadResult,
} from "#app/interop/portable.server";
import {
  ANNO_CONTEXT,
  CONTEXT,
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENT_ITEMS,
} from "#app/interop/vocabulary";
import { fromW3C, toW3C, type W3CAnnotation } from "#app/interop/w3c.server";

// ——— Writing ———

/** What a collection says of itself, wherever a page refers to it. */
export type CollectionInfo = {
  /** The collection's IRI. */
  id: string;
  label: string;
  /** How many annotations it holds, all pages together. */
  total: number;
  /** The IRI of page `n` (0-based). */
  pageIri: (n: number) => string;
  /** Annotations per page: the last page may hold fewer. */
  pageSize: number;
};

export type AnnotationPage = {
  "@context"?: typeof CONTEXT;
  id: string;
  type: "AnnotationPage";
  partOf: { id: string; label: string; total: number };
  startIndex: number;
  next?: string;
  prev?: string;
  items: W3CAnnotation[];
};

export type AnnotationCollection = {
  "@context": typeof CONTEXT;
  id: string;
  type: "AnnotationCollection";
  label: string;
  total: number;
  first?: string | AnnotationPage;
  last?: string;
};

/** How many pages a collection has (none when it is empty). */
export function pageCount(collection: Pick<CollectionInfo, "total" | "pageSize">): number {
  return Math.ceil(collection.total / Math.max(1, collection.pageSize));
}

/**
 * Page `index` of a collection, holding `items` (at most `pageSize`, already in order). Embedded in
 * a collection it leaves out `@context` (`embedded: true`), which the collection carries.
 */
export function toPage(
  collection: CollectionInfo,
  index: number,
  items: PortableAnnotation[],
  { embedded = false }: { embedded?: boolean } = {},
): AnnotationPage {
  const pages = pageCount(collection);
  return {
    ...(embedded ? {} : { "@context": CONTEXT }),
    id: collection.pageIri(index),
    type: "AnnotationPage",
    partOf: { id: collection.id, label: collection.label, total: collection.total },
    startIndex: index * collection.pageSize,
    ...(index + 1 < pages ? { next: collection.pageIri(index + 1) } : {}),
    ...(index > 0 ? { prev: collection.pageIri(index - 1) } : {}),
    items: items.map((item) => toW3C(item, { withContext: false })),
  };
}

/**
 * The collection itself: its label and total, its first page (embedded when given, which is how
 * a whole collection travels in one file) and the address of its last. An empty collection has
 * neither.
 */
export function toCollection(
  collection: CollectionInfo,
  first?: AnnotationPage,
): AnnotationCollection {
  const pages = pageCount(collection);
  return {
    "@context": CONTEXT,
    id: collection.id,
    type: "AnnotationCollection",
    label: collection.label,
    total: collection.total,
    ...(pages > 0
      ? {
          first: first ? stripContext(first) : collection.pageIri(0),
          last: collection.pageIri(pages - 1),
        }
      : {}),
  };
}

function stripContext(page: AnnotationPage): AnnotationPage {
  const { "@context": _context, ...rest } = page;
  return rest;
}

// ——— Reading ———

export type DocumentFormat = "w3c" | "hypothesis";

/** One annotation left out, and why (a highlight, an image): not an error, but reported. */
export type SkippedItem = { index: number; id: string | null; reason: string };

export type DocumentRead = {
  /** What the file was, once recognised. */
  format: DocumentFormat | null;
  /** Every annotation read, in the file's order. */
  annotations: PortableAnnotation[];
  skipped: SkippedItem[];
  /**
   * What is wrong, one message per bad item (the first MAX_REPORTED, then a count): a document
   * with any is not to be imported at all.
   */
  errors: string[];
};

/** How many problems a reader is told one by one before the rest are counted. */
export const MAX_REPORTED = 100;

const FORMAT_HELP =
  "Expected a W3C Web Annotation (or an array, AnnotationCollection or AnnotationPage of them) or a Hypothesis export.";

function failed(message: string): DocumentRead {
  return { format: null, annotations: [], skipped: [], errors: [message] };
}

function hasType(value: Record<string, unknown>, type: string): boolean {
  return asList(field(value, "type")).some(
    (t) => t === type || t === `oa:${type}` || t === `as:${type}`,
  );
}

function namesAnnoContext(value: Record<string, unknown>): boolean {
  return asList(field(value, "@context")).some(
    (c) => c === ANNO_CONTEXT || c === "https://www.w3.org/ns/anno.jsonld",
  );
}

/** The items of a collection's embedded pages, or a message for pages only given by address. */
function collectionItems(collection: Record<string, unknown>): unknown[] | string {
  const total = field(collection, "total");
  const items: unknown[] = [];
  let page = asList(field(collection, "first"))[0];
  const seen = new Set<unknown>();
  while (isPlainObject(page) && !seen.has(page)) {
    seen.add(page);
    const pageItems = field(page, "items");
    if (!Array.isArray(pageItems)) return "A page of the collection has no items list.";
    items.push(...pageItems);
    if (items.length > MAX_DOCUMENT_ITEMS) return tooMany(items.length);
    page = field(page, "next");
  }
  if (typeof page === "string" && (typeof total !== "number" || items.length < total)) {
    return `The file holds ${items.length.toLocaleString("en")} of the collection's ${
      typeof total === "number" ? total.toLocaleString("en") : "many"
    } annotations; the rest are pages given only by address (${page.slice(0, 200)}), which are not fetched. Download the whole collection as one file.`;
  }
  if (page === undefined && items.length === 0 && typeof total === "number" && total > 0) {
    return "The collection's pages are not in the file.";
  }
  return items;
}

function tooMany(count: number): string {
  return `The file holds ${count > MAX_DOCUMENT_ITEMS ? "more than " : ""}${MAX_DOCUMENT_ITEMS.toLocaleString("en")} annotations; split it into smaller files.`;
}

/** Recognises the document's shape: its items, their format, and whether they inherit a context. */
function itemsOf(
  input: unknown,
): { items: unknown[]; format: DocumentFormat; contextInherited: boolean } | string {
  if (Array.isArray(input)) {
    const format = input.length > 0 && looksLikeHypothesis(input[0]) ? "hypothesis" : "w3c";
    return { items: input, format, contextInherited: false };
  }
  if (!isPlainObject(input)) return `The file is not a JSON object or array. ${FORMAT_HELP}`;
  const hypothesisRows = field(input, "annotations") ?? field(input, "rows");
  if (Array.isArray(hypothesisRows) && !hasType(input, "AnnotationCollection")) {
    return { items: hypothesisRows, format: "hypothesis", contextInherited: false };
  }
  const inherited = namesAnnoContext(input);
  if (hasType(input, "AnnotationCollection")) {
    const items = collectionItems(input);
    if (typeof items === "string") return items;
    return { items, format: "w3c", contextInherited: inherited };
  }
  if (hasType(input, "AnnotationPage")) {
    const items = field(input, "items");
    if (!Array.isArray(items)) return "The AnnotationPage has no items list.";
    return { items, format: "w3c", contextInherited: inherited };
  }
  if (looksLikeHypothesis(input))
    return { items: [input], format: "hypothesis", contextInherited: false };
  return { items: [input], format: "w3c", contextInherited: false };
}

function describeItem(index: number, item: unknown): string {
  const id = isPlainObject(item) ? field(item, "id") : undefined;
  const named = typeof id === "string" && id.length <= 200 ? ` (${id})` : "";
  return `Annotation ${index + 1}${named}`;
}

/**
 * Reads a parsed JSON document of annotations. Nothing is written and nothing fetched: the caller
 * (the importer) decides what to do with what was read, and imports nothing when `errors` is not
 * empty.
 */
export function parseAnnotationDocument(input: unknown): DocumentRead {
  const shape = itemsOf(input);
  if (typeof shape === "string") return failed(shape);
  const { items, format, contextInherited } = shape;
  if (items.length > MAX_DOCUMENT_ITEMS) return failed(tooMany(items.length));
  if (items.length === 0) return { ...failed("The file holds no annotations."), format };
  const read: DocumentRead = { format, annotations: [], skipped: [], errors: [] };
  const ids = new Map<string, number>();
  let problems = 0;
  const report = (message: string) => {
    problems += 1;
    if (problems <= MAX_REPORTED) read.errors.push(message);
  };
  items.forEach((item, index) => {
    const result: ReadResult =
      format === "hypothesis" ? fromHypothesis(item) : fromW3C(item, { contextInherited });
    const name = describeItem(index, item);
    if (result.status === "invalid") {
      report(`${name}: ${result.errors.join(" ")}`);
      return;
    }
    if (result.status === "skipped") {
      read.skipped.push({
        index,
        id:
          isPlainObject(item) && typeof field(item, "id") === "string"
            ? (field(item, "id") as string)
            : null,
        reason: result.reason,
      });
      return;
    }
    const { id } = result.annotation;
    if (id !== null) {
      const earlier = ids.get(id);
      if (earlier !== undefined) {
        report(`${name}: it has the same id as annotation ${earlier + 1}.`);
        return;
      }
      ids.set(id, index);
    }
    read.annotations.push(result.annotation);
  });
  if (problems > MAX_REPORTED) {
    read.errors.push(`…and ${(problems - MAX_REPORTED).toLocaleString("en")} more problems.`);
  }
  return read;
}

/**
 * Reads a file's bytes (or its text): at most MAX_DOCUMENT_BYTES, UTF-8, JSON, then
 * `parseAnnotationDocument`. Every refusal is one sentence a person can act on.
 */
export function readAnnotationFile(content: Uint8Array | string): DocumentRead {
  const bytes =
    typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.byteLength;
  if (bytes === 0) return failed("The file is empty.");
  if (bytes > MAX_DOCUMENT_BYTES) {
    return failed(
      `The file is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB; split it into smaller files.`,
    );
  }
  let text: string;
  if (typeof content === "string") {
    text = content;
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(content);
    } catch {
      return failed("The file is not UTF-8 text: export it again as JSON.");
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    const detail = error instanceof SyntaxError ? ` (${error.message.slice(0, 200)})` : "";
    return failed(`The file is not valid JSON${detail}. ${FORMAT_HELP}`);
  }
  return parseAnnotationDocument(json);
}

/**
 * What the import form may hold: a file of annotations (uploaded, or pasted as JSON) and who will
 * see them. The file is read by the W3C/Hypothesis mapping (app/interop: `readAnnotationFile`) and
 * its annotations become the importer's drafts here; this module only adapts the mapping's
 * `PortableAnnotation` to `ImportDraft` and applies the import's own, smaller, limits.
 */
import { readAnnotationFile } from "#app/interop/document.server";
import type { PortableAnnotation } from "#app/interop/portable.server";
import type {
  ImportDocument,
  ImportDraft,
  ImportVisibility,
} from "#app/models/annotation-import.server";
import { MAX_ANNOTATION_IMPORT_BYTES, MAX_ANNOTATION_IMPORT_ITEMS } from "#app/rules";
import type { Parsed } from "#app/utils/forms.server";

export type ImportForm = { document: ImportDocument; visibility: ImportVisibility };

const MEGABYTES = MAX_ANNOTATION_IMPORT_BYTES / 1024 / 1024;

/** The message for a file over the limit, also given before its body is read (the route). */
export const TOO_LARGE = `That file is larger than ${MEGABYTES} MB; an import takes at most ${MEGABYTES} MB. Export fewer annotations (one article's), or split the file.`;

/** How many of the mapping's messages about a bad file are shown beside the field. */
const SHOWN_ERRORS = 3;

/** One annotation as the mapping read it, as the importer takes it. */
export function toDraft(annotation: PortableAnnotation): ImportDraft {
  const creator = annotation.creator;
  return {
    ref: annotation.id,
    // The mapping names the direct parent only (Hypothesis's last reference).
    replyTo: annotation.parent ? [annotation.parent] : [],
    kind: annotation.kind,
    body: annotation.body,
    source: annotation.source,
    target: {
      paragraph: annotation.target?.paragraph ?? null,
      quote: annotation.target?.quote ?? null,
      position: annotation.target?.position ?? null,
    },
    creator: creator ? { id: creator.id, name: creator.name ?? creator.nickname } : null,
    created: annotation.created,
    withheld: annotation.withheld !== null,
    anchorStatus: annotation.anchorStatus,
    originalQuote: annotation.originalQuote,
    resolved: annotation.resolved,
  };
}

/**
 * A file's text or bytes as an import: the mapping reads it (JSON, its shape, every annotation's
 * fields); a file with anything it calls wrong is refused whole, with its first messages, and the
 * items it leaves out (highlights without words) are listed as refused.
 */
export function readImportDocument(
  content: Uint8Array | string,
): { ok: true; document: ImportDocument } | { ok: false; message: string } {
  const bytes = typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.length;
  if (bytes > MAX_ANNOTATION_IMPORT_BYTES) return { ok: false, message: TOO_LARGE };
  const read = readAnnotationFile(content);
  const items = read.annotations.length + read.skipped.length + read.errors.length;
  if (items > MAX_ANNOTATION_IMPORT_ITEMS || read.errors.some((e) => /100,000/.test(e))) {
    return {
      ok: false,
      message: `That file has more than ${MAX_ANNOTATION_IMPORT_ITEMS.toLocaleString("en")} annotations; one import takes at most ${MAX_ANNOTATION_IMPORT_ITEMS.toLocaleString("en")}. Split it, or export one article's annotations.`,
    };
  }
  if (read.errors.length > 0 || read.format === null) {
    const shown = read.errors.slice(0, SHOWN_ERRORS).join(" ");
    const more =
      read.errors.length > SHOWN_ERRORS ? ` (and ${read.errors.length - SHOWN_ERRORS} more)` : "";
    return { ok: false, message: `That file cannot be imported, so nothing was: ${shown}${more}` };
  }
  return {
    ok: true,
    document: {
      format: read.format,
      drafts: read.annotations.map(toDraft),
      refused: read.skipped.map((s) => ({
        item: s.id ? `Item ${s.index + 1} (${s.id.slice(0, 120)})` : `Item ${s.index + 1}`,
        message: s.reason,
      })),
    },
  };
}

/** `private` (the default: only the importer), `public`, or `group-<id>`. */
export function readImportVisibility(value: FormDataEntryValue | null): ImportVisibility | null {
  const chosen = typeof value === "string" && value !== "" ? value : "private";
  if (chosen === "private" || chosen === "public") return { visibility: chosen };
  const group = /^group-([1-9]\d{0,9})$/.exec(chosen);
  return group ? { visibility: "group", groupId: Number(group[1]) } : null;
}

/** Reads the import form: the file (or pasted JSON) and the visibility, each refusal by its field. */
export async function parseImportForm(form: FormData): Promise<Parsed<ImportForm>> {
  const visibility = readImportVisibility(form.get("visibility"));
  if (!visibility) return { ok: false, errors: { visibility: "Choose who can see them." } };
  const file = form.get("file");
  const pasted = form.get("json");
  let field: "file" | "json";
  let read: ReturnType<typeof readImportDocument>;
  if (file instanceof File && file.size > 0) {
    field = "file";
    if (file.size > MAX_ANNOTATION_IMPORT_BYTES) return { ok: false, errors: { file: TOO_LARGE } };
    read = readImportDocument(new Uint8Array(await file.arrayBuffer()));
  } else if (typeof pasted === "string" && pasted.trim() !== "") {
    field = "json";
    read = readImportDocument(pasted);
  } else {
    return {
      ok: false,
      errors: { file: "Choose a file of annotations (.json or .jsonld), or paste its JSON below." },
    };
  }
  if (!read.ok) return { ok: false, errors: { [field]: read.message } };
  return { ok: true, value: { document: read.document, visibility } };
}

/**
 * What the revise form may hold: the new text (an uploaded file, or pasted), and a note on what
 * changed. The file is read and checked here, before the importer parses it.
 */
import {
  ImportError,
  MAX_IMPORT_BYTES,
  type ParsedArticle,
  parseArticle,
} from "#app/models/importer.server";
import { REVISION_NOTE_MAX } from "#app/rules";
import type { Parsed } from "#app/utils/forms.server";
import { stripControls } from "#app/utils/text";

export type RevisionInput = { parsed: ParsedArticle; note: string };

/** Reads an uploaded or pasted article text; a message for the field when it is not one. */
async function readText(
  form: FormData,
): Promise<
  { ok: true; source: string; markdown: boolean } | { ok: false; field: string; message: string }
> {
  const file = form.get("file");
  const pasted = form.get("text");
  if (file instanceof File && file.size > 0) {
    if (file.size > MAX_IMPORT_BYTES) {
      return {
        ok: false,
        field: "file",
        message: "That file is over 1 MB; an article file is at most 1 MB.",
      };
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.includes(0)) {
      return {
        ok: false,
        field: "file",
        message: "That looks like a binary file. Upload the article as text (.txt or .md).",
      };
    }
    let source: string;
    try {
      source = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return {
        ok: false,
        field: "file",
        message: "That file is not UTF-8 text. Save it as UTF-8 and upload it again.",
      };
    }
    const markdown = /\.(md|markdown)$/i.test(file.name) || /^\s*# /.test(source);
    return { ok: true, source: source.replace(/^\uFEFF/, ""), markdown };
  }
  if (typeof pasted === "string" && pasted.trim() !== "") {
    if (new TextEncoder().encode(pasted).length > MAX_IMPORT_BYTES) {
      return {
        ok: false,
        field: "text",
        message: "That text is over 1 MB; an article is at most 1 MB.",
      };
    }
    return { ok: true, source: pasted, markdown: /^\s*# /.test(pasted) };
  }
  return {
    ok: false,
    field: "file",
    message: "Choose the revised article's file, or paste its text below.",
  };
}

export async function parseRevisionForm(form: FormData): Promise<Parsed<RevisionInput>> {
  const noteValue = form.get("note");
  const note = stripControls(typeof noteValue === "string" ? noteValue : "").trim();
  if (note.length > REVISION_NOTE_MAX) {
    return { ok: false, errors: { note: `A note has at most ${REVISION_NOTE_MAX} characters.` } };
  }
  const text = await readText(form);
  if (!text.ok) return { ok: false, errors: { [text.field]: text.message } };
  try {
    return {
      ok: true,
      value: { parsed: parseArticle(text.source, { markdown: text.markdown }), note },
    };
  } catch (error) {
    if (error instanceof ImportError) {
      const field =
        form.get("file") instanceof File && (form.get("file") as File).size > 0 ? "file" : "text";
      return {
        ok: false,
        errors: { [field]: `That is not an article we can read: ${error.message}.` },
      };
    }
    throw error;
  }
}

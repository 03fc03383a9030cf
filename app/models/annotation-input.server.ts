/**
 * What a person may submit as an annotation, as one zod schema per form intent. Pure, so the
 * server validates with it and the forms can show the same limits.
 */
import { z } from "zod";
import {
  annotationKinds,
  MAX_BODY_LENGTH,
  MAX_QUOTE_LENGTH,
  MAX_SOURCE_TITLE_LENGTH,
  MAX_URL_LENGTH,
  stances,
} from "#app/rules";
import type { FieldErrors } from "#app/utils/errors";
import { isHttpUrl } from "#app/utils/url";
import { fieldErrors } from "#app/utils/validation.server";

const body = z
  .string({ error: "Write something first." })
  .trim()
  .min(1, "Write something first.")
  .max(MAX_BODY_LENGTH, `Keep it under ${MAX_BODY_LENGTH.toLocaleString("en")} characters.`);

const kind = z.enum(annotationKinds, {
  error: "Choose annotation, question, counterargument or source.",
});

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v : undefined));

const source = z.object({
  sourceUrl: z
    .string({ error: "Give the source's web address." })
    .trim()
    .min(1, "Give the source's web address.")
    .max(MAX_URL_LENGTH, "That address is too long.")
    .refine(isHttpUrl, "Use a full web address starting with http:// or https://."),
  sourceTitle: z
    .string({ error: "Give the source a title." })
    .trim()
    .min(1, "Give the source a title.")
    .max(MAX_SOURCE_TITLE_LENGTH, `Keep the title under ${MAX_SOURCE_TITLE_LENGTH} characters.`),
  sourceStance: z.enum(stances, {
    error: "Say whether the source supports, refutes or gives context.",
  }),
});

export type SourceInput = { url: string; title: string; stance: (typeof stances)[number] };

export type AnnotationInput = {
  kind: (typeof annotationKinds)[number];
  body: string;
  source: SourceInput | null;
};

export type NewAnnotationInput = AnnotationInput & {
  quote: string | null;
  quoteStart: number | null;
  visibility: "public" | "private";
};

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

function entries(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === "string") out[key] = value;
  return out;
}

function parseContent(
  values: Record<string, string>,
  fixedKind?: AnnotationInput["kind"],
): Parsed<AnnotationInput> {
  const base = z
    .object({ kind, body })
    .safeParse({ kind: fixedKind ?? values.kind, body: values.body });
  const errors: FieldErrors = base.success ? {} : fieldErrors(base.error);
  let sourceValue: SourceInput | null = null;
  if ((fixedKind ?? values.kind) === "source") {
    const parsed = source.safeParse(values);
    if (parsed.success) {
      sourceValue = {
        url: parsed.data.sourceUrl,
        title: parsed.data.sourceTitle,
        stance: parsed.data.sourceStance,
      };
    } else Object.assign(errors, fieldErrors(parsed.error));
  }
  if (!base.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { ...base.data, source: sourceValue } };
}

/** A new annotation on a paragraph: its content, an optional quoted passage and a visibility. */
export function parseNewAnnotation(form: FormData): Parsed<NewAnnotationInput> {
  const values = entries(form);
  const content = parseContent(values);
  const extra = z
    .object({
      quote: optionalText.pipe(
        z.string().max(MAX_QUOTE_LENGTH, "That passage is too long to quote.").optional(),
      ),
      quoteStart: z
        .string()
        .optional()
        .transform((v) => (v && /^\d+$/.test(v) ? Number(v) : null)),
      visibility: z
        .enum(["public", "private"], { error: "Choose who can see this." })
        .optional()
        .transform((v) => v ?? "public"),
    })
    .safeParse(values);
  const errors = {
    ...(content.ok ? {} : content.errors),
    ...(extra.success ? {} : fieldErrors(extra.error)),
  };
  if (!content.ok || !extra.success) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...content.value,
      quote: extra.data.quote ?? null,
      quoteStart: extra.data.quoteStart,
      visibility: extra.data.visibility,
    },
  };
}

/** A reply: content only; it inherits the thread's paragraph and visibility. */
export function parseReply(form: FormData): Parsed<AnnotationInput> {
  return parseContent(entries(form));
}

/** An edit changes the text, and for a source its link; the kind stays what it was. */
export type AnnotationEdit = { body: string; source: SourceInput | null };

export function parseEdit(form: FormData): Parsed<AnnotationEdit> {
  const values = entries(form);
  // Only a source's edit form has link fields; without them the content is checked as commentary.
  const parsed = parseContent(values, form.has("sourceUrl") ? "source" : "annotation");
  return parsed.ok
    ? { ok: true, value: { body: parsed.value.body, source: parsed.value.source } }
    : parsed;
}

/** The values to put back into a form after a validation error (never anything secret). */
export function formValues(form: FormData): Record<string, string> {
  return entries(form);
}

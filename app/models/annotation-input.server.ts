/**
 * What a person may submit as an annotation: one zod schema per form (new annotation, reply, edit)
 * that validates every field at once and yields the model's input. The limits come from rules.ts,
 * which the forms show too.
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
import { formValues, type Parsed, parseWith } from "#app/utils/forms.server";
import { stripControls } from "#app/utils/text";
import { isHttpUrl } from "#app/utils/url";

/** Text as typed, without stray control characters (NUL, BEL, ESC…): tab and newline stay. */
const cleanText = (error: string) => z.string({ error }).transform(stripControls);

const body = cleanText("Write something first.").pipe(
  z
    .string()
    .trim()
    .min(1, "Write something first.")
    .max(MAX_BODY_LENGTH, `Keep it under ${MAX_BODY_LENGTH.toLocaleString("en")} characters.`),
);

const kind = z.enum(annotationKinds, {
  error: "Choose annotation, question, counterargument or source.",
});

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? stripControls(v) : undefined));

const source = z.object({
  sourceUrl: z
    .string({ error: "Give the source's web address." })
    .trim()
    .min(1, "Give the source's web address.")
    .max(MAX_URL_LENGTH, "That address is too long.")
    .refine(isHttpUrl, "Use a full web address starting with http:// or https://."),
  sourceTitle: cleanText("Give the source a title.").pipe(
    z
      .string()
      .trim()
      .min(1, "Give the source a title.")
      .max(MAX_SOURCE_TITLE_LENGTH, `Keep the title under ${MAX_SOURCE_TITLE_LENGTH} characters.`),
  ),
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
  visibility: "public" | "private" | "group";
  /** The group that will see it, for `group` visibility. */
  groupId?: number | null;
};

/** An edit changes the text, and for a source its link; the kind stays what it was. */
export type AnnotationEdit = { body: string; source: SourceInput | null };

/** The link fields, read loosely: they are checked (by `source`) only when the kind is source. */
const sourceFields = {
  sourceUrl: z.string().optional(),
  sourceTitle: z.string().optional(),
  sourceStance: z.string().optional(),
};

type SourceFields = { sourceUrl?: string; sourceTitle?: string; sourceStance?: string };

/** Reports the link fields' problems beside the others' when `isSource` says they are needed. */
function checkSource<T extends SourceFields>(isSource: (value: T) => boolean) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (!isSource(value)) return;
    const parsed = source.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }
  };
}

function sourceOf(value: SourceFields): SourceInput {
  const parsed = source.parse(value);
  return { url: parsed.sourceUrl, title: parsed.sourceTitle, stance: parsed.sourceStance };
}

const content = z.object({ kind, body, ...sourceFields });
const isSourceKind = (value: SourceFields & { kind: string }) => value.kind === "source";

/** The form on a paragraph: content, an optional quoted passage and a visibility. */
export const newAnnotationSchema = content
  .extend({
    quote: optionalText.pipe(
      z.string().max(MAX_QUOTE_LENGTH, "That passage is too long to quote.").optional(),
    ),
    quoteStart: z
      .string()
      .optional()
      .transform((v) => (v && /^\d+$/.test(v) ? Number(v) : null)),
    // `public`, `private`, or `group-<id>` (the form's choices, as layers name them).
    visibility: z
      .string()
      .regex(/^(public|private|group-[1-9]\d{0,9})$/, "Choose who can see this.")
      .optional()
      .transform((v) => v ?? "public"),
  })
  .superRefine(checkSource(isSourceKind))
  .transform(
    (v): NewAnnotationInput => ({
      kind: v.kind,
      body: v.body,
      source: v.kind === "source" ? sourceOf(v) : null,
      quote: v.quote ?? null,
      quoteStart: v.quoteStart,
      ...readVisibility(v.visibility),
    }),
  );

/** A reply: content only; it inherits the thread's paragraph and visibility. */
export const replySchema = content.superRefine(checkSource(isSourceKind)).transform(
  (v): AnnotationInput => ({
    kind: v.kind,
    body: v.body,
    source: v.kind === "source" ? sourceOf(v) : null,
  }),
);

/** Only a source's edit form has link fields; without them the text is all there is to check. */
export const editSchema = z
  .object({ body, ...sourceFields })
  .superRefine(checkSource((v) => v.sourceUrl !== undefined))
  .transform(
    (v): AnnotationEdit => ({
      body: v.body,
      source: v.sourceUrl !== undefined ? sourceOf(v) : null,
    }),
  );

export function parseNewAnnotation(form: FormData): Parsed<NewAnnotationInput> {
  return parseWith(newAnnotationSchema, formValues(form));
}

export function parseReply(form: FormData): Parsed<AnnotationInput> {
  return parseWith(replySchema, formValues(form));
}

export function parseEdit(form: FormData): Parsed<AnnotationEdit> {
  return parseWith(editSchema, formValues(form));
}

function readVisibility(value: string): Pick<NewAnnotationInput, "visibility" | "groupId"> {
  if (value === "public" || value === "private") return { visibility: value, groupId: null };
  return { visibility: "group", groupId: Number(value.slice("group-".length)) };
}

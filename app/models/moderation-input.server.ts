/**
 * What a person may submit with a moderation form: a reason. Flagging and hiding must say why (the
 * owners read it in the log, the moderators in the queue); restoring and dismissing may. The model
 * checks the same schemas, so a caller that skips the form cannot store an empty or huge reason.
 */
import { z } from "zod";
import { formFields, type Parsed, parseWith } from "#app/utils/forms.server";
import { MAX_REASON_LENGTH, type ModerationIntent } from "#app/utils/intents";
import { stripControls } from "#app/utils/text";

const TOO_LONG = `Keep the reason under ${MAX_REASON_LENGTH} characters.`;

/** Text as typed, without stray control characters, trimmed; absent reads as empty. */
const text = z
  .string()
  .optional()
  .transform((v) => stripControls(v ?? "").trim());

const required = (missing: string) =>
  z.object({ reason: text.pipe(z.string().min(1, missing).max(MAX_REASON_LENGTH, TOO_LONG)) });

const optional = z.object({ reason: text.pipe(z.string().max(MAX_REASON_LENGTH, TOO_LONG)) });

const SCHEMAS = {
  flag: required("Say what is wrong with it."),
  hide: required("Say why you are hiding it: its author and the group's owners will read this."),
  restore: optional,
  dismiss: optional,
} as const satisfies Record<ModerationIntent, z.ZodType<{ reason: string }>>;

/** A moderation reason, trimmed, or the message for the `reason` field. */
export function checkReason(intent: ModerationIntent, reason: unknown): Parsed<string> {
  const parsed = parseWith(SCHEMAS[intent], { reason });
  return parsed.ok ? { ok: true, value: parsed.value.reason } : parsed;
}

/** The reason a moderation form was posted with. */
export function parseReason(intent: ModerationIntent, form: FormData): Parsed<string> {
  return checkReason(intent, formFields(form, ["reason"]).reason);
}

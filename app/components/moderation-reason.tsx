/**
 * The reason a moderation form gives (a flag, a hiding, a restoration, a dismissal): a labelled
 * textarea with its hint and error, keeping what was typed after a refusal. Shared by the thread's
 * forms and the moderation queues.
 */
import { FieldError, type FormState } from "#app/components/annotation-fields";
import { MAX_REASON_LENGTH } from "#app/utils/intents";

export function ReasonField({
  id,
  state,
  label,
  hint,
  required = false,
}: {
  /** The textarea's id; its hint and error take `${id}-hint`, `${id}-error`. */
  id: string;
  state: FormState;
  label: string;
  hint?: string;
  required?: boolean;
}) {
  const error = state.errors?.reason;
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name="reason"
        rows={2}
        maxLength={MAX_REASON_LENGTH}
        required={required}
        defaultValue={state.values?.reason ?? ""}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        // biome-ignore lint/a11y/noAutofocus: after a refused post without script, focus returns to the field that holds the error.
        autoFocus={error ? true : undefined}
      />
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/**
 * The fields every annotation form shares (kind, text, source link), each labelled, with its error
 * beside it and the typed value kept after a failed submission.
 */
import type { ReactNode } from "react";
import { MAX_BODY_LENGTH, MAX_SOURCE_TITLE_LENGTH, STANCE_LABELS } from "#app/rules";
import type { FieldErrors } from "#app/utils/errors";

export type FormState = { errors?: FieldErrors; values?: Record<string, string> };

const KIND_OPTIONS = [
  { value: "annotation", label: "Annotation", hint: "commentary" },
  { value: "question", label: "Question", hint: "ask about it" },
  { value: "counterargument", label: "Counterargument", hint: "object to it" },
  { value: "source", label: "Source", hint: "link evidence" },
] as const;

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      {message}
    </p>
  );
}

function described(id: string, error?: string, hint?: string) {
  const ids = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ");
  return {
    "aria-invalid": error ? true : undefined,
    "aria-describedby": ids || undefined,
  } as const;
}

export function KindField({
  prefix,
  state,
  defaultKind = "annotation",
}: {
  prefix: string;
  state: FormState;
  defaultKind?: string;
}) {
  const current = state.values?.kind ?? defaultKind;
  const error = state.errors?.kind;
  return (
    <fieldset className="kind-field" aria-describedby={error ? `${prefix}-kind-error` : undefined}>
      <legend>Kind</legend>
      <div className="kind-options">
        {KIND_OPTIONS.map((option) => (
          <label key={option.value} className={`kind-option kind-${option.value}`}>
            <input
              type="radio"
              name="kind"
              value={option.value}
              defaultChecked={current === option.value}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      <FieldError id={`${prefix}-kind-error`} message={error} />
    </fieldset>
  );
}

export function BodyField({
  prefix,
  state,
  label = "Your text",
  defaultValue = "",
  autoFocus,
}: {
  prefix: string;
  state: FormState;
  label?: string;
  defaultValue?: string;
  autoFocus?: boolean;
}) {
  const id = `${prefix}-body`;
  const error = state.errors?.body;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name="body"
        rows={4}
        maxLength={MAX_BODY_LENGTH}
        defaultValue={state.values?.body ?? defaultValue}
        // biome-ignore lint/a11y/noAutofocus: focus moves to the form the reader just asked to open.
        autoFocus={autoFocus}
        {...described(id, error, "hint")}
      />
      <p className="field-hint" id={`${id}-hint`}>
        Markdown: *emphasis*, **strong**, [links](https://…), lists, &gt; quotes.
      </p>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/** Shown for sources only (by CSS when a kind selector is present, so it needs no script). */
export function SourceFields({
  prefix,
  state,
  defaults,
}: {
  prefix: string;
  state: FormState;
  defaults?: { url: string; title: string; stance: string };
}) {
  const v = state.values;
  const e = state.errors ?? {};
  const stance = v?.sourceStance ?? defaults?.stance ?? "supports";
  return (
    <fieldset className="source-fields">
      <legend>Source link</legend>
      <div className="field">
        <label htmlFor={`${prefix}-url`}>Web address</label>
        <input
          id={`${prefix}-url`}
          name="sourceUrl"
          type="url"
          inputMode="url"
          placeholder="https://"
          defaultValue={v?.sourceUrl ?? defaults?.url ?? ""}
          {...described(`${prefix}-url`, e.sourceUrl)}
        />
        <FieldError id={`${prefix}-url-error`} message={e.sourceUrl} />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-title`}>Title</label>
        <input
          id={`${prefix}-title`}
          name="sourceTitle"
          maxLength={MAX_SOURCE_TITLE_LENGTH}
          defaultValue={v?.sourceTitle ?? defaults?.title ?? ""}
          {...described(`${prefix}-title`, e.sourceTitle)}
        />
        <FieldError id={`${prefix}-title-error`} message={e.sourceTitle} />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-stance`}>What it does</label>
        <select
          id={`${prefix}-stance`}
          name="sourceStance"
          defaultValue={stance}
          {...described(`${prefix}-stance`, e.sourceStance)}
        >
          {Object.entries(STANCE_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <FieldError id={`${prefix}-stance-error`} message={e.sourceStance} />
      </div>
    </fieldset>
  );
}

export function FormErrorSummary({ state }: { state: FormState }): ReactNode {
  const message = state.errors?.form;
  if (!message) return null;
  return (
    <p className="form-error" role="alert">
      {message}
    </p>
  );
}

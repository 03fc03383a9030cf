/**
 * The fields every annotation form shares (kind, text, source link), each labelled, with its error
 * beside it and the typed value kept after a failed submission.
 *
 * After a refused submission focus goes to the first invalid field, and FormErrorSummary (at the
 * top of every annotation form) announces what went wrong: with script, through useAfterErrors
 * (the one mechanism the account forms use too); without script, by `autoFocus` on that field in
 * the page the refusal returns (or on the summary when the error is the form's own, or belongs to
 * a field these components do not render, such as the passage of a new annotation).
 */
import { type ReactNode, useRef } from "react";
import { useAfterErrors } from "#app/components/form-field";
import { MAX_BODY_LENGTH, MAX_SOURCE_TITLE_LENGTH, STANCE_LABELS } from "#app/rules";
import type { FieldErrors } from "#app/utils/errors";

export type FormState = { errors?: FieldErrors; values?: Record<string, string> };

const KIND_OPTIONS = [
  { value: "annotation", label: "Annotation", hint: "commentary" },
  { value: "question", label: "Question", hint: "ask about it" },
  { value: "counterargument", label: "Counterargument", hint: "object to it" },
  { value: "source", label: "Source", hint: "link evidence" },
] as const;

/** The fields of the annotation forms in the order they appear; `quote` is the route's own. */
const FIELD_ORDER = [
  "kind",
  "quote",
  "body",
  "sourceUrl",
  "sourceTitle",
  "sourceStance",
  "visibility",
  "reason",
] as const;
/** The fields rendered here, which take focus themselves when theirs is the first error. */
const FIELDS_HERE = new Set<string>([
  "kind",
  "body",
  "sourceUrl",
  "sourceTitle",
  "sourceStance",
  "visibility",
  "reason",
]);

/** The field holding the first error in the form's order; `form` for an error about the whole form. */
export function firstErrorField(state: FormState): string | null {
  const errors = state.errors ?? {};
  const fields = Object.keys(errors).filter((name) => errors[name]);
  if (fields.length === 0) return null;
  return FIELD_ORDER.find((name) => errors[name]) ?? (errors.form ? "form" : (fields[0] ?? null));
}

/** `autoFocus` for the field `name`: set only on the first invalid field, for a page without script. */
function focusIfFirstError(state: FormState, name: string): true | undefined {
  return firstErrorField(state) === name ? true : undefined;
}

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
              aria-invalid={error ? true : undefined}
              // biome-ignore lint/a11y/noAutofocus: the first invalid field takes focus after a refused post.
              autoFocus={current === option.value ? focusIfFirstError(state, "kind") : undefined}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      <FieldError id={`${prefix}-kind-error`} message={error} />
    </fieldset>
  );
}

/**
 * Who will see a new annotation: everyone, one of the writer's groups, or only the writer. The
 * reading page's layer sets the default (a class's layer defaults to the class).
 */
export function VisibilityField({
  groups,
  value,
  error,
}: {
  groups: { id: number; name: string }[];
  value: string;
  error?: string;
}) {
  const options = [
    { value: "public", label: "Public — everyone can read it" },
    ...groups.map((g) => ({ value: `group-${g.id}`, label: `${g.name} — its members only` })),
    { value: "private", label: "Private note — only you will see it" },
  ];
  const checked = options.some((o) => o.value === value) ? value : "public";
  const focusFirst = error ? true : undefined;
  return (
    <fieldset
      className="visibility-field"
      aria-describedby={error ? "new-visibility-error" : undefined}
    >
      <legend>Who can see this</legend>
      {options.map((option) => (
        <div key={option.value} className="checkbox-field">
          <input
            type="radio"
            id={`new-visibility-${option.value}`}
            name="visibility"
            value={option.value}
            defaultChecked={checked === option.value}
            aria-invalid={error ? true : undefined}
            // biome-ignore lint/a11y/noAutofocus: the first invalid field takes focus after a refused post.
            autoFocus={checked === option.value ? focusFirst : undefined}
          />
          <label htmlFor={`new-visibility-${option.value}`}>{option.label}</label>
        </div>
      ))}
      <FieldError id="new-visibility-error" message={error} />
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
        // biome-ignore lint/a11y/noAutofocus: focus moves to the form the reader just asked to open, or to this field when a refused post returns with its error first.
        autoFocus={state.errors ? focusIfFirstError(state, "body") : autoFocus}
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
          // biome-ignore lint/a11y/noAutofocus: the first invalid field takes focus after a refused post.
          autoFocus={focusIfFirstError(state, "sourceUrl")}
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
          // biome-ignore lint/a11y/noAutofocus: the first invalid field takes focus after a refused post.
          autoFocus={focusIfFirstError(state, "sourceTitle")}
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
          // biome-ignore lint/a11y/noAutofocus: the first invalid field takes focus after a refused post.
          autoFocus={focusIfFirstError(state, "sourceStance")}
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

/**
 * Says, at the top of the form, that the submission was refused and why; `role="alert"` has it
 * announced as it appears. It also moves focus after the refusal (see the module comment): to the
 * first invalid field, or to itself for a form-level error.
 */
export function FormErrorSummary({
  state,
  refused = "Not posted",
}: {
  state: FormState;
  /** What did not happen: "Not posted" for what is written anew, "Not saved" for an edit. */
  refused?: string;
}): ReactNode {
  const summary = useRef<HTMLParagraphElement>(null);
  useAfterErrors(summary, state, summary);
  const errors = state.errors ?? {};
  const first = firstErrorField(state);
  if (!first) return null;
  const others = Object.keys(errors).filter(
    (name) => name !== "form" && !(FIELD_ORDER as readonly string[]).includes(name),
  );
  const fieldMessages = [...FIELD_ORDER, ...others].map((name) => errors[name]).filter(Boolean);
  const message = errors.form
    ? [errors.form, ...fieldMessages].join(" ")
    : `${refused}: ${fieldMessages.join(" ")}`;
  return (
    <p
      ref={summary}
      className="form-error"
      role="alert"
      tabIndex={-1}
      // biome-ignore lint/a11y/noAutofocus: without script, a refusal that no field here can show takes focus to its message.
      autoFocus={FIELDS_HERE.has(first) ? undefined : true}
    >
      {message}
    </p>
  );
}

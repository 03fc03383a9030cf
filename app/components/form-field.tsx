/**
 * Form building blocks for the account pages: a labelled input whose error is announced with it
 * (aria-invalid + aria-describedby), and a form-level message. Presentational only.
 */
import {
  type InputHTMLAttributes,
  type ReactNode,
  type RefObject,
  type TextareaHTMLAttributes,
  useEffect,
} from "react";

type TextFieldProps = {
  /** The input's name; its id is `${idPrefix}-${name}`. */
  name: string;
  label: string;
  error?: string;
  hint?: string;
  idPrefix?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "id">;

/**
 * What a labelled control needs around it: its id, the ids of its hint and error (announced with
 * it through aria-describedby), and the wrapper, label, hint and error themselves.
 */
function LabelledField({
  name,
  label,
  error,
  hint,
  idPrefix,
  children,
}: {
  name: string;
  label: string;
  error?: string;
  hint?: string;
  idPrefix: string;
  children: (control: {
    id: string;
    "aria-invalid": true | undefined;
    "aria-describedby": string | undefined;
  }) => ReactNode;
}) {
  const id = `${idPrefix}-${name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {children({
        id,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy || undefined,
      })}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function TextField({ name, label, error, hint, idPrefix = "f", ...input }: TextFieldProps) {
  return (
    <LabelledField name={name} label={label} error={error} hint={hint} idPrefix={idPrefix}>
      {(control) => (
        <input
          {...control}
          name={name}
          {...input}
          // biome-ignore lint/a11y/noAutofocus: after a refused full-page post (no script), focus goes to the first invalid field (the first autofocus in the page wins); with script, useAfterErrors moves it.
          autoFocus={input.autoFocus || Boolean(error) || undefined}
        />
      )}
    </LabelledField>
  );
}

type TextAreaFieldProps = {
  name: string;
  label: string;
  error?: string;
  hint?: string;
  idPrefix?: string;
} & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "name" | "id">;

/** A labelled textarea with its hint and error announced with it, like `TextField`. */
export function TextAreaField({
  name,
  label,
  error,
  hint,
  idPrefix = "f",
  ...textarea
}: TextAreaFieldProps) {
  return (
    <LabelledField name={name} label={label} error={error} hint={hint} idPrefix={idPrefix}>
      {(control) => (
        <textarea
          {...control}
          name={name}
          {...textarea}
          // biome-ignore lint/a11y/noAutofocus: as in TextField, the first invalid field takes focus after a refused post without script.
          autoFocus={textarea.autoFocus || Boolean(error) || undefined}
        />
      )}
    </LabelledField>
  );
}

/** A message about the whole form (wrong credentials, too many attempts). */
export function FormMessage({ message, id }: { message?: string; id?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="form-message" role="alert">
      {message}
    </p>
  );
}

/** A confirmation after a successful change. */
export function StatusMessage({ message }: { message?: string | null }) {
  return (
    <p className={message ? "status-message" : "visually-hidden"} role="status">
      {message ?? ""}
    </p>
  );
}

/** The first field inside `container` marked invalid that can take focus (not hidden, not disabled). */
function firstInvalidField(container: HTMLElement): HTMLElement | null {
  for (const field of container.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) {
    const disabled = "disabled" in field && field.disabled === true;
    if (!disabled && field.getClientRects().length > 0) return field;
  }
  return null;
}

/**
 * What every form does when a submission comes back refused (one mechanism for the account forms
 * and, through FormErrorSummary, every annotation form). With JavaScript on, the page is not
 * reloaded, and the submit button that had focus was disabled while the form was sent, so focus
 * fell to the page body and the next Tab started from the top. So: clear the password inputs,
 * which are never sent back, and move focus to the first invalid field of the form that `within`
 * is (or is inside), whose description carries its error; with no invalid field (a form-level
 * error such as wrong credentials), to `fallback`, else to the form's password input.
 *
 * Without script the same field is focused by its `autoFocus` in the page the refusal returns.
 * `result` must be a new object for each submission (as Remix's action data is); nothing happens
 * while it holds no `errors`.
 */
export function useAfterErrors(
  within: RefObject<HTMLElement | null>,
  result: unknown,
  fallback?: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    const element = within.current;
    if (!element || !result || typeof result !== "object" || !("errors" in result)) return;
    if (!result.errors) return;
    const form = element.closest("form") ?? element;
    for (const input of form.querySelectorAll<HTMLInputElement>('input[type="password"]')) {
      input.value = "";
    }
    const target =
      firstInvalidField(form) ??
      fallback?.current ??
      form.querySelector<HTMLInputElement>('input[type="password"]');
    target?.focus();
  }, [within, result, fallback]);
}

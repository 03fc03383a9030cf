/**
 * Form building blocks for the account pages: a labelled input whose error is announced with it
 * (aria-invalid + aria-describedby), and a form-level message. Presentational only.
 */
import { type InputHTMLAttributes, type RefObject, useEffect } from "react";

type TextFieldProps = {
  /** The input's name; its id is `${idPrefix}-${name}`. */
  name: string;
  label: string;
  error?: string;
  hint?: string;
  idPrefix?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "id">;

export function TextField({ name, label, error, hint, idPrefix = "f", ...input }: TextFieldProps) {
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
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
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

/**
 * After a submission comes back with errors (with JavaScript on, the page is not reloaded):
 * clear the password inputs, which are never sent back, and move focus to the first invalid field
 * (or, for a form-level error such as wrong credentials, to the password).
 * `result` must be a new object for each submission (as Remix's action data is).
 */
export function useAfterErrors(form: RefObject<HTMLFormElement | null>, result: unknown): void {
  useEffect(() => {
    const el = form.current;
    if (!el || !result || typeof result !== "object" || !("errors" in result)) return;
    for (const input of el.querySelectorAll<HTMLInputElement>('input[type="password"]')) {
      input.value = "";
    }
    const invalid = el.querySelector<HTMLInputElement>('[aria-invalid="true"]');
    (invalid ?? el.querySelector<HTMLInputElement>('input[type="password"]'))?.focus();
  }, [form, result]);
}

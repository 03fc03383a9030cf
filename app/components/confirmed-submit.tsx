/**
 * A submit button for what cannot be taken back in one click (removing a member, replacing a join
 * link that has been shared): the first click opens a question with the real button under it, as
 * an annotation's Delete opens "Yes, delete". A `<details>`, so it works without script; inside the
 * caller's form, whose other fields it submits.
 */
import type { ReactNode } from "react";

export function ConfirmedSubmit({
  label,
  question,
  confirmLabel,
  name = "intent",
  value,
}: {
  /** What the closed control says ("Remove"); may carry visually hidden words naming the target. */
  label: ReactNode;
  /** What will happen, asked before it does. */
  question: string;
  confirmLabel: ReactNode;
  name?: string;
  value: string;
}) {
  return (
    <details className="confirmed-submit">
      <summary>{label}</summary>
      <div className="confirmed-submit-body">
        <p>{question}</p>
        <button type="submit" name={name} value={value} className="danger">
          {confirmLabel}
        </button>
      </div>
    </details>
  );
}

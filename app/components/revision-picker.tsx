/** Two revisions to compare: a plain GET form to the comparison page. */
import { Form } from "@remix-run/react";

export function RevisionPicker({
  slug,
  revisions,
  from,
  to,
}: {
  slug: string;
  /** The article's revision numbers. */
  revisions: number[];
  from: number;
  to: number;
}) {
  const select = (name: "from" | "to", label: string, value: number) => (
    <div className="field">
      <label htmlFor={`compare-${name}`}>{label}</label>
      <select id={`compare-${name}`} name={name} defaultValue={value}>
        {revisions.map((n) => (
          <option key={n} value={n}>
            Revision {n}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <Form
      method="get"
      action={`/articles/${slug}/compare`}
      className="inline-form"
      aria-label="Choose revisions"
    >
      {select("from", "From", from)}
      {select("to", "To", to)}
      <button type="submit">Compare</button>
    </Form>
  );
}

/**
 * One of an annotation's forms, folded in a <details>: a plain post, so it works without script
 * and by keyboard. Shared by the writing forms (annotation-actions.tsx) and the moderation forms
 * (moderation-forms.tsx).
 */
import { Form, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { FormErrorSummary, type FormState } from "#app/components/annotation-fields";
import type { ThreadNode } from "#app/threading/thread-node";
import { INTENTS, type ThreadIntent } from "#app/utils/intents";
import { useFormStateFor } from "./context";

export function SubmitButton({
  intent,
  id,
  children,
}: {
  intent: ThreadIntent;
  id: number;
  children: string;
}) {
  const navigation = useNavigation();
  const busy =
    navigation.state === "submitting" &&
    navigation.formData?.get("intent") === intent &&
    navigation.formData?.get("id") === String(id);
  return (
    <button type="submit" name="intent" value={intent} disabled={busy}>
      {busy ? "Saving…" : children}
    </button>
  );
}

/**
 * Opened again with its errors when the action refused it. `resetKey` changes after a successful
 * post, leaving a closed, empty form.
 */
export function ActionForm({
  node,
  intent,
  summary,
  submitLabel,
  className,
  resetKey,
  children,
}: {
  node: ThreadNode;
  intent: ThreadIntent;
  summary: string;
  submitLabel: string;
  className: string;
  resetKey?: string;
  children: (state: FormState) => ReactNode;
}) {
  const state = useFormStateFor(intent, node.id);
  return (
    <details key={resetKey} className="action" open={Boolean(state.errors) || undefined}>
      <summary>{summary}</summary>
      <Form method="post" className={className} preventScrollReset noValidate>
        <input type="hidden" name="id" value={node.id} />
        <FormErrorSummary
          state={state}
          refused={intent === INTENTS.edit ? "Not saved" : undefined}
        />
        {children(state)}
        <SubmitButton intent={intent} id={node.id}>
          {submitLabel}
        </SubmitButton>
      </Form>
    </details>
  );
}

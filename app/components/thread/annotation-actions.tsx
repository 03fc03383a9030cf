/**
 * What a reader can do under an annotation: endorse, reply, copy its link, and (for what the
 * permission rule allows) edit or delete. Each form is a plain post inside <details>, so it works
 * without script and by keyboard.
 */
import { Form, Link, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import {
  BodyField,
  FormErrorSummary,
  type FormState,
  KindField,
  SourceFields,
} from "#app/components/annotation-fields";
import type { ThreadNode } from "#app/threading/thread-node";
import { permalinkPath } from "#app/utils/format";
import { INTENTS, type ThreadIntent } from "#app/utils/intents";
import { useFormStateFor, useThreadContext } from "./context";
import { CopyLink } from "./copy-link";
import { EndorseButton } from "./endorse-button";

function SubmitButton({
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
 * One of an annotation's forms, folded in a <details>: opened again with its errors when the
 * action refused it. `resetKey` changes after a successful post, leaving a closed, empty form.
 */
function ActionForm({
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
      <Form method="post" className={className} preventScrollReset>
        <input type="hidden" name="id" value={node.id} />
        <FormErrorSummary state={state} />
        {children(state)}
        <SubmitButton intent={intent} id={node.id}>
          {submitLabel}
        </SubmitButton>
      </Form>
    </details>
  );
}

function ReplyForm({ node }: { node: ThreadNode }) {
  const prefix = `reply-${node.id}`;
  return (
    <ActionForm
      node={node}
      intent={INTENTS.reply}
      summary="Reply"
      submitLabel="Post reply"
      className="annotation-form"
      resetKey={`reply-${node.replies.length}`}
    >
      {(state) => (
        <>
          <KindField prefix={prefix} state={state} />
          <BodyField prefix={prefix} state={state} label="Your reply" />
          <SourceFields prefix={prefix} state={state} />
        </>
      )}
    </ActionForm>
  );
}

function EditForm({ node }: { node: ThreadNode }) {
  const prefix = `edit-${node.id}`;
  return (
    <ActionForm
      node={node}
      intent={INTENTS.edit}
      summary="Edit"
      submitLabel="Save changes"
      className="annotation-form edit-form"
      resetKey={`edit-${node.editedAt}`}
    >
      {(state) => (
        <>
          <BodyField
            prefix={prefix}
            state={state}
            label="Edit your text"
            defaultValue={node.body}
          />
          {node.kind === "source" && node.source ? (
            <SourceFields prefix={prefix} state={state} defaults={node.source} />
          ) : null}
        </>
      )}
    </ActionForm>
  );
}

function DeleteForm({ node }: { node: ThreadNode }) {
  return (
    <ActionForm
      node={node}
      intent={INTENTS.delete}
      summary="Delete"
      submitLabel="Yes, delete"
      className="delete-form"
    >
      {() => (
        <p>
          {node.replies.length > 0
            ? "Delete this? Its replies stay, under “[deleted]”."
            : "Delete this for good?"}
        </p>
      )}
    </ActionForm>
  );
}

export function AnnotationActions({ node }: { node: ThreadNode }) {
  const context = useThreadContext();
  if (node.deleted) return null;
  const permalink = permalinkPath(context.slug, node.id);
  if (context.mode === "listing") {
    return (
      <div className="annotation-actions">
        <EndorseButton node={node} />
        <Link className="action" to={`${permalink}#a-${node.id}`}>
          Reply
        </Link>
        <CopyLink href={permalink} />
      </div>
    );
  }
  return (
    <div className="annotation-actions">
      <EndorseButton node={node} />
      {node.can.reply ? (
        <ReplyForm node={node} />
      ) : context.signedIn ? null : (
        <Link className="action" to={context.signInHref}>
          Sign in to reply
        </Link>
      )}
      <CopyLink href={permalink} />
      {node.can.edit ? <EditForm node={node} /> : null}
      {node.can.delete ? <DeleteForm node={node} /> : null}
    </div>
  );
}

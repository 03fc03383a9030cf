/**
 * What a reader can do under an annotation: endorse, reply, copy its link, and (for what the
 * permission rule allows) edit or delete. Each form is a plain post inside <details>, so it works
 * without script and by keyboard.
 */
import { Form, Link, useNavigation } from "@remix-run/react";
import {
  BodyField,
  FormErrorSummary,
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

function ReplyForm({ node }: { node: ThreadNode }) {
  const state = useFormStateFor(INTENTS.reply, node.id);
  const prefix = `reply-${node.id}`;
  return (
    // Keyed by the reply count, so a posted reply leaves a closed, empty form behind.
    <details
      key={`reply-${node.replies.length}`}
      className="action"
      open={Boolean(state.errors) || undefined}
    >
      <summary>Reply</summary>
      <Form method="post" className="annotation-form" preventScrollReset>
        <input type="hidden" name="id" value={node.id} />
        <FormErrorSummary state={state} />
        <KindField prefix={prefix} state={state} />
        <BodyField prefix={prefix} state={state} label="Your reply" />
        <SourceFields prefix={prefix} state={state} />
        <SubmitButton intent={INTENTS.reply} id={node.id}>
          Post reply
        </SubmitButton>
      </Form>
    </details>
  );
}

function EditForm({ node }: { node: ThreadNode }) {
  const state = useFormStateFor(INTENTS.edit, node.id);
  return (
    <details
      key={`edit-${node.editedAt}`}
      className="action"
      open={Boolean(state.errors) || undefined}
    >
      <summary>Edit</summary>
      <Form method="post" className="annotation-form edit-form" preventScrollReset>
        <input type="hidden" name="id" value={node.id} />
        <FormErrorSummary state={state} />
        <BodyField
          prefix={`edit-${node.id}`}
          state={state}
          label="Edit your text"
          defaultValue={node.body}
        />
        {node.kind === "source" && node.source ? (
          <SourceFields prefix={`edit-${node.id}`} state={state} defaults={node.source} />
        ) : null}
        <SubmitButton intent={INTENTS.edit} id={node.id}>
          Save changes
        </SubmitButton>
      </Form>
    </details>
  );
}

function DeleteForm({ node }: { node: ThreadNode }) {
  const state = useFormStateFor(INTENTS.delete, node.id);
  return (
    <details className="action" open={Boolean(state.errors) || undefined}>
      <summary>Delete</summary>
      <Form method="post" className="delete-form" preventScrollReset>
        <input type="hidden" name="id" value={node.id} />
        <FormErrorSummary state={state} />
        <p>
          {node.replies.length > 0
            ? "Delete this? Its replies stay, under “[deleted]”."
            : "Delete this for good?"}
        </p>
        <SubmitButton intent={INTENTS.delete} id={node.id}>
          Yes, delete
        </SubmitButton>
      </Form>
    </details>
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

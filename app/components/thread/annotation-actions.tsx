/**
 * What a reader can do under an annotation: endorse, reply, copy its link, and (for what the
 * permission rule allows) edit, delete, flag, hide or restore. Each form is a plain post inside
 * <details>, so it works without script and by keyboard.
 */
import { Form, Link } from "@remix-run/react";
import {
  BodyField,
  FormErrorSummary,
  KindField,
  SourceFields,
} from "#app/components/annotation-fields";
import type { ThreadNode } from "#app/threading/thread-node";
import { permalinkPath } from "#app/utils/format";
import { INTENTS } from "#app/utils/intents";
import { ActionForm, SubmitButton } from "./action-form";
import { useFormStateFor, useThreadContext } from "./context";
import { CopyLink } from "./copy-link";
import { EndorseButton } from "./endorse-button";
import { ModerationForms } from "./moderation-forms";

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

/** Resolve or reopen a thread: one button, a plain post. */
function ResolveForm({ node }: { node: ThreadNode }) {
  const intent = node.resolved ? INTENTS.reopen : INTENTS.resolve;
  const state = useFormStateFor(intent, node.id);
  return (
    <Form method="post" className="resolve-form" preventScrollReset>
      <input type="hidden" name="id" value={node.id} />
      <FormErrorSummary state={state} />
      <SubmitButton intent={intent} id={node.id}>
        {node.resolved ? "Reopen thread" : "Resolve thread"}
      </SubmitButton>
    </Form>
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
      ) : context.signedIn || node.hidden ? null : (
        <Link className="action" to={context.signInHref}>
          Sign in to reply
        </Link>
      )}
      <CopyLink href={permalink} />
      {node.can.edit ? <EditForm node={node} /> : null}
      {node.can.delete ? <DeleteForm node={node} /> : null}
      {node.can.resolve ? <ResolveForm node={node} /> : null}
      <ModerationForms node={node} />
    </div>
  );
}

/**
 * The moderation forms under an annotation, offered exactly as the permission rule allows
 * (`node.can.flag`, `node.can.moderate`): Flag for readers, Hide or Restore for its moderators.
 */
import { useLocation } from "@remix-run/react";
import { ReasonField } from "#app/components/moderation-reason";
import type { ThreadNode } from "#app/threading/thread-node";
import { INTENTS } from "#app/utils/intents";
import { ActionForm } from "./action-form";

/** Who reads a hiding's reason: the group's owners, or the site's administrators. */
function logReaders(node: ThreadNode): string {
  return node.visibility === "group" ? "the group's owners" : "the site's administrators";
}

export function ModerationForms({ node }: { node: ThreadNode }) {
  // Nothing on the node changes when a flag is sent, so a new location (the redirect after it)
  // is what closes and empties the form.
  const { key } = useLocation();
  if (node.deleted) return null;
  return (
    <>
      {node.can.flag ? (
        <ActionForm
          node={node}
          intent={INTENTS.flag}
          summary="Flag"
          submitLabel="Send flag"
          className="annotation-form flag-form"
          resetKey={`flag-${key}`}
        >
          {(state) => (
            <ReasonField
              id={`flag-${node.id}-reason`}
              state={state}
              label="What is wrong with it?"
              hint={`Its moderators read your reason; ${logReaders(node)} also see who flagged it.`}
              required
            />
          )}
        </ActionForm>
      ) : null}
      {node.can.moderate && !node.hidden ? (
        <ActionForm
          node={node}
          intent={INTENTS.hide}
          summary="Hide"
          submitLabel="Hide it"
          className="annotation-form hide-form"
        >
          {(state) => (
            <ReasonField
              id={`hide-${node.id}-reason`}
              state={state}
              label="Why hide it?"
              hint={`Others will see “Hidden by a moderator”; its author still sees it. Your reason is logged for ${logReaders(node)}.`}
              required
            />
          )}
        </ActionForm>
      ) : null}
      {node.can.moderate && node.hidden ? (
        <ActionForm
          node={node}
          intent={INTENTS.restore}
          summary="Restore"
          submitLabel="Restore it"
          className="annotation-form restore-form"
        >
          {(state) => (
            <ReasonField
              id={`restore-${node.id}-reason`}
              state={state}
              label="Note for the log (optional)"
            />
          )}
        </ActionForm>
      ) : null}
    </>
  );
}

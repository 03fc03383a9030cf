/**
 * One thread: an annotation and its replies, nested up to MAX_INDENT levels and flattened beyond
 * with "in reply to …". Reply, edit and delete are plain forms inside <details>, so they work
 * without script and by keyboard.
 */
import { Form, Link, useFetcher, useLocation, useNavigation } from "@remix-run/react";
import { type MouseEvent, useState } from "react";
import type { ThreadNode } from "~/models/annotation.server";
import { STANCE_LABELS } from "~/models/annotation-input";
import { formatDateTime, permalinkPath } from "~/utils/format";
import { useHydrated } from "~/utils/use-hydrated";
import {
  BodyField,
  FormErrorSummary,
  type FormState,
  KindField,
  kindLabel,
  SourceFields,
} from "./annotation-fields";

export const MAX_INDENT = 4;

/** The action's answer to a failed submission, tagged with the form it belongs to. */
export type ThreadFormState = FormState & { intent?: string; targetId?: number };

export type ThreadContext = {
  slug: string;
  signedIn: boolean;
  signInHref: string;
  /** "interactive": reply, edit and delete forms here; "listing": link to the permalink to reply. */
  mode: "interactive" | "listing";
  /** The annotation a permalink points at, marked in its thread. */
  markedId?: number;
  formState?: ThreadFormState;
};
type Context = ThreadContext;

function stateFor(context: Context, intent: string, id: number): FormState {
  const state = context.formState;
  return state && state.intent === intent && state.targetId === id ? state : {};
}

function SubmitButton({ intent, id, children }: { intent: string; id: number; children: string }) {
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

/** Endorse / endorsed toggle, optimistic with script, a plain form post without. */
function EndorseButton({ node, context }: { node: ThreadNode; context: Context }) {
  const fetcher = useFetcher<{ endorsed?: boolean; error?: string }>();
  const location = useLocation();
  const hydrated = useHydrated();
  const endorsed = fetcher.formData ? !node.endorsedByViewer : node.endorsedByViewer;
  const count = node.endorsements + (endorsed === node.endorsedByViewer ? 0 : endorsed ? 1 : -1);
  const label = `${count} ${count === 1 ? "endorsement" : "endorsements"}`;
  if (!context.signedIn || node.isOwn) {
    return count > 0 ? <span className="endorsement-count">{label}</span> : null;
  }
  return (
    <fetcher.Form method="post" action={`/annotations/${node.id}/endorse`} className="endorse-form">
      <input
        type="hidden"
        name="redirectTo"
        value={`${location.pathname}${location.search}#a-${node.id}`}
      />
      {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
      <button type="submit" className="endorse-button" aria-pressed={endorsed}>
        {endorsed ? "Endorsed" : "Endorse"}
        <span className="endorsement-tally"> · {count}</span>
      </button>
      {fetcher.data?.error ? <span className="field-error"> {fetcher.data.error}</span> : null}
    </fetcher.Form>
  );
}

/** A link to the annotation's permalink that, with script, copies the address instead. */
function CopyLink({ href }: { href: string }) {
  const [copied, setCopied] = useState(false);
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (!navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(new URL(href, window.location.origin).href).then(
      () => setCopied(true),
      () => window.location.assign(href),
    );
  };
  return (
    <>
      <a className="action" href={href} onClick={onClick}>
        Copy link
      </a>
      <span className="copy-status" role="status">
        {copied ? "Link copied" : ""}
      </span>
    </>
  );
}

function AnnotationActions({ node, context }: { node: ThreadNode; context: Context }) {
  if (node.deleted) return null;
  const permalink = permalinkPath(context.slug, node.id);
  if (context.mode === "listing") {
    return (
      <div className="annotation-actions">
        <EndorseButton node={node} context={context} />
        <Link className="action" to={`${permalink}#a-${node.id}`}>
          Reply
        </Link>
        <CopyLink href={permalink} />
      </div>
    );
  }
  const reply = stateFor(context, "reply", node.id);
  const edit = stateFor(context, "edit", node.id);
  const remove = stateFor(context, "delete", node.id);
  return (
    <div className="annotation-actions">
      <EndorseButton node={node} context={context} />
      {context.signedIn ? (
        // Keyed by the reply count, so a posted reply leaves a closed, empty form behind.
        <details
          key={`reply-${node.replies.length}`}
          className="action"
          open={Boolean(reply.errors) || undefined}
        >
          <summary>Reply</summary>
          <Form method="post" className="annotation-form" preventScrollReset>
            <input type="hidden" name="id" value={node.id} />
            <FormErrorSummary state={reply} />
            <KindField prefix={`reply-${node.id}`} state={reply} />
            <BodyField prefix={`reply-${node.id}`} state={reply} label="Your reply" />
            <SourceFields prefix={`reply-${node.id}`} state={reply} />
            <SubmitButton intent="reply" id={node.id}>
              Post reply
            </SubmitButton>
          </Form>
        </details>
      ) : (
        <Link className="action" to={context.signInHref}>
          Sign in to reply
        </Link>
      )}
      <CopyLink href={permalink} />
      {node.isOwn ? (
        <>
          <details
            key={`edit-${node.editedAt}`}
            className="action"
            open={Boolean(edit.errors) || undefined}
          >
            <summary>Edit</summary>
            <Form method="post" className="annotation-form edit-form" preventScrollReset>
              <input type="hidden" name="id" value={node.id} />
              <FormErrorSummary state={edit} />
              <BodyField
                prefix={`edit-${node.id}`}
                state={edit}
                label="Edit your text"
                defaultValue={node.body}
              />
              {node.kind === "source" && node.source ? (
                <SourceFields prefix={`edit-${node.id}`} state={edit} defaults={node.source} />
              ) : null}
              <SubmitButton intent="edit" id={node.id}>
                Save changes
              </SubmitButton>
            </Form>
          </details>
          <details className="action" open={Boolean(remove.errors) || undefined}>
            <summary>Delete</summary>
            <Form method="post" className="delete-form" preventScrollReset>
              <input type="hidden" name="id" value={node.id} />
              <p>
                {node.replies.length > 0
                  ? "Delete this? Its replies stay, under “[deleted]”."
                  : "Delete this for good?"}
              </p>
              <SubmitButton intent="delete" id={node.id}>
                Yes, delete
              </SubmitButton>
            </Form>
          </details>
        </>
      ) : null}
    </div>
  );
}

function AnnotationView({
  node,
  context,
  inReplyTo,
  showQuote,
}: {
  node: ThreadNode;
  context: Context;
  inReplyTo?: string;
  showQuote: boolean;
}) {
  const headingId = `a-${node.id}-heading`;
  return (
    <article
      id={`a-${node.id}`}
      className={`annotation kind-${node.kind}${node.deleted ? " is-deleted" : ""}${context.markedId === node.id ? " is-linked" : ""}`}
      aria-labelledby={headingId}
      aria-current={context.markedId === node.id ? "true" : undefined}
    >
      {context.markedId === node.id ? <p className="linked-label">Linked annotation</p> : null}
      <header className="annotation-header" id={headingId}>
        {node.deleted ? (
          <span className="kind-badge">Deleted</span>
        ) : (
          <span className={`kind-badge badge-${node.kind}`}>{kindLabel(node.kind)}</span>
        )}{" "}
        <span className="author">
          {node.deleted ? null : node.author ? (
            <Link to={`/u/${node.author.username}`}>{node.author.displayName}</Link>
          ) : (
            "deleted user"
          )}
        </span>
        {inReplyTo ? <span className="in-reply-to"> in reply to {inReplyTo}</span> : null}
        <span className="annotation-meta">
          {" · "}
          <time dateTime={node.createdAt}>{formatDateTime(node.createdAt)}</time>
          {node.editedAt && !node.deleted ? <span className="edited"> · edited</span> : null}
          {node.visibility === "private" ? (
            <span className="private-badge"> · private note</span>
          ) : null}
        </span>
      </header>
      {showQuote && node.quote ? (
        <blockquote className="annotation-quote">
          <p>{node.quote}</p>
          {node.anchorStatus === "changed" ? (
            <p className="anchor-note">The passage has changed since.</p>
          ) : null}
        </blockquote>
      ) : null}
      {node.deleted ? (
        <p className="deleted-body">[deleted]</p>
      ) : (
        <>
          {node.source ? (
            <p className={`source-link stance-${node.source.stance}`}>
              <a href={node.source.url} rel="noopener noreferrer nofollow ugc">
                {node.source.title}
              </a>{" "}
              <span className="stance">{STANCE_LABELS[node.source.stance]}</span>
            </p>
          ) : null}
          {/* Rendered from Markdown and sanitized on the server (renderMarkdown). */}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized HTML from renderMarkdown */}
          <div className="annotation-body" dangerouslySetInnerHTML={{ __html: node.bodyHtml }} />
        </>
      )}
      <AnnotationActions node={node} context={context} />
    </article>
  );
}

function authorName(node: ThreadNode): string {
  if (node.deleted) return "a deleted annotation";
  return node.author?.displayName ?? "deleted user";
}

/** Beyond MAX_INDENT, replies are listed flat in reading order, each saying whom it answers. */
function flatten(node: ThreadNode): { node: ThreadNode; inReplyTo: string }[] {
  return node.replies.flatMap((reply) => [
    { node: reply, inReplyTo: authorName(node) },
    ...flatten(reply),
  ]);
}

function Replies({ node, level, context }: { node: ThreadNode; level: number; context: Context }) {
  if (node.replies.length === 0) return null;
  if (level >= MAX_INDENT) {
    return (
      <ol className="replies replies-flat">
        {flatten(node).map((item) => (
          <li key={item.node.id}>
            <AnnotationView
              node={item.node}
              context={context}
              inReplyTo={item.inReplyTo}
              showQuote={false}
            />
          </li>
        ))}
      </ol>
    );
  }
  return (
    <ol className="replies">
      {node.replies.map((reply) => (
        <li key={reply.id}>
          <AnnotationView node={reply} context={context} showQuote={false} />
          <Replies node={reply} level={level + 1} context={context} />
        </li>
      ))}
    </ol>
  );
}

export function Thread({ root, context }: { root: ThreadNode; context: Context }) {
  return (
    <li className="thread">
      <AnnotationView node={root} context={context} showQuote />
      <Replies node={root} level={1} context={context} />
    </li>
  );
}

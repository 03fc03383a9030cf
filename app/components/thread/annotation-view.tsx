/** One annotation: its kind, author, time, quoted passage, source link, body and actions. */
import { AnnotationContent } from "#app/components/annotation-content";
import { AuthorName } from "#app/components/author-name";
import { kindLabel } from "#app/rules";
import type { ThreadNode } from "#app/threading/thread-node";
import { formatDateTime } from "#app/utils/format";
import { AnnotationActions } from "./annotation-actions";
import { useThreadContext } from "./context";

export function AnnotationView({
  node,
  inReplyTo,
  showQuote,
}: {
  node: ThreadNode;
  inReplyTo?: string;
  showQuote: boolean;
}) {
  const { markedId } = useThreadContext();
  const headingId = `a-${node.id}-heading`;
  const marked = markedId === node.id;
  return (
    <article
      id={`a-${node.id}`}
      className={`annotation kind-${node.kind}${node.deleted ? " is-deleted" : ""}${marked ? " is-linked" : ""}`}
      aria-labelledby={headingId}
      aria-current={marked ? "true" : undefined}
    >
      {marked ? <p className="linked-label">Linked annotation</p> : null}
      <header className="annotation-header" id={headingId}>
        {node.deleted ? (
          <span className="kind-badge">Deleted</span>
        ) : (
          <span className={`kind-badge badge-${node.kind}`}>{kindLabel(node.kind)}</span>
        )}{" "}
        <span className="author">{node.deleted ? null : <AuthorName author={node.author} />}</span>
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
        <AnnotationContent source={node.source} bodyHtml={node.bodyHtml} />
      )}
      <AnnotationActions node={node} />
    </article>
  );
}

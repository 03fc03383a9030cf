/** One annotation: its kind, author, time, quoted passage, source link, body and actions. */
import { Link } from "@remix-run/react";
import { AnnotationContent } from "#app/components/annotation-content";
import { AuthorName } from "#app/components/author-name";
import { kindLabel } from "#app/rules";
import type { ThreadNode } from "#app/threading/thread-node";
import { formatDate, formatDateTime } from "#app/utils/format";
import { AnnotationActions } from "./annotation-actions";
import { useThreadContext } from "./context";

/**
 * What a hidden annotation says about itself to someone who still sees it: its moderators are
 * offered the restore form below; its author learns who else can read it.
 */
function HiddenNote({ node }: { node: ThreadNode }) {
  const moderators =
    node.visibility === "group" ? "the group's moderators" : "the site's administrators";
  return (
    <p className="hidden-note">
      <strong>
        {node.can.moderate
          ? "Hidden — restore?"
          : `Hidden by a moderator — only you and ${moderators} see it`}
      </strong>
    </p>
  );
}

/**
 * What a revision did to the words a thread is about: changed (with the quote as it was written)
 * or removed, with a link to the revision it was written on.
 */
function AnchorNote({ node, slug }: { node: ThreadNode; slug: string }) {
  if (node.parentId !== null) return null;
  if (node.anchorStatus === "anchored") {
    // Carried over unchanged by a revision: the words are the same, the revision it was written on
    // is one link away.
    return node.writtenOn ? (
      <p className="anchor-note">
        <Link
          to={`/articles/${slug}/revisions/${node.writtenOn.revision}#${node.writtenOn.anchor}`}
        >
          Written on revision {node.writtenOn.revision}
        </Link>
      </p>
    ) : null;
  }
  const written = node.writtenOn ? (
    <>
      {" "}
      <Link to={`/articles/${slug}/revisions/${node.writtenOn.revision}#${node.writtenOn.anchor}`}>
        Read revision {node.writtenOn.revision}, where it was written
      </Link>
    </>
  ) : null;
  // An import that found its words nowhere, or only approximately, was never on this text.
  const importedHere = node.imported !== null && node.writtenOn === null;
  if (node.anchorStatus === "orphaned") {
    return (
      <p className="anchor-note anchor-orphaned">
        <strong>Orphaned:</strong>{" "}
        {importedHere
          ? "the words it quoted were not found in the article when it was imported."
          : "the words it was about are no longer in the article."}
        {written}
      </p>
    );
  }
  return (
    <div className="anchor-note anchor-changed">
      <p>
        <strong>
          {importedHere
            ? "The article’s words differ from those it quoted."
            : "Text changed since this comment."}
        </strong>
        {written}
      </p>
      {node.originQuote ? (
        <blockquote className="annotation-quote origin-quote">
          <p>
            <span className="origin-label">Originally: </span>
            <del>{node.originQuote}</del>
          </p>
        </blockquote>
      ) : null}
    </div>
  );
}

const IMPORTED_FROM = { hypothesis: "Hypothesis", w3c: "a W3C Web Annotation file" } as const;

/** Who first wrote an imported annotation, and when: its writer here is whoever imported it. */
function ImportedNote({ imported }: { imported: NonNullable<ThreadNode["imported"]> }) {
  return (
    <p className="imported-note">
      Imported from {IMPORTED_FROM[imported.from]}
      {imported.by || imported.at ? ": originally" : ""}
      {imported.by ? ` by ${imported.by}` : ""}
      {imported.at ? (
        <>
          {imported.by ? ", " : " "}
          <time dateTime={imported.at}>{formatDate(imported.at)}</time>
        </>
      ) : null}
    </p>
  );
}

export function AnnotationView({
  node,
  inReplyTo,
  showQuote,
}: {
  node: ThreadNode;
  inReplyTo?: string;
  showQuote: boolean;
}) {
  const { markedId, slug } = useThreadContext();
  const headingId = `a-${node.id}-heading`;
  const marked = markedId === node.id;
  // A placeholder: deleted, or hidden by a moderator from this viewer (no words, no author).
  const withheld = node.deleted || node.hiddenFromViewer;
  return (
    <article
      id={`a-${node.id}`}
      className={`annotation kind-${node.kind}${node.deleted ? " is-deleted" : ""}${node.hidden ? " is-hidden" : ""}${marked ? " is-linked" : ""}`}
      aria-labelledby={headingId}
      aria-current={marked ? "true" : undefined}
    >
      {marked ? <p className="linked-label">Linked annotation</p> : null}
      <header className="annotation-header" id={headingId}>
        {node.deleted ? (
          <span className="kind-badge">Deleted</span>
        ) : node.hiddenFromViewer ? (
          <span className="kind-badge">Hidden</span>
        ) : (
          <span className={`kind-badge badge-${node.kind}`}>{kindLabel(node.kind)}</span>
        )}{" "}
        <span className="author">
          {withheld ? null : <AuthorName author={node.author} alias={node.alias} />}
        </span>
        {inReplyTo ? <span className="in-reply-to"> in reply to {inReplyTo}</span> : null}
        <span className="annotation-meta">
          {" · "}
          <time dateTime={node.createdAt}>{formatDateTime(node.createdAt)}</time>
          {node.editedAt && !withheld ? <span className="edited"> · edited</span> : null}
          {node.visibility === "private" ? (
            <span className="private-badge"> · private note</span>
          ) : null}
          {node.visibility === "group" && node.group ? (
            <span className="private-badge group-badge">
              {" · "}
              <span className="visually-hidden">seen by </span>
              {node.group.name}
            </span>
          ) : null}
        </span>
      </header>
      {node.imported && !withheld ? <ImportedNote imported={node.imported} /> : null}
      {node.hidden && !withheld ? <HiddenNote node={node} /> : null}
      {node.resolved ? (
        <p className="resolved-note">
          <strong>Resolved</strong> by {node.resolved.by} on{" "}
          <time dateTime={node.resolved.at}>{formatDateTime(node.resolved.at)}</time>
        </p>
      ) : null}
      {showQuote && node.quote ? (
        <blockquote className="annotation-quote">
          <p>{node.quote}</p>
        </blockquote>
      ) : null}
      {showQuote && !withheld ? <AnchorNote node={node} slug={slug} /> : null}
      {node.deleted ? (
        <p className="deleted-body">[deleted]</p>
      ) : node.hiddenFromViewer ? (
        <p className="deleted-body hidden-body">Hidden by a moderator.</p>
      ) : (
        <AnnotationContent source={node.source} bodyHtml={node.bodyHtml} />
      )}
      <AnnotationActions node={node} />
    </article>
  );
}

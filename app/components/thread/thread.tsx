/**
 * One thread: an annotation and its replies, nested up to MAX_INDENT levels and flattened beyond
 * with "in reply to …". The page's context is provided once here for every annotation below.
 */

import type { ThreadNode } from "#app/threading/thread-node";
import { AnnotationView } from "./annotation-view";
import { ThreadContextProvider, type ThreadContextValue } from "./context";

export const MAX_INDENT = 4;

function authorName(node: ThreadNode): string {
  if (node.deleted) return "a deleted annotation";
  if (node.hiddenFromViewer) return "a hidden annotation";
  return node.author?.displayName ?? node.alias ?? "deleted user";
}

/** Beyond MAX_INDENT, replies are listed flat in reading order, each saying whom it answers. */
function flatten(node: ThreadNode): { node: ThreadNode; inReplyTo: string }[] {
  return node.replies.flatMap((reply) => [
    { node: reply, inReplyTo: authorName(node) },
    ...flatten(reply),
  ]);
}

function Replies({ node, level }: { node: ThreadNode; level: number }) {
  if (node.replies.length === 0) return null;
  if (level >= MAX_INDENT) {
    return (
      <ol className="replies replies-flat">
        {flatten(node).map((item) => (
          <li key={item.node.id}>
            <AnnotationView node={item.node} inReplyTo={item.inReplyTo} showQuote={false} />
          </li>
        ))}
      </ol>
    );
  }
  return (
    <ol className="replies">
      {node.replies.map((reply) => (
        <li key={reply.id}>
          <AnnotationView node={reply} showQuote={false} />
          <Replies node={reply} level={level + 1} />
        </li>
      ))}
    </ol>
  );
}

export function Thread({ root, context }: { root: ThreadNode; context: ThreadContextValue }) {
  return (
    <ThreadContextProvider value={context}>
      <li className="thread">
        <AnnotationView node={root} showQuote />
        <Replies node={root} level={1} />
      </li>
    </ThreadContextProvider>
  );
}

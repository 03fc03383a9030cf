/**
 * Turns a flat list of annotations into threads. Pure (no database, no React) and independent of
 * the order the rows arrive in: every node is indexed first and attached after, so a reply listed
 * before its parent still lands under it. Siblings and roots are ordered by creation time, then id.
 */

/** What the builder needs of a node: where it hangs, and what orders it among its siblings. */
export type Threadable = { id: number; parentId: number | null; createdAt: string };

export type Threaded<T extends Threadable> = T & { replies: Threaded<T>[] };

function byCreation(a: Threadable, b: Threadable): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id - b.id;
}

/**
 * Roots (no parent) with their replies nested under them. A reply whose parent is not among
 * `items` (not visible to this viewer, or outside the page) is dropped with its own replies: a
 * thread never shows an answer to something the reader cannot see.
 */
export function buildThreads<T extends Threadable>(items: readonly T[]): Threaded<T>[] {
  const byId = new Map<number, Threaded<T>>();
  for (const item of items) byId.set(item.id, { ...item, replies: [] });
  const roots: Threaded<T>[] = [];
  for (const node of byId.values()) {
    if (node.parentId === null) roots.push(node);
    else byId.get(node.parentId)?.replies.push(node);
  }
  const sort = (nodes: Threaded<T>[]) => {
    nodes.sort(byCreation);
    for (const node of nodes) sort(node.replies);
  };
  sort(roots);
  return roots;
}

/** Every node of a thread, depth first in reading order (the root first). */
export function walkThread<T extends Threadable>(root: Threaded<T>): Threaded<T>[] {
  return [root, ...root.replies.flatMap((reply) => walkThread(reply))];
}

/**
 * Live updates for open reading pages (server-sent events): new annotations, replies and
 * endorsements by others, filtered by the one visibility rule.
 *
 * One watcher per article that someone has open: it reads what was written since its cursors
 * (annotation ids and endorsement rowids only grow) once a second, from the database, so writes made
 * by another server process show too. With nobody listening there is no watcher and no timer: live
 * updates cost nothing. Each listener gets only what it may see (public rows are decided in memory;
 * group rows by `visibleTo` in one query per batch), never its own writes, and only in its layer.
 */
import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { inLayer, type Layer, type Viewer, visibleTo } from "#app/models/visibility.server";
import type { Db } from "#app/utils/db.server";
import { annotation, endorsement } from "#db/schema";

export const POLL_MS = 1000;

/** What happened since a listener last heard, as the page's "3 new — show" bar counts it. */
export type LiveChange = {
  annotations: number;
  replies: number;
  endorsements: number;
  /** Paragraph (block) ids touched, so a page can mark them. */
  blockIds: number[];
};

export type Cursor = { annotation: number; endorsement: number };

type Row = {
  id: number;
  blockId: number;
  parentId: number | null;
  authorId: string | null;
  visibility: "public" | "private" | "group";
  groupId: number | null;
};

type EndorsementRow = { rowid: number; userId: string; annotation: Row };

export type Listener = {
  viewer: Viewer;
  layer: Layer;
  send: (change: LiveChange, cursor: Cursor) => void;
};

/** Where the stream starts: after everything already written (or resumes after Last-Event-ID). */
export function currentCursor(db: Db): Cursor {
  const sqlite = db.$client;
  return {
    annotation: Number(sqlite.prepare("select coalesce(max(id), 0) from annotation").pluck().get()),
    endorsement: Number(
      sqlite.prepare("select coalesce(max(rowid), 0) from endorsement").pluck().get(),
    ),
  };
}

export function formatCursor(cursor: Cursor): string {
  return `${cursor.annotation}.${cursor.endorsement}`;
}

/** A Last-Event-ID from a reconnecting browser; null when absent or odd (start from now). */
export function parseCursor(value: string | null): Cursor | null {
  const match = value?.match(/^(\d{1,15})\.(\d{1,15})$/);
  return match ? { annotation: Number(match[1]), endorsement: Number(match[2]) } : null;
}

/** Endorsements have no id of their own; their rowid only grows, like an id. */
const endorsementRowid = sql<number>`"endorsement"."rowid"`;

const rowColumns = {
  id: annotation.id,
  blockId: annotation.blockId,
  parentId: annotation.parentId,
  authorId: annotation.authorId,
  visibility: annotation.visibility,
  groupId: annotation.groupId,
};

/** Everything written on the article after `cursor`, at most `limit` of each. */
export function readSince(db: Db, articleId: number, cursor: Cursor, limit = 500) {
  const annotations: Row[] = db
    .select(rowColumns)
    .from(annotation)
    .where(and(gt(annotation.id, cursor.annotation), eq(annotation.articleId, articleId)))
    .orderBy(annotation.id)
    .limit(limit)
    .all();
  const endorsements = db
    .select({ rowid: endorsementRowid, userId: endorsement.userId, ...rowColumns })
    .from(endorsement)
    .innerJoin(annotation, eq(annotation.id, endorsement.annotationId))
    .where(and(gt(endorsementRowid, cursor.endorsement), eq(annotation.articleId, articleId)))
    .orderBy(endorsementRowid)
    .limit(limit)
    .all()
    .map(
      (r): EndorsementRow => ({
        rowid: Number(r.rowid),
        userId: r.userId,
        annotation: {
          id: r.id,
          blockId: r.blockId,
          parentId: r.parentId,
          authorId: r.authorId,
          visibility: r.visibility,
          groupId: r.groupId,
        },
      }),
    );
  const next: Cursor = {
    annotation: Math.max(cursor.annotation, ...annotations.map((a) => a.id)),
    endorsement: Math.max(cursor.endorsement, ...endorsements.map((e) => e.rowid)),
  };
  // SQLite has one writer at a time and ids are taken inside the write transaction, so a later
  // read never finds a smaller id committed after a larger one: moving past what was read is safe.
  return { annotations, endorsements, next };
}

/** The ids among `rows` that this listener may see, in its layer: one query at most. */
export function visibleIds(db: Db, listener: Pick<Listener, "viewer" | "layer">, rows: Row[]) {
  const { viewer, layer } = listener;
  const inMemory = new Set<number>();
  const toAsk: number[] = [];
  for (const row of rows) {
    if (row.visibility === "public") {
      if (layer.kind === "all" || layer.kind === "public") inMemory.add(row.id);
    } else if (viewer && layer.kind !== "public") {
      toAsk.push(row.id);
    }
  }
  if (toAsk.length > 0 && viewer) {
    for (const { id } of db
      .select({ id: annotation.id })
      .from(annotation)
      .where(and(inArray(annotation.id, toAsk), visibleTo(viewer), inLayer(layer)))
      .all()) {
      inMemory.add(id);
    }
  }
  return inMemory;
}

/** What one listener is told about a batch: others' writes it may see; null when nothing. */
export function changeFor(
  db: Db,
  listener: Pick<Listener, "viewer" | "layer">,
  batch: { annotations: Row[]; endorsements: EndorsementRow[] },
): LiveChange | null {
  const me = listener.viewer?.id;
  const annotations = batch.annotations.filter((a) => a.authorId === null || a.authorId !== me);
  const endorsements = batch.endorsements.filter((e) => e.userId !== me);
  if (annotations.length === 0 && endorsements.length === 0) return null;
  const visible = visibleIds(db, listener, [
    ...annotations,
    ...endorsements.map((e) => e.annotation),
  ]);
  const seenAnnotations = annotations.filter((a) => visible.has(a.id));
  const seenEndorsements = endorsements.filter((e) => visible.has(e.annotation.id));
  if (seenAnnotations.length === 0 && seenEndorsements.length === 0) return null;
  return {
    annotations: seenAnnotations.filter((a) => a.parentId === null).length,
    replies: seenAnnotations.filter((a) => a.parentId !== null).length,
    endorsements: seenEndorsements.length,
    blockIds: [
      ...new Set([
        ...seenAnnotations.map((a) => a.blockId),
        ...seenEndorsements.map((e) => e.annotation.blockId),
      ]),
    ],
  };
}

type Watcher = { listeners: Set<Listener>; cursor: Cursor; timer: ReturnType<typeof setInterval> };

const watchers = new Map<number, Watcher>();

/** How many articles are being watched (for tests and the health of the idle case). */
export function watchedArticleCount(): number {
  return watchers.size;
}

/**
 * Starts telling `listener` about the article's changes after `from`; returns the function that
 * stops. The first listener on an article starts its watcher; the last one out stops it.
 */
export function listen(db: Db, articleId: number, from: Cursor, listener: Listener): () => void {
  let watcher = watchers.get(articleId);
  if (!watcher) {
    const created: Watcher = {
      listeners: new Set(),
      cursor: currentCursor(db),
      timer: setInterval(() => poll(db, articleId, created), POLL_MS),
    };
    created.timer.unref?.();
    watchers.set(articleId, created);
    watcher = created;
  }
  watcher.listeners.add(listener);
  // A reconnecting browser missed what happened while it was away: tell it at once.
  if (
    from.annotation < watcher.cursor.annotation ||
    from.endorsement < watcher.cursor.endorsement
  ) {
    const missed = readSince(db, articleId, from);
    const change = changeFor(db, listener, missed);
    if (change) listener.send(change, watcher.cursor);
  }
  const current = watcher;
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size === 0) {
      clearInterval(current.timer);
      if (watchers.get(articleId) === current) watchers.delete(articleId);
    }
  };
}

function poll(db: Db, articleId: number, watcher: Watcher): void {
  let batch: ReturnType<typeof readSince>;
  try {
    batch = readSince(db, articleId, watcher.cursor);
  } catch (error) {
    // A busy or closing database: try again on the next tick rather than crash the server.
    console.error("marginalia: live updates could not read the database:", error);
    return;
  }
  watcher.cursor = batch.next;
  if (batch.annotations.length === 0 && batch.endorsements.length === 0) return;
  for (const listener of watcher.listeners) {
    const change = changeFor(db, listener, batch);
    if (change) listener.send(change, batch.next);
  }
}

/**
 * Moderation: members flag what breaks a group's norms (or the site's, for public annotations);
 * a group's owners and moderators, and site admins for public annotations, hide or restore it and
 * dismiss flags; every one of those actions is logged (who, what, when, why) for the group's owners.
 *
 * Who may do what is the one rule in permissions.ts (`flag`, `moderate`), asked through
 * `getAnnotationFor`, which looks the annotation up through `visibleTo` first: an annotation the
 * viewer cannot see is NotFound, never Forbidden. Each action, its check and its log row are one
 * IMMEDIATE transaction, so two moderators acting at once cannot both hide, or log what did not
 * happen. Hiding keeps the row: thread.server.ts shows others a placeholder (`hiddenFrom`).
 */
import { and, asc, desc, eq, inArray, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { type DbOrTx, getAnnotationFor } from "#app/models/annotation.server";
import { requireGroupRole } from "#app/models/group.server";
import { checkReason } from "#app/models/moderation-input.server";
import type { Viewer } from "#app/models/visibility.server";
import type { GroupRole } from "#app/permissions";
import type { Db } from "#app/utils/db.server";
import { FieldValidationError, ForbiddenError } from "#app/utils/errors";
import type { ModerationIntent } from "#app/utils/intents";
import { IMMEDIATE } from "#db/client";
import { annotation, article, block, flag, moderationLog, user } from "#db/schema";

type SignedIn = NonNullable<Viewer>;
type AnnotationRow = typeof annotation.$inferSelect;

/** How many annotations a queue lists at once; `more` says when there are others. */
export const QUEUE_LIMIT = 100;
/** How many log entries a page shows, newest first. */
export const LOG_LIMIT = 200;

const ADMINS_ONLY = "Only site administrators can moderate public annotations.";

/** The reason, trimmed, or a FieldValidationError for the form's `reason` field. */
function validReason(intent: ModerationIntent, reason: string): string {
  const checked = checkReason(intent, reason);
  if (!checked.ok) throw new FieldValidationError(checked.errors);
  return checked.value;
}

function log(
  tx: DbOrTx,
  found: AnnotationRow,
  actor: SignedIn,
  action: ModerationIntent,
  reason: string,
): void {
  tx.insert(moderationLog)
    .values({ groupId: found.groupId, annotationId: found.id, actorId: actor.id, action, reason })
    .run();
}

/** Resolves the annotation's open flags; how many there were. */
function resolveFlags(tx: DbOrTx, annotationId: number, at: Date): number {
  return tx
    .update(flag)
    .set({ resolvedAt: at })
    .where(and(eq(flag.annotationId, annotationId), isNull(flag.resolvedAt)))
    .run().changes;
}

/**
 * Reports an annotation the viewer can see and did not write. One open flag per person: flagging
 * again replaces the reason; flagging after a moderator dealt with the earlier flag opens it anew.
 */
export function flagAnnotation({
  db,
  viewer,
  id,
  reason,
}: {
  db: Db;
  viewer: SignedIn;
  id: number;
  reason: string;
}): void {
  const why = validReason("flag", reason);
  db.transaction((tx) => {
    const found = getAnnotationFor(tx, viewer, "flag", id);
    tx.insert(flag)
      .values({ annotationId: found.id, userId: viewer.id, reason: why })
      .onConflictDoUpdate({
        target: [flag.annotationId, flag.userId],
        set: {
          reason: why,
          // An open flag keeps its place in the queue; a reopened one joins at the end.
          createdAt: sql`case when ${flag.resolvedAt} is null then ${flag.createdAt} else (unixepoch('subsec') * 1000) end`,
          resolvedAt: null,
        },
      })
      .run();
    log(tx, found, viewer, "flag", why);
  }, IMMEDIATE);
}

/** Hides an annotation from everyone but its author and its moderators; its open flags resolve. */
export function hideAnnotation({
  db,
  viewer,
  id,
  reason,
}: {
  db: Db;
  viewer: SignedIn;
  id: number;
  reason: string;
}): void {
  const why = validReason("hide", reason);
  db.transaction((tx) => {
    const found = getAnnotationFor(tx, viewer, "moderate", id);
    if (found.hiddenAt !== null) {
      throw new FieldValidationError({ form: "That annotation is already hidden." });
    }
    const now = new Date();
    tx.update(annotation).set({ hiddenAt: now }).where(eq(annotation.id, found.id)).run();
    resolveFlags(tx, found.id, now);
    log(tx, found, viewer, "hide", why);
  }, IMMEDIATE);
}

/** Shows a hidden annotation to its readers again. */
export function restoreAnnotation({
  db,
  viewer,
  id,
  reason = "",
}: {
  db: Db;
  viewer: SignedIn;
  id: number;
  reason?: string;
}): void {
  const why = validReason("restore", reason);
  db.transaction((tx) => {
    const found = getAnnotationFor(tx, viewer, "moderate", id);
    if (found.hiddenAt === null) {
      throw new FieldValidationError({ form: "That annotation is not hidden." });
    }
    tx.update(annotation).set({ hiddenAt: null }).where(eq(annotation.id, found.id)).run();
    log(tx, found, viewer, "restore", why);
  }, IMMEDIATE);
}

/** Takes an annotation out of the queue, leaving it as it is: its open flags resolve unheeded. */
export function dismissFlags({
  db,
  viewer,
  id,
  reason = "",
}: {
  db: Db;
  viewer: SignedIn;
  id: number;
  reason?: string;
}): void {
  const why = validReason("dismiss", reason);
  db.transaction((tx) => {
    const found = getAnnotationFor(tx, viewer, "moderate", id);
    if (resolveFlags(tx, found.id, new Date()) === 0) {
      throw new FieldValidationError({ form: "That annotation has no open flags." });
    }
    log(tx, found, viewer, "dismiss", why);
  }, IMMEDIATE);
}

// --- The queues -------------------------------------------------------------------------------

type Person = { username: string; displayName: string };

/** One annotation in a moderation queue, with what the moderators need to decide. */
export type QueueItem = {
  id: number;
  kind: AnnotationRow["kind"];
  /** The Markdown as written: moderators read the words, not a rendering of them. */
  body: string;
  author: Person | null;
  article: { slug: string; title: string };
  paragraph: { anchor: string; number: number | null };
  createdAt: string;
  /** The open flags' reasons, oldest first; one per flagger. */
  reasons: { id: number; reason: string; createdAt: string }[];
  /** For a hidden annotation: when, and the reason the latest hiding gave. */
  hidden: { at: string; reason: string } | null;
};

export type ModerationQueue = {
  /** Flagged and still shown, the longest-waiting first. */
  flagged: QueueItem[];
  /** Hidden, to restore; the most recently hidden first. */
  hidden: QueueItem[];
  /** Whether either list had more than QUEUE_LIMIT. */
  more: boolean;
};

const hasOpenFlag = sql`exists (select 1 from "flag" f where f.annotation_id = ${annotation.id} and f.resolved_at is null)`;
const firstOpenFlag = sql`(select min(f.created_at) from "flag" f where f.annotation_id = ${annotation.id} and f.resolved_at is null)`;
const lastHideReason = sql<
  string | null
>`(select l.reason from "moderation_log" l where l.annotation_id = ${annotation.id} and l.action = 'hide' order by l.id desc limit 1)`;

function queueRows(db: DbOrTx, where: SQL, order: SQL[]) {
  return db
    .select({
      id: annotation.id,
      kind: annotation.kind,
      body: annotation.body,
      username: user.username,
      displayName: user.displayName,
      slug: article.slug,
      title: article.title,
      anchor: block.anchor,
      number: block.number,
      createdAt: annotation.createdAt,
      hiddenAt: annotation.hiddenAt,
      hiddenReason: lastHideReason,
    })
    .from(annotation)
    .innerJoin(article, eq(article.id, annotation.articleId))
    .innerJoin(block, eq(block.id, annotation.blockId))
    .leftJoin(user, eq(user.id, annotation.authorId))
    .where(and(where, isNull(annotation.deletedAt)))
    .orderBy(...order)
    .limit(QUEUE_LIMIT + 1)
    .all();
}

/** The queue of the annotations `scope` selects (a group's, or the public ones). */
function queueOf(db: DbOrTx, scope: SQL): ModerationQueue {
  const flagged = queueRows(db, and(scope, hasOpenFlag) as SQL, [
    asc(firstOpenFlag),
    asc(annotation.id),
  ]);
  const hidden = queueRows(db, and(scope, isNotNull(annotation.hiddenAt)) as SQL, [
    desc(annotation.hiddenAt),
    desc(annotation.id),
  ]);
  const more = flagged.length > QUEUE_LIMIT || hidden.length > QUEUE_LIMIT;
  const rows = [...flagged.slice(0, QUEUE_LIMIT), ...hidden.slice(0, QUEUE_LIMIT)];
  const reasons = new Map<number, QueueItem["reasons"]>();
  const ids = flagged.slice(0, QUEUE_LIMIT).map((row) => row.id);
  if (ids.length > 0) {
    const open = db
      .select({
        id: flag.id,
        annotationId: flag.annotationId,
        reason: flag.reason,
        createdAt: flag.createdAt,
      })
      .from(flag)
      .where(and(inArray(flag.annotationId, ids), isNull(flag.resolvedAt)))
      .orderBy(asc(flag.createdAt), asc(flag.id))
      .all();
    for (const f of open) {
      const list = reasons.get(f.annotationId) ?? [];
      list.push({ id: f.id, reason: f.reason, createdAt: f.createdAt.toISOString() });
      reasons.set(f.annotationId, list);
    }
  }
  const item = (row: (typeof rows)[number]): QueueItem => ({
    id: row.id,
    kind: row.kind,
    body: row.body,
    author:
      row.username === null || row.displayName === null
        ? null
        : { username: row.username, displayName: row.displayName },
    article: { slug: row.slug, title: row.title },
    paragraph: { anchor: row.anchor, number: row.number },
    createdAt: row.createdAt.toISOString(),
    reasons: reasons.get(row.id) ?? [],
    hidden: row.hiddenAt
      ? { at: row.hiddenAt.toISOString(), reason: row.hiddenReason ?? "" }
      : null,
  });
  return {
    flagged: flagged.slice(0, QUEUE_LIMIT).map(item),
    hidden: hidden.slice(0, QUEUE_LIMIT).map(item),
    more,
  };
}

/**
 * A group's queue, for its owners and moderators: its flagged annotations and its hidden ones.
 * NotFound for outsiders, Forbidden for plain members.
 */
export function listModerationQueue({
  db,
  viewer,
  groupId,
}: {
  db: Db;
  viewer: SignedIn;
  groupId: number;
}): ModerationQueue & { role: GroupRole } {
  const role = requireGroupRole(db, viewer, groupId, "moderate");
  return { role, ...queueOf(db, eq(annotation.groupId, groupId)) };
}

function requireSiteAdmin(viewer: SignedIn): void {
  if (viewer.role !== "admin") throw new ForbiddenError(ADMINS_ONLY);
}

/** The site admins' queue: flagged public annotations, and hidden ones to restore. */
export function listSiteModerationQueue({
  db,
  viewer,
}: {
  db: Db;
  viewer: SignedIn;
}): ModerationQueue {
  requireSiteAdmin(viewer);
  return queueOf(db, eq(annotation.visibility, "public"));
}

// --- The log ----------------------------------------------------------------------------------

export type ModerationLogEntry = {
  id: number;
  action: (typeof moderationLog.$inferSelect)["action"];
  createdAt: string;
  reason: string;
  /** Who acted; null once their account is gone. */
  actor: Person | null;
  /** Whom a member action (a role change, a removal) concerned. */
  subject: Person | null;
  /** What an annotation action concerned; null for member actions, or once it was deleted. */
  annotation: {
    id: number;
    kind: AnnotationRow["kind"];
    author: Person | null;
    article: { slug: string; title: string };
    paragraph: { anchor: string; number: number | null };
  } | null;
};

function person(username: string | null, displayName: string | null): Person | null {
  return username === null || displayName === null ? null : { username, displayName };
}

function logEntries(db: DbOrTx, where: SQL): ModerationLogEntry[] {
  const actor = alias(user, "actor");
  const subject = alias(user, "subject");
  const author = alias(user, "author");
  const rows = db
    .select({
      id: moderationLog.id,
      action: moderationLog.action,
      createdAt: moderationLog.createdAt,
      reason: moderationLog.reason,
      actorUsername: actor.username,
      actorName: actor.displayName,
      subjectUsername: subject.username,
      subjectName: subject.displayName,
      annotationId: annotation.id,
      kind: annotation.kind,
      authorUsername: author.username,
      authorName: author.displayName,
      slug: article.slug,
      title: article.title,
      anchor: block.anchor,
      number: block.number,
    })
    .from(moderationLog)
    .leftJoin(actor, eq(actor.id, moderationLog.actorId))
    .leftJoin(subject, eq(subject.id, moderationLog.subjectUserId))
    .leftJoin(annotation, eq(annotation.id, moderationLog.annotationId))
    .leftJoin(author, eq(author.id, annotation.authorId))
    .leftJoin(article, eq(article.id, annotation.articleId))
    .leftJoin(block, eq(block.id, annotation.blockId))
    .where(where)
    .orderBy(desc(moderationLog.createdAt), desc(moderationLog.id))
    .limit(LOG_LIMIT)
    .all();
  return rows.map((row) => ({
    id: row.id,
    action: row.action,
    createdAt: row.createdAt.toISOString(),
    reason: row.reason,
    actor: person(row.actorUsername, row.actorName),
    subject: person(row.subjectUsername, row.subjectName),
    annotation:
      row.annotationId !== null &&
      row.kind !== null &&
      row.slug !== null &&
      row.title !== null &&
      row.anchor !== null
        ? {
            id: row.annotationId,
            kind: row.kind,
            author: person(row.authorUsername, row.authorName),
            article: { slug: row.slug, title: row.title },
            paragraph: { anchor: row.anchor, number: row.number },
          }
        : null,
  }));
}

/**
 * A group's moderation log, newest first, for its owners: flags, hidings, restorations,
 * dismissals, role changes and removals.
 */
export function listModerationLog({
  db,
  viewer,
  groupId,
}: {
  db: Db;
  viewer: SignedIn;
  groupId: number;
}): ModerationLogEntry[] {
  requireGroupRole(db, viewer, groupId, "manage");
  return logEntries(db, eq(moderationLog.groupId, groupId));
}

/** The site admins' log: what was done to public annotations, newest first. */
export function listSiteModerationLog({
  db,
  viewer,
}: {
  db: Db;
  viewer: SignedIn;
}): ModerationLogEntry[] {
  requireSiteAdmin(viewer);
  return logEntries(db, isNull(moderationLog.groupId));
}

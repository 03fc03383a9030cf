/**
 * Per-user write limits: one account cannot flood a paragraph (or make every reader pay for
 * rendering what it posts) faster than a person writes. Annotations and replies (and edits) share
 * one budget; endorsements have their own, and so do import previews (each anchors a whole file)
 * and uploaded revisions (each re-anchors every thread of its article).
 * Each write is counted in the same immediate transaction that checks the budget, so parallel
 * requests cannot all slip under it: the annotation model's own write transaction when a route
 * passes `limited` (`chargeWrite`), or one of its own before the write (`reserveWrite`). Scripts
 * and imports, which are not people typing, are not limited.
 */
import { and, desc, eq, gt, lt, sql } from "drizzle-orm";
import { MAX_IMPORT_PREVIEWS_PER_HOUR, MAX_REVISIONS_PER_HOUR } from "#app/rules";
import type { Db } from "#app/utils/db.server";
import { RateLimitedError } from "#app/utils/errors";
import { type DbOrTx, perConnection } from "#app/utils/statements.server";
import { IMMEDIATE } from "#db/client";
import { writeEvent } from "#db/schema";

const MINUTE = 60_000;

export type WriteKind = (typeof writeEvent.kind.enumValues)[number];

/** Each kind's budgets: at most `max` writes in any `windowMs`. */
export const WRITE_LIMITS: Record<WriteKind, { max: number; windowMs: number }[]> = {
  annotation: [
    { max: 20, windowMs: 5 * MINUTE },
    { max: 120, windowMs: 60 * MINUTE },
  ],
  endorsement: [{ max: 60, windowMs: 5 * MINUTE }],
  importPreview: [{ max: MAX_IMPORT_PREVIEWS_PER_HOUR, windowMs: 60 * MINUTE }],
  revision: [{ max: MAX_REVISIONS_PER_HOUR, windowMs: 60 * MINUTE }],
};

const KEEP_MS = 24 * 60 * MINUTE;

const MESSAGES: Record<WriteKind, string> = {
  annotation:
    "You have posted a lot in a short time. To keep the discussion readable, please try again",
  endorsement: "You have endorsed a lot in a short time. Please try again",
  importPreview: `You have previewed ${MAX_IMPORT_PREVIEWS_PER_HOUR} imports in the last hour, and each one is costly to place. Please try again`,
  revision: `You have uploaded ${MAX_REVISIONS_PER_HOUR} revisions in the last hour, and each one places every thread again. Please try again`,
};

/** Enough past writes to decide every budget of a kind: the largest `max`, newest first. */
const recentWrites = perConnection((db) =>
  db
    .select({ at: writeEvent.createdAt })
    .from(writeEvent)
    .where(
      and(
        eq(writeEvent.userId, sql.placeholder("userId")),
        eq(writeEvent.kind, sql.placeholder("kind")),
        gt(writeEvent.createdAt, sql.placeholder("since")),
      ),
    )
    .orderBy(desc(writeEvent.createdAt))
    .limit(sql.placeholder("max"))
    .prepare(),
);

const insertEvent = perConnection((db) =>
  db
    .insert(writeEvent)
    .values({
      kind: sql.placeholder("kind"),
      userId: sql.placeholder("userId"),
      createdAt: sql.placeholder("at"),
    })
    .returning({ id: writeEvent.id })
    .prepare(),
);

/**
 * The writer's own events older than anything a budget looks at. Per writer, through the index:
 * a sweep of the whole table on every write grew with the site. A writer who stops writing keeps
 * at most a budget's worth of old rows.
 */
const forgetOld = perConnection((db) =>
  db
    .delete(writeEvent)
    .where(
      and(
        eq(writeEvent.userId, sql.placeholder("userId")),
        eq(writeEvent.kind, sql.placeholder("kind")),
        lt(writeEvent.createdAt, sql.placeholder("before")),
      ),
    )
    .prepare(),
);

/** When the next write of `kind` is allowed, or null when it is allowed now. */
function blockedUntil(db: DbOrTx, userId: string, kind: WriteKind, now: Date): Date | null {
  const budgets = WRITE_LIMITS[kind];
  const longest = Math.max(...budgets.map((b) => b.windowMs));
  // Newest first: the `max`-th newest inside a window is the write whose leaving frees the budget.
  const times = recentWrites(db)
    .all({
      userId,
      kind,
      since: now.getTime() - longest,
      max: Math.max(...budgets.map((b) => b.max)),
    })
    .map((row) => row.at.getTime());
  let until: Date | null = null;
  for (const { max, windowMs } of budgets) {
    const oldestThatCounts = times[max - 1];
    if (oldestThatCounts === undefined || oldestThatCounts <= now.getTime() - windowMs) continue;
    const retryAt = new Date(oldestThatCounts + windowMs);
    if (!until || retryAt > until) until = retryAt;
  }
  return until;
}

/**
 * Counts one write of `kind` by `userId` inside the caller's own write transaction (the annotation
 * model's `limited` option), or throws RateLimitedError (429, with when to retry) when the budget is
 * spent. The write and its count commit together or not at all: a refused or failed write rolls
 * its count back, and there is one transaction (one lock, one commit) instead of two or three.
 */
export function chargeWrite(
  db: DbOrTx,
  args: { userId: string; kind: WriteKind; now?: Date },
): { id: number } {
  // A transaction object is inside its transaction; the connection must be.
  if ("$client" in db && !db.$client.inTransaction) {
    throw new Error("chargeWrite runs inside the write's own immediate transaction");
  }
  const now = args.now ?? new Date();
  const until = blockedUntil(db, args.userId, args.kind, now);
  if (until) throw new RateLimitedError(MESSAGES[args.kind], until, now);
  forgetOld(db).run({
    userId: args.userId,
    kind: args.kind,
    before: now.getTime() - KEEP_MS,
  });
  const created = insertEvent(db).get({ kind: args.kind, userId: args.userId, at: now });
  if (!created) throw new Error("write_event insert returned no row");
  return created;
}

/**
 * Counts one write of `kind` by `userId` in a transaction of its own, or throws RateLimitedError
 * when the budget is spent; for writes that cannot take `chargeWrite` into their own transaction.
 * Call it before the write; a refused form is not a write, so callers release the reservation when
 * validation fails.
 */
export function reserveWrite(args: { db: Db; userId: string; kind: WriteKind; now?: Date }): {
  release: () => void;
} {
  const { id } = args.db.transaction(() => chargeWrite(args.db, args), IMMEDIATE);
  return { release: () => args.db.delete(writeEvent).where(eq(writeEvent.id, id)).run() };
}

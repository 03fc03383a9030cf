/**
 * Per-user write limits: one account cannot flood a paragraph (or make every reader pay for
 * rendering what it posts) faster than a person writes. Annotations and replies (and edits) share
 * one budget; endorsements have their own, and so do import previews (each anchors a whole file).
 * Each write is reserved in the same immediate transaction that checks the budget, so parallel
 * requests cannot all slip under it. Routes reserve before calling the annotation model; scripts
 * and imports, which are not people typing, are not limited.
 */
import { and, asc, eq, gt, lt } from "drizzle-orm";
import { MAX_IMPORT_PREVIEWS_PER_HOUR } from "#app/rules";
import type { Db } from "#app/utils/db.server";
import { RateLimitedError } from "#app/utils/errors";
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
};

const KEEP_MS = 24 * 60 * MINUTE;

const MESSAGES: Record<WriteKind, string> = {
  annotation:
    "You have posted a lot in a short time. To keep the discussion readable, please try again",
  endorsement: "You have endorsed a lot in a short time. Please try again",
  importPreview: `You have previewed ${MAX_IMPORT_PREVIEWS_PER_HOUR} imports in the last hour, and each one is costly to place. Please try again`,
};

/** When the next write of `kind` is allowed, or null when it is allowed now. */
function blockedUntil(db: Db, userId: string, kind: WriteKind, now: Date): Date | null {
  let until: Date | null = null;
  for (const { max, windowMs } of WRITE_LIMITS[kind]) {
    const times = db
      .select({ at: writeEvent.createdAt })
      .from(writeEvent)
      .where(
        and(
          eq(writeEvent.userId, userId),
          eq(writeEvent.kind, kind),
          gt(writeEvent.createdAt, new Date(now.getTime() - windowMs)),
        ),
      )
      .orderBy(asc(writeEvent.createdAt))
      .all();
    if (times.length < max) continue;
    const oldestThatCounts = times[times.length - max]?.at ?? now;
    const retryAt = new Date(oldestThatCounts.getTime() + windowMs);
    if (!until || retryAt > until) until = retryAt;
  }
  return until;
}

/**
 * Counts one write of `kind` by `userId`, or throws RateLimitedError (429, with when to retry)
 * when the budget is spent. Call it before the write; a refused form is not a write, so callers
 * release the reservation when validation fails.
 */
export function reserveWrite(args: { db: Db; userId: string; kind: WriteKind; now?: Date }): {
  release: () => void;
} {
  const now = args.now ?? new Date();
  const id = args.db.transaction(
    (tx) => {
      const until = blockedUntil(tx as unknown as Db, args.userId, args.kind, now);
      if (until) throw new RateLimitedError(MESSAGES[args.kind], until, now);
      tx.delete(writeEvent)
        .where(lt(writeEvent.createdAt, new Date(now.getTime() - KEEP_MS)))
        .run();
      return tx
        .insert(writeEvent)
        .values({ kind: args.kind, userId: args.userId, createdAt: now })
        .returning({ id: writeEvent.id })
        .get().id;
    },
    { behavior: "immediate" },
  );
  return { release: () => args.db.delete(writeEvent).where(eq(writeEvent.id, id)).run() };
}

/**
 * Brute-force protection: failed sign-ins and sign-ups are rows in `login_attempt`, so the limits
 * survive a restart. Plain functions of the database and the current time (`now`), so tests can
 * move the clock.
 *
 * Limits:
 * - sign-in: more than 5 failures for one username within 15 minutes blocks that username;
 *   more than 50 failures from one address within 15 minutes blocks that address (higher, because a
 *   classroom or a newsroom often shares one address behind NAT);
 * - sign-up: 10 per address per hour.
 */
import { and, asc, eq, gt, lt } from "drizzle-orm";
import type { Db } from "#app/utils/db.server";
import { loginAttempt } from "#db/schema";

const MINUTE = 60_000;

export type Limit = { max: number; windowMs: number };

export const SIGN_IN_LIMIT_PER_USERNAME: Limit = { max: 5, windowMs: 15 * MINUTE };
export const SIGN_IN_LIMIT_PER_ADDRESS: Limit = { max: 50, windowMs: 15 * MINUTE };
export const SIGN_UP_LIMIT_PER_ADDRESS: Limit = { max: 10, windowMs: 60 * MINUTE };

/** Rows older than this are of no use to any limit and are pruned when new ones are written. */
const KEEP_MS = 24 * 60 * MINUTE;

export type RateLimitResult = { allowed: true } | { allowed: false; retryAt: Date };

type Kind = (typeof loginAttempt.kind.enumValues)[number];

/**
 * Given the times of attempts inside the window (oldest first), the verdict: blocked once `max`
 * attempts are in the window, until the oldest of the last `max` leaves it.
 */
function verdict(times: Date[], limit: Limit): RateLimitResult {
  if (times.length < limit.max) return { allowed: true };
  const oldestThatCounts = times[times.length - limit.max] as Date;
  return { allowed: false, retryAt: new Date(oldestThatCounts.getTime() + limit.windowMs) };
}

function attemptTimes(
  db: Db,
  kind: Kind,
  by: { usernameKey: string } | { clientAddress: string },
  limit: Limit,
  now: Date,
): Date[] {
  const who =
    "usernameKey" in by
      ? eq(loginAttempt.usernameKey, by.usernameKey)
      : eq(loginAttempt.clientAddress, by.clientAddress);
  return db
    .select({ createdAt: loginAttempt.createdAt })
    .from(loginAttempt)
    .where(
      and(
        eq(loginAttempt.kind, kind),
        who,
        gt(loginAttempt.createdAt, new Date(now.getTime() - limit.windowMs)),
      ),
    )
    .orderBy(asc(loginAttempt.createdAt))
    .all()
    .map((r) => r.createdAt);
}

function later(a: RateLimitResult, b: RateLimitResult): RateLimitResult {
  if (a.allowed) return b;
  if (b.allowed) return a;
  return a.retryAt >= b.retryAt ? a : b;
}

/** May this username, from this address, try to sign in now? */
export function checkSignInAllowed(args: {
  db: Db;
  usernameKey: string;
  clientAddress: string;
  now: Date;
}): RateLimitResult {
  const { db, now } = args;
  const byName = verdict(
    attemptTimes(
      db,
      "sign_in_failure",
      { usernameKey: args.usernameKey },
      SIGN_IN_LIMIT_PER_USERNAME,
      now,
    ),
    SIGN_IN_LIMIT_PER_USERNAME,
  );
  const byAddress = verdict(
    attemptTimes(
      db,
      "sign_in_failure",
      { clientAddress: args.clientAddress },
      SIGN_IN_LIMIT_PER_ADDRESS,
      now,
    ),
    SIGN_IN_LIMIT_PER_ADDRESS,
  );
  return later(byName, byAddress);
}

function pruneLoginAttempts(db: Db, now: Date): void {
  db.delete(loginAttempt)
    .where(lt(loginAttempt.createdAt, new Date(now.getTime() - KEEP_MS)))
    .run();
}

/** Counts one failed sign-in (wrong username or wrong password: they are not told apart). */
export function recordSignInFailure(args: {
  db: Db;
  usernameKey: string;
  clientAddress: string;
  now: Date;
}): void {
  pruneLoginAttempts(args.db, args.now);
  args.db
    .insert(loginAttempt)
    .values({
      kind: "sign_in_failure",
      usernameKey: args.usernameKey,
      clientAddress: args.clientAddress,
      createdAt: args.now,
    })
    .run();
}

/**
 * After a successful sign-in the username's failures are forgiven. The address's are not: one valid
 * account must not let an attacker reset the per-address count between guesses at others.
 */
export function clearSignInFailures(args: { db: Db; usernameKey: string }): void {
  args.db
    .delete(loginAttempt)
    .where(
      and(eq(loginAttempt.kind, "sign_in_failure"), eq(loginAttempt.usernameKey, args.usernameKey)),
    )
    .run();
}

/** May this address sign up now? */
export function checkSignUpAllowed(args: {
  db: Db;
  clientAddress: string;
  now: Date;
}): RateLimitResult {
  return verdict(
    attemptTimes(
      args.db,
      "sign_up",
      { clientAddress: args.clientAddress },
      SIGN_UP_LIMIT_PER_ADDRESS,
      args.now,
    ),
    SIGN_UP_LIMIT_PER_ADDRESS,
  );
}

/** Counts one sign-up attempt that got as far as creating an account (or finding the name taken). */
export function recordSignUp(args: { db: Db; clientAddress: string; now: Date }): void {
  pruneLoginAttempts(args.db, args.now);
  args.db
    .insert(loginAttempt)
    .values({
      kind: "sign_up",
      usernameKey: null,
      clientAddress: args.clientAddress,
      createdAt: args.now,
    })
    .run();
}

/** "in 12 minutes", for the message that accompanies a 429. */
export function describeRetry(retryAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / MINUTE));
  return minutes === 1 ? "in a minute" : `in ${minutes} minutes`;
}

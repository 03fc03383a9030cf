/**
 * Brute-force protection: failed sign-ins and sign-ups are rows in `login_attempt`, so the limits
 * survive a restart. Plain functions of the database and the current time (`now`), so tests can
 * move the clock.
 *
 * Sign-in limits stop guessing without punishing the people who share an address (a class behind
 * one school address, a newsroom behind NAT):
 * - one username from one address: 5 failures in 15 minutes, then wait until the oldest leaves;
 * - one username from anywhere: after 5 failures in 15 minutes, each further attempt waits twice
 *   as long as the last (1 s, 2 s, 4 s … at most 15 minutes), which bounds guessing spread over
 *   many addresses while the owner is never shut out for long;
 * - one address: failures on 50 different usernames in 15 minutes (password spraying) blocks the
 *   address. Typos do not add up: thirty students mistyping five times each are thirty usernames.
 * An attempt is reserved (written as a failure) before the password is checked and released when
 * it was right, so guesses sent in parallel cannot all pass the check before any is counted.
 *
 * Sign-up: 10 per address per hour. A class signs up through its join link instead, where a room
 * behind one school address is normal: the limits there are per link (60 sign-ups in 10 minutes
 * into one group), per address across all links (150 an hour, a few classes in a row) and the
 * group's size cap; so one hostile address making its own group still gets a bounded number.
 */
import { and, asc, countDistinct, eq, gt, lt, max } from "drizzle-orm";
import type { Db } from "#app/utils/db.server";
import { loginAttempt } from "#db/schema";

const MINUTE = 60_000;

export type Limit = { max: number; windowMs: number };

export const SIGN_IN_LIMIT_PER_USERNAME_AND_ADDRESS: Limit = { max: 5, windowMs: 15 * MINUTE };
/** Failures (from anywhere) a username may have in the window before backoff begins. */
export const SIGN_IN_BACKOFF = {
  free: 5,
  windowMs: 15 * MINUTE,
  firstWaitMs: 1000,
  longestWaitMs: 15 * MINUTE,
};
/** Different usernames failing from one address in the window. */
export const SIGN_IN_LIMIT_PER_ADDRESS: Limit = { max: 50, windowMs: 15 * MINUTE };
export const SIGN_UP_LIMIT_PER_ADDRESS: Limit = { max: 10, windowMs: 60 * MINUTE };
export const JOIN_SIGN_UP_LIMIT_PER_GROUP: Limit = { max: 60, windowMs: 10 * MINUTE };
export const JOIN_SIGN_UP_LIMIT_PER_ADDRESS: Limit = { max: 150, windowMs: 60 * MINUTE };

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

const since = (now: Date, windowMs: number) =>
  gt(loginAttempt.createdAt, new Date(now.getTime() - windowMs));

function attemptTimes(
  db: Db,
  kind: Kind,
  who: ReturnType<typeof and>,
  windowMs: number,
  now: Date,
): Date[] {
  return db
    .select({ createdAt: loginAttempt.createdAt })
    .from(loginAttempt)
    .where(and(eq(loginAttempt.kind, kind), who, since(now, windowMs)))
    .orderBy(asc(loginAttempt.createdAt))
    .all()
    .map((r) => r.createdAt);
}

function later(...results: RateLimitResult[]): RateLimitResult {
  let worst: RateLimitResult = { allowed: true };
  for (const result of results) {
    if (result.allowed) continue;
    if (worst.allowed || result.retryAt > worst.retryAt) worst = result;
  }
  return worst;
}

/** The exponential backoff of one username, from its failures anywhere in the window. */
function backoff(times: Date[], now: Date): RateLimitResult {
  const extra = times.length - SIGN_IN_BACKOFF.free;
  const last = times.at(-1);
  if (extra < 0 || !last) return { allowed: true };
  const wait = Math.min(SIGN_IN_BACKOFF.longestWaitMs, SIGN_IN_BACKOFF.firstWaitMs * 2 ** extra);
  const retryAt = new Date(last.getTime() + wait);
  return retryAt > now ? { allowed: false, retryAt } : { allowed: true };
}

/** Password spraying: how many different usernames failed from this address in the window. */
function spraying(
  db: Db,
  args: { usernameKey: string; clientAddress: string; now: Date },
): RateLimitResult {
  const { max: limit, windowMs } = SIGN_IN_LIMIT_PER_ADDRESS;
  const fromAddress = and(
    eq(loginAttempt.kind, "sign_in_failure"),
    eq(loginAttempt.clientAddress, args.clientAddress),
    since(args.now, windowMs),
  );
  const distinct =
    db
      .select({ n: countDistinct(loginAttempt.usernameKey) })
      .from(loginAttempt)
      .where(fromAddress)
      .get()?.n ?? 0;
  if (distinct < limit) return { allowed: true };
  // Lifted when enough usernames' latest failures have left the window.
  const latest = db
    .select({ at: max(loginAttempt.createdAt) })
    .from(loginAttempt)
    .where(fromAddress)
    .groupBy(loginAttempt.usernameKey)
    .all()
    .map((r) => r.at)
    .filter((at): at is Date => at !== null)
    .sort((a, b) => a.getTime() - b.getTime());
  const freeing = latest[distinct - limit] ?? args.now;
  return { allowed: false, retryAt: new Date(freeing.getTime() + windowMs) };
}

/** May this username, from this address, try to sign in now? */
export function checkSignInAllowed(args: {
  db: Db;
  usernameKey: string;
  clientAddress: string;
  now: Date;
}): RateLimitResult {
  const { db, now, usernameKey, clientAddress } = args;
  const byName = eq(loginAttempt.usernameKey, usernameKey);
  const pair = verdict(
    attemptTimes(
      db,
      "sign_in_failure",
      and(byName, eq(loginAttempt.clientAddress, clientAddress)),
      SIGN_IN_LIMIT_PER_USERNAME_AND_ADDRESS.windowMs,
      now,
    ),
    SIGN_IN_LIMIT_PER_USERNAME_AND_ADDRESS,
  );
  const account = backoff(
    attemptTimes(db, "sign_in_failure", and(byName), SIGN_IN_BACKOFF.windowMs, now),
    now,
  );
  return later(pair, account, spraying(db, args));
}

/**
 * Checks the limits and, when allowed, counts the attempt as a failure at once, in one immediate
 * transaction: a guess sent beside others sees theirs. Settle it with `releaseSignInAttempt` when
 * the password was right; a wrong one simply stays counted.
 */
export function reserveSignInAttempt(args: {
  db: Db;
  usernameKey: string;
  clientAddress: string;
  now: Date;
}): { allowed: true; attemptId: number } | { allowed: false; retryAt: Date } {
  return args.db.transaction(
    () => {
      const verdictNow = checkSignInAllowed(args);
      if (!verdictNow.allowed) return verdictNow;
      return { allowed: true as const, attemptId: recordSignInFailure(args) };
    },
    { behavior: "immediate" },
  );
}

/** The password was right after all: the reserved attempt is not a failure. */
export function releaseSignInAttempt(args: { db: Db; attemptId: number }): void {
  args.db.delete(loginAttempt).where(eq(loginAttempt.id, args.attemptId)).run();
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
}): number {
  pruneLoginAttempts(args.db, args.now);
  return args.db
    .insert(loginAttempt)
    .values({
      kind: "sign_in_failure",
      usernameKey: args.usernameKey,
      clientAddress: args.clientAddress,
      createdAt: args.now,
    })
    .returning({ id: loginAttempt.id })
    .get().id;
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
      and(eq(loginAttempt.clientAddress, args.clientAddress)),
      SIGN_UP_LIMIT_PER_ADDRESS.windowMs,
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

const groupKey = (groupId: number) => `group:${groupId}`;

/** May this address sign up through this group's join link now? */
export function checkJoinSignUpAllowed(args: {
  db: Db;
  groupId: number;
  clientAddress: string;
  now: Date;
}): RateLimitResult {
  const { db, now } = args;
  const perGroup = verdict(
    attemptTimes(
      db,
      "join_sign_up",
      and(eq(loginAttempt.usernameKey, groupKey(args.groupId))),
      JOIN_SIGN_UP_LIMIT_PER_GROUP.windowMs,
      now,
    ),
    JOIN_SIGN_UP_LIMIT_PER_GROUP,
  );
  const perAddress = verdict(
    attemptTimes(
      db,
      "join_sign_up",
      and(eq(loginAttempt.clientAddress, args.clientAddress)),
      JOIN_SIGN_UP_LIMIT_PER_ADDRESS.windowMs,
      now,
    ),
    JOIN_SIGN_UP_LIMIT_PER_ADDRESS,
  );
  return later(perGroup, perAddress);
}

export function recordJoinSignUp(args: {
  db: Db;
  groupId: number;
  clientAddress: string;
  now: Date;
}): void {
  pruneLoginAttempts(args.db, args.now);
  args.db
    .insert(loginAttempt)
    .values({
      kind: "join_sign_up",
      usernameKey: groupKey(args.groupId),
      clientAddress: args.clientAddress,
      createdAt: args.now,
    })
    .run();
}

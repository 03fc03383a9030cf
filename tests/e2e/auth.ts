/**
 * Accounts for browser tests, written straight into the e2e database (the file the test server
 * uses, E2E_DATABASE_PATH), so that specs other than the sign-in one need not go through the forms.
 * A test that runs as one signed-in reader asks for the `signedIn` fixture (fixtures.ts), which is
 * built on these; other browser contexts, or a sign-in halfway through a test, use them directly:
 *
 *   const user = await createUser({ role: "admin" });
 *   await signIn(otherContext, user);
 *
 * Every call makes a new, unique username, so parallel tests never share an account.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { hash } from "@node-rs/argon2";
import type { BrowserContext } from "@playwright/test";
import Database from "better-sqlite3";
import { ARGON2_OPTIONS } from "#app/models/password.server";

/** The server's database file; E2E_DATABASE_PATH overrides it for a suite run beside another one. */
const DATABASE = process.env.E2E_DATABASE_PATH
  ? resolve(process.env.E2E_DATABASE_PATH)
  : fileURLToPath(new URL("../.tmp/e2e.db", import.meta.url));
/** lucia's default cookie name, as set in app/utils/auth.server.ts. */
export const SESSION_COOKIE = "auth_session";
const SESSION_SECONDS = 30 * 24 * 60 * 60;

export type TestUser = {
  id: string;
  username: string;
  password: string;
  displayName: string;
  role: "user" | "admin";
};

let counter = 0;

/** A username no other test in this run has: 3–32 characters of [a-z0-9_]. */
export function uniqueUsername(prefix = "u"): string {
  counter += 1;
  return `${prefix}_${process.pid.toString(36)}${counter.toString(36)}${randomBytes(3).toString("hex")}`.slice(
    0,
    32,
  );
}

function openDb(): Database.Database {
  const db = new Database(DATABASE, { fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  return db;
}

function withDb<T>(work: (db: Database.Database) => T): T {
  const db = openDb();
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/**
 * The app's argon2id with the smallest cost argon2 allows: the hash records its own parameters, so
 * the app verifies it like any other (the sign-in tests sign in with these accounts), but making
 * one takes microseconds instead of the real 19 MiB × 2 passes, which are deliberately slow and
 * are what the sign-up, password-change and sign-in tests exercise through the forms.
 */
const TEST_HASH_OPTIONS = { ...ARGON2_OPTIONS, memoryCost: 8, timeCost: 1 };

/** Creates an account directly in the database (an argon2id hash, cheap to make) and returns its credentials. */
export async function createUser(
  options: {
    username?: string;
    password?: string;
    displayName?: string;
    role?: "user" | "admin";
  } = {},
): Promise<TestUser> {
  const username = options.username ?? uniqueUsername();
  const user: TestUser = {
    id: randomBytes(16).toString("hex"),
    username,
    password: options.password ?? `pw ${randomBytes(8).toString("hex")}`,
    displayName: options.displayName ?? `Reader ${username.slice(-6)}`,
    role: options.role ?? "user",
  };
  const passwordHash = await hash(user.password, TEST_HASH_OPTIONS);
  withDb((db) =>
    db
      .prepare(
        "insert into user (id, username, display_name, password_hash, role) values (?, ?, ?, ?, ?)",
      )
      .run(user.id, user.username, user.displayName, passwordHash, user.role),
  );
  return user;
}

/**
 * A session as if made five minutes ago: past the minute in which the app re-sends a new session's
 * cookie, so its reading pages take the path most readers' do, the render-once cache (ADR 015),
 * and every browser test that reads as a signed-in reader checks that cache for staleness too.
 */
const SESSION_AGE_SECONDS = 5 * 60;

/**
 * Creates a session row for `user` (as lucia would) and gives `context` its cookie. Returns the
 * session id. `expiresInSeconds` (default 30 days less five minutes) lets a test start from an
 * older session.
 */
export async function signIn(
  context: BrowserContext,
  user: Pick<TestUser, "id">,
  options: { expiresInSeconds?: number } = {},
): Promise<string> {
  const sessionId = randomBytes(25).toString("hex");
  const expiresAt =
    Math.floor(Date.now() / 1000) +
    (options.expiresInSeconds ?? SESSION_SECONDS - SESSION_AGE_SECONDS);
  withDb((db) =>
    db
      .prepare("insert into session (id, user_id, expires_at) values (?, ?, ?)")
      .run(sessionId, user.id, expiresAt),
  );
  await context.addCookies([
    {
      name: SESSION_COOKIE,
      value: sessionId,
      domain: "127.0.0.1",
      path: "/",
      httpOnly: true,
      sameSite: "Lax",
      secure: false,
      expires: expiresAt,
    },
  ]);
  return sessionId;
}

/** How many sessions `user` has in the database (to check that sign-out really ended one). */
export function countSessions(user: Pick<TestUser, "id">): number {
  return withDb(
    (db) =>
      (
        db.prepare("select count(*) as n from session where user_id = ?").get(user.id) as {
          n: number;
        }
      ).n,
  );
}

/** A session's expiry as stored (seconds since the epoch), or undefined once it is gone. */
export function sessionExpiry(sessionId: string): number | undefined {
  return withDb(
    (db) =>
      (
        db.prepare("select expires_at as e from session where id = ?").get(sessionId) as
          | { e: number }
          | undefined
      )?.e,
  );
}

/** The account row as stored, without the hash (to check that a forged request changed nothing). */
export function readUser(
  user: Pick<TestUser, "id">,
): { username: string; displayName: string; role: string } | undefined {
  return withDb(
    (db) =>
      db
        .prepare("select username, display_name as displayName, role from user where id = ?")
        .get(user.id) as { username: string; displayName: string; role: string } | undefined,
  );
}

/**
 * People with accounts: the one path into the `user` table (the sign-up form and
 * `npm run user:create` both call `insertUser`), sign-in checks, profile changes and deletion.
 * Rules come from account-rules.server.ts, hashing from password.server.ts. Nothing here returns a
 * password hash to its caller.
 */
import { randomBytes } from "node:crypto";
import { and, eq, ne, sql } from "drizzle-orm";
import {
  displayNameSchema,
  newPasswordIssue,
  usernameKey,
  usernameSchema,
} from "#app/models/account-rules.server";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "#app/models/password.server";
import type { Db } from "#db/client";
import { annotation, session, user } from "#db/schema";

export type Role = "user" | "admin";

/** A user id: 16 random bytes, hex. */
export function newUserId(): string {
  return randomBytes(16).toString("hex");
}

/** Thrown when a field breaks a rule; `field` names the form field, `message` is for the person. */
export class AccountInputError extends Error {
  constructor(
    readonly field: "username" | "displayName" | "password",
    message: string,
  ) {
    super(message);
    this.name = "AccountInputError";
  }
}

export const USERNAME_TAKEN = "That username is taken. Choose another.";

/** The row for a username, compared without regard to case (served by user_username_lower_idx). */
export function findUserRowByUsername(db: Db, username: string) {
  return db
    .select()
    .from(user)
    .where(eq(sql`lower(${user.username})`, usernameKey(username)))
    .get();
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    (error as { code: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE"
  );
}

/**
 * Validates and inserts a user. Throws AccountInputError for a broken rule or a taken username.
 * Returns the new row without its hash.
 */
export async function insertUser(args: {
  db: Db;
  username: string;
  displayName: string;
  password: string;
  role?: Role;
}): Promise<{ id: string; username: string; displayName: string; role: Role }> {
  const username = usernameSchema.safeParse(args.username);
  if (!username.success) {
    throw new AccountInputError(
      "username",
      username.error.issues[0]?.message ?? "Check the username.",
    );
  }
  const displayName = displayNameSchema.safeParse(args.displayName);
  if (!displayName.success) {
    throw new AccountInputError(
      "displayName",
      displayName.error.issues[0]?.message ?? "Check the display name.",
    );
  }
  const passwordIssue = newPasswordIssue(args.password, username.data);
  if (passwordIssue) throw new AccountInputError("password", passwordIssue);
  if (findUserRowByUsername(args.db, username.data)) {
    throw new AccountInputError("username", USERNAME_TAKEN);
  }
  const row = {
    id: newUserId(),
    username: username.data,
    displayName: displayName.data,
    role: args.role ?? "user",
  } as const;
  const passwordHash = await hashPassword(args.password);
  try {
    args.db
      .insert(user)
      .values({ ...row, passwordHash })
      .run();
  } catch (error) {
    // Someone took the name while we were hashing.
    if (isUniqueViolation(error)) throw new AccountInputError("username", USERNAME_TAKEN);
    throw error;
  }
  return row;
}

/** A user as the app sees them: never with the hash. */
export type UserRecord = { id: string; username: string; displayName: string; role: Role };

type Errors<K extends string> = { ok: false; errors: Partial<Record<K, string>> };

export const WRONG_PASSWORD = "That password is not right.";

export async function createUser(args: {
  db: Db;
  username: string;
  displayName: string;
  password: string;
  role?: Role;
}): Promise<{ ok: true; user: UserRecord } | Errors<"username" | "displayName" | "password">> {
  try {
    return { ok: true, user: await insertUser(args) };
  } catch (error) {
    if (error instanceof AccountInputError) {
      return { ok: false, errors: { [error.field]: error.message } };
    }
    throw error;
  }
}

/**
 * The user whose username (any case) and password these are, or null. A username without an account
 * costs the same time as a wrong password, so the answer's timing does not reveal which names exist.
 */
export async function verifyCredentials(args: {
  db: Db;
  username: string;
  password: string;
}): Promise<UserRecord | null> {
  const row = findUserRowByUsername(args.db, args.username);
  if (!row) return verifyAgainstDummy(args.password).then(() => null);
  if (!(await verifyPassword(row.passwordHash, args.password))) return null;
  return { id: row.id, username: row.username, displayName: row.displayName, role: row.role };
}

export function changeDisplayName(args: { db: Db; userId: string; displayName: string }): void {
  args.db.update(user).set({ displayName: args.displayName }).where(eq(user.id, args.userId)).run();
}

async function checkPassword(db: Db, userId: string, password: string): Promise<boolean> {
  const row = db
    .select({ passwordHash: user.passwordHash })
    .from(user)
    .where(eq(user.id, userId))
    .get();
  return row ? verifyPassword(row.passwordHash, password) : false;
}

/**
 * Replaces the password when the current one is right, and ends every session of the user except
 * `keepSessionId` (the one making the change), in one transaction.
 */
export async function changePassword(args: {
  db: Db;
  userId: string;
  currentPassword: string;
  newPassword: string;
  keepSessionId: string;
}): Promise<{ ok: true } | Errors<"currentPassword" | "newPassword">> {
  const { db, userId } = args;
  const row = db.select({ username: user.username }).from(user).where(eq(user.id, userId)).get();
  if (!row) return { ok: false, errors: { currentPassword: WRONG_PASSWORD } };
  if (!(await checkPassword(db, userId, args.currentPassword))) {
    return { ok: false, errors: { currentPassword: WRONG_PASSWORD } };
  }
  const issue = newPasswordIssue(args.newPassword, row.username);
  if (issue) return { ok: false, errors: { newPassword: issue } };
  if (args.newPassword === args.currentPassword) {
    return {
      ok: false,
      errors: { newPassword: "Choose a password different from the current one." },
    };
  }
  const passwordHash = await hashPassword(args.newPassword);
  db.transaction((tx) => {
    tx.update(user).set({ passwordHash }).where(eq(user.id, userId)).run();
    tx.delete(session)
      .where(and(eq(session.userId, userId), ne(session.id, args.keepSessionId)))
      .run();
  });
  return { ok: true };
}

/**
 * Deletes the account when the password is right. Sessions and endorsements go with it (cascade);
 * annotations stay, shown as by "deleted user" (author_id is set to null by the foreign key).
 */
export async function deleteUser(args: {
  db: Db;
  userId: string;
  password: string;
}): Promise<{ ok: true } | Errors<"password">> {
  if (!(await checkPassword(args.db, args.userId, args.password))) {
    return { ok: false, errors: { password: WRONG_PASSWORD } };
  }
  args.db.transaction((tx) => {
    // Public annotations stay, by "deleted user", so threads keep their shape; private notes were
    // only ever the author's, so they go with the account (triggers clear search and tallies).
    tx.delete(annotation)
      .where(and(eq(annotation.authorId, args.userId), eq(annotation.visibility, "private")))
      .run();
    tx.delete(user).where(eq(user.id, args.userId)).run();
  });
  return { ok: true };
}

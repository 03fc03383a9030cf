/**
 * People with accounts: the one path into the `user` table (the sign-up form and
 * `npm run user:create` both call `createUser`), sign-in checks, profile changes and deletion.
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
  usernameSkeleton,
} from "#app/models/account-rules.server";
import type { DbOrTx } from "#app/models/annotation.server";
import { revokeAllTokens } from "#app/models/api-token.server";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "#app/models/password.server";
import { FieldValidationError } from "#app/utils/errors";
import { type Db, IMMEDIATE } from "#db/client";
import { annotation, session, user, usernameSkeletonSql } from "#db/schema";

export type Role = "user" | "admin";

/** A user id: 16 random bytes, hex. */
export function newUserId(): string {
  return randomBytes(16).toString("hex");
}

/** A broken rule, by the form field it belongs to. */
function refuse(
  field: "username" | "displayName" | "password" | "currentPassword" | "newPassword",
  message: string,
): never {
  throw new FieldValidationError({ [field]: message });
}

export const USERNAME_TAKEN = "That username is taken. Choose another.";
export const USERNAME_LOOKS_TAKEN =
  "That username reads like one that is taken (I, l and 1, or 0 and o, look alike). Choose another.";

/** An account whose username reads like this one (see usernameSkeleton). */
function findLookAlike(db: DbOrTx, username: string) {
  return db
    .select({ id: user.id })
    .from(user)
    .where(eq(usernameSkeletonSql(user.username), usernameSkeleton(username)))
    .get();
}

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
 * Validates and inserts a user: the one path into the `user` table. Throws FieldValidationError
 * for a broken rule or a taken username. Returns the new row without its hash.
 */
export async function createUser(args: {
  db: Db;
  username: string;
  displayName: string;
  password: string;
  role?: Role;
  /** More writes that stand or fall with the new account (joining a class through its link). */
  alongside?: (tx: DbOrTx, userId: string) => void;
}): Promise<{ id: string; username: string; displayName: string; role: Role }> {
  const username = usernameSchema.safeParse(args.username);
  if (!username.success) {
    refuse("username", username.error.issues[0]?.message ?? "Check the username.");
  }
  const displayName = displayNameSchema.safeParse(args.displayName);
  if (!displayName.success) {
    refuse("displayName", displayName.error.issues[0]?.message ?? "Check the display name.");
  }
  const passwordIssue = newPasswordIssue(args.password, username.data);
  if (passwordIssue) refuse("password", passwordIssue);
  if (findUserRowByUsername(args.db, username.data)) refuse("username", USERNAME_TAKEN);
  if (findLookAlike(args.db, username.data)) refuse("username", USERNAME_LOOKS_TAKEN);
  const row = {
    id: newUserId(),
    username: username.data,
    displayName: displayName.data,
    role: args.role ?? "user",
  } as const;
  const passwordHash = await hashPassword(args.password);
  try {
    // Checked again with the insert, in one immediate transaction: someone may have taken the name
    // (or a look-alike) while we were hashing.
    args.db.transaction(
      (tx) => {
        if (findLookAlike(tx, row.username)) refuse("username", USERNAME_LOOKS_TAKEN);
        tx.insert(user)
          .values({ ...row, passwordHash })
          .run();
        args.alongside?.(tx, row.id);
      },
      { behavior: "immediate" },
    );
  } catch (error) {
    // Someone took the name while we were hashing.
    if (isUniqueViolation(error)) refuse("username", USERNAME_TAKEN);
    throw error;
  }
  return row;
}

/** A user as the app sees them: never with the hash. */
export type UserRecord = { id: string; username: string; displayName: string; role: Role };

export const WRONG_PASSWORD = "That password is not right.";

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
 * `keepSessionId` (the one making the change) and revokes every API token, in one transaction:
 * whoever else held the account keeps no way in.
 */
export async function changePassword(args: {
  db: Db;
  userId: string;
  currentPassword: string;
  newPassword: string;
  keepSessionId: string;
}): Promise<void> {
  const { db, userId } = args;
  const row = db.select({ username: user.username }).from(user).where(eq(user.id, userId)).get();
  if (!row || !(await checkPassword(db, userId, args.currentPassword))) {
    refuse("currentPassword", WRONG_PASSWORD);
  }
  const issue = newPasswordIssue(args.newPassword, row.username);
  if (issue) refuse("newPassword", issue);
  if (args.newPassword === args.currentPassword) {
    refuse("newPassword", "Choose a password different from the current one.");
  }
  const passwordHash = await hashPassword(args.newPassword);
  db.transaction((tx) => {
    tx.update(user).set({ passwordHash }).where(eq(user.id, userId)).run();
    tx.delete(session)
      .where(and(eq(session.userId, userId), ne(session.id, args.keepSessionId)))
      .run();
    revokeAllTokens(tx, userId);
  }, IMMEDIATE);
}

/**
 * Deletes the account when the password is right. Sessions and endorsements go with it (cascade);
 * annotations stay, shown as by "deleted user" (author_id is set to null by the foreign key).
 */
export async function deleteUser(args: {
  db: Db;
  userId: string;
  password: string;
}): Promise<void> {
  if (!(await checkPassword(args.db, args.userId, args.password))) {
    refuse("password", WRONG_PASSWORD);
  }
  args.db.transaction((tx) => {
    // Public annotations stay, by "deleted user", so threads keep their shape; private notes were
    // only ever the author's, so they go with the account (triggers clear search and tallies).
    tx.delete(annotation)
      .where(and(eq(annotation.authorId, args.userId), eq(annotation.visibility, "private")))
      .run();
    tx.delete(user).where(eq(user.id, args.userId)).run();
  }, IMMEDIATE);
}

/**
 * Creating accounts, shared by the web app's user model and `npm run user:create`: both validate with
 * db/account-rules.ts, hash with db/password.ts and insert here, so there is one path into the
 * `user` table. (db/ never imports app/; app/models/user.server.ts builds on this module.)
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { displayNameSchema, newPasswordIssue, usernameKey, usernameSchema } from "./account-rules";
import type { Db } from "./client";
import { hashPassword } from "./password";
import { user } from "./schema";

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

/**
 * The rules an account must follow, shared by the sign-up and account forms and the command line
 * (scripts/create-user.ts). Pure (zod and data, no database, no hashing) but server-only: the
 * common-password list and zod stay out of the browser; the limits the forms show are in rules.ts.
 */
import { z } from "zod";
import {
  DISPLAY_NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_MAX,
  USERNAME_MIN,
} from "#app/rules";
import { BIDI_CONTROL, CONTROL, isInvisible, normalizeName } from "#app/utils/text";

/**
 * The most common passwords that are long enough to pass the length rule (from the published
 * top-10,000 lists), compared without regard to case. Short ones are already refused by length.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  "1234567890",
  "0987654321",
  "12345678910",
  "1234567891",
  "123456789a",
  "a123456789",
  "123456789q",
  "q123456789",
  "1234567899",
  "0123456789",
  "9876543210",
  "1111111111",
  "0000000000",
  "1122334455",
  "1234512345",
  "123123123123",
  "qwertyuiop",
  "qwertyuiop1",
  "qwerty1234",
  "qwerty12345",
  "qwerty123456",
  "1q2w3e4r5t",
  "1q2w3e4r5t6y",
  "q1w2e3r4t5",
  "1qaz2wsx3edc",
  "zaq12wsxcde3",
  "1qazxsw23edc",
  "asdfghjkl1",
  "asdfghjkl;",
  "zxcvbnm123",
  "qazwsxedcrfv",
  "password12",
  "password123",
  "password1234",
  "password12345",
  "password!1",
  "passw0rd123",
  "p@ssw0rd123",
  "passwordpassword",
  "mypassword",
  "mypassword1",
  "iloveyou12",
  "iloveyou123",
  "abc1234567",
  "abcd123456",
  "abcdefghij",
  "abcdefg123",
  "abcdef1234",
  "1234abcd1234",
  "letmein123",
  "welcome123",
  "welcome1234",
  "changeme123",
  "football123",
  "baseball123",
  "basketball",
  "basketball1",
  "superman123",
  "sunshine123",
  "princess123",
  "1234567890q",
  "qwerty123456789",
  "123456789012",
  "1234567890123",
  "administrator",
  "admin12345",
  "admin123456",
  "marginalia",
  "marginalia1",
  "marginalia123",
]);

/** True when the password is on the common list or is one character repeated. */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return true;
  return new Set(lower).size <= 1;
}

/** The form of a username used for uniqueness and rate limiting: usernames ignore case. */
export function usernameKey(username: string): string {
  return normalizeName(username).toLowerCase();
}

/**
 * What a username looks like, for refusing one that reads as another: case ignored, and the
 * letters and digits that pass for each other in many fonts made one (`aIice`, `a1ice` and `alice`
 * all read `alice`; `0` and `o`; `rn` and `m`; `vv` and `w`). `usernameSkeletonSql` is the same
 * function in SQL, for the index that finds look-alikes (a unit test keeps the two in step).
 */
export function usernameSkeleton(username: string): string {
  return usernameKey(username)
    .replaceAll("1", "l")
    .replaceAll("i", "l")
    .replaceAll("0", "o")
    .replaceAll("rn", "m")
    .replaceAll("vv", "w");
}

const codePoints = (s: string) => [...s].length;

export const usernameSchema = z
  .string()
  .transform(normalizeName)
  .pipe(z.string().min(1, "Enter a username."))
  .refine((s) => s.length >= USERNAME_MIN && s.length <= USERNAME_MAX, {
    message: `Use ${USERNAME_MIN} to ${USERNAME_MAX} characters.`,
    abort: true,
  })
  .refine((s) => /^[A-Za-z0-9_-]+$/.test(s), {
    message: "Use only letters, digits, _ and -.",
  });

export const displayNameSchema = z
  .string()
  .transform(normalizeName)
  .pipe(z.string().min(1, "Enter the name other readers will see."))
  .refine((s) => codePoints(s) <= DISPLAY_NAME_MAX, {
    message: `Use at most ${DISPLAY_NAME_MAX} characters.`,
  })
  .refine((s) => !CONTROL.test(s), {
    message: "Use letters, not control characters.",
  })
  .refine((s) => !BIDI_CONTROL.test(s), {
    message: "Use letters, not characters that reverse the direction of text.",
  })
  .refine((s) => !isInvisible(s), {
    message: "Enter a name other readers can see.",
  });

/** A new password on its own; `newPasswordIssue` adds the rules that need the username. */
export const passwordSchema = z
  .string()
  .refine((s) => codePoints(s) >= PASSWORD_MIN, {
    message: `Use at least ${PASSWORD_MIN} characters.`,
    abort: true,
  })
  .refine((s) => codePoints(s) <= PASSWORD_MAX, {
    message: `Use at most ${PASSWORD_MAX} characters.`,
    abort: true,
  })
  .refine((s) => !isCommonPassword(s), {
    message: "That password is too common; choose one that is harder to guess.",
  });

/**
 * Checks a new password against every rule, the username included. Returns the message for the
 * first rule broken, or null when the password is acceptable.
 */
export function newPasswordIssue(password: string, username: string): string | null {
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? "Choose another password.";
  if (usernameKey(password) === usernameKey(username) && password.trim() !== "") {
    return "Your password must not be your username.";
  }
  return null;
}

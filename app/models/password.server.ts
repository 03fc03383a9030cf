/**
 * Password hashing, in one place: argon2id with the OWASP-recommended minimum (19 MiB memory,
 * 2 passes, 1 lane). Imported by the app's models, the create-user script and the e2e fixture,
 * so it has no relative imports and no dependency beyond @node-rs/argon2.
 */
import { hash, verify } from "@node-rs/argon2";

/** argon2id parameters (Algorithm.Argon2id is a const enum, so its value is written out). */
export const ARGON2_OPTIONS = {
  algorithm: 2,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** False (never an exception) for a wrong password or a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time a real verification would, for a username that has no account, so that the
 * response time does not tell an attacker which usernames exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("not-a-real-password-for-timing-only");
  await verifyPassword(await dummyHash, password);
  return false;
}

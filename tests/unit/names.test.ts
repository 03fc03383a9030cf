/**
 * Names that impersonate and text that smuggles: usernames are normalised and refused when they
 * read like a taken one; display names refuse controls, direction overrides and invisibility;
 * bodies lose stray control characters.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { displayNameSchema, usernameSkeleton } from "#app/models/account-rules.server";
import { parseNewAnnotation } from "#app/models/annotation-input.server";
import { createUser, USERNAME_LOOKS_TAKEN, USERNAME_TAKEN } from "#app/models/user.server";
import { FieldValidationError } from "#app/utils/errors";
import { usernameSkeletonSql } from "#db/schema";
import { createTestDb } from "./test-db";

const PASSWORD = "a long enough phrase";

async function refusal(call: Promise<unknown>) {
  try {
    await call;
    return null;
  } catch (error) {
    if (error instanceof FieldValidationError) return error.errors;
    throw error;
  }
}

describe("look-alike usernames", () => {
  const samples = [
    "alice",
    "aIice",
    "a1ice",
    "ALICE",
    "AL1CE",
    "m0on",
    "modern",
    "vvolf",
    "wolf",
    "Rn_1",
  ];

  it("has the same skeleton in TypeScript and in the SQL the index uses", () => {
    const db = createTestDb();
    for (const name of samples) {
      const row = db.get<{ s: string }>(sql`select ${usernameSkeletonSql(sql`${name}`)} as s`);
      expect(row.s, name).toBe(usernameSkeleton(name));
    }
  });

  it.each([
    ["aIice", USERNAME_LOOKS_TAKEN],
    ["a1ice", USERNAME_LOOKS_TAKEN],
    ["AL1CE", USERNAME_LOOKS_TAKEN],
    ["ALICE", USERNAME_TAKEN],
    ["ａｌｉｃｅ", USERNAME_TAKEN],
  ])("refuses %j beside alice", async (candidate, message) => {
    const db = createTestDb();
    await createUser({ db, username: "alice", displayName: "Alice", password: PASSWORD });
    expect(
      await refusal(
        createUser({ db, username: candidate, displayName: "Eve", password: PASSWORD }),
      ),
    ).toEqual({ username: message });
  });

  it("accepts names that only share letters", async () => {
    const db = createTestDb();
    await createUser({ db, username: "alice", displayName: "Alice", password: PASSWORD });
    for (const name of ["alicia", "malice", "alice2"]) {
      await expect(
        createUser({ db, username: name, displayName: "Someone", password: PASSWORD }),
      ).resolves.toMatchObject({ username: name });
    }
  });

  it("stores a full-width username as its ASCII form", async () => {
    const db = createTestDb();
    const created = await createUser({
      db,
      username: "ｒｅａｄｅｒ",
      displayName: "Reader",
      password: PASSWORD,
    });
    expect(created.username).toBe("reader");
  });
});

describe("display names", () => {
  it.each([
    ["Ada\u202Eecalevol", /direction/],
    ["\u2066Ada\u2069", /direction/],
    ["Ada\u0085", /control/],
    ["Ada\u0007", /control/],
    ["\u200B\u200C\u200D", /can see/],
    ["\u3164\u3164", /can see/],
    ["\u2800", /can see/],
    ["\u00AD\uFEFF", /can see/],
  ])("refuses %j", (name, message) => {
    const parsed = displayNameSchema.safeParse(name);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(message);
  });

  it.each([
    ["Ａｄａ　Ｌｏｖｅｌａｃｅ", "Ada Lovelace"],
    ["  Grace Hopper  ", "Grace Hopper"],
    ["Zoë", "Zoë"],
    ["山田 太郎", "山田 太郎"],
    ["👩‍🔬 Marie", "👩‍🔬 Marie"],
  ])("accepts %j as %j", (name, stored) => {
    expect(displayNameSchema.parse(name)).toBe(stored);
  });
});

describe("bodies", () => {
  const form = (body: string) => {
    const data = new FormData();
    data.set("kind", "annotation");
    data.set("body", body);
    return data;
  };

  it("strips NUL, BEL, ESC and C1 controls, keeps tabs and newlines, and turns CRLF into LF", () => {
    const parsed = parseNewAnnotation(form("a\u0000b\u0007c\u001b[31md\u009b\te\r\nf"));
    expect(parsed).toMatchObject({ ok: true, value: { body: "abc[31md\te\nf" } });
  });

  it("refuses a body of nothing but control characters", () => {
    expect(parseNewAnnotation(form("\u0000\u0007\u001b"))).toMatchObject({
      ok: false,
      errors: { body: "Write something first." },
    });
  });
});

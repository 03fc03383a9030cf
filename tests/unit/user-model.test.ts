/** Unit tests for the user model: creation, credentials, password change and deletion. */
import { describe, expect, it } from "vitest";
import { createToken, findOwnLiveToken, listTokens } from "#app/models/api-token.server";
import {
  changeDisplayName,
  changePassword,
  createUser,
  deleteUser,
  verifyCredentials,
} from "#app/models/user.server";
import { FieldValidationError } from "#app/utils/errors";
import { annotation, article, block, session, user } from "#db/schema";
import { createTestDb } from "./test-db";

/** A model call as an outcome: its refusal's field errors, or ok. */
async function outcome(call: Promise<unknown>) {
  try {
    await call;
    return { ok: true };
  } catch (error) {
    if (error instanceof FieldValidationError) return { ok: false, errors: error.errors };
    throw error;
  }
}

const PASSWORD = "a long enough phrase";

async function makeUser(db: ReturnType<typeof createTestDb>, username = "Ada_L") {
  return createUser({ db, username, displayName: "Ada Lovelace", password: PASSWORD });
}

describe("createUser", () => {
  it("stores an argon2id hash with the agreed parameters, never the password", async () => {
    const db = createTestDb();
    const created = await makeUser(db);
    expect(created).toEqual({
      id: expect.any(String),
      username: "Ada_L",
      displayName: "Ada Lovelace",
      role: "user",
    });
    const row = db.select().from(user).get();
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row?.passwordHash).not.toContain(PASSWORD);
  });

  it("refuses a username taken in another case", async () => {
    const db = createTestDb();
    await makeUser(db, "Ada_L");
    const again = await outcome(
      createUser({ db, username: "ada_l", displayName: "Other", password: PASSWORD }),
    );
    expect(again).toEqual({
      ok: false,
      errors: { username: "That username is taken. Choose another." },
    });
  });
});

describe("verifyCredentials", () => {
  it("accepts the username in any case with the right password, and nothing else", async () => {
    const db = createTestDb();
    const ada = await makeUser(db);
    expect(await verifyCredentials({ db, username: "ADA_l", password: PASSWORD })).toEqual(ada);
    expect(await verifyCredentials({ db, username: "Ada_L", password: `${PASSWORD}!` })).toBeNull();
    expect(await verifyCredentials({ db, username: "nobody", password: PASSWORD })).toBeNull();
  });
});

describe("changePassword", () => {
  it("revokes every API token, with the sessions", async () => {
    const db = createTestDb();
    const ada = await makeUser(db);
    const bob = await makeUser(db, "bob_b");
    const minted = createToken(db, ada.id, { name: "Minted by an intruder", scope: "read-write" });
    createToken(db, ada.id, { name: "Zotero", scope: "read" });
    const bobs = createToken(db, bob.id, { name: "Bob's", scope: "read" });
    expect(findOwnLiveToken(db, ada.id, minted.secret)).not.toBeNull();

    await changePassword({
      db,
      userId: ada.id,
      keepSessionId: "current",
      currentPassword: PASSWORD,
      newPassword: "another long phrase",
    });
    expect(findOwnLiveToken(db, ada.id, minted.secret)).toBeNull();
    expect(listTokens(db, ada.id).map((t) => t.status)).toEqual(["revoked", "revoked"]);
    expect(findOwnLiveToken(db, bob.id, bobs.secret)).not.toBeNull();
  });

  it("needs the current password, then ends every other session and keeps the current one", async () => {
    const db = createTestDb();
    const ada = await makeUser(db);
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    db.insert(session)
      .values([
        { id: "current", userId: ada.id, expiresAt },
        { id: "laptop", userId: ada.id, expiresAt },
        { id: "phone", userId: ada.id, expiresAt },
      ])
      .run();
    const args = { db, userId: ada.id, keepSessionId: "current" };

    expect(
      await outcome(
        changePassword({
          ...args,
          currentPassword: "wrong one!",
          newPassword: "another long phrase",
        }),
      ),
    ).toEqual({
      ok: false,
      errors: { currentPassword: "That password is not right." },
    });
    expect(
      await outcome(
        changePassword({ ...args, currentPassword: PASSWORD, newPassword: "ada_l" + "ADA_L" }),
      ),
    ).toMatchObject({
      ok: true,
    });
    expect(db.select({ id: session.id }).from(session).all()).toEqual([{ id: "current" }]);
    expect(await verifyCredentials({ db, username: "ada_l", password: PASSWORD })).toBeNull();
    expect(
      await verifyCredentials({ db, username: "ada_l", password: "ada_lADA_L" }),
    ).not.toBeNull();
  });

  it("refuses a new password equal to the username", async () => {
    const db = createTestDb();
    const ada = await makeUser(db, "margin_reader");
    const result = await outcome(
      changePassword({
        db,
        userId: ada.id,
        keepSessionId: "x",
        currentPassword: PASSWORD,
        newPassword: "Margin_Reader",
      }),
    );
    expect(result).toEqual({
      ok: false,
      errors: { newPassword: "Your password must not be your username." },
    });
  });
});

describe("changeDisplayName / deleteUser", () => {
  it("renames, and on deletion keeps the user's annotations as by a deleted user", async () => {
    const db = createTestDb();
    const ada = await makeUser(db);
    changeDisplayName({ db, userId: ada.id, displayName: "Countess" });
    expect(db.select({ displayName: user.displayName }).from(user).get()).toEqual({
      displayName: "Countess",
    });

    const art = db
      .insert(article)
      .values({ slug: "a", title: "A", sourceHash: "h" })
      .returning()
      .get();
    const blk = db
      .insert(block)
      .values({
        articleId: art.id,
        position: 0,
        kind: "paragraph",
        number: 1,
        anchor: "p-1",
        text: "Text",
      })
      .returning()
      .get();
    db.insert(annotation)
      .values({
        articleId: art.id,
        blockId: blk.id,
        kind: "annotation",
        body: "Note",
        authorId: ada.id,
      })
      .run();
    // A private note was only ever Ada's: it goes with the account.
    db.insert(annotation)
      .values({
        articleId: art.id,
        blockId: blk.id,
        kind: "annotation",
        body: "Private",
        authorId: ada.id,
        visibility: "private",
      })
      .run();
    db.insert(session).values({ id: "s", userId: ada.id, expiresAt: 2_000_000_000 }).run();

    expect(await outcome(deleteUser({ db, userId: ada.id, password: "not the password" }))).toEqual(
      {
        ok: false,
        errors: { password: "That password is not right." },
      },
    );
    expect(await outcome(deleteUser({ db, userId: ada.id, password: PASSWORD }))).toEqual({
      ok: true,
    });
    expect(db.select().from(user).all()).toEqual([]);
    expect(db.select().from(session).all()).toEqual([]);
    expect(
      db.select({ body: annotation.body, authorId: annotation.authorId }).from(annotation).all(),
    ).toEqual([{ body: "Note", authorId: null }]);
  });
});

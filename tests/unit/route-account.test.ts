/**
 * The account page (app/routes/account.tsx: display-name, password, delete) and signing out
 * (app/routes/logout.tsx), called as Remix would. A signed-out reader is sent to sign in; a signed-in
 * reader can only ever change their own account; invalid forms answer 400 with what was typed and
 * never a password.
 */
import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recordSignInFailure } from "#app/models/login-attempt.server";
import { verifyCredentials } from "#app/models/user.server";
import { action, loader } from "#app/routes/account";
import { action as logoutAction, loader as logoutLoader } from "#app/routes/logout";
import { annotation, loginAttempt, session, user } from "#db/schema";
import {
  type Answer,
  call,
  createThread,
  createUser,
  db,
  getRequest,
  loadContext,
  locationOf,
  loginRedirect,
  postRequest,
  type SignedIn,
  signedInUser,
  signIn,
  snapshot,
  strongPassword,
} from "./factories";

const ACCOUNT = "/account";

function post(fields: Record<string, string>, as: SignedIn | null, clientAddress?: string) {
  return call(action, postRequest(ACCOUNT, fields, { as }), {}, loadContext(clientAddress));
}

function userRow(id: string) {
  return db.select().from(user).where(eq(user.id, id)).get();
}

function sessionsOf(id: string): string[] {
  return db
    .select({ id: session.id })
    .from(session)
    .where(eq(session.userId, id))
    .all()
    .map((s) => s.id)
    .sort();
}

function failuresFor(username: string): number {
  return db
    .select()
    .from(loginAttempt)
    .where(eq(loginAttempt.usernameKey, username.toLowerCase()))
    .all().length;
}

function formResult(answer: Answer) {
  return answer.body as {
    intent: string;
    errors: Record<string, string>;
    values: Record<string, string>;
  };
}

/** A signed-in user with a real password (argon2: made once per test that needs it). */
async function withPassword(): Promise<SignedIn & { password: string }> {
  const password = strongPassword();
  const signed = signIn(await createUser({ password }));
  return { ...signed, password };
}

let other: SignedIn;

beforeAll(async () => {
  other = await signedInUser({ displayName: "Someone Else" });
});

describe("account loader", () => {
  it("signed out: 302 to sign in, back to the account page", async () => {
    const answer = await call(loader, getRequest(ACCOUNT));
    expect(answer).toMatchObject({ status: 302, thrown: true });
    expect(locationOf(answer)).toBe(loginRedirect(ACCOUNT));
  });

  it("signed in: the user, and the message for ?saved=", async () => {
    const me = await signedInUser();
    const answer = await call(loader, getRequest(`${ACCOUNT}?saved=display-name`, { as: me }));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      user: { id: me.id, username: me.username },
      saved: expect.any(String),
    });
    expect(JSON.stringify(answer.body)).not.toContain("passwordHash");
  });
});

describe("account action, signed out", () => {
  for (const intent of ["display-name", "password", "delete"]) {
    it(`${intent}: 302 to sign in, nothing written`, async () => {
      const before = snapshot();
      const answer = await post(
        { intent, displayName: "X", currentPassword: "a", newPassword: "b", password: "c" },
        null,
      );
      expect(answer.status).toBe(302);
      expect(locationOf(answer)).toBe(loginRedirect(ACCOUNT));
      expect(snapshot()).toEqual(before);
    });
  }
});

describe("account action: display name", () => {
  it("saves the signed-in user's name, and only theirs", async () => {
    const me = await signedInUser();
    const theirs = userRow(other.id);
    const answer = await post({ intent: "display-name", displayName: "  New Name " }, me);
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe("/account?saved=display-name");
    expect(userRow(me.id)?.displayName).toBe("New Name");
    expect(userRow(other.id)).toEqual(theirs);
  });

  it("an empty or too long name: 400 with what was typed, nothing written", async () => {
    const me = await signedInUser();
    for (const displayName of ["   ", "n".repeat(51)]) {
      const before = snapshot();
      const answer = await post({ intent: "display-name", displayName }, me);
      expect(answer.status).toBe(400);
      expect(formResult(answer)).toMatchObject({
        intent: "display-name",
        errors: { displayName: expect.any(String) },
        values: { displayName },
      });
      expect(snapshot()).toEqual(before);
    }
  });
});

describe("account action: password", () => {
  it("changes it, keeps this session and ends the user's others", async () => {
    const me = await withPassword();
    const elsewhere = signIn(me);
    const theirSessions = sessionsOf(other.id);
    const next = strongPassword();
    const answer = await post(
      { intent: "password", currentPassword: me.password, newPassword: next },
      me,
    );
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe("/account?saved=password");
    expect(sessionsOf(me.id)).toEqual([me.sessionId]);
    expect(sessionsOf(me.id)).not.toContain(elsewhere.sessionId);
    expect(sessionsOf(other.id)).toEqual(theirSessions);
    expect(await verifyCredentials({ db, username: me.username, password: next })).not.toBeNull();
    expect(
      await verifyCredentials({ db, username: me.username, password: me.password }),
    ).toBeNull();
  });

  it("a wrong current password: 400, counted as a failed sign-in, nothing else written", async () => {
    const me = await withPassword();
    const before = snapshot();
    const answer = await post(
      { intent: "password", currentPassword: "not my password", newPassword: strongPassword() },
      me,
    );
    expect(answer.status).toBe(400);
    expect(formResult(answer)).toMatchObject({
      intent: "password",
      errors: { currentPassword: expect.any(String) },
    });
    expect(JSON.stringify(answer.body)).not.toContain("not my password");
    expect(snapshot()).toEqual(before);
    expect(failuresFor(me.username)).toBe(1);
  });

  it("a new password that breaks the rules, or a missing current one: 400, nothing written", async () => {
    const me = await withPassword();
    const cases = [
      { fields: { currentPassword: me.password, newPassword: "short" }, field: "newPassword" },
      { fields: { currentPassword: "", newPassword: strongPassword() }, field: "currentPassword" },
    ];
    for (const { fields, field } of cases) {
      const before = snapshot();
      const answer = await post({ intent: "password", ...fields }, me);
      expect(answer.status, field).toBe(400);
      expect(formResult(answer).errors[field]).toEqual(expect.any(String));
      expect(JSON.stringify(formResult(answer).values)).not.toContain(me.password);
      expect(snapshot()).toEqual(before);
    }
  });

  it("after too many wrong passwords: 429 with Retry-After, even with the right one", async () => {
    const me = await withPassword();
    const now = new Date();
    for (let i = 0; i < 5; i++) {
      recordSignInFailure({
        db,
        usernameKey: me.username.toLowerCase(),
        clientAddress: "198.51.100.1",
        now,
      });
    }
    const before = snapshot();
    const answer = await post(
      { intent: "password", currentPassword: me.password, newPassword: strongPassword() },
      me,
    );
    expect(answer.status).toBe(429);
    expect(answer.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(formResult(answer).errors.form).toEqual(expect.any(String));
    expect(snapshot()).toEqual(before);
  });
});

describe("account action: delete", () => {
  it("deletes the signed-in user: sessions and private notes go, public annotations stay", async () => {
    const me = await withPassword();
    const kept = createThread(me, { body: "Public, stays." });
    const gone = createThread(me, { body: "Private, goes.", visibility: "private" });
    const theirs = userRow(other.id);
    const answer = await post({ intent: "delete", password: me.password }, me);
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe("/");
    expect(answer.headers.get("Set-Cookie")).toMatch(/^auth_session=;.*Max-Age=0/i);
    expect(userRow(me.id)).toBeUndefined();
    expect(sessionsOf(me.id)).toEqual([]);
    expect(db.select().from(annotation).where(eq(annotation.id, kept)).get()).toMatchObject({
      authorId: null,
      body: "Public, stays.",
    });
    expect(db.select().from(annotation).where(eq(annotation.id, gone)).get()).toBeUndefined();
    expect(userRow(other.id)).toEqual(theirs);
  });

  it("a wrong or missing password: 400, the account stays", async () => {
    const me = await withPassword();
    for (const password of ["wrong password here", ""]) {
      const before = snapshot();
      const answer = await post({ intent: "delete", password }, me);
      expect(answer.status).toBe(400);
      expect(formResult(answer)).toMatchObject({
        intent: "delete",
        errors: { password: expect.any(String) },
      });
      expect(snapshot()).toEqual(before);
    }
    expect(userRow(me.id)).toBeDefined();
  });

  it("someone else's password does not delete anyone", async () => {
    const me = await signedInUser();
    const victim = await withPassword();
    const before = snapshot();
    const answer = await post({ intent: "delete", password: victim.password }, me);
    expect(answer.status).toBe(400);
    expect(snapshot()).toEqual(before);
  });
});

describe("account action: an unknown intent", () => {
  it("400, nothing written", async () => {
    const me = await signedInUser();
    const before = snapshot();
    const answer = await post({ intent: "promote", role: "admin" }, me);
    expect(answer.status).toBe(400);
    expect(snapshot()).toEqual(before);
    expect(userRow(me.id)?.role).toBe("user");
  });
});

describe("logout", () => {
  let me: SignedIn;

  beforeEach(async () => {
    me = await signedInUser();
  });

  it("ends this session on the server and clears the cookie; other sessions stay", async () => {
    const elsewhere = signIn(me);
    const theirs = sessionsOf(other.id);
    const answer = await call(logoutAction, postRequest("/logout", {}, { as: me }));
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe("/");
    expect(answer.headers.get("Set-Cookie")).toMatch(/^auth_session=;.*Max-Age=0/i);
    expect(sessionsOf(me.id)).toEqual([elsewhere.sessionId]);
    expect(sessionsOf(other.id)).toEqual(theirs);
  });

  it("signed out: 302 home with a blank cookie, nothing written", async () => {
    const before = snapshot();
    const answer = await call(logoutAction, postRequest("/logout", {}));
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe("/");
    expect(answer.headers.get("Set-Cookie")).toMatch(/^auth_session=;/);
    expect(snapshot()).toEqual(before);
  });

  it("a GET only goes home, signing no one out", async () => {
    const before = snapshot();
    const answer = await call(logoutLoader, getRequest("/logout", { as: me }));
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe("/");
    expect(answer.headers.get("Set-Cookie")).toBeNull();
    expect(snapshot()).toEqual(before);
  });
});

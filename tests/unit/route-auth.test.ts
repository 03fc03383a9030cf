/**
 * Signing in (app/routes/login.tsx) and up (app/routes/signup.tsx), called as Remix would: the
 * session cookie on success, the same 400 for a wrong username and a wrong password, what was typed
 * (never the password) on a refusal, the rate limits' 429, and no redirect off the site.
 */
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { recordSignInFailure, recordSignUp } from "#app/models/login-attempt.server";
import { action as loginAction, loader as loginLoader } from "#app/routes/login";
import { action as signupAction, loader as signupLoader } from "#app/routes/signup";
import { loginAttempt, session, user } from "#db/schema";
import {
  type Answer,
  call,
  createUser,
  db,
  getRequest,
  loadContext,
  locationOf,
  postRequest,
  type SignedIn,
  signIn,
  snapshot,
  strongPassword,
  type TestUser,
  uniqueUsername,
} from "./factories";

const BACK_TO = "/articles/do-not-engage-the-taliban-for-free/p/p-3";

/** A fresh client address per call site, so the per-address limits of one test never reach another. */
let addresses = 0;
function freshAddress(): string {
  addresses += 1;
  return `192.0.2.${addresses}`;
}

function formResult(answer: Answer) {
  return answer.body as { errors: Record<string, string>; values: Record<string, string> };
}

/** The session id a Set-Cookie header starts, if it does. */
function sessionIdIn(answer: Answer): string | null {
  const match = /^auth_session=([^;]+);/.exec(answer.headers.get("Set-Cookie") ?? "");
  return match?.[1] ?? null;
}

function sessionRow(id: string) {
  return db.select().from(session).where(eq(session.id, id)).get();
}

function userByName(username: string) {
  return db
    .select()
    .from(user)
    .where(eq(sql`lower(${user.username})`, username.toLowerCase()))
    .get();
}

let member: TestUser & { password: string };

beforeAll(async () => {
  const password = strongPassword();
  member = { ...(await createUser({ password })), password };
});

describe("login action", () => {
  function login(
    fields: Record<string, string>,
    options: { as?: SignedIn; address?: string } = {},
  ) {
    return call(
      loginAction,
      postRequest("/login", fields, { as: options.as }),
      {},
      loadContext(options.address ?? freshAddress()),
    );
  }

  it("the right password: 302 to redirectTo with a new session's cookie", async () => {
    const answer = await login({
      username: member.username.toUpperCase(),
      password: member.password,
      redirectTo: BACK_TO,
    });
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe(BACK_TO);
    expect(answer.headers.get("Set-Cookie")).toMatch(/HttpOnly/i);
    const id = sessionIdIn(answer);
    expect(id).not.toBeNull();
    expect(sessionRow(id ?? "")).toMatchObject({ userId: member.id });
  });

  it("ends the session the browser already held (no session fixation)", async () => {
    const held = signIn(member);
    const answer = await login(
      { username: member.username, password: member.password, redirectTo: "/" },
      { as: held },
    );
    expect(answer.status).toBe(302);
    expect(sessionRow(held.sessionId)).toBeUndefined();
    expect(sessionIdIn(answer)).not.toBe(held.sessionId);
  });

  it("a wrong password and an unknown username get the same 400; failures are counted", async () => {
    const address = freshAddress();
    const wrong = await login(
      { username: member.username, password: "not the password", redirectTo: BACK_TO },
      { address },
    );
    const unknown = await login(
      { username: "nobody-here", password: "not the password", redirectTo: BACK_TO },
      { address },
    );
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(400);
      expect(answer.headers.get("Set-Cookie")).toBeNull();
      expect(JSON.stringify(answer.body)).not.toContain("not the password");
    }
    expect(formResult(wrong).errors).toEqual(formResult(unknown).errors);
    expect(formResult(wrong)).toMatchObject({
      errors: { form: expect.any(String) },
      values: { username: member.username, redirectTo: BACK_TO },
    });
    const counted = db
      .select()
      .from(loginAttempt)
      .where(eq(loginAttempt.clientAddress, address))
      .all();
    expect(counted.map((a) => a.kind)).toEqual(["sign_in_failure", "sign_in_failure"]);
  });

  it("empty fields: 400 per field with what was typed, nothing written", async () => {
    const before = snapshot();
    const answer = await login({ username: "  ", password: "", redirectTo: BACK_TO });
    expect(answer.status).toBe(400);
    expect(formResult(answer)).toMatchObject({
      errors: { username: expect.any(String), password: expect.any(String) },
      values: { username: "  ", redirectTo: BACK_TO },
    });
    expect(snapshot()).toEqual(before);
  });

  it("after too many failures for the username: 429 with Retry-After, even with the password", async () => {
    const locked = await createUser({ password: member.password });
    for (let i = 0; i < 5; i++) {
      recordSignInFailure({
        db,
        usernameKey: locked.username.toLowerCase(),
        clientAddress: freshAddress(),
        now: new Date(),
      });
    }
    const before = snapshot();
    const answer = await login({ username: locked.username, password: member.password });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(answer.headers.get("Set-Cookie")).toBeNull();
    expect(formResult(answer).errors.form).toEqual(expect.any(String));
    expect(snapshot()).toEqual(before);
  });

  it("never redirects off the site", async () => {
    for (const redirectTo of ["//evil.example/", "https://evil.example/", "/\\evil.example"]) {
      const answer = await login({
        username: member.username,
        password: member.password,
        redirectTo,
      });
      expect(locationOf(answer), redirectTo).toBe("/");
    }
  });
});

describe("login loader", () => {
  it("signed out: the form, with where to return to", async () => {
    const answer = await call(
      loginLoader,
      getRequest(`/login?redirectTo=${encodeURIComponent(BACK_TO)}`),
    );
    expect(answer).toMatchObject({ status: 200, body: { redirectTo: BACK_TO } });
  });

  it("signed in already: straight to redirectTo, never off the site", async () => {
    const me = signIn(member);
    const answer = await call(loginLoader, getRequest(`/login?redirectTo=${BACK_TO}`, { as: me }));
    expect(answer).toMatchObject({ status: 302, thrown: true });
    expect(locationOf(answer)).toBe(BACK_TO);
    const away = await call(
      loginLoader,
      getRequest("/login?redirectTo=//evil.example", { as: me }),
    );
    expect(locationOf(away)).toBe("/");
  });
});

describe("signup action", () => {
  function signup(fields: Record<string, string>, address = freshAddress()) {
    return call(signupAction, postRequest("/signup", fields), {}, loadContext(address));
  }

  it("creates the account with a hashed password and signs it in: 302 to redirectTo", async () => {
    const username = uniqueUsername("new");
    const password = strongPassword();
    const answer = await signup({
      username,
      displayName: "New Reader",
      password,
      redirectTo: BACK_TO,
    });
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe(BACK_TO);
    const created = userByName(username);
    expect(created).toMatchObject({ username, displayName: "New Reader", role: "user" });
    expect(created?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(created?.passwordHash).not.toContain(password);
    expect(sessionRow(sessionIdIn(answer) ?? "")).toMatchObject({ userId: created?.id });
  });

  it("a username taken in any case: 400 with what was typed, no account made", async () => {
    const before = snapshot();
    const answer = await signup({
      username: member.username.toUpperCase(),
      displayName: "Copycat",
      password: strongPassword(),
      redirectTo: BACK_TO,
    });
    expect(answer.status).toBe(400);
    expect(formResult(answer)).toMatchObject({
      errors: { username: expect.any(String) },
      values: {
        username: member.username.toUpperCase(),
        displayName: "Copycat",
        redirectTo: BACK_TO,
      },
    });
    expect(answer.headers.get("Set-Cookie")).toBeNull();
    expect(snapshot()).toEqual(before);
  });

  it("fields that break the rules: 400 per field, never the password back, no account", async () => {
    const before = snapshot();
    const answer = await signup({ username: "a", displayName: "", password: "short" });
    expect(answer.status).toBe(400);
    expect(formResult(answer).errors).toMatchObject({
      username: expect.any(String),
      displayName: expect.any(String),
      password: expect.any(String),
    });
    expect(formResult(answer).values).toMatchObject({ username: "a", displayName: "" });
    expect(JSON.stringify(answer.body)).not.toContain("short");
    expect(snapshot()).toEqual(before);
  });

  it("past the limit for the address: 429 with Retry-After, no account", async () => {
    const address = freshAddress();
    for (let i = 0; i < 10; i++) recordSignUp({ db, clientAddress: address, now: new Date() });
    const username = uniqueUsername("late");
    const before = snapshot();
    const answer = await signup(
      { username, displayName: "Late", password: strongPassword(), redirectTo: BACK_TO },
      address,
    );
    expect(answer.status).toBe(429);
    expect(answer.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(formResult(answer).values).toMatchObject({ username, redirectTo: BACK_TO });
    expect(snapshot()).toEqual(before);
    expect(userByName(username)).toBeUndefined();
  });
});

describe("signup loader", () => {
  it("signed in already: straight to redirectTo", async () => {
    const me = signIn(member);
    const answer = await call(
      signupLoader,
      getRequest(`/signup?redirectTo=${BACK_TO}`, { as: me }),
    );
    expect(answer).toMatchObject({ status: 302, thrown: true });
    expect(locationOf(answer)).toBe(BACK_TO);
  });
});

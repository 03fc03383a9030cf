/** Unit tests for the brute-force limiter: its windows, per username and per address, with a moved clock. */
import { describe, expect, it } from "vitest";
import {
  checkSignInAllowed,
  checkSignUpAllowed,
  clearSignInFailures,
  describeRetry,
  recordSignInFailure,
  recordSignUp,
} from "#app/models/login-attempt.server";
import { createTestDb } from "./test-db";

const T0 = new Date("2025-03-01T12:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

describe("sign-in failures", () => {
  it("blocks a username after 5 failures in 15 minutes, until the oldest of them is 15 minutes old", () => {
    const db = createTestDb();
    const who = { db, usernameKey: "ada", clientAddress: "10.0.0.1" };
    for (const m of [0, 1, 2, 3]) recordSignInFailure({ ...who, now: minutes(m) });
    expect(checkSignInAllowed({ ...who, now: minutes(4) })).toEqual({ allowed: true });
    recordSignInFailure({ ...who, now: minutes(4) });

    expect(checkSignInAllowed({ ...who, now: minutes(4) })).toEqual({
      allowed: false,
      retryAt: minutes(15),
    });
    expect(checkSignInAllowed({ ...who, now: minutes(14.9) }).allowed).toBe(false);
    // At 15 minutes the first failure has left the window: four remain.
    expect(checkSignInAllowed({ ...who, now: minutes(15) })).toEqual({ allowed: true });
  });

  it("keys usernames only: another username from the same address may still try", () => {
    const db = createTestDb();
    for (const m of [0, 1, 2, 3, 4]) {
      recordSignInFailure({ db, usernameKey: "ada", clientAddress: "10.0.0.1", now: minutes(m) });
    }
    expect(
      checkSignInAllowed({ db, usernameKey: "ada", clientAddress: "10.0.0.2", now: minutes(5) })
        .allowed,
    ).toBe(false);
    expect(
      checkSignInAllowed({ db, usernameKey: "grace", clientAddress: "10.0.0.1", now: minutes(5) })
        .allowed,
    ).toBe(true);
  });

  it("blocks an address after 50 failures across usernames in 15 minutes", () => {
    const db = createTestDb();
    for (let i = 0; i < 50; i++) {
      recordSignInFailure({
        db,
        usernameKey: `user${i}`,
        clientAddress: "10.0.0.9",
        now: minutes(i / 10),
      });
    }
    const verdict = checkSignInAllowed({
      db,
      usernameKey: "fresh",
      clientAddress: "10.0.0.9",
      now: minutes(5),
    });
    expect(verdict).toEqual({ allowed: false, retryAt: minutes(15) });
    expect(
      checkSignInAllowed({ db, usernameKey: "fresh", clientAddress: "10.0.0.8", now: minutes(5) })
        .allowed,
    ).toBe(true);
  });

  it("forgives a username's failures after a successful sign-in, but not the address's", () => {
    const db = createTestDb();
    for (let i = 0; i < 50; i++) {
      recordSignInFailure({
        db,
        usernameKey: i < 4 ? "ada" : `x${i}`,
        clientAddress: "10.0.0.1",
        now: minutes(0),
      });
    }
    clearSignInFailures({ db, usernameKey: "ada" });
    expect(
      checkSignInAllowed({ db, usernameKey: "ada", clientAddress: "10.0.0.2", now: minutes(1) })
        .allowed,
    ).toBe(true);
    expect(
      checkSignInAllowed({ db, usernameKey: "zed", clientAddress: "10.0.0.1", now: minutes(1) })
        .allowed,
    ).toBe(true);
    recordSignInFailure({ db, usernameKey: "zed", clientAddress: "10.0.0.1", now: minutes(1) });
    recordSignInFailure({ db, usernameKey: "zed", clientAddress: "10.0.0.1", now: minutes(1) });
    recordSignInFailure({ db, usernameKey: "zed", clientAddress: "10.0.0.1", now: minutes(1) });
    recordSignInFailure({ db, usernameKey: "zed", clientAddress: "10.0.0.1", now: minutes(1) });
    // 46 address failures remain from before plus 4 new ones: 50.
    expect(
      checkSignInAllowed({ db, usernameKey: "other", clientAddress: "10.0.0.1", now: minutes(2) })
        .allowed,
    ).toBe(false);
  });

  it("prunes rows older than a day when recording", () => {
    const db = createTestDb();
    recordSignInFailure({ db, usernameKey: "ada", clientAddress: "a", now: minutes(0) });
    recordSignInFailure({ db, usernameKey: "ada", clientAddress: "a", now: minutes(25 * 60) });
    expect(db.$client.prepare("select count(*) as n from login_attempt").get()).toEqual({ n: 1 });
  });
});

describe("sign-ups", () => {
  it("allows 10 per address per hour", () => {
    const db = createTestDb();
    for (let i = 0; i < 10; i++) {
      expect(checkSignUpAllowed({ db, clientAddress: "10.0.0.1", now: minutes(i) }).allowed).toBe(
        true,
      );
      recordSignUp({ db, clientAddress: "10.0.0.1", now: minutes(i) });
    }
    expect(checkSignUpAllowed({ db, clientAddress: "10.0.0.1", now: minutes(10) })).toEqual({
      allowed: false,
      retryAt: minutes(60),
    });
    expect(checkSignUpAllowed({ db, clientAddress: "10.0.0.2", now: minutes(10) }).allowed).toBe(
      true,
    );
    expect(checkSignUpAllowed({ db, clientAddress: "10.0.0.1", now: minutes(60) }).allowed).toBe(
      true,
    );
  });
});

describe("describeRetry", () => {
  it("rounds up to whole minutes", () => {
    expect(describeRetry(minutes(15), minutes(0))).toBe("in 15 minutes");
    expect(describeRetry(minutes(0.2), minutes(0))).toBe("in a minute");
    expect(describeRetry(minutes(14.1), minutes(0))).toBe("in 15 minutes");
  });
});

/**
 * Unit tests for the brute-force limiter: per username and address, the per-username backoff and
 * the per-address spraying limit, with a moved clock.
 */
import { describe, expect, it } from "vitest";
import {
  checkSignInAllowed,
  checkSignUpAllowed,
  clearSignInFailures,
  recordSignInFailure,
  recordSignUp,
  releaseSignInAttempt,
  reserveSignInAttempt,
} from "#app/models/login-attempt.server";
import { describeRetry } from "#app/utils/format";
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

  it("keys the block on username and address: the owner elsewhere waits seconds, not minutes", () => {
    const db = createTestDb();
    for (const m of [0, 1, 2, 3, 4]) {
      recordSignInFailure({ db, usernameKey: "ada", clientAddress: "10.0.0.1", now: minutes(m) });
    }
    const elsewhere = { db, usernameKey: "ada", clientAddress: "10.0.0.2" };
    // Five failures anywhere start the backoff: one second after the last, for everyone.
    expect(checkSignInAllowed({ ...elsewhere, now: minutes(4) })).toEqual({
      allowed: false,
      retryAt: new Date(minutes(4).getTime() + 1000),
    });
    expect(checkSignInAllowed({ ...elsewhere, now: minutes(5) }).allowed).toBe(true);
    // From the guessing address, the username stays blocked for the window.
    expect(
      checkSignInAllowed({ db, usernameKey: "ada", clientAddress: "10.0.0.1", now: minutes(5) })
        .allowed,
    ).toBe(false);
    expect(
      checkSignInAllowed({ db, usernameKey: "grace", clientAddress: "10.0.0.1", now: minutes(5) })
        .allowed,
    ).toBe(true);
  });

  it("doubles a username's wait with every failure past five, from any address, up to 15 minutes", () => {
    const db = createTestDb();
    let now = minutes(0);
    const waits: number[] = [];
    for (let i = 0; i < 16; i++) {
      const who = { db, usernameKey: "ada", clientAddress: `10.0.1.${i}` };
      const verdict = checkSignInAllowed({ ...who, now });
      if (!verdict.allowed) {
        waits.push(verdict.retryAt.getTime() - now.getTime());
        now = verdict.retryAt;
      }
      recordSignInFailure({ ...who, now });
    }
    expect(waits.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(Math.max(...waits)).toBeLessThanOrEqual(15 * 60_000);
  });

  it("blocks an address after failures on 50 different usernames in 15 minutes", () => {
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

  it("does not lock out a class behind one address: typos count once per person", () => {
    const db = createTestDb();
    const school = "192.0.2.1";
    // Thirty students, each mistyping four times within ten minutes: 120 failures, 30 usernames.
    for (let student = 0; student < 30; student++) {
      for (let typo = 0; typo < 4; typo++) {
        recordSignInFailure({
          db,
          usernameKey: `student${student}`,
          clientAddress: school,
          now: minutes(student / 3 + typo / 10),
        });
      }
    }
    for (let student = 0; student < 30; student++) {
      expect(
        checkSignInAllowed({
          db,
          usernameKey: `student${student}`,
          clientAddress: school,
          now: minutes(11),
        }).allowed,
        `student${student}`,
      ).toBe(true);
    }
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
    // 46 usernames have failed from the address; four more make 50.
    for (const name of ["zed", "yan", "xu", "wes"]) {
      expect(
        checkSignInAllowed({ db, usernameKey: name, clientAddress: "10.0.0.1", now: minutes(1) })
          .allowed,
      ).toBe(true);
      recordSignInFailure({ db, usernameKey: name, clientAddress: "10.0.0.1", now: minutes(1) });
    }
    expect(
      checkSignInAllowed({ db, usernameKey: "other", clientAddress: "10.0.0.1", now: minutes(2) })
        .allowed,
    ).toBe(false);
  });

  it("reserves an attempt before the password is checked, and releases it when it was right", () => {
    const db = createTestDb();
    const who = { db, usernameKey: "ada", clientAddress: "10.0.0.1", now: minutes(0) };
    const granted = Array.from({ length: 8 }, () => reserveSignInAttempt(who));
    expect(granted.map((g) => g.allowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    const first = granted[0];
    if (!first?.allowed) throw new Error("first attempt refused");
    releaseSignInAttempt({ db, attemptId: first.attemptId });
    expect(db.$client.prepare("select count(*) as n from login_attempt").get()).toEqual({ n: 4 });
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

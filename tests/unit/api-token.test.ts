/**
 * Personal API tokens (app/models/api-token.server.ts): the secret exists once, outside the
 * database; lists never carry it; only the owner revokes; and a bearer request is accepted only
 * for a live token of an existing account, with the scope it needs, answered as RFC 6750 says.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  authenticateBearer,
  bearerRefusalResponse,
  createToken,
  hashToken,
  LAST_USED_RESOLUTION_MS,
  listTokens,
  requireBearer,
  revokeToken,
} from "#app/models/api-token.server";
import { MAX_LIVE_TOKENS } from "#app/rules";
import { FieldValidationError, NotFoundError } from "#app/utils/errors";
import type { Db } from "#db/client";
import { apiToken, user } from "#db/schema";
import { ADA, BOB, createSeededDb } from "./test-db";

const TOKEN = /^mrg_[A-Za-z0-9_-]{43}$/;

function bearer(secret: string, extra: Record<string, string> = {}): Request {
  return new Request("http://localhost/articles/seed/annotations/", {
    headers: { Authorization: `Bearer ${secret}`, ...extra },
  });
}

/** Every value stored in api_token, as one string: where a leaked secret would show. */
function everythingStored(db: Db): string {
  return JSON.stringify(db.$client.prepare("select * from api_token").all());
}

function row(db: Db, id: number) {
  return db.select().from(apiToken).where(eq(apiToken.id, id)).get();
}

describe("making a token", () => {
  it("returns the secret once; the database keeps only its SHA-256 and a short prefix", () => {
    const { db } = createSeededDb();
    const { secret, token } = createToken(db, ADA.id, { name: " Zotero sync ", scope: "read" });
    expect(secret).toMatch(TOKEN);
    expect(token).toMatchObject({
      name: "Zotero sync",
      scope: "read",
      status: "live",
      lastUsedAt: null,
      revokedAt: null,
      prefix: secret.slice(0, 12),
    });
    expect(token).not.toHaveProperty("tokenHash");
    expect(JSON.stringify(token)).not.toContain(secret);
    const stored = row(db, token.id);
    expect(stored?.tokenHash).toBe(hashToken(secret));
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    // Nothing stored holds the secret, nor any part of it beyond the display prefix.
    expect(everythingStored(db)).not.toContain(secret);
    expect(everythingStored(db)).not.toContain(secret.slice(12, 30));
  });

  it("makes a different secret every time", () => {
    const { db } = createSeededDb();
    const secrets = new Set(
      Array.from({ length: 5 }, () => createToken(db, ADA.id, { name: "x", scope: "read" }).secret),
    );
    expect(secrets.size).toBe(5);
  });

  it("refuses a bad name by its field, and writes nothing", () => {
    const { db } = createSeededDb();
    for (const name of ["   ", "n".repeat(61), "bell\u0007", "\u202Eevil", "\u200B"]) {
      expect(() => createToken(db, ADA.id, { name, scope: "read" }), name).toThrow(
        FieldValidationError,
      );
    }
    expect(listTokens(db, ADA.id)).toEqual([]);
  });

  it(`holds each person to ${MAX_LIVE_TOKENS} live tokens; revoked and expired ones do not count`, () => {
    const { db } = createSeededDb();
    const now = new Date();
    const made = Array.from(
      { length: MAX_LIVE_TOKENS },
      (_, i) => createToken(db, ADA.id, { name: `t${i}`, scope: "read", now }).token,
    );
    let refusal: unknown;
    try {
      createToken(db, ADA.id, { name: "one more", scope: "read", now });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(FieldValidationError);
    expect((refusal as FieldValidationError).errors.form).toMatch(/Revoke one/);
    // Someone else is not affected.
    expect(() => createToken(db, BOB.id, { name: "mine", scope: "read", now })).not.toThrow();
    revokeToken(db, ADA.id, made[0]?.id ?? 0, now);
    expect(() =>
      createToken(db, ADA.id, { name: "now it fits", scope: "read", now }),
    ).not.toThrow();
  });

  it("refuses an expiry in the past", () => {
    const { db } = createSeededDb();
    expect(() =>
      createToken(db, ADA.id, { name: "x", scope: "read", expiresAt: new Date(Date.now() - 1) }),
    ).toThrow(FieldValidationError);
  });
});

describe("listing tokens", () => {
  it("lists only the person's own, newest first, without secrets or digests", () => {
    const { db } = createSeededDb();
    const t0 = new Date("2026-12-01T10:00:00Z");
    const first = createToken(db, ADA.id, { name: "first", scope: "read", now: t0 });
    const second = createToken(db, ADA.id, {
      name: "second",
      scope: "read-write",
      now: new Date(t0.getTime() + 1000),
    });
    createToken(db, BOB.id, { name: "bob's", scope: "read" });
    const listed = listTokens(db, ADA.id);
    expect(listed.map((t) => t.name)).toEqual(["second", "first"]);
    const text = JSON.stringify(listed);
    for (const secret of [first.secret, second.secret]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hashToken(secret));
    }
    expect(Object.keys(listed[0] ?? {}).sort()).toEqual(
      [
        "createdAt",
        "expiresAt",
        "id",
        "lastUsedAt",
        "name",
        "prefix",
        "revokedAt",
        "scope",
        "status",
      ].sort(),
    );
  });

  it("keeps ended tokens listed a while, then prunes them when a new one is made", () => {
    const { db } = createSeededDb();
    const long = new Date("2026-01-01T00:00:00Z");
    const old = createToken(db, ADA.id, { name: "old", scope: "read", now: long });
    revokeToken(db, ADA.id, old.token.id, long);
    expect(listTokens(db, ADA.id).map((t) => [t.name, t.status])).toEqual([["old", "revoked"]]);
    createToken(db, ADA.id, { name: "new", scope: "read", now: new Date("2026-03-01T00:00:00Z") });
    expect(listTokens(db, ADA.id).map((t) => t.name)).toEqual(["new"]);
  });
});

describe("revoking a token", () => {
  it("the owner revokes it; it stops working at once", () => {
    const { db } = createSeededDb();
    const { secret, token } = createToken(db, ADA.id, { name: "x", scope: "read-write" });
    expect(authenticateBearer(db, bearer(secret), "write").ok).toBe(true);
    revokeToken(db, ADA.id, token.id);
    const answer = authenticateBearer(db, bearer(secret), "read");
    expect(answer).toMatchObject({ ok: false, status: 401, error: "invalid_token" });
    expect(listTokens(db, ADA.id)[0]?.status).toBe("revoked");
    // Revoking again changes nothing.
    const before = everythingStored(db);
    revokeToken(db, ADA.id, token.id);
    expect(everythingStored(db)).toBe(before);
  });

  it("someone else's token, or none: NotFound, nothing written", () => {
    const { db } = createSeededDb();
    const { secret, token } = createToken(db, ADA.id, { name: "ada's", scope: "read" });
    const before = everythingStored(db);
    expect(() => revokeToken(db, BOB.id, token.id)).toThrow(NotFoundError);
    expect(() => revokeToken(db, BOB.id, 999_999)).toThrow(NotFoundError);
    expect(everythingStored(db)).toBe(before);
    expect(authenticateBearer(db, bearer(secret), "read").ok).toBe(true);
  });
});

describe("authenticating a bearer request", () => {
  it("a valid token: its owner and the token, never a secret or digest", () => {
    const { db } = createSeededDb();
    const { secret, token } = createToken(db, ADA.id, { name: "x", scope: "read-write" });
    const answer = authenticateBearer(db, bearer(secret), "write");
    expect(answer).toMatchObject({
      ok: true,
      user: { id: ADA.id, username: "ada", displayName: "Ada Lovelace", role: "user" },
      token: { id: token.id, scope: "read-write" },
    });
    expect(JSON.stringify(answer)).not.toContain(hashToken(secret));
    expect(JSON.stringify(answer)).not.toContain("passwordHash");
  });

  it("reads the token alone: a session cookie beside it is not consulted", () => {
    const { db } = createSeededDb();
    const { secret } = createToken(db, ADA.id, { name: "x", scope: "read" });
    const answer = authenticateBearer(
      db,
      bearer(secret, { Cookie: "auth_session=someone-elses-session" }),
      "read",
    );
    expect(answer).toMatchObject({ ok: true, user: { id: ADA.id } });
  });

  it("no bearer token: 401 with a bare challenge (no error code)", () => {
    const { db } = createSeededDb();
    for (const headers of [{}, { Authorization: "Basic YWRhOnB3" }] as Record<string, string>[]) {
      const answer = authenticateBearer(db, new Request("http://localhost/x", { headers }), "read");
      expect(answer).toMatchObject({ ok: false, status: 401, error: null });
      if (!answer.ok) {
        expect(answer.headers["WWW-Authenticate"]).toBe('Bearer realm="Marginalia"');
      }
    }
  });

  it("a malformed header: 400 invalid_request", () => {
    const { db } = createSeededDb();
    for (const header of ["Bearer", "Bearer ", "Bearer a b"]) {
      const request = new Request("http://localhost/x", { headers: { Authorization: header } });
      expect(authenticateBearer(db, request, "read"), header).toMatchObject({
        ok: false,
        status: 400,
        error: "invalid_request",
      });
    }
  });

  it("a wrong, unknown or look-alike token: 401 invalid_token with the challenge", () => {
    const { db } = createSeededDb();
    const { secret } = createToken(db, ADA.id, { name: "x", scope: "read" });
    const wrong = [
      "not-a-token",
      `${secret}x`,
      secret.slice(0, -1),
      `mrg_${"A".repeat(43)}`,
      secret.toUpperCase(),
      hashToken(secret),
    ];
    for (const candidate of wrong) {
      const answer = authenticateBearer(db, bearer(candidate), "read");
      expect(answer, candidate).toMatchObject({ ok: false, status: 401, error: "invalid_token" });
      if (!answer.ok) {
        expect(answer.headers["WWW-Authenticate"]).toMatch(
          /^Bearer realm="Marginalia", error="invalid_token", error_description="[^"]+"$/,
        );
      }
    }
    // The scheme is case-insensitive (RFC 7235).
    expect(
      authenticateBearer(
        db,
        new Request("http://localhost/x", { headers: { Authorization: `bearer ${secret}` } }),
        "read",
      ).ok,
    ).toBe(true);
  });

  it("an expired token: 401 invalid_token", () => {
    const { db } = createSeededDb();
    const made = new Date("2026-12-01T00:00:00Z");
    const { secret } = createToken(db, ADA.id, {
      name: "x",
      scope: "read",
      expiresAt: new Date(made.getTime() + 86_400_000),
      now: made,
    });
    expect(authenticateBearer(db, bearer(secret), "read", new Date(made.getTime() + 1000)).ok).toBe(
      true,
    );
    const later = new Date(made.getTime() + 86_400_000);
    expect(authenticateBearer(db, bearer(secret), "read", later)).toMatchObject({
      ok: false,
      status: 401,
      error: "invalid_token",
      description: expect.stringMatching(/expired/),
    });
  });

  it("a read token asked to write: 403 insufficient_scope, naming the scope it needs", () => {
    const { db } = createSeededDb();
    const { secret } = createToken(db, ADA.id, { name: "x", scope: "read" });
    const answer = authenticateBearer(db, bearer(secret), "write");
    expect(answer).toMatchObject({ ok: false, status: 403, error: "insufficient_scope" });
    if (!answer.ok) expect(answer.headers["WWW-Authenticate"]).toMatch(/scope="read-write"/);
    expect(authenticateBearer(db, bearer(secret), "read").ok).toBe(true);
  });

  it("the owner's account deleted: the tokens go with it, and stop working", () => {
    const { db } = createSeededDb();
    const { secret } = createToken(db, BOB.id, { name: "x", scope: "read-write" });
    db.delete(user).where(eq(user.id, BOB.id)).run();
    expect(db.select().from(apiToken).where(eq(apiToken.userId, BOB.id)).all()).toEqual([]);
    expect(authenticateBearer(db, bearer(secret), "read")).toMatchObject({
      ok: false,
      status: 401,
      error: "invalid_token",
    });
  });

  it("records the last use, at most once a minute", () => {
    const { db } = createSeededDb();
    const t0 = new Date("2026-12-01T12:00:00Z");
    const { secret, token } = createToken(db, ADA.id, { name: "x", scope: "read", now: t0 });
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const lastUsed = () => row(db, token.id)?.lastUsedAt?.getTime() ?? null;
    const writes = () => db.$client.prepare("select total_changes()").pluck().get() as number;

    authenticateBearer(db, bearer(secret), "read", at(1000));
    expect(lastUsed()).toBe(at(1000).getTime());
    // Within the minute: nothing is written at all.
    const before = writes();
    for (let i = 2; i < 30; i++) authenticateBearer(db, bearer(secret), "read", at(i * 1000));
    expect(writes()).toBe(before);
    expect(lastUsed()).toBe(at(1000).getTime());
    // A minute on: written again.
    authenticateBearer(db, bearer(secret), "read", at(1000 + LAST_USED_RESOLUTION_MS));
    expect(lastUsed()).toBe(at(1000 + LAST_USED_RESOLUTION_MS).getTime());
    // A refused request (read token, write asked) records nothing.
    authenticateBearer(db, bearer(secret), "write", at(10 * LAST_USED_RESOLUTION_MS));
    expect(lastUsed()).toBe(at(1000 + LAST_USED_RESOLUTION_MS).getTime());
    expect(listTokens(db, ADA.id)[0]?.lastUsedAt?.getTime()).toBe(lastUsed());
  });

  it("requireBearer throws the refusal as a response: status, challenge, never cached", async () => {
    const { db } = createSeededDb();
    let thrown: unknown;
    try {
      requireBearer(db, bearer("mrg_nope"), "read");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Response);
    const response = thrown as Response;
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/error="invalid_token"/);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await response.text()).toMatch(/Marginalia API token/);
    const refusal = authenticateBearer(db, bearer("x"), "read");
    if (refusal.ok) throw new Error("expected a refusal");
    expect(bearerRefusalResponse(refusal).status).toBe(401);
  });
});

/**
 * lucia's session storage (app/utils/session-store.server.ts): the same rows the drizzle adapter
 * wrote (expiry in seconds), the three user fields the app uses and never the password hash, and
 * each of lucia's operations.
 */
import { describe, expect, it } from "vitest";
import { SessionStore } from "#app/utils/session-store.server";
import { addUser } from "./group-factories";
import { ADA, BOB, createSeededDb } from "./test-db";

describe("the session store", () => {
  it("keeps sessions as lucia asks, and reads back only what the app uses of the user", async () => {
    const { db } = createSeededDb();
    const store = new SessionStore(db);
    const expiresAt = new Date(Date.UTC(2027, 0, 1, 12, 0, 0));
    await store.setSession({ id: "s1", userId: ADA.id, expiresAt, attributes: {} });
    await store.setSession({ id: "s2", userId: ADA.id, expiresAt, attributes: {} });
    await store.setSession({ id: "s3", userId: BOB.id, expiresAt, attributes: {} });
    expect(db.$client.prepare("select expires_at from session where id = 's1'").pluck().get()).toBe(
      expiresAt.getTime() / 1000,
    );

    const [session, user] = await store.getSessionAndUser("s1");
    expect(session).toEqual({ id: "s1", userId: ADA.id, expiresAt, attributes: {} });
    expect(user?.id).toBe(ADA.id);
    expect(Object.keys(user?.attributes ?? {}).sort()).toEqual(["displayName", "role", "username"]);
    expect(await store.getSessionAndUser("nosuch")).toEqual([null, null]);

    const later = new Date(expiresAt.getTime() + 86_400_000);
    await store.updateSessionExpiration("s1", later);
    expect((await store.getSessionAndUser("s1"))[0]?.expiresAt).toEqual(later);
    expect((await store.getUserSessions(ADA.id)).map((s) => s.id).sort()).toEqual(["s1", "s2"]);

    await store.deleteSession("s2");
    expect((await store.getUserSessions(ADA.id)).map((s) => s.id)).toEqual(["s1"]);
    await store.deleteUserSessions(BOB.id);
    expect(await store.getUserSessions(BOB.id)).toEqual([]);

    const carol = addUser(db, "u-carol");
    await store.setSession({
      id: "old",
      userId: carol.id,
      expiresAt: new Date(Date.now() - 1000),
      attributes: {},
    });
    await store.deleteExpiredSessions();
    expect(await store.getSessionAndUser("old")).toEqual([null, null]);
    expect((await store.getSessionAndUser("s1"))[0]).not.toBeNull();
  });
});

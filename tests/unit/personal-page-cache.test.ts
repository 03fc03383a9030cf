/**
 * Signed-in readers' pages in the render-once cache (ADR 015): which requests are taken, the stamp
 * a reader's stored page is keyed by (their session, groups and private notes; migration 0010's
 * triggers), and that every write a reader's page shows moves their stamp while writes it does not
 * show leave it, so a stored page is never served after it went stale.
 */
import { describe, expect, it } from "vitest";
import {
  createAnnotation,
  deleteAnnotation,
  updateAnnotation,
} from "#app/models/annotation.server";
import { removeMember, setMemberRole } from "#app/models/group.server";
import {
  PAGES_PER_READER,
  PageCache,
  PERSONAL_CACHE_CONTROL,
  personalPath,
  viewerStampLookup,
} from "#app/utils/page-cache.server";
import { sessionIdOf } from "#app/utils/session-cookie";
import type { Db } from "#db/client";
import { addUser, createGroupWith } from "./group-factories";
import { askFor } from "./page-cache-exchange";
import { ADA, BOB, blockAt, createSeededDb, newInput } from "./test-db";

const DAY = 86_400_000;
const LIFETIME = 30 * DAY;
const NOW = Date.UTC(2026, 10, 30, 12);

/** A session for `userId` whose expiry is `expiresIn` from NOW. */
function addSession(db: Db, id: string, userId: string, expiresIn = LIFETIME - DAY) {
  db.$client
    .prepare("insert into session (id, user_id, expires_at) values (?, ?, ?)")
    .run(id, userId, Math.floor((NOW + expiresIn) / 1000));
}

function setUp() {
  const { db, articleId } = createSeededDb();
  const carol = addUser(db, "u-carol");
  // Ada teaches a class Bob is in; Carol is in no group.
  const groupId = createGroupWith(db, { owner: ADA, members: [BOB] });
  for (const [id, who] of [
    ["sada", ADA.id],
    ["sbob", BOB.id],
    ["scarol", carol.id],
  ] as const) {
    addSession(db, id, who);
  }
  const lookup = viewerStampLookup(
    db,
    { lifetimeMs: LIFETIME, reissueWindowMs: 60_000 },
    () => NOW,
  );
  const stamps = () => ({
    ada: lookup("sada")?.stamp,
    bob: lookup("sbob")?.stamp,
    carol: lookup("scarol")?.stamp,
  });
  const p1 = blockAt(db, articleId, "p-1");
  return { db, articleId, groupId, carol, stamps, p1, lookup };
}

/** Which of the three readers' stamps `write` moved. */
function moved(stamps: () => Record<string, string | undefined>, write: () => void): string[] {
  const before = stamps();
  write();
  const after = stamps();
  return Object.keys(before).filter((who) => before[who] !== after[who]);
}

describe("which signed-in requests the cache may answer", () => {
  it("takes the reading page, bare or in one layer as the switch writes it", () => {
    const get = (url: string, method = "GET", accept?: string) =>
      personalPath({ method, url, headers: accept ? { accept } : {} });
    expect(get("/articles/a")).toBe("/articles/a");
    expect(get("/articles/a", "HEAD")).toBe("/articles/a");
    expect(get("/articles/a?layer=public")).toBe("/articles/a?layer=public");
    expect(get("/articles/a?layer=me")).toBe("/articles/a?layer=me");
    expect(get("/articles/a?layer=group-12")).toBe("/articles/a?layer=group-12");
    for (const url of [
      "/articles/a?layer=group-0",
      "/articles/a?layer=other",
      "/articles/a?layer=me&x=1",
      "/articles/a?_data=root",
      "/articles/a.data",
      "/articles/a/discussion",
      "/articles/a/p/p-1",
    ]) {
      expect(get(url), url).toBeNull();
    }
    expect(get("/articles/a", "POST")).toBeNull();
    // The article's annotations as JSON-LD, by content negotiation: never the stored page.
    expect(get("/articles/a", "GET", "application/ld+json")).toBeNull();
  });

  it("reads one plain session id from the Cookie header", () => {
    expect(sessionIdOf("auth_session=abc123")).toBe("abc123");
    expect(sessionIdOf("theme=dark; auth_session=abc123; x=1")).toBe("abc123");
    expect(sessionIdOf("theme=dark")).toBeNull();
    expect(sessionIdOf("auth_session=a%20b")).toBeNull();
    expect(sessionIdOf("auth_session=abc; auth_session=def")).toBeNull();
    expect(sessionIdOf(undefined)).toBeNull();
  });
});

describe("a reader's stamp", () => {
  it("is undefined for an unknown, expired, or about-to-be-extended session", () => {
    const { db, lookup } = setUp();
    expect(lookup("sada")).toEqual({ userId: ADA.id, stamp: expect.any(String) });
    expect(lookup("nosuch")).toBeUndefined();
    addSession(db, "expired", ADA.id, -1000);
    // In the second half of its life lucia extends it and the response re-sends the cookie.
    addSession(db, "old", ADA.id, LIFETIME / 2 - 1000);
    // Just created or extended: the root re-sends the cookie for a minute.
    addSession(db, "new", ADA.id, LIFETIME - 1000);
    expect(lookup("expired")).toBeUndefined();
    expect(lookup("old")).toBeUndefined();
    expect(lookup("new")).toBeUndefined();
  });

  it("differs between readers and names who they are", () => {
    const { stamps } = setUp();
    const { ada, bob, carol } = stamps();
    expect(new Set([ada, bob, carol]).size).toBe(3);
    expect(ada).toContain("Ada Lovelace");
  });

  it("moves for the members of a group on its annotations, and only for them", () => {
    const { db, articleId, groupId, stamps, p1 } = setUp();
    let id = 0;
    expect(
      moved(stamps, () => {
        id = createAnnotation({
          db,
          author: BOB,
          articleId,
          blockId: p1.id,
          input: newInput({ visibility: "group", groupId }),
        });
      }),
    ).toEqual(["ada", "bob"]);
    expect(
      moved(stamps, () =>
        updateAnnotation({ db, viewer: BOB, id, input: { body: "Changed", source: null } }),
      ),
    ).toEqual(["ada", "bob"]);
    expect(moved(stamps, () => deleteAnnotation({ db, viewer: BOB, id }))).toEqual(["ada", "bob"]);
    // A row written whole in one statement (a script, an import) moves them as well.
    expect(
      moved(stamps, () =>
        db.$client
          .prepare(
            `insert into annotation (article_id, block_id, kind, body, author_id, visibility, group_id, root_id)
             values (?, ?, 'question', 'Why?', ?, 'group', ?, null)`,
          )
          .run(articleId, p1.id, BOB.id, groupId),
      ),
    ).toEqual(["ada", "bob"]);
  });

  it("moves for its writer alone on a private note; not at all on a public annotation", () => {
    const { db, articleId, stamps, p1 } = setUp();
    let id = 0;
    expect(
      moved(stamps, () => {
        id = createAnnotation({
          db,
          author: BOB,
          articleId,
          blockId: p1.id,
          input: newInput({ visibility: "private" }),
        });
      }),
    ).toEqual(["bob"]);
    expect(moved(stamps, () => deleteAnnotation({ db, viewer: BOB, id }))).toEqual(["bob"]);
    // A public annotation moves the article's page_version instead (page-cache.test.ts).
    expect(
      moved(stamps, () =>
        createAnnotation({ db, author: BOB, articleId, blockId: p1.id, input: newInput() }),
      ),
    ).toEqual([]);
  });

  it("moves for a group's members when its membership, roles, assignments or name change", () => {
    const { db, articleId, groupId, carol, stamps } = setUp();
    expect(
      moved(stamps, () =>
        setMemberRole({ db, viewer: ADA, groupId, userId: BOB.id, role: "moderator" }),
      ),
    ).toEqual(["ada", "bob"]);
    expect(
      moved(stamps, () =>
        db.$client
          .prepare(
            "insert into assignment (group_id, article_id, post_before_see) values (?, ?, 1)",
          )
          .run(groupId, articleId),
      ),
    ).toEqual(["ada", "bob"]);
    expect(
      moved(stamps, () =>
        db.$client.prepare("update assignment set anonymous = 1 where group_id = ?").run(groupId),
      ),
    ).toEqual(["ada", "bob"]);
    expect(
      moved(stamps, () =>
        db.$client.prepare(`update "group" set name = 'Period 4' where id = ?`).run(groupId),
      ),
    ).toEqual(["ada", "bob"]);
    expect(
      moved(stamps, () =>
        db.$client
          .prepare("insert into group_member (group_id, user_id, role) values (?, ?, 'member')")
          .run(groupId, carol.id),
      ),
    ).toEqual(["ada", "bob", "carol"]);
    expect(
      moved(stamps, () => removeMember({ db, viewer: ADA, groupId, userId: carol.id })),
    ).toEqual(["ada", "bob", "carol"]);
  });

  it("moves for an article's linked author on the comments of a panel reviewing it", () => {
    const { db, articleId, carol, stamps, p1 } = setUp();
    const panel = createGroupWith(db, { owner: ADA, members: [BOB], name: "Panel" });
    db.$client.prepare(`update "group" set kind = 'panel' where id = ?`).run(panel);
    db.$client.prepare("update article set author_id = ? where id = ?").run(carol.id, articleId);
    db.$client
      .prepare("insert into assignment (group_id, article_id) values (?, ?)")
      .run(panel, articleId);
    expect(
      moved(stamps, () =>
        createAnnotation({
          db,
          author: BOB,
          articleId,
          blockId: p1.id,
          input: newInput({ visibility: "group", groupId: panel }),
        }),
      ),
    ).toEqual(["ada", "bob", "carol"]);
  });
});

describe("serving a signed-in reader", () => {
  function cache() {
    const world = setUp();
    const renders: string[] = [];
    const pageCache = new PageCache({
      lookup: (slug) => (slug === "seed" ? { articleId: world.articleId, version: 1 } : undefined),
      viewer: world.lookup,
      render: async (path, sessionCookie) => {
        renders.push(`${path} ${sessionCookie ?? "stranger"}`);
        return new Response(`<title>${path} for ${sessionCookie ?? "stranger"}</title>`, {
          headers: { "Content-Type": "text/html" },
        });
      },
      headers: () => ({}),
      isHttps: () => false,
    });
    const ask = (url: string, cookie?: string) => askFor(pageCache, url, cookie);
    return { ...world, renders, ask };
  }

  it("renders a reader's page with their session once, keeps it apart, and never lets it be kept", async () => {
    const { ask, renders } = cache();
    const first = await ask("/articles/seed", "auth_session=sbob");
    const again = await ask("/articles/seed", "auth_session=sbob");
    const ada = await ask("/articles/seed", "auth_session=sada");
    const stranger = await ask("/articles/seed");
    expect(renders).toEqual([
      "/articles/seed auth_session=sbob",
      "/articles/seed auth_session=sada",
      "/articles/seed stranger",
    ]);
    expect(again.body).toBe(first.body);
    expect(first.body).toContain("auth_session=sbob");
    expect(ada.body).toContain("auth_session=sada");
    expect(first.headers?.["Cache-Control"]).toBe(PERSONAL_CACHE_CONTROL);
    expect(stranger.headers?.["Cache-Control"]).toBe("no-cache");
  });

  it("renders again once something the reader sees moved their stamp", async () => {
    const { ask, renders, db, articleId, p1 } = cache();
    await ask("/articles/seed", "auth_session=sbob");
    createAnnotation({
      db,
      author: BOB,
      articleId,
      blockId: p1.id,
      input: newInput({ visibility: "private" }),
    });
    await ask("/articles/seed", "auth_session=sbob");
    await ask("/articles/seed?layer=me", "auth_session=sbob");
    expect(renders).toEqual([
      "/articles/seed auth_session=sbob",
      "/articles/seed auth_session=sbob",
      "/articles/seed?layer=me auth_session=sbob",
    ]);
  });

  it("keeps at most PAGES_PER_READER pages per reader, pushing out only that reader's own", async () => {
    const { ask, renders } = cache();
    await ask("/articles/seed", "auth_session=sada");
    for (let group = 1; group <= PAGES_PER_READER + 1; group++) {
      await ask(`/articles/seed?layer=group-${group}`, "auth_session=sbob");
    }
    // Bob's first page went to make room for his last; Ada's stays stored.
    const before = renders.length;
    await ask("/articles/seed", "auth_session=sada");
    await ask(`/articles/seed?layer=group-${PAGES_PER_READER + 1}`, "auth_session=sbob");
    expect(renders).toHaveLength(before);
    await ask("/articles/seed?layer=group-1", "auth_session=sbob");
    expect(renders).toHaveLength(before + 1);
  });

  it("leaves unknown sessions and other query strings to Express", async () => {
    const { ask, renders } = cache();
    expect((await ask("/articles/seed", "auth_session=nosuch")).passed).toBe(true);
    expect((await ask("/articles/seed?sort=new", "auth_session=sbob")).passed).toBe(true);
    expect(renders).toEqual([]);
  });
});

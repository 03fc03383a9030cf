/**
 * The page cache beyond the reading page (ADR 018): which requests for a paragraph's threads, the
 * discussion page, search and an assignment it may answer; the triggers of migration 0014 that move
 * `thread_version` (per article) on every write those pages show, whatever its visibility, and
 * `site_version` with any of them; and serving: strangers' pages kept apart, readers' pages keyed
 * by their stamp, `.data` responses stored as Remix sent them, and a page rendered again once its
 * counter moved.
 */
import { describe, expect, it } from "vitest";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  setThreadResolved,
  updateAnnotation,
} from "#app/models/annotation.server";
import { toggleEndorsement } from "#app/models/endorsement.server";
import { hideAnnotation } from "#app/models/moderation.server";
import { changeDisplayName } from "#app/models/user.server";
import {
  FAMILIES,
  familyOf,
  MAX_RENDERS,
  MAX_STORED_URL,
  PageCache,
  PERSONAL_CACHE_CONTROL,
  siteVersionLookup,
  threadVersionLookup,
} from "#app/utils/page-cache.server";
import { addUser } from "./group-factories";
import { askFor } from "./page-cache-exchange";
import { ADA, BOB, blockAt, createSeededDb, newInput } from "./test-db";

const get = (url: string, accept?: string) => ({
  method: "GET",
  url,
  headers: accept ? { accept } : {},
});

describe("which requests beyond the reading page the cache may answer", () => {
  it("takes threads, discussion, search and assignments, and their .data requests", () => {
    const taken = [
      ["/articles/seed/p/p-3", "paragraph", "seed"],
      [
        "/articles/seed/p/p-3.data?_routes=routes%2Farticles.%24slug.p.%24anchor",
        "paragraph",
        "seed",
      ],
      ["/articles/seed/p/p-3?layer=group-2&status=open&more=2", "paragraph", "seed"],
      ["/articles/caf%C3%A9/discussion?sort=replied&page=2", "discussion", "café"],
      ["/articles/seed/discussion.data", "discussion", "seed"],
      ["/search?q=Taliban%20government&page=3", "search", null],
      ["/groups/1/assignments/7", "assignment", null],
    ] as const;
    for (const [url, name, slug] of taken) {
      const found = familyOf(get(url));
      expect(found?.family.name, url).toBe(name);
      expect(found?.slug, url).toBe(slug);
      expect(found?.path, url).toBe(url);
    }
    expect(FAMILIES.find((f) => f.name === "assignment")?.strangers).toBe(false);
  });

  it("leaves to Express what its loaders could read differently, or what it must not store", () => {
    const refused = [
      // A key no loader of the page reads, a key given twice, a form's confirmation.
      "/articles/seed/discussion?sort=newest&utm=1",
      "/articles/seed/discussion?sort=newest&sort=replied",
      "/groups/1/assignments/7?saved=weights",
      "/groups/1/assignments/7.csv",
      "/articles/seed/p/p-3/extra",
      "/articles/seed/discussion#top",
      `/search?q=${"a".repeat(MAX_STORED_URL)}`,
      "/articles/seed",
      "/u/ada",
    ];
    for (const url of refused) expect(familyOf(get(url)), url).toBeNull();
    expect(familyOf({ ...get("/search?q=x"), method: "POST" })).toBeNull();
    expect(familyOf(get("/articles/seed/p/p-3", "application/ld+json"))).toBeNull();
    expect(familyOf(get("/articles/%E0%A4%A/discussion"))).toBeNull();
  });
});

describe("thread_version and site_version triggers", () => {
  function setUp() {
    const { db, articleId } = createSeededDb();
    db.$client
      .prepare("insert into article (slug, title, source_hash) values ('other', 'Other', 'h')")
      .run();
    const thread = threadVersionLookup(db);
    const site = siteVersionLookup(db);
    const versions = () => ({
      seed: thread("seed")?.version ?? -1,
      other: thread("other")?.version ?? -1,
      site: site(),
    });
    let last = versions();
    /** Which counters `write` moved. */
    const moved = (write: () => unknown) => {
      write();
      const now = versions();
      const which = (Object.keys(now) as (keyof typeof now)[]).filter((k) => now[k] > last[k]);
      last = now;
      return which;
    };
    const p1 = blockAt(db, articleId, "p-1");
    const post = (overrides: Parameters<typeof newInput>[0] = {}, author = ADA) =>
      createAnnotation({ db, author, articleId, blockId: p1.id, input: newInput(overrides) });
    return { db, articleId, p1, moved, post };
  }

  it("moves the article's threads and the site on every write its threads show, any visibility", () => {
    const { db, moved, post } = setUp();
    let root = 0;
    const all = ["seed", "site"];
    expect(moved(() => (root = post()))).toEqual(all);
    expect(moved(() => post({ visibility: "private" }))).toEqual(all);
    expect(
      moved(() => createReply({ db, author: BOB, parentId: root, input: newInput() })),
    ).toEqual(all);
    // What the reading page does not show, but threads do: bodies, endorsements, resolution.
    expect(
      moved(() =>
        updateAnnotation({ db, viewer: ADA, id: root, input: { body: "Edited", source: null } }),
      ),
    ).toEqual(all);
    expect(moved(() => toggleEndorsement({ db, viewer: BOB, annotationId: root }))).toEqual(all);
    expect(moved(() => toggleEndorsement({ db, viewer: BOB, annotationId: root }))).toEqual(all);
    expect(moved(() => setThreadResolved({ db, viewer: ADA, id: root, resolved: true }))).toEqual(
      all,
    );
    const admin = addUser(db, "u-admin", "admin");
    expect(
      moved(() => hideAnnotation({ db, viewer: admin, id: root, reason: "Off topic here." })),
    ).toEqual(all);
    expect(moved(() => deleteAnnotation({ db, viewer: ADA, id: root }))).toEqual(all);
  });

  it("moves with a source link's change, the article's text, and a writer's new name", () => {
    const { db, articleId, moved, post } = setUp();
    const source = post({
      kind: "source",
      source: { url: "https://example.org/a", title: "A report", stance: "supports" },
    });
    expect(
      moved(() =>
        db.$client
          .prepare("update source_link set title = 'Another title' where annotation_id = ?")
          .run(source),
      ),
    ).toEqual(["seed", "site"]);
    expect(
      moved(() =>
        db.$client
          .prepare(
            "update block set text = text || ' More.' where id = (select min(id) from block where article_id = ?)",
          )
          .run(articleId),
      ),
    ).toEqual(["seed", "site"]);
    expect(moved(() => changeDisplayName({ db, userId: ADA.id, displayName: "Ada L." }))).toEqual([
      "seed",
      "site",
    ]);
    // Carol wrote nothing: her name is on no thread, but an assignment's roster may show it.
    const carol = addUser(db, "u-carol");
    expect(moved(() => changeDisplayName({ db, userId: carol.id, displayName: "Carol" }))).toEqual([
      "site",
    ]);
  });

  it("moves only the article written on, and nothing for a write no thread shows", () => {
    const { db, moved } = setUp();
    expect(
      moved(() =>
        db.$client.prepare("update user set password_hash = 'x' where id = ?").run(ADA.id),
      ),
    ).toEqual([]);
    expect(
      moved(() =>
        db.$client
          .prepare("update article set title = 'Other, retitled' where slug = 'other'")
          .run(),
      ),
    ).toEqual(["other", "site"]);
  });
});

describe("serving threads, discussion, search and assignments", () => {
  function cache() {
    const versions = { thread: 1, site: 1 };
    const renders: string[] = [];
    const pageCache = new PageCache({
      lookup: () => ({ articleId: 1, version: 1 }),
      threadLookup: (slug) =>
        slug === "seed" ? { articleId: 1, version: versions.thread } : undefined,
      siteLookup: () => versions.site,
      viewer: (sessionId) =>
        sessionId === "sbob" ? { userId: "u-bob", stamp: "bob-stamp" } : undefined,
      render: async (path, sessionCookie) => {
        renders.push(`${path} ${sessionCookie ?? "stranger"}`);
        if (path.includes(".data")) {
          return new Response(`[{"path":"${path}"}]`, {
            headers: { "Content-Type": "text/x-script", "X-Remix-Response": "yes" },
          });
        }
        if (path.startsWith("/groups/") && !sessionCookie) {
          return new Response(null, { status: 302, headers: { Location: "/login" } });
        }
        return new Response(`<title>${path} for ${sessionCookie ?? "stranger"}</title>`, {
          headers: { "Content-Type": "text/html" },
        });
      },
      headers: () => ({}),
      isHttps: () => false,
    });
    const ask = (url: string, cookie?: string) => askFor(pageCache, url, cookie);
    return { ask, renders, versions };
  }

  it("renders a stranger's and a reader's discussion page once each, and keeps them apart", async () => {
    const { ask, renders } = cache();
    const url = "/articles/seed/discussion?sort=replied";
    const stranger = await ask(url);
    await ask(url);
    const bob = await ask(url, "auth_session=sbob");
    await ask(url, "auth_session=sbob");
    expect(renders).toEqual([`${url} stranger`, `${url} auth_session=sbob`]);
    expect(stranger.body).toContain("for stranger");
    expect(stranger.headers?.["Cache-Control"]).toBe("no-cache");
    expect(bob.body).toContain("for auth_session=sbob");
    expect(bob.headers?.["Cache-Control"]).toBe(PERSONAL_CACHE_CONTROL);
  });

  it("stores a .data response as Remix sent it", async () => {
    const { ask, renders } = cache();
    const url = "/articles/seed/p/p-3.data?_routes=routes%2Farticles.%24slug.p.%24anchor";
    await ask(url, "auth_session=sbob");
    const hit = await ask(url, "auth_session=sbob");
    expect(renders).toHaveLength(1);
    expect(hit.headers?.["Content-Type"]).toBe("text/x-script");
    expect(hit.headers?.["X-Remix-Response"]).toBe("yes");
    expect(hit.body).toBe(`[{"path":"${url}"}]`);
  });

  it("renders again once the article's threads, or anything on the site, moved", async () => {
    const { ask, renders, versions } = cache();
    await ask("/articles/seed/discussion", "auth_session=sbob");
    await ask("/search?q=taliban", "auth_session=sbob");
    versions.thread += 1;
    await ask("/articles/seed/discussion", "auth_session=sbob");
    await ask("/search?q=taliban", "auth_session=sbob");
    versions.site += 1;
    await ask("/search?q=taliban", "auth_session=sbob");
    expect(renders).toEqual([
      "/articles/seed/discussion auth_session=sbob",
      "/search?q=taliban auth_session=sbob",
      "/articles/seed/discussion auth_session=sbob",
      "/search?q=taliban auth_session=sbob",
    ]);
  });

  it("leaves strangers' assignments, unknown articles and unknown sessions to Express", async () => {
    const { ask, renders } = cache();
    expect((await ask("/groups/1/assignments/2")).passed).toBe(true);
    expect((await ask("/articles/nosuch/discussion")).passed).toBe(true);
    expect((await ask("/articles/seed/discussion", "auth_session=nosuch")).passed).toBe(true);
    expect(renders).toEqual([]);
    // A reader's assignment is rendered and stored; a redirect never is.
    await ask("/groups/1/assignments/2", "auth_session=sbob");
    await ask("/groups/1/assignments/2", "auth_session=sbob");
    expect(renders).toEqual(["/groups/1/assignments/2 auth_session=sbob"]);
  });
});

describe("renders at once", () => {
  it("runs at most MAX_RENDERS, the rest in turn, and every request is answered", async () => {
    let running = 0;
    let most = 0;
    const pageCache = new PageCache({
      lookup: () => ({ articleId: 1, version: 1 }),
      threadLookup: () => ({ articleId: 1, version: 1 }),
      render: async (path) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return new Response(`<p>${path}</p>`, { headers: { "Content-Type": "text/html" } });
      },
      headers: () => ({}),
      isHttps: () => false,
    });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        askFor(pageCache, `/articles/seed/discussion?page=${i + 1}`),
      ),
    );
    expect(most).toBe(MAX_RENDERS);
    expect(answers.map((a) => a.body)).toEqual(
      Array.from({ length: 12 }, (_, i) => `<p>/articles/seed/discussion?page=${i + 1}</p>`),
    );
  });
});

/**
 * The one visibility rule (app/models/visibility.server.ts) as tables: viewer × visibility ×
 * membership × role × assignment options, post-before-you-see, peer aliases, layers; and then every
 * page that shows annotations, asked by an outsider, a classmate and the owner, through its loader
 * (which is also what its `.data` request returns).
 */
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { deleteAnnotation, updateAnnotation } from "#app/models/annotation.server";
import { createAssignment, updateAssignment } from "#app/models/assignment.server";
import { removeMember } from "#app/models/group.server";
import { loadThreads } from "#app/models/thread.server";
import {
  inLayer,
  type Layer,
  parseLayer,
  peerAlias,
  type Viewer,
  visibleTo,
} from "#app/models/visibility.server";
import { ForbiddenError } from "#app/utils/errors";
import { annotation } from "#db/schema";
import {
  call,
  createThread,
  createThreadReply,
  createUser,
  db,
  getRequest,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  seededArticle,
  signIn,
} from "./factories";
import { createGroupWith } from "./group-factories";

function sees(viewer: Viewer, id: number, layer: Layer = { kind: "all" }): boolean {
  return (
    db
      .select({ id: annotation.id })
      .from(annotation)
      .where(and(eq(annotation.id, id), visibleTo(viewer), inLayer(layer)))
      .get() !== undefined
  );
}

function aliasOf(viewer: Viewer, id: number): number | null {
  return (
    db
      .select({ alias: peerAlias(viewer) })
      .from(annotation)
      .where(eq(annotation.id, id))
      .get()?.alias ?? null
  );
}

type People = Record<"owner" | "moderator" | "ada" | "bo" | "outsider" | "admin", SignedIn>;

async function people(): Promise<People> {
  const make = async (name: string, role: "user" | "admin" = "user") =>
    signIn(await createUser({ displayName: name, role }));
  return {
    owner: await make("Owner"),
    moderator: await make("Moderator"),
    ada: await make("Ada"),
    bo: await make("Bo"),
    outsider: await make("Outsider"),
    admin: await make("Admin", "admin"),
  };
}

describe("visibleTo, without assignments", () => {
  let p: People;
  let ids: Record<"public" | "private" | "group" | "groupReply", number>;
  beforeAll(async () => {
    p = await people();
    const groupId = createGroupWith(db, {
      owner: p.owner,
      moderators: [p.moderator],
      members: [p.ada, p.bo],
    });
    const group = createThread(p.ada, { visibility: "group", groupId, body: "Class words." });
    ids = {
      public: createThread(p.ada, { body: "Public words." }),
      private: createThread(p.ada, { visibility: "private", body: "Private words." }),
      group,
      groupReply: createThreadReply(p.bo, group, { body: "Class reply." }),
    };
  });

  const TABLE: [string, keyof People | null, Record<string, boolean>][] = [
    ["anonymous", null, { public: true, private: false, group: false, groupReply: false }],
    ["outsider", "outsider", { public: true, private: false, group: false, groupReply: false }],
    [
      "site admin outside",
      "admin",
      { public: true, private: false, group: false, groupReply: false },
    ],
    ["author (member)", "ada", { public: true, private: true, group: true, groupReply: true }],
    ["classmate", "bo", { public: true, private: false, group: true, groupReply: true }],
    ["moderator", "moderator", { public: true, private: false, group: true, groupReply: true }],
    ["owner", "owner", { public: true, private: false, group: true, groupReply: true }],
  ];

  it.each(TABLE)("%s sees exactly what the table says", (_, who, expected) => {
    const viewer = who ? p[who] : null;
    for (const [name, visible] of Object.entries(expected)) {
      expect(sees(viewer, ids[name as keyof typeof ids]), name).toBe(visible);
    }
  });

  it("replies take their thread's group", () => {
    const reply = db.select().from(annotation).where(eq(annotation.id, ids.groupReply)).get();
    const root = db.select().from(annotation).where(eq(annotation.id, ids.group)).get();
    expect(reply?.visibility).toBe("group");
    expect(reply?.groupId).toBe(root?.groupId);
  });
});

describe("post before you see, anonymous to peers, leaving", () => {
  let p: People;
  let groupId: number;
  let adaNote: number;
  let ownerNote: number;
  let assignmentId: number;
  beforeAll(async () => {
    p = await people();
    groupId = createGroupWith(db, {
      owner: p.owner,
      moderators: [p.moderator],
      members: [p.ada, p.bo],
    });
    assignmentId = createAssignment({
      db,
      viewer: p.owner,
      groupId,
      input: {
        articleId: seededArticle().id,
        instructions: "",
        dueAt: null,
        timeZone: "UTC",
        postBeforeSee: true,
        anonymous: true,
      },
    });
    adaNote = createThread(p.ada, { visibility: "group", groupId, body: "Ada's first." });
    ownerNote = createThread(p.owner, { visibility: "group", groupId, body: "Instructor's." });
  });

  it("hides classmates' annotations from a member until they post their own", () => {
    expect(sees(p.bo, adaNote)).toBe(false);
    expect(sees(p.bo, ownerNote)).toBe(false);
    // Owners and moderators always see everything; the author sees their own.
    expect(sees(p.owner, adaNote)).toBe(true);
    expect(sees(p.moderator, adaNote)).toBe(true);
    expect(sees(p.ada, adaNote)).toBe(true);
    // Ada posted, so she sees the instructor's.
    expect(sees(p.ada, ownerNote)).toBe(true);
    createThread(p.bo, { visibility: "group", groupId, anchor: "p-2", body: "Bo's own." });
    expect(sees(p.bo, adaNote)).toBe(true);
    expect(sees(p.bo, ownerNote)).toBe(true);
  });

  it("shows classmates as Student n, stable, and names to owners and moderators", () => {
    expect(aliasOf(p.bo, adaNote)).toBe(1);
    expect(aliasOf(p.ada, adaNote)).toBeNull(); // her own
    expect(aliasOf(p.owner, adaNote)).toBeNull();
    expect(aliasOf(p.moderator, adaNote)).toBeNull();
    expect(aliasOf(p.ada, ownerNote)).toBeNull(); // the instructor is named
    const bosNote = createThread(p.bo, { visibility: "group", groupId, body: "Bo again." });
    expect(aliasOf(p.ada, bosNote)).toBe(2);
    // Numbers are kept: turning anonymity off and on again changes nothing.
    const options = { instructions: "", dueAt: null, timeZone: "UTC", postBeforeSee: true };
    updateAssignment({
      db,
      viewer: p.owner,
      assignmentId,
      input: { ...options, anonymous: false },
    });
    expect(aliasOf(p.ada, bosNote)).toBeNull();
    updateAssignment({ db, viewer: p.owner, assignmentId, input: { ...options, anonymous: true } });
    expect(aliasOf(p.ada, bosNote)).toBe(2);
    expect(aliasOf(p.bo, adaNote)).toBe(1);
  });

  it("keeps a member's own annotations visible to them after they leave, and nothing else", () => {
    removeMember({ db, viewer: p.ada, groupId, userId: p.ada.id, leaving: true });
    expect(sees(p.ada, adaNote)).toBe(true);
    expect(sees(p.ada, ownerNote)).toBe(false);
  });
});

describe("after someone leaves a class or is removed from it", () => {
  it("they see and may delete their own annotations there, and write nothing more in it", async () => {
    const p = await people();
    const groupId = createGroupWith(db, { owner: p.owner, members: [p.ada, p.bo] });
    const adaNote = createThread(p.ada, { visibility: "group", groupId, body: "Ada's." });
    const boNote = createThread(p.bo, { visibility: "group", groupId, body: "Bo's." });
    createThreadReply(p.bo, adaNote, { body: "Bo answers Ada." });
    removeMember({ db, viewer: p.owner, groupId, userId: p.ada.id, reason: "Wrong class." });

    expect(sees(p.ada, adaNote)).toBe(true);
    expect(sees(p.ada, boNote)).toBe(false);
    expect(() => createThreadReply(p.ada, adaNote, { body: "Still here." })).toThrow(
      ForbiddenError,
    );
    expect(() =>
      updateAnnotation({
        db,
        viewer: p.ada,
        id: adaNote,
        input: { body: "Changed after leaving.", source: null },
      }),
    ).toThrow(ForbiddenError);
    // The thread as she sees it offers what the guards allow: taking her words back.
    const [root] = loadThreads(db, p.ada, eq(annotation.id, adaNote));
    expect(root?.can).toMatchObject({ reply: false, edit: false, resolve: false, delete: true });
    // The class goes on answering her; she may still take her annotation back.
    expect(createThreadReply(p.bo, adaNote, { body: "Bo again." })).toBeGreaterThan(0);
    deleteAnnotation({ db, viewer: p.ada, id: adaNote });
    expect(
      db.select().from(annotation).where(eq(annotation.id, adaNote)).get()?.deletedAt,
    ).not.toBeNull();
    expect(
      db
        .select({ body: annotation.body })
        .from(annotation)
        .where(and(eq(annotation.rootId, adaNote), eq(annotation.authorId, p.ada.id)))
        .all(),
    ).toHaveLength(1);
  });
});

describe("layers", () => {
  it.each([
    ["public", { kind: "public" }],
    ["me", { kind: "private" }],
    ["group-12", { kind: "group", groupId: 12 }],
    [null, { kind: "all" }],
    ["group-0", { kind: "all" }],
    ["group-x", { kind: "all" }],
    ["everything", { kind: "all" }],
  ])("reads ?layer=%s", (value, expected) => {
    expect(parseLayer(value)).toEqual(expected);
  });

  it("narrows what the viewer sees and never widens it", async () => {
    const p = await people();
    const groupId = createGroupWith(db, { owner: p.owner, members: [p.ada] });
    const pub = createThread(p.ada, { body: "Layer public." });
    const mine = createThread(p.ada, { visibility: "private", body: "Layer mine." });
    const cls = createThread(p.ada, { visibility: "group", groupId, body: "Layer class." });
    const g: Layer = { kind: "group", groupId };
    expect([pub, mine, cls].map((id) => sees(p.ada, id, g))).toEqual([false, false, true]);
    expect([pub, mine, cls].map((id) => sees(p.ada, id, { kind: "public" }))).toEqual([
      true,
      false,
      false,
    ]);
    expect([pub, mine, cls].map((id) => sees(p.ada, id, { kind: "private" }))).toEqual([
      false,
      true,
      false,
    ]);
    // An outsider asking for the class's layer sees nothing of it.
    expect(sees(p.outsider, cls, g)).toBe(false);
  });
});

/**
 * Every page that shows annotations, through its loader: an outsider (and an anonymous reader)
 * never meets a class's words anywhere; a classmate and the owner do.
 */
describe("a class's annotations on every page", () => {
  // Searched for; WORDS is what must never come back (a search page repeats its query).
  const SECRET = "zanzibarquokka";
  const WORDS = "wombatlantern";
  let p: People;
  let groupId: number;
  let threadId: number;
  let replyId: number;

  beforeAll(async () => {
    p = await people();
    groupId = createGroupWith(db, { owner: p.owner, members: [p.ada, p.bo] });
    threadId = createThread(p.ada, {
      visibility: "group",
      groupId,
      anchor: "p-4",
      quote: "safe haven",
      body: `Class-only ${SECRET} note ${WORDS}.`,
    });
    replyId = createThreadReply(p.bo, threadId, { body: `Reply ${SECRET} too ${WORDS}.` });
  });

  const slug = SEED_ARTICLE_SLUG;
  const pages = (): [string, () => Promise<unknown>, string][] => [
    ["reading page", () => import("#app/routes/articles.$slug"), `/articles/${slug}`],
    [
      "class layer",
      () => import("#app/routes/articles.$slug"),
      `/articles/${slug}?layer=group-${groupId}`,
    ],
    [
      "paragraph threads",
      () => import("#app/routes/articles.$slug.p.$anchor"),
      `/articles/${slug}/p/p-4`,
    ],
    [
      "discussion",
      () => import("#app/routes/articles.$slug_.discussion"),
      `/articles/${slug}/discussion`,
    ],
    [
      "permalink",
      () => import("#app/routes/articles.$slug_.annotations.$id"),
      `/articles/${slug}/annotations/${threadId}`,
    ],
    [
      "reply permalink",
      () => import("#app/routes/articles.$slug_.annotations.$id"),
      `/articles/${slug}/annotations/${replyId}`,
    ],
    ["search", () => import("#app/routes/search"), `/search?q=${SECRET}`],
    ["article search", () => import("#app/routes/search"), `/search?q=${SECRET}&article=${slug}`],
    ["profile", () => import("#app/routes/u.$username"), "/u/{ada}"],
    ["library", () => import("#app/routes/_index"), "/"],
    ["feed", () => import("#app/routes/articles.$slug.feed[.xml]"), `/articles/${slug}/feed.xml`],
  ];

  function paramsFor(path: string): Record<string, string> {
    const url = new URL(path, "http://x");
    const parts = url.pathname.split("/").filter(Boolean);
    if (parts[0] === "u") return { username: p.ada.username };
    const out: Record<string, string> = {};
    if (parts[0] === "articles") out.slug = parts[1] as string;
    if (parts[2] === "p") out.anchor = parts[3] as string;
    if (parts[2] === "annotations") out.id = parts[3] as string;
    return out;
  }

  async function bodyOf(
    load: () => Promise<unknown>,
    path: string,
    who: SignedIn | null,
  ): Promise<{ status: number; text: string }> {
    const mod = (await load()) as { loader: Parameters<typeof call>[0] };
    const resolved = path.replace("{ada}", p.ada.username);
    const answer = await call(mod.loader, getRequest(resolved, { as: who }), paramsFor(resolved));
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? "");
    return { status: answer.status, text };
  }

  it.each([
    ["anonymous", null],
    ["outsider", "outsider"],
    ["site admin", "admin"],
  ] as const)("%s meets none of them anywhere", async (_, who) => {
    for (const [name, load, path] of pages()) {
      const { text } = await bodyOf(load, path, who ? p[who] : null);
      expect(text, name).not.toContain(WORDS);
    }
  });

  it("a classmate and the owner find them where they are", async () => {
    for (const who of [p.bo, p.owner]) {
      const threads = await bodyOf(
        pages()[2]?.[1] as () => Promise<unknown>,
        `/articles/${slug}/p/p-4`,
        who,
      );
      expect(threads.text).toContain(WORDS);
      const search = await bodyOf(() => import("#app/routes/search"), `/search?q=${SECRET}`, who);
      expect(search.text).toContain(WORDS);
      const permalink = await bodyOf(
        () => import("#app/routes/articles.$slug_.annotations.$id"),
        `/articles/${slug}/annotations/${threadId}`,
        who,
      );
      expect(permalink.text).toContain(WORDS);
    }
  });

  it("counts and highlights them for members only", async () => {
    const load = () => import("#app/routes/articles.$slug");
    const countOf = async (who: SignedIn | null, layer = "") => {
      const { text } = await bodyOf(load, `/articles/${slug}${layer}`, who);
      const data = JSON.parse(text) as {
        article: { blocks: { anchor: string; summary: { total: number; ranges: unknown[] } }[] };
      };
      return data.article.blocks.find((b) => b.anchor === "p-4")?.summary;
    };
    const outsider = await countOf(p.outsider, `?layer=group-${groupId}`);
    expect(outsider?.total ?? 0).toBe(0);
    const member = await countOf(p.bo, `?layer=group-${groupId}`);
    expect(member?.total).toBe(2);
    expect(member?.ranges.length).toBe(1);
    const publicLayer = await countOf(p.bo, "?layer=public");
    const anonymous = await countOf(null);
    expect(publicLayer?.total ?? 0).toBe(anonymous?.total ?? 0);
  });
});

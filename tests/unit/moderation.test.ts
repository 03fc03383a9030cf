/**
 * Moderation (models/moderation.server.ts): who may flag, hide and restore, as a table; what hiding
 * does to what others see (threads, search, profiles); the queues and the log; and the forms
 * (thread-actions.server.ts) end to end through the permalink's action.
 */
import { and, eq, isNull } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { listAnnotationsByAuthor } from "#app/models/activity.server";
import { createAnnotation, createReply } from "#app/models/annotation.server";
import { removeMember } from "#app/models/group.server";
import {
  dismissFlags,
  flagAnnotation,
  hideAnnotation,
  listModerationLog,
  listModerationQueue,
  listSiteModerationLog,
  listSiteModerationQueue,
  restoreAnnotation,
} from "#app/models/moderation.server";
import { searchAnnotations } from "#app/models/search.server";
import { getParagraphThreads } from "#app/models/thread.server";
import { can } from "#app/permissions";
import { action as permalinkAction } from "#app/routes/articles.$slug_.annotations.$id";
import { FieldValidationError, statusOf } from "#app/utils/errors";
import { INTENTS, MAX_REASON_LENGTH } from "#app/utils/intents";
import { annotation, assignment, flag, moderationLog } from "#db/schema";
import * as app from "./factories";
import { addUser, createGroupWith } from "./group-factories";
import { blockAt, createSeededDb, newInput } from "./test-db";

type TestDb = ReturnType<typeof createSeededDb>["db"];
type Person = { id: string; role: "user" | "admin" };

/**
 * A class: owner, moderator, the author and a classmate (members); an outsider; a site admin in
 * no group. Annotations are written on paragraph 3 of the seed article.
 */
function setUp() {
  const { db, articleId } = createSeededDb();
  const people = {
    owner: addUser(db, "owner"),
    moderator: addUser(db, "moderator"),
    author: addUser(db, "author"),
    member: addUser(db, "classmate"),
    outsider: addUser(db, "outsider"),
    admin: addUser(db, "admin", "admin"),
  };
  const groupId = createGroupWith(db, {
    owner: people.owner,
    moderators: [people.moderator],
    members: [people.author, people.member],
  });
  const paragraph = blockAt(db, articleId, "p-3");
  const write = (
    by: { id: string },
    visibility: "public" | "group" | "private",
    body = "Something to read.",
  ) =>
    createAnnotation({
      db,
      author: by,
      articleId,
      blockId: paragraph.id,
      input: newInput({ body, visibility, groupId: visibility === "group" ? groupId : null }),
    });
  return { db, articleId, groupId, paragraph, people, write };
}

/** "ok", or the status the one mapping gives the error the call threw. */
function outcome(fn: () => void): string {
  try {
    fn();
    return "ok";
  } catch (error) {
    const status = statusOf(error);
    if (status === null) throw error;
    return String(status);
  }
}

function openFlags(db: TestDb, id: number) {
  return db
    .select()
    .from(flag)
    .where(and(eq(flag.annotationId, id), isNull(flag.resolvedAt)))
    .all();
}

function logOf(db: TestDb, id: number) {
  return db
    .select()
    .from(moderationLog)
    .where(eq(moderationLog.annotationId, id))
    .orderBy(moderationLog.id)
    .all();
}

function hiddenAt(db: TestDb, id: number) {
  return db.select({ at: annotation.hiddenAt }).from(annotation).where(eq(annotation.id, id)).get()
    ?.at;
}

// --- Who may do what ---------------------------------------------------------------------------

type Who = "member" | "moderator" | "owner" | "outsider" | "author" | "admin";
type Expect = { flag: string; hide: string; restore: string };

/** On a group annotation written by `author`; on a public one by the same author. */
const TABLE: { who: Who; group: Expect; public: Expect }[] = [
  {
    who: "member",
    group: { flag: "ok", hide: "403", restore: "403" },
    public: { flag: "ok", hide: "403", restore: "403" },
  },
  {
    who: "moderator",
    group: { flag: "ok", hide: "ok", restore: "ok" },
    public: { flag: "ok", hide: "403", restore: "403" },
  },
  {
    who: "owner",
    group: { flag: "ok", hide: "ok", restore: "ok" },
    public: { flag: "ok", hide: "403", restore: "403" },
  },
  {
    // A group's annotations do not exist for outsiders: NotFound, never Forbidden.
    who: "outsider",
    group: { flag: "404", hide: "404", restore: "404" },
    public: { flag: "ok", hide: "403", restore: "403" },
  },
  {
    // Nobody reports their own words, or judges them.
    who: "author",
    group: { flag: "403", hide: "403", restore: "403" },
    public: { flag: "403", hide: "403", restore: "403" },
  },
  {
    // Site admins moderate public annotations, not the groups they are not in.
    who: "admin",
    group: { flag: "404", hide: "404", restore: "404" },
    public: { flag: "ok", hide: "ok", restore: "ok" },
  },
];

describe("who may flag, hide and restore", () => {
  const world = setUp();
  const { db, people, write } = world;
  /** Who hides an annotation so that `restore` has something to restore. */
  const hider = { group: people.owner, public: people.admin } as const;

  for (const row of TABLE) {
    for (const where of ["group", "public"] as const) {
      const viewer: Person = people[row.who];
      it(`${row.who} on a ${where} annotation: flag ${row[where].flag}, hide ${row[where].hide}, restore ${row[where].restore}`, () => {
        const flagged = write(people.author, where);
        expect(outcome(() => flagAnnotation({ db, viewer, id: flagged, reason: "Rude." }))).toBe(
          row[where].flag,
        );
        const hidden = write(people.author, where);
        expect(outcome(() => hideAnnotation({ db, viewer, id: hidden, reason: "Rude." }))).toBe(
          row[where].hide,
        );
        const restored = write(people.author, where);
        hideAnnotation({ db, viewer: hider[where], id: restored, reason: "Rude." });
        expect(outcome(() => restoreAnnotation({ db, viewer, id: restored }))).toBe(
          row[where].restore,
        );
        // A refusal writes nothing: no flag, no change, no log row.
        if (row[where].flag !== "ok") expect(logOf(db, flagged)).toEqual([]);
        if (row[where].hide !== "ok") {
          expect(hiddenAt(db, hidden)).toBeNull();
          expect(logOf(db, hidden)).toEqual([]);
        }
        if (row[where].restore !== "ok") expect(hiddenAt(db, restored)).not.toBeNull();
      });
    }
  }

  it("anonymous readers may do none of it (the forms send them to sign in)", () => {
    for (const visibility of ["public", "group"] as const) {
      const subject = { authorId: people.author.id, deleted: false, visibility };
      expect(can(null, "flag", subject)).toBe(false);
      expect(can(null, "moderate", subject)).toBe(false);
    }
  });

  it("nobody flags another's private note: it is NotFound to them", () => {
    const id = write(people.author, "private");
    for (const viewer of [people.member, people.owner, people.admin]) {
      expect(outcome(() => flagAnnotation({ db, viewer, id, reason: "?" }))).toBe("404");
    }
    expect(outcome(() => flagAnnotation({ db, viewer: people.author, id, reason: "?" }))).toBe(
      "403",
    );
  });

  it("a member who may not see yet (post before you see) cannot flag: NotFound", () => {
    const other = setUp();
    other.db
      .insert(assignment)
      .values({ groupId: other.groupId, articleId: other.articleId, postBeforeSee: true })
      .run();
    const id = other.write(other.people.author, "group");
    const viewer = other.people.member;
    expect(outcome(() => flagAnnotation({ db: other.db, viewer, id, reason: "?" }))).toBe("404");
    other.write(viewer, "group", "My own take first.");
    expect(outcome(() => flagAnnotation({ db: other.db, viewer, id, reason: "?" }))).toBe("ok");
  });

  it("a hidden annotation cannot be flagged, and a deleted one cannot be moderated", () => {
    const id = write(people.author, "group");
    hideAnnotation({ db, viewer: people.moderator, id, reason: "Off topic." });
    expect(outcome(() => flagAnnotation({ db, viewer: people.member, id, reason: "?" }))).toBe(
      "403",
    );
    const gone = write(people.author, "group");
    createReply({
      db,
      author: people.member,
      parentId: gone,
      input: { kind: "annotation", body: "Keeps it.", source: null },
    });
    db.update(annotation).set({ deletedAt: new Date() }).where(eq(annotation.id, gone)).run();
    expect(outcome(() => hideAnnotation({ db, viewer: people.owner, id: gone, reason: "x" }))).toBe(
      "404",
    );
  });
});

// --- Reasons -----------------------------------------------------------------------------------

describe("reasons", () => {
  const { db, people, write } = setUp();

  function fieldError(fn: () => void): string | undefined {
    try {
      fn();
    } catch (error) {
      if (error instanceof FieldValidationError) return error.errors.reason ?? error.errors.form;
      throw error;
    }
    return undefined;
  }

  it("a flag and a hiding need one, 1 to 500 characters once trimmed", () => {
    const id = write(people.author, "group");
    for (const reason of ["", "   \n\t ", "\u0000\u0007"]) {
      expect(fieldError(() => flagAnnotation({ db, viewer: people.member, id, reason }))).toMatch(
        /Say what is wrong/,
      );
      expect(fieldError(() => hideAnnotation({ db, viewer: people.owner, id, reason }))).toMatch(
        /Say why/,
      );
    }
    const tooLong = "x".repeat(MAX_REASON_LENGTH + 1);
    expect(
      fieldError(() => flagAnnotation({ db, viewer: people.member, id, reason: tooLong })),
    ).toMatch(/under 500/);
    expect(openFlags(db, id)).toEqual([]);
    expect(logOf(db, id)).toEqual([]);

    const longest = `  ${"y".repeat(MAX_REASON_LENGTH)}  `;
    flagAnnotation({ db, viewer: people.member, id, reason: longest });
    expect(openFlags(db, id).map((f) => f.reason)).toEqual(["y".repeat(MAX_REASON_LENGTH)]);
  });

  it("restoring and dismissing may give one, or not", () => {
    const id = write(people.author, "group");
    flagAnnotation({ db, viewer: people.member, id, reason: "Spam." });
    dismissFlags({ db, viewer: people.moderator, id });
    hideAnnotation({ db, viewer: people.moderator, id, reason: "Spam after all." });
    restoreAnnotation({ db, viewer: people.owner, id, reason: "  It was a joke.  " });
    expect(logOf(db, id).map((row) => [row.action, row.reason])).toEqual([
      ["flag", "Spam."],
      ["dismiss", ""],
      ["hide", "Spam after all."],
      ["restore", "It was a joke."],
    ]);
  });
});

// --- Flags and the queue -----------------------------------------------------------------------

describe("flags and the queues", () => {
  it("one open flag per person: a second flag replaces the reason", () => {
    const { db, people, write, groupId } = setUp();
    const id = write(people.author, "group");
    flagAnnotation({ db, viewer: people.member, id, reason: "First thought." });
    flagAnnotation({ db, viewer: people.member, id, reason: "Second thought." });
    flagAnnotation({ db, viewer: people.owner, id, reason: "Agreed." });
    expect(openFlags(db, id).map((f) => f.reason)).toEqual(["Second thought.", "Agreed."]);
    const queue = listModerationQueue({ db, viewer: people.moderator, groupId });
    expect(queue.flagged).toHaveLength(1);
    expect(queue.flagged[0]).toMatchObject({
      id,
      body: "Something to read.",
      author: { username: "author" },
      paragraph: { anchor: "p-3", number: 3 },
      hidden: null,
    });
    expect(queue.flagged[0]?.reasons.map((r) => r.reason)).toEqual(["Second thought.", "Agreed."]);
    expect(queue.hidden).toEqual([]);
  });

  it("hiding resolves the open flags and moves it to the hidden list; restoring empties it", () => {
    const { db, people, write, groupId } = setUp();
    const id = write(people.author, "group");
    flagAnnotation({ db, viewer: people.member, id, reason: "Rude." });
    hideAnnotation({ db, viewer: people.moderator, id, reason: "Rude indeed." });
    expect(openFlags(db, id)).toEqual([]);
    let queue = listModerationQueue({ db, viewer: people.owner, groupId });
    expect(queue.flagged).toEqual([]);
    expect(queue.hidden.map((item) => [item.id, item.hidden?.reason])).toEqual([
      [id, "Rude indeed."],
    ]);
    expect(outcome(() => hideAnnotation({ db, viewer: people.owner, id, reason: "Twice." }))).toBe(
      "400",
    );
    restoreAnnotation({ db, viewer: people.owner, id });
    queue = listModerationQueue({ db, viewer: people.owner, groupId });
    expect(queue.hidden).toEqual([]);
    expect(outcome(() => restoreAnnotation({ db, viewer: people.owner, id }))).toBe("400");
  });

  it("dismissing resolves the flags and leaves the annotation; flagging again reopens", () => {
    const { db, people, write, groupId } = setUp();
    const id = write(people.author, "group");
    flagAnnotation({ db, viewer: people.member, id, reason: "Meh." });
    dismissFlags({ db, viewer: people.moderator, id, reason: "It is fine." });
    expect(hiddenAt(db, id)).toBeNull();
    expect(listModerationQueue({ db, viewer: people.owner, groupId }).flagged).toEqual([]);
    expect(outcome(() => dismissFlags({ db, viewer: people.moderator, id }))).toBe("400");
    flagAnnotation({ db, viewer: people.member, id, reason: "Really not fine." });
    expect(
      listModerationQueue({ db, viewer: people.owner, groupId }).flagged[0]?.reasons,
    ).toMatchObject([{ reason: "Really not fine." }]);
  });

  it("a group's queue is its owners' and moderators' alone", () => {
    const { db, people, groupId } = setUp();
    expect(outcome(() => listModerationQueue({ db, viewer: people.moderator, groupId }))).toBe(
      "ok",
    );
    expect(outcome(() => listModerationQueue({ db, viewer: people.member, groupId }))).toBe("403");
    expect(outcome(() => listModerationQueue({ db, viewer: people.outsider, groupId }))).toBe(
      "404",
    );
    expect(outcome(() => listModerationQueue({ db, viewer: people.admin, groupId }))).toBe("404");
  });

  it("the site admins' queue holds public annotations only, and only admins read it", () => {
    const { db, people, write } = setUp();
    const pub = write(people.author, "public");
    const grp = write(people.author, "group");
    flagAnnotation({ db, viewer: people.member, id: pub, reason: "Spam." });
    flagAnnotation({ db, viewer: people.member, id: grp, reason: "Spam." });
    const hidden = write(people.author, "public");
    hideAnnotation({ db, viewer: people.admin, id: hidden, reason: "Spam." });
    const queue = listSiteModerationQueue({ db, viewer: people.admin });
    expect(queue.flagged.map((item) => item.id)).toEqual([pub]);
    expect(queue.hidden.map((item) => item.id)).toEqual([hidden]);
    expect(outcome(() => listSiteModerationQueue({ db, viewer: people.owner }))).toBe("403");
    expect(outcome(() => listSiteModerationLog({ db, viewer: people.owner }))).toBe("403");
  });
});

// --- What hiding does to what others see -------------------------------------------------------

describe("a hidden annotation, seen by each reader", () => {
  const { db, people, write, paragraph } = setUp();
  const id = write(people.author, "group", "Words a moderator hid.");
  const reply = createReply({
    db,
    author: people.member,
    parentId: id,
    input: { kind: "annotation", body: "A reply that stays.", source: null },
  });
  hideAnnotation({ db, viewer: people.moderator, id, reason: "Unkind." });
  const pub = write(people.author, "public", "Public words an admin hid.");
  hideAnnotation({ db, viewer: people.admin, id: pub, reason: "Spam." });

  function nodeFor(viewer: Person | null, nodeId: number) {
    const threads = getParagraphThreads({ db, blockId: paragraph.id, viewer });
    return threads.find((t) => t.id === nodeId);
  }

  it("is a placeholder to a classmate: no words, no author; its replies stay", () => {
    const node = nodeFor(people.member, id);
    expect(node).toMatchObject({
      hidden: true,
      hiddenFromViewer: true,
      body: "",
      bodyHtml: "",
      author: null,
      alias: null,
    });
    expect(node?.can).toMatchObject({ flag: false, reply: false, moderate: false });
    expect(node?.replies.map((r) => [r.id, r.body])).toEqual([[reply, "A reply that stays."]]);
  });

  it("is itself, marked hidden, to its author and to the group's moderators and owners", () => {
    for (const viewer of [people.author, people.moderator, people.owner]) {
      const node = nodeFor(viewer, id);
      expect(node).toMatchObject({
        hidden: true,
        hiddenFromViewer: false,
        body: "Words a moderator hid.",
        author: { username: "author" },
      });
    }
    expect(nodeFor(people.moderator, id)?.can.moderate).toBe(true);
    expect(nodeFor(people.author, id)?.can.moderate).toBe(false);
  });

  it("a hidden public annotation: a placeholder to everyone but its author and site admins", () => {
    for (const viewer of [null, people.member, people.owner]) {
      expect(nodeFor(viewer, pub)).toMatchObject({ hiddenFromViewer: true, body: "" });
    }
    for (const viewer of [people.author, people.admin]) {
      expect(nodeFor(viewer, pub)).toMatchObject({
        hiddenFromViewer: false,
        body: "Public words an admin hid.",
      });
    }
  });

  it("leaves search results for others, not for its author", () => {
    const found = (viewer: Person | null, query: string) =>
      searchAnnotations({ db, viewer, query, limit: 10 }).results.map((r) => r.id);
    expect(found(people.member, "moderator hid")).toEqual([]);
    expect(found(null, "admin hid")).toEqual([]);
    expect(found(people.member, "admin hid")).toEqual([]);
    expect(found(people.author, "moderator hid")).toEqual([id]);
    expect(found(people.author, "admin hid")).toEqual([pub]);
    expect(found(people.moderator, "moderator hid")).toEqual([id]);
    // Its reply is not hidden.
    expect(found(people.outsider, "reply stays")).toEqual([]);
    expect(found(people.owner, "reply stays")).toEqual([reply]);
  });

  it("leaves the author's profile for others, not for the author", () => {
    const listed = (viewer: Person | null) =>
      listAnnotationsByAuthor({ db, viewer, authorId: people.author.id, limit: 50 }).items.map(
        (item) => item.id,
      );
    expect(listed(people.member)).not.toContain(id);
    expect(listed(people.member)).not.toContain(pub);
    expect(listed(null)).not.toContain(pub);
    expect(listed(people.author)).toEqual(expect.arrayContaining([id, pub]));
  });
});

// --- The log -----------------------------------------------------------------------------------

describe("the moderation log", () => {
  it("records every action (who, what, when, why) in the group's log, for its owners", () => {
    const { db, people, write, groupId } = setUp();
    const id = write(people.author, "group");
    const before = Date.now();
    flagAnnotation({ db, viewer: people.member, id, reason: "Rude." });
    dismissFlags({ db, viewer: people.moderator, id, reason: "Fine." });
    hideAnnotation({ db, viewer: people.moderator, id, reason: "Rude after all." });
    restoreAnnotation({ db, viewer: people.owner, id, reason: "Apologised." });
    removeMember({ db, viewer: people.owner, groupId, userId: people.member.id, reason: "Left." });

    const rows = logOf(db, id);
    expect(rows.map((r) => [r.action, r.actorId, r.groupId, r.reason])).toEqual([
      ["flag", people.member.id, groupId, "Rude."],
      ["dismiss", people.moderator.id, groupId, "Fine."],
      ["hide", people.moderator.id, groupId, "Rude after all."],
      ["restore", people.owner.id, groupId, "Apologised."],
    ]);
    for (const row of rows) expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);

    const log = listModerationLog({ db, viewer: people.owner, groupId });
    // Newest first, the group model's member actions among them.
    expect(log.map((entry) => entry.action)).toEqual([
      "remove_member",
      "restore",
      "hide",
      "dismiss",
      "flag",
      "set_role",
    ]);
    expect(log[0]).toMatchObject({
      actor: { username: "owner" },
      subject: { username: "classmate" },
      reason: "Left.",
      annotation: null,
    });
    expect(log[1]).toMatchObject({
      actor: { username: "owner" },
      annotation: { id, author: { username: "author" }, paragraph: { anchor: "p-3" } },
    });
    expect(log.at(-1)).toMatchObject({
      subject: { username: "moderator" },
      reason: "member → moderator",
    });
  });

  it("is for owners only: moderators 403, members 403, outsiders 404", () => {
    const { db, people, groupId } = setUp();
    expect(outcome(() => listModerationLog({ db, viewer: people.moderator, groupId }))).toBe("403");
    expect(outcome(() => listModerationLog({ db, viewer: people.member, groupId }))).toBe("403");
    expect(outcome(() => listModerationLog({ db, viewer: people.outsider, groupId }))).toBe("404");
  });

  it("logs actions on public annotations without a group, in the site admins' log", () => {
    const { db, people, write, groupId } = setUp();
    const id = write(people.author, "public");
    flagAnnotation({ db, viewer: people.member, id, reason: "Spam." });
    hideAnnotation({ db, viewer: people.admin, id, reason: "Spam." });
    expect(logOf(db, id).map((r) => [r.action, r.groupId])).toEqual([
      ["flag", null],
      ["hide", null],
    ]);
    expect(
      listSiteModerationLog({ db, viewer: people.admin }).map((e) => [e.action, e.annotation?.id]),
    ).toEqual([
      ["hide", id],
      ["flag", id],
    ]);
    expect(
      listModerationLog({ db, viewer: people.owner, groupId }).map((e) => e.annotation?.id),
    ).not.toContain(id);
  });
});

// --- Through the forms -------------------------------------------------------------------------

describe("the thread's moderation forms (permalink action)", () => {
  let author: app.SignedIn;
  let member: app.SignedIn;
  let owner: app.SignedIn;
  let groupId: number;

  beforeAll(async () => {
    author = await app.signedInUser();
    member = await app.signedInUser();
    owner = await app.signedInUser();
    groupId = createGroupWith(app.db, { owner, members: [author, member] });
  });

  const path = (id: number) => `/articles/${app.SEED_ARTICLE_SLUG}/annotations/${id}`;
  const post = (id: number, fields: Record<string, string>, as: app.SignedIn | null) =>
    app.call(
      permalinkAction as Parameters<typeof app.call>[0],
      app.postRequest(path(id), { id: String(id), ...fields }, { as, referer: path(id) }),
      { slug: app.SEED_ARTICLE_SLUG, id: String(id) },
    );

  it("a flag, then a hide, redirect back to the annotation", async () => {
    const id = app.createThread(author, { anchor: "p-3", visibility: "group", groupId });
    const flagged = await post(id, { intent: INTENTS.flag, reason: "Unkind." }, member);
    expect(app.locationOf(flagged)).toBe(`${path(id)}#a-${id}`);
    const hidden = await post(id, { intent: INTENTS.hide, reason: "Unkind." }, owner);
    expect(app.locationOf(hidden)).toBe(`${path(id)}#a-${id}`);
    const restored = await post(id, { intent: INTENTS.restore }, owner);
    expect(restored.status).toBe(302);
    const dismissed = await post(id, { intent: INTENTS.dismiss }, owner);
    // The hiding resolved the flag: nothing is left to dismiss.
    expect(dismissed.status).toBe(400);
  });

  it("a refused flag comes back beside its form, with what was typed, and writes nothing", async () => {
    const id = app.createThread(author, { anchor: "p-3", visibility: "group", groupId });
    const before = app.snapshot();
    const empty = await post(id, { intent: INTENTS.flag, reason: "  " }, member);
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({
      intent: INTENTS.flag,
      targetId: id,
      errors: { reason: expect.stringMatching(/Say what is wrong/) },
      values: { reason: "  " },
    });
    const own = await post(id, { intent: INTENTS.flag, reason: "Mine." }, author);
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({ targetId: id, values: { reason: "Mine." } });
    const hide = await post(id, { intent: INTENTS.hide, reason: "No." }, member);
    expect(hide.status).toBe(403);
    const anonymous = await post(id, { intent: INTENTS.flag, reason: "Anon." }, null);
    expect(app.locationOf(anonymous)).toMatch(/^\/login\?redirectTo=/);
    expect(app.snapshot()).toEqual(before);
  });

  it("an outsider's flag on a group annotation is NotFound", async () => {
    const outsider = await app.signedInUser();
    const id = app.createThread(author, { anchor: "p-3", visibility: "group", groupId });
    const answer = await post(id, { intent: INTENTS.flag, reason: "?" }, outsider);
    expect(answer.status).toBe(404);
  });
});

/**
 * Unit tests for the discussion side of the annotation model: listing an article's threads (sorts,
 * filters, visibility, paging), a thread's permalink (`getThreadOf`) and endorsements.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAnnotation, createReply, deleteAnnotation } from "#app/models/annotation.server";
import type { AnnotationInput, NewAnnotationInput } from "#app/models/annotation-input.server";
import { listThreads, REPLIES_SHOWN, THREADS_PER_PAGE } from "#app/models/discussion.server";
import { toggleEndorsement } from "#app/models/endorsement.server";
import { getThreadOf, type ThreadNode } from "#app/models/thread.server";
import type { Viewer } from "#app/models/visibility.server";
import { ForbiddenError, NotFoundError } from "#app/utils/errors";
import { annotation, endorsement, user } from "#db/schema";
import { ADA, BOB, blockAt, createSeededDb, type createTestDb, newInput } from "./test-db";

type TestDb = ReturnType<typeof createTestDb>;
type Ctx = { db: TestDb; articleId: number };

/** A third reader, for endorsements that need two users besides the author. */
const CAT = { id: "u-cat" };

function setUp(): Ctx {
  const ctx = createSeededDb();
  ctx.db
    .insert(user)
    .values({ id: CAT.id, username: "Cat", displayName: "Cat Stevens", passwordHash: "x" })
    .run();
  return ctx;
}

/** A new thread on paragraph `anchor` by `author`. */
function thread(
  { db, articleId }: Ctx,
  author: { id: string },
  anchor: string,
  overrides: Partial<NewAnnotationInput> = {},
): number {
  const blockId = blockAt(db, articleId, anchor).id;
  return createAnnotation({ db, author, articleId, blockId, input: newInput(overrides) });
}

function reply(
  { db }: Ctx,
  author: { id: string },
  parentId: number,
  overrides: Partial<AnnotationInput> = {},
): number {
  const input: AnnotationInput = { kind: "annotation", body: "A reply.", source: null };
  return createReply({ db, author, parentId, input: { ...input, ...overrides } });
}

const BASE = Date.UTC(2024, 0, 1);

/** Sets an annotation's creation time to `minutes` after a fixed moment. */
function createdAt({ db }: Ctx, id: number, minutes: number) {
  db.update(annotation)
    .set({ createdAt: new Date(BASE + minutes * 60_000) })
    .where(eq(annotation.id, id))
    .run();
}

function rowOf({ db }: Ctx, id: number) {
  return db.select().from(annotation).where(eq(annotation.id, id)).get();
}

type ListOptions = Omit<Parameters<typeof listThreads>[0], "db" | "articleId">;

function list(ctx: Ctx, options: ListOptions) {
  return listThreads({ db: ctx.db, articleId: ctx.articleId, ...options });
}

function rootIds(ctx: Ctx, options: ListOptions): number[] {
  return list(ctx, options).threads.map((t) => t.root.id);
}

/** Every id in a thread, depth first. */
function idsIn(node: ThreadNode): number[] {
  return [node.id, ...node.replies.flatMap(idsIn)];
}

describe("listThreads: sorts", () => {
  it("defaults to reading order: paragraph, then passage start, then creation", () => {
    const ctx = setUp();
    // Whole-paragraph threads come before passages; anchors would sort "p-10" before "p-3".
    const p4 = thread(ctx, ADA, "p-4");
    const pause = thread(ctx, ADA, "p-3", { quote: "pause" });
    const factions = thread(ctx, BOB, "p-3", { quote: "internal factions" });
    const later = thread(ctx, BOB, "p-3");
    const earlier = thread(ctx, ADA, "p-3");
    const p10 = thread(ctx, BOB, "p-10");
    const samePassageLater = thread(ctx, ADA, "p-3", { quote: "pause" });
    createdAt(ctx, p4, 0);
    createdAt(ctx, pause, 4);
    createdAt(ctx, factions, 2);
    createdAt(ctx, later, 5);
    createdAt(ctx, earlier, 3);
    createdAt(ctx, p10, -1);
    createdAt(ctx, samePassageLater, 1);

    const result = list(ctx, { viewer: null });
    expect(result.threads.map((t) => t.root.id)).toEqual([
      earlier,
      later,
      factions,
      samePassageLater,
      pause,
      p4,
      p10,
    ]);
    expect(result.threads.map((t) => [t.anchor, t.paragraphNumber])).toEqual([
      ["p-3", 3],
      ["p-3", 3],
      ["p-3", 3],
      ["p-3", 3],
      ["p-3", 3],
      ["p-4", 4],
      ["p-10", 10],
    ]);
    expect(result).toMatchObject({ total: 7, page: 1, pageCount: 1 });
    expect(rootIds(ctx, { viewer: null, sort: "reading" })).toEqual(
      result.threads.map((t) => t.root.id),
    );
  });

  it("sorts newest first", () => {
    const ctx = setUp();
    const a = thread(ctx, ADA, "p-3");
    const b = thread(ctx, BOB, "p-4");
    const c = thread(ctx, ADA, "p-1");
    createdAt(ctx, a, 10);
    createdAt(ctx, b, 30);
    createdAt(ctx, c, 20);
    // A reply does not make its thread newer.
    const r = reply(ctx, BOB, a);
    createdAt(ctx, r, 99);
    expect(rootIds(ctx, { viewer: null, sort: "newest" })).toEqual([b, c, a]);
  });

  it("sorts by endorsements of the root, ties by newest", () => {
    const ctx = setUp();
    const one = thread(ctx, CAT, "p-1");
    const two = thread(ctx, CAT, "p-2");
    const oneNewer = thread(ctx, CAT, "p-3");
    const none = thread(ctx, CAT, "p-4");
    const endorsedReply = thread(ctx, CAT, "p-5");
    createdAt(ctx, one, 1);
    createdAt(ctx, two, 0);
    createdAt(ctx, oneNewer, 2);
    createdAt(ctx, none, 9);
    createdAt(ctx, endorsedReply, 3);
    for (const [viewer, id] of [
      [ADA, one],
      [ADA, two],
      [BOB, two],
      [BOB, oneNewer],
    ] as const) {
      expect(toggleEndorsement({ db: ctx.db, viewer, annotationId: id })).toBe(true);
    }
    // Endorsing a reply does not count for its thread.
    const r = reply(ctx, CAT, endorsedReply);
    toggleEndorsement({ db: ctx.db, viewer: ADA, annotationId: r });
    toggleEndorsement({ db: ctx.db, viewer: BOB, annotationId: r });

    expect(rowOf(ctx, two)?.endorsementCount).toBe(2);
    const result = list(ctx, { viewer: null, sort: "endorsed" });
    expect(result.threads.map((t) => t.root.id)).toEqual([two, oneNewer, one, none, endorsedReply]);
    expect(result.threads.map((t) => t.root.endorsements)).toEqual([2, 1, 1, 0, 0]);
  });

  it("sorts by live replies: a soft-deleted reply is not counted", () => {
    const ctx = setUp();
    const three = thread(ctx, ADA, "p-3");
    const withDeleted = thread(ctx, ADA, "p-4");
    const none = thread(ctx, ADA, "p-5");
    createdAt(ctx, three, 0);
    createdAt(ctx, withDeleted, 5); // newer: would win a tie at 3
    createdAt(ctx, none, 9);
    reply(ctx, BOB, three);
    const nested = reply(ctx, BOB, three);
    reply(ctx, ADA, nested);

    const gone = reply(ctx, BOB, withDeleted);
    reply(ctx, ADA, gone);
    reply(ctx, ADA, withDeleted);
    deleteAnnotation({ db: ctx.db, viewer: BOB, id: gone });
    expect(rowOf(ctx, gone)?.deletedAt).not.toBeNull();
    // A reply removed outright is not counted either.
    const removed = reply(ctx, BOB, withDeleted);
    deleteAnnotation({ db: ctx.db, viewer: BOB, id: removed });
    expect(rowOf(ctx, removed)).toBeUndefined();

    const result = list(ctx, { viewer: null, sort: "replied" });
    expect(result.threads.map((t) => t.root.id)).toEqual([three, withDeleted, none]);
    expect(result.threads.map((t) => t.replyCount)).toEqual([3, 2, 0]);
    expect(rowOf(ctx, withDeleted)?.replyCount).toBe(2);
    // The placeholder still holds its reply in the tree.
    const placeholder = result.threads[1]?.root.replies[0];
    expect(placeholder).toMatchObject({ id: gone, deleted: true });
    expect(placeholder?.replies).toHaveLength(1);
  });

  it("ties on the sort key break on the root's id, in the sort's direction", () => {
    const ctx = setUp();
    const ids = [thread(ctx, ADA, "p-3"), thread(ctx, ADA, "p-3"), thread(ctx, ADA, "p-3")];
    for (const id of ids) createdAt(ctx, id, 0);
    expect(rootIds(ctx, { viewer: null, sort: "reading" })).toEqual(ids);
    for (const sort of ["newest", "endorsed", "replied"] as const) {
      expect(rootIds(ctx, { viewer: null, sort })).toEqual([...ids].reverse());
    }
  });
});

describe("listThreads: filters", () => {
  it("keeps a thread whose matching annotation is a reply, and returns the whole thread", () => {
    const ctx = setUp();
    const target = thread(ctx, ADA, "p-3");
    const counter = reply(ctx, BOB, target, { kind: "counterargument" });
    const deeper = reply(ctx, ADA, counter);
    const sibling = reply(ctx, ADA, target, { kind: "question" });
    const plain = thread(ctx, BOB, "p-4");
    const rootCounter = thread(ctx, BOB, "p-5", { kind: "counterargument" });
    // A deleted counterargument (a placeholder) no longer matches.
    const withDeleted = thread(ctx, ADA, "p-6");
    const deletedCounter = reply(ctx, BOB, withDeleted, { kind: "counterargument" });
    reply(ctx, ADA, deletedCounter);
    deleteAnnotation({ db: ctx.db, viewer: BOB, id: deletedCounter });

    const result = list(ctx, { viewer: null, kind: "counterargument" });
    expect(result.threads.map((t) => t.root.id)).toEqual([target, rootCounter]);
    expect(result.total).toBe(2);
    const [first] = result.threads;
    expect(first?.root.kind).toBe("annotation");
    expect(first ? idsIn(first.root) : []).toEqual([target, counter, deeper, sibling]);
    expect(first?.replyCount).toBe(3);

    expect(rootIds(ctx, { viewer: null, kind: "question" })).toEqual([target]);
    expect(rootIds(ctx, { viewer: null, kind: "source" })).toEqual([]);
    expect(rootIds(ctx, { viewer: null })).toEqual([target, plain, rootCounter, withDeleted]);
  });

  it("filters by author without regard to case, replies included", () => {
    const ctx = setUp();
    const adas = thread(ctx, ADA, "p-3");
    const bobs = thread(ctx, BOB, "p-4");
    const adaWithBobReply = thread(ctx, ADA, "p-5");
    reply(ctx, BOB, adaWithBobReply);
    const cats = thread(ctx, CAT, "p-6");

    for (const name of ["bob", "BOB", "Bob"]) {
      expect(rootIds(ctx, { viewer: null, authorUsername: name })).toEqual([bobs, adaWithBobReply]);
    }
    expect(rootIds(ctx, { viewer: null, authorUsername: "ADA" })).toEqual([adas, adaWithBobReply]);
    expect(rootIds(ctx, { viewer: null, authorUsername: "cat" })).toEqual([cats]);
    const nobody = list(ctx, { viewer: null, authorUsername: "nobody" });
    expect(nobody).toMatchObject({ threads: [], total: 0, page: 1, pageCount: 1 });
  });

  it("combines filters on the same annotation", () => {
    const ctx = setUp();
    const t = thread(ctx, ADA, "p-3");
    reply(ctx, BOB, t, { kind: "annotation" });
    reply(ctx, ADA, t, { kind: "question" });
    expect(rootIds(ctx, { viewer: null, authorUsername: "bob", kind: "question" })).toEqual([]);
    expect(rootIds(ctx, { viewer: null, authorUsername: "ada", kind: "question" })).toEqual([t]);
  });

  describe("text", () => {
    function withTexts() {
      const ctx = setUp();
      const opium = thread(ctx, ADA, "p-3", { body: "Opium harvest figures are missing." });
      const quoted = thread(ctx, BOB, "p-3", { body: "Hm.", quote: "internal factions" });
      const withReply = thread(ctx, BOB, "p-4", { body: "Nothing here." });
      const zebra = reply(ctx, ADA, withReply, { body: "A zebra crossing, of sorts." });
      const other = thread(ctx, ADA, "p-5", { body: "Unrelated words entirely." });
      return { ctx, opium, quoted, withReply, zebra, other };
    }

    it("matches words of bodies and quoted passages, replies included", () => {
      const { ctx, opium, quoted, withReply, zebra } = withTexts();
      expect(rootIds(ctx, { viewer: null, text: "opium" })).toEqual([opium]);
      expect(rootIds(ctx, { viewer: null, text: "OPIUM harvest" })).toEqual([opium]);
      expect(rootIds(ctx, { viewer: null, text: "opi" })).toEqual([opium]);
      expect(rootIds(ctx, { viewer: null, text: "factions" })).toEqual([quoted]);
      const result = list(ctx, { viewer: null, text: "zebra" });
      expect(result.threads.map((t) => t.root.id)).toEqual([withReply]);
      expect(result.threads[0] ? idsIn(result.threads[0].root) : []).toEqual([withReply, zebra]);
      expect(rootIds(ctx, { viewer: null, text: "opium zebra" })).toEqual([]);
    });

    it.each([['"(*'], ["-"], [""], ["   "], ["* OR * NEAR()"], ['"']])(
      "text that leaves no words (%j) matches nothing and does not throw",
      (text) => {
        const { ctx } = withTexts();
        expect(rootIds(ctx, { viewer: null })).toHaveLength(4);
        const result = list(ctx, { viewer: null, text });
        expect(result).toMatchObject({ threads: [], total: 0, page: 1, pageCount: 1 });
      },
    );

    it.each([['opium"'], ["opium -"], ["(opium*"], ['body:opium OR "'], ["NEAR(opium"]])(
      "hostile text with words (%j) does not throw nor match everything",
      (text) => {
        const { ctx, opium } = withTexts();
        const ids = rootIds(ctx, { viewer: null, text });
        expect(ids.length).toBeLessThan(4);
        expect(ids.every((id) => id === opium)).toBe(true);
      },
    );
  });
});

describe("listThreads: a private thread", () => {
  function withPrivate() {
    const ctx = setUp();
    const pub = thread(ctx, BOB, "p-3", { kind: "question", body: "Public secret question." });
    const priv = thread(ctx, ADA, "p-3", {
      kind: "question",
      body: "My secret question.",
      quote: "pause",
      visibility: "private",
    });
    reply(ctx, ADA, priv, { kind: "counterargument", body: "Secret counter." });
    toggleEndorsement({ db: ctx.db, viewer: ADA, annotationId: pub });
    createdAt(ctx, pub, 0);
    createdAt(ctx, priv, 1);
    return { ctx, pub, priv };
  }

  const views: [string, Omit<ListOptions, "viewer">][] = [
    ["reading", {}],
    ["newest", { sort: "newest" }],
    ["endorsed", { sort: "endorsed" }],
    ["replied", { sort: "replied" }],
    ["kind question", { kind: "question" }],
    ["kind counterargument", { kind: "counterargument" }],
    ["author ada", { authorUsername: "ADA" }],
    ["text", { text: "secret" }],
    ["text of the reply", { text: "counter" }],
    ["page 2 (clamped)", { page: 2 }],
  ];

  it("a private annotation in a public thread makes it match for its author only", () => {
    // createReply never does this (a reply takes its root's visibility); a row written otherwise,
    // e.g. by a future change of visibility, must still not be found through a filter.
    const ctx = setUp();
    const root = thread(ctx, BOB, "p-3", { body: "Plain words." });
    const hidden = reply(ctx, ADA, root, { kind: "source", body: "Walrus remark." });
    ctx.db.update(annotation).set({ visibility: "private" }).where(eq(annotation.id, hidden)).run();
    const filters: Omit<ListOptions, "viewer">[] = [
      { kind: "source" },
      { text: "walrus" },
      { authorUsername: "ada" },
    ];
    for (const options of filters) {
      for (const viewer of [BOB, null]) {
        expect(list(ctx, { viewer, ...options })).toMatchObject({ threads: [], total: 0 });
      }
      const own = list(ctx, { viewer: ADA, ...options });
      expect(own.threads.map((t) => idsIn(t.root))).toEqual([[root, hidden]]);
    }
  });

  it.each(views)("is listed for its author (%s)", (_, options) => {
    const { ctx, priv } = withPrivate();
    const result = list(ctx, { viewer: ADA, ...options });
    expect(result.threads.map((t) => t.root.id)).toContain(priv);
    const listed = result.threads.find((t) => t.root.id === priv);
    expect(listed?.root.visibility).toBe("private");
    expect(listed?.root.replies).toHaveLength(1);
  });

  it.each(
    views.flatMap(([name, options]) => [
      [`${name}, for another user`, options, BOB],
      [`${name}, for an anonymous reader`, options, null],
    ]) as [string, Omit<ListOptions, "viewer">, Viewer][],
  )("is not listed, nor counted (%s)", (_, options, viewer) => {
    const { ctx, pub, priv } = withPrivate();
    const own = list(ctx, { viewer: ADA, ...options });
    const result = list(ctx, { viewer, ...options });
    expect(result.threads.map((t) => t.root.id)).not.toContain(priv);
    expect(result.total).toBe(own.total - 1);
    expect(JSON.stringify(result)).not.toMatch(/[Ss]ecret counter|My secret/);
    const onlyPublicMatches =
      !options.kind && !options.authorUsername && options.text !== "counter";
    if (onlyPublicMatches) expect(result.threads.map((t) => t.root.id)).toEqual([pub]);
  });
});

describe("listThreads: paging", () => {
  const COUNT = THREADS_PER_PAGE + 3;

  /** COUNT threads on a few paragraphs, with many ties. */
  function withManyThreads() {
    const ctx = setUp();
    const anchors = ["p-3", "p-4", "p-5"];
    const ids: number[] = [];
    for (let i = 0; i < COUNT; i++) {
      const id = thread(ctx, i % 2 === 0 ? ADA : BOB, anchors[i % 3] ?? "p-3");
      createdAt(ctx, id, i % 4);
      ids.push(id);
    }
    // Some endorsements and replies so those sorts have more than one key.
    for (const id of ids.slice(0, 20)) {
      const author = rowOf(ctx, id)?.authorId;
      toggleEndorsement({ db: ctx.db, viewer: author === ADA.id ? BOB : ADA, annotationId: id });
    }
    for (const id of ids.filter((_, i) => i % 5 === 0)) reply(ctx, CAT, id);
    return { ctx, ids };
  }

  it.each(["reading", "newest", "endorsed", "replied"] as const)(
    "splits %s threads into stable pages of THREADS_PER_PAGE, none on two pages",
    (sort) => {
      const { ctx, ids } = withManyThreads();
      const first = list(ctx, { viewer: null, sort });
      const second = list(ctx, { viewer: null, sort, page: 2 });
      expect(first).toMatchObject({ total: COUNT, page: 1, pageCount: 2 });
      expect(second).toMatchObject({ total: COUNT, page: 2, pageCount: 2 });
      expect(first.threads).toHaveLength(THREADS_PER_PAGE);
      expect(second.threads).toHaveLength(COUNT - THREADS_PER_PAGE);
      const all = [...first.threads, ...second.threads].map((t) => t.root.id);
      expect(new Set(all).size).toBe(COUNT);
      expect([...all].sort((a, b) => a - b)).toEqual(ids);
      // The same page asked for again comes back the same.
      expect(list(ctx, { viewer: null, sort, page: 2 }).threads.map((t) => t.root.id)).toEqual(
        second.threads.map((t) => t.root.id),
      );
      // The pages together are ordered by the sort's key.
      const key = (t: (typeof first.threads)[number]): number[] => {
        const row = rowOf(ctx, t.root.id);
        const time = row?.createdAt.getTime() ?? 0;
        if (sort === "newest") return [-time];
        if (sort === "endorsed") return [-(row?.endorsementCount ?? 0), -time];
        if (sort === "replied") return [-(row?.replyCount ?? 0), -time];
        return [row?.blockId ?? 0, time];
      };
      const keys = [...first.threads, ...second.threads].map(key);
      for (let i = 1; i < keys.length; i++) {
        const [a, b] = [keys[i - 1] ?? [], keys[i] ?? []];
        const cmp = a.map((x, j) => x - (b[j] ?? 0)).find((d) => d !== 0) ?? 0;
        expect(cmp).toBeLessThanOrEqual(0);
      }
    },
  );

  it("clamps a page beyond the end to the last page, and one below 1 to the first", () => {
    const { ctx } = withManyThreads();
    const last = list(ctx, { viewer: null, page: 2 });
    for (const page of [3, 99, Number.MAX_SAFE_INTEGER]) {
      const result = list(ctx, { viewer: null, page });
      expect(result.page).toBe(2);
      expect(result.threads.map((t) => t.root.id)).toEqual(last.threads.map((t) => t.root.id));
    }
    const first = list(ctx, { viewer: null });
    for (const page of [0, -5, 1.7]) {
      const result = list(ctx, { viewer: null, page });
      expect(result.page).toBe(1);
      expect(result.threads.map((t) => t.root.id)).toEqual(first.threads.map((t) => t.root.id));
    }
  });

  it("has one empty page when there are no threads", () => {
    const ctx = setUp();
    expect(list(ctx, { viewer: null, page: 4 })).toEqual({
      threads: [],
      total: 0,
      page: 1,
      pageCount: 1,
      counts: { all: 0, open: 0, resolved: 0 },
    });
  });

  it("counts exactly one page for exactly THREADS_PER_PAGE threads", () => {
    const ctx = setUp();
    for (let i = 0; i < THREADS_PER_PAGE; i++) thread(ctx, ADA, "p-3");
    expect(list(ctx, { viewer: null, page: 2 })).toMatchObject({
      total: THREADS_PER_PAGE,
      page: 1,
      pageCount: 1,
    });
  });
});

describe("listThreads: long threads", () => {
  it(`shows a thread's first ${REPLIES_SHOWN} replies, each under what it answers, and counts the rest`, () => {
    const ctx = setUp();
    const root = thread(ctx, ADA, "p-3");
    const r1 = reply(ctx, BOB, root);
    const r2 = reply(ctx, CAT, r1);
    const r3 = reply(ctx, ADA, root);
    const r4 = reply(ctx, BOB, r2);
    reply(ctx, CAT, r3);
    const other = thread(ctx, BOB, "p-4");
    reply(ctx, ADA, other);

    const listed = list(ctx, { viewer: null, sort: "reading" }).threads;
    const long = listed.find((t) => t.root.id === root);
    expect(long).toMatchObject({ replyCount: 5, moreReplies: 5 - REPLIES_SHOWN });
    expect(idsIn(long?.root as ThreadNode)).toEqual([root, r1, r2, r3].slice(0, REPLIES_SHOWN + 1));
    expect(idsIn(long?.root as ThreadNode)).not.toContain(r4);
    expect(listed.find((t) => t.root.id === other)).toMatchObject({
      replyCount: 1,
      moreReplies: 0,
    });
    // The permalink still has the whole thread.
    expect(idsIn(getThreadOf({ db: ctx.db, id: root, viewer: null }).root)).toHaveLength(6);
  });

  it("counts only live replies as more: a deleted reply holding others shows as a placeholder", () => {
    const ctx = setUp();
    const root = thread(ctx, ADA, "p-3");
    const r1 = reply(ctx, BOB, root);
    reply(ctx, CAT, r1);
    reply(ctx, ADA, root);
    reply(ctx, CAT, root);
    deleteAnnotation({ db: ctx.db, viewer: BOB, id: r1 });

    const [listed] = list(ctx, { viewer: null }).threads;
    // Shown: the placeholder r1 and the two replies after it; one live reply is left.
    expect(listed?.root.replies[0]).toMatchObject({ id: r1, deleted: true });
    expect(listed).toMatchObject({ replyCount: 3, moreReplies: 1 });
  });

  it("sends no Markdown source: the listing shows stored HTML and links to the permalink to edit", () => {
    const ctx = setUp();
    const root = thread(ctx, ADA, "p-3", { body: "Some *emphasis*." });
    reply(ctx, BOB, root, { body: "A **reply**." });
    const [listed] = list(ctx, { viewer: ADA }).threads;
    expect(listed?.root.body).toBe("");
    expect(listed?.root.bodyHtml).toContain("<em>emphasis</em>");
    expect(listed?.root.replies[0]?.body).toBe("");
    expect(listed?.root.replies[0]?.bodyHtml).toContain("<strong>reply</strong>");
  });
});

describe("getThreadOf", () => {
  it("returns the paragraph and the whole thread for a reply, root first", () => {
    const ctx = setUp();
    const p3 = blockAt(ctx.db, ctx.articleId, "p-3");
    const root = thread(ctx, ADA, "p-3", { kind: "question", quote: "pause" });
    const r1 = reply(ctx, BOB, root);
    const r2 = reply(ctx, ADA, r1, { kind: "source", source: null });
    const r3 = reply(ctx, BOB, root);
    thread(ctx, BOB, "p-3"); // another thread on the same paragraph stays out

    const found = getThreadOf({ db: ctx.db, id: r2, viewer: null });
    expect(found.articleId).toBe(ctx.articleId);
    expect(found.paragraph).toMatchObject({ id: p3.id, anchor: "p-3", number: 3 });
    expect(found.root.id).toBe(root);
    expect(found.root.parentId).toBeNull();
    expect(idsIn(found.root)).toEqual([root, r1, r2, r3]);
    expect(found.root.replies.map((r) => r.id)).toEqual([r1, r3]);
    const start = Array.from(p3.text.slice(0, p3.text.indexOf("pause"))).length;
    expect(found.passage).toEqual({ start, end: start + 5, kind: "question" });

    expect(getThreadOf({ db: ctx.db, id: root, viewer: BOB })).toEqual({
      ...found,
      root: expect.objectContaining({ id: root }),
    });
  });

  it("has no passage when the root quotes none", () => {
    const ctx = setUp();
    const root = thread(ctx, ADA, "p-4");
    const r = reply(ctx, BOB, root);
    const found = getThreadOf({ db: ctx.db, id: r, viewer: ADA });
    expect(found.passage).toBeNull();
    expect(found.paragraph.anchor).toBe("p-4");
    expect(idsIn(found.root)).toEqual([root, r]);
  });

  it("finds a thread whose root is a deleted placeholder", () => {
    const ctx = setUp();
    const root = thread(ctx, ADA, "p-3", { quote: "pause" });
    const r = reply(ctx, BOB, root);
    deleteAnnotation({ db: ctx.db, viewer: ADA, id: root });
    const found = getThreadOf({ db: ctx.db, id: r, viewer: null });
    expect(found.root).toMatchObject({ id: root, deleted: true, body: "", author: null });
    expect(found.passage).not.toBeNull();
  });

  it.each([
    ["another user", BOB],
    ["an anonymous reader", null],
  ] as const)("hides a private thread from %s (NotFoundError)", (_, viewer) => {
    const ctx = setUp();
    const root = thread(ctx, ADA, "p-3", { visibility: "private" });
    const r = reply(ctx, ADA, root);
    expect(() => getThreadOf({ db: ctx.db, id: root, viewer })).toThrow(NotFoundError);
    expect(() => getThreadOf({ db: ctx.db, id: r, viewer })).toThrow(NotFoundError);
    expect(idsIn(getThreadOf({ db: ctx.db, id: r, viewer: ADA }).root)).toEqual([root, r]);
  });

  it("answers a missing id with NotFoundError", () => {
    const ctx = setUp();
    const root = thread(ctx, ADA, "p-3");
    expect(() => getThreadOf({ db: ctx.db, id: root + 1000, viewer: ADA })).toThrow(NotFoundError);
  });
});

describe("toggleEndorsement", () => {
  function endorse(ctx: Ctx, viewer: { id: string }, annotationId: number) {
    return toggleEndorsement({ db: ctx.db, viewer, annotationId });
  }

  it("endorses, then takes the endorsement back", () => {
    const ctx = setUp();
    const id = thread(ctx, ADA, "p-3");
    expect(endorse(ctx, BOB, id)).toBe(true);
    expect(rowOf(ctx, id)?.endorsementCount).toBe(1);
    const endorsed = getThreadOf({ db: ctx.db, id, viewer: BOB }).root;
    expect(endorsed).toMatchObject({ endorsements: 1, endorsedByViewer: true });
    expect(getThreadOf({ db: ctx.db, id, viewer: ADA }).root.endorsedByViewer).toBe(false);

    expect(endorse(ctx, BOB, id)).toBe(false);
    expect(rowOf(ctx, id)?.endorsementCount).toBe(0);
    const taken = getThreadOf({ db: ctx.db, id, viewer: BOB }).root;
    expect(taken).toMatchObject({ endorsements: 0, endorsedByViewer: false });
  });

  it("refuses to let an author endorse their own annotation (ForbiddenError)", () => {
    const ctx = setUp();
    const id = thread(ctx, ADA, "p-3");
    expect(() => endorse(ctx, ADA, id)).toThrow(ForbiddenError);
    expect(rowOf(ctx, id)?.endorsementCount).toBe(0);
    expect(ctx.db.select().from(endorsement).all()).toEqual([]);
  });

  it("refuses a deleted placeholder (NotFoundError)", () => {
    const ctx = setUp();
    const id = thread(ctx, ADA, "p-3");
    reply(ctx, ADA, id);
    deleteAnnotation({ db: ctx.db, viewer: ADA, id });
    expect(rowOf(ctx, id)?.deletedAt).not.toBeNull();
    expect(() => endorse(ctx, BOB, id)).toThrow(NotFoundError);
    expect(rowOf(ctx, id)?.endorsementCount).toBe(0);
  });

  it("refuses another user's private note as if it did not exist", () => {
    const ctx = setUp();
    const id = thread(ctx, ADA, "p-3", { visibility: "private" });
    const error = (() => {
      try {
        endorse(ctx, BOB, id);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).not.toBeInstanceOf(ForbiddenError);
    expect(rowOf(ctx, id)?.endorsementCount).toBe(0);
  });

  it("refuses a missing annotation (NotFoundError)", () => {
    const ctx = setUp();
    expect(() => endorse(ctx, BOB, 424_242)).toThrow(NotFoundError);
  });

  it("counts two users' endorsements, and drops one when its user is deleted", () => {
    const ctx = setUp();
    const id = thread(ctx, CAT, "p-3");
    const other = thread(ctx, CAT, "p-4");
    expect(endorse(ctx, ADA, id)).toBe(true);
    expect(endorse(ctx, BOB, id)).toBe(true);
    expect(endorse(ctx, BOB, other)).toBe(true);
    expect(rowOf(ctx, id)?.endorsementCount).toBe(2);
    expect(getThreadOf({ db: ctx.db, id, viewer: null }).root.endorsements).toBe(2);

    ctx.db.delete(user).where(eq(user.id, BOB.id)).run();
    expect(rowOf(ctx, id)?.endorsementCount).toBe(1);
    expect(rowOf(ctx, other)?.endorsementCount).toBe(0);
    expect(ctx.db.select().from(endorsement).all()).toEqual([
      expect.objectContaining({ userId: ADA.id, annotationId: id }),
    ]);
    expect(rootIds(ctx, { viewer: null, sort: "endorsed" })).toEqual([id, other]);
  });

  it("keeps the endorsed annotation's count when its author is deleted", () => {
    const ctx = setUp();
    const id = thread(ctx, CAT, "p-3");
    endorse(ctx, ADA, id);
    ctx.db.delete(user).where(eq(user.id, CAT.id)).run();
    expect(rowOf(ctx, id)).toMatchObject({ authorId: null, endorsementCount: 1 });
    expect(endorse(ctx, ADA, id)).toBe(false);
    expect(rowOf(ctx, id)?.endorsementCount).toBe(0);
  });
});

describe("deleting an endorsed annotation that has replies", () => {
  it("clears its endorsements with its words", () => {
    const ctx = setUp();
    const root = thread(ctx, ADA, "p-3");
    reply(ctx, BOB, root);
    toggleEndorsement({ db: ctx.db, viewer: BOB, annotationId: root });
    deleteAnnotation({ db: ctx.db, viewer: ADA, id: root });
    expect(rowOf(ctx, root)?.endorsementCount).toBe(0);
    const listed = list(ctx, { viewer: BOB, sort: "endorsed" }).threads[0]?.root;
    expect(listed).toMatchObject({ id: root, deleted: true, endorsements: 0 });
  });
});

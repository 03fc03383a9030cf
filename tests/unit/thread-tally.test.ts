/**
 * `thread_tally` (migration `discussion_tally`): public threads per paragraph, open and resolved,
 * kept by triggers. After every kind of write (threads, replies, resolving and reopening, deletions
 * with and without replies, visibility changes, revisions moving and orphaning threads, a cascade
 * from a deleted paragraph) it equals a direct count; the first fill counts threads that already
 * exist; and `countVisibleThreads`, which adds what a viewer sees beyond public, equals a direct
 * count through `visibleTo` for every kind of viewer and layer.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  setThreadResolved,
} from "#app/models/annotation.server";
import { createAssignment } from "#app/models/assignment.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import { countThreads, countVisibleThreads } from "#app/models/thread.server";
import { inLayer, type Layer, type Viewer, visibleTo } from "#app/models/visibility.server";
import { migrateDatabase, openDatabase } from "#db/client";
import { annotation, block } from "#db/schema";
import { addUser, createGroupWith } from "./group-factories";
import { databaseBefore } from "./migrated-before";
import { ADA, BOB, blockAt, createSeededDb, newInput } from "./test-db";

type Db = ReturnType<typeof createSeededDb>["db"];

const REVISION_2 = readFileSync(
  new URL("../data/do-not-engage-the-taliban-for-free.rev2.txt", import.meta.url),
  "utf8",
);

/** The tally's rows that count something, as "article:block" → [open, resolved]. */
function tallied(sqlite: Database.Database): Record<string, [number, number]> {
  const rows = sqlite
    .prepare("select article_id, block_id, open, resolved from thread_tally")
    .all() as { article_id: number; block_id: number; open: number; resolved: number }[];
  return Object.fromEntries(
    rows
      .filter((r) => r.open !== 0 || r.resolved !== 0)
      .map((r) => [`${r.article_id}:${r.block_id}`, [r.open, r.resolved]]),
  );
}

/** The same figures counted from the annotations themselves. */
function counted(sqlite: Database.Database): Record<string, [number, number]> {
  const rows = sqlite
    .prepare(
      `select article_id, block_id, sum(resolved_at is null) as open, sum(resolved_at is not null) as resolved
       from annotation where visibility = 'public' and parent_id is null group by article_id, block_id`,
    )
    .all() as { article_id: number; block_id: number; open: number; resolved: number }[];
  return Object.fromEntries(
    rows.map((r) => [`${r.article_id}:${r.block_id}`, [r.open, r.resolved]]),
  );
}

function expectTallyMatches(db: Db) {
  const expected = counted(db.$client);
  expect(Object.keys(expected).length).toBeGreaterThan(0);
  expect(tallied(db.$client)).toEqual(expected);
}

function thread(db: Db, articleId: number, anchor: string, by = ADA, overrides = {}) {
  const target = blockAt(db, articleId, anchor);
  return createAnnotation({
    db,
    author: by,
    articleId,
    blockId: target.id,
    input: newInput({ body: `On ${anchor}.`, ...overrides }),
  });
}

function reply(db: Db, by: { id: string }, parentId: number) {
  return createReply({
    db,
    author: by,
    parentId,
    input: { kind: "annotation", body: "A reply.", source: null },
  });
}

describe("thread_tally after every kind of write", () => {
  it("equals a direct count of public threads, open and resolved, per paragraph", () => {
    const { db, articleId } = createSeededDb();
    const a = thread(db, articleId, "p-3");
    const b = thread(db, articleId, "p-3", BOB, { quote: "pause" });
    const c = thread(db, articleId, "p-4", BOB);
    thread(db, articleId, "p-4", ADA, { visibility: "private" });
    expectTallyMatches(db);

    // Replies are not threads, public or not.
    const r = reply(db, BOB, a);
    reply(db, ADA, r);
    expectTallyMatches(db);

    // Resolving moves a thread from open to resolved; reopening moves it back.
    setThreadResolved({ db, viewer: ADA, id: a, resolved: true });
    setThreadResolved({ db, viewer: BOB, id: c, resolved: true });
    expectTallyMatches(db);
    expect(tallied(db.$client)[`${articleId}:${blockAt(db, articleId, "p-3").id}`]).toEqual([1, 1]);
    setThreadResolved({ db, viewer: BOB, id: c, resolved: false });
    expectTallyMatches(db);

    // A deleted root with replies stays as a placeholder, and stays counted; without, it goes.
    deleteAnnotation({ db, viewer: ADA, id: a });
    deleteAnnotation({ db, viewer: BOB, id: b });
    expectTallyMatches(db);

    // Visibility changed under the model (a script, a future feature): both directions.
    db.update(annotation).set({ visibility: "private" }).where(eq(annotation.id, c)).run();
    expectTallyMatches(db);
    db.update(annotation).set({ visibility: "public" }).where(eq(annotation.id, c)).run();
    expectTallyMatches(db);
  });

  it("follows threads a revision moves or orphans, and a paragraph's deletion", () => {
    const { db, articleId } = createSeededDb();
    const ids = ["p-1", "p-2", "p-3", "p-5", "p-8", "p-12"].map((anchor, i) =>
      thread(db, articleId, anchor, i % 2 ? ADA : BOB),
    );
    setThreadResolved({ db, viewer: BOB, id: ids[0] ?? 0, resolved: true });
    expectTallyMatches(db);
    const result = importArticle(db, parseArticle(REVISION_2), { slug: "seed" }, { note: "2" });
    expect(result.status).toBe("revised");
    expectTallyMatches(db);

    // A thread moved by hand to another paragraph, then the paragraph it was on deleted (its
    // threads cascade with it).
    const target = blockAt(db, articleId, "p-4").id;
    db.update(annotation)
      .set({ blockId: target })
      .where(eq(annotation.id, ids[1] ?? 0))
      .run();
    expectTallyMatches(db);
    const orphanBlock = db
      .select({ blockId: annotation.blockId })
      .from(annotation)
      .where(and(eq(annotation.id, ids[5] ?? 0), isNull(annotation.parentId)))
      .get();
    db.delete(block)
      .where(eq(block.id, orphanBlock?.blockId ?? 0))
      .run();
    expectTallyMatches(db);
  });
});

describe("thread_tally's first fill", () => {
  const folder = mkdtempSync(join(tmpdir(), "marginalia-tally-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("counts the threads a database already holds", () => {
    const path = join(folder, "old.db");
    const { db: before } = databaseBefore(path, "CREATE TABLE `thread_tally`");
    before.exec(`
      insert into user (id, username, display_name, password_hash) values ('u1','ada','Ada','x');
      insert into article (slug, title, source_hash) values ('a', 'A', 'h');
      insert into block (article_id, position, kind, number, anchor, text) values
        (1, 0, 'paragraph', 1, 'p-1', 'one'), (1, 1, 'paragraph', 2, 'p-2', 'two');
      insert into annotation (article_id, block_id, kind, body, author_id, visibility) values
        (1, 1, 'annotation', 'open', 'u1', 'public'),
        (1, 1, 'question', 'mine', 'u1', 'private'),
        (1, 2, 'annotation', 'two', 'u1', 'public');
      update annotation set root_id = id;
      update annotation set resolved_at = 1, resolved_by = 'u1' where id = 3;
      insert into annotation (article_id, block_id, kind, body, author_id, visibility, parent_id, root_id, depth)
        values (1, 1, 'annotation', 'a reply', 'u1', 'public', 1, 1, 1);`);
    before.close();

    const db = openDatabase(path);
    migrateDatabase(db);
    expect(tallied(db.$client)).toEqual({ "1:1": [1, 0], "1:2": [0, 1] });
    expect(tallied(db.$client)).toEqual(counted(db.$client));
    db.$client.close();
  });
});

describe("countVisibleThreads", () => {
  it("equals a direct count through visibleTo for every viewer and layer, article and paragraph", () => {
    const { db, articleId } = createSeededDb();
    const owner = addUser(db, "u-owner");
    const member = addUser(db, "u-member");
    const newcomer = addUser(db, "u-newcomer");
    const stranger = addUser(db, "u-stranger");
    const groupId = createGroupWith(db, { owner, members: [member, newcomer, ADA] });
    createAssignment({
      db,
      viewer: owner,
      groupId,
      input: {
        articleId,
        instructions: "",
        dueAt: null,
        timeZone: "UTC",
        postBeforeSee: true,
        anonymous: false,
      },
    });
    const group = { visibility: "group" as const, groupId };
    thread(db, articleId, "p-3");
    const resolvedOne = thread(db, articleId, "p-3", BOB);
    setThreadResolved({ db, viewer: BOB, id: resolvedOne, resolved: true });
    thread(db, articleId, "p-4", ADA, { visibility: "private" });
    thread(db, articleId, "p-3", BOB, { visibility: "private" });
    const classNote = thread(db, articleId, "p-3", member, group);
    setThreadResolved({ db, viewer: member, id: classNote, resolved: true });
    thread(db, articleId, "p-4", owner, group);
    reply(db, owner, classNote);

    const viewers: Viewer[] = [null, ADA, BOB, owner, member, newcomer, stranger];
    const layers: Layer[] = [
      { kind: "all" },
      { kind: "public" },
      { kind: "private" },
      { kind: "group", groupId },
    ];
    const p3 = blockAt(db, articleId, "p-3").id;
    for (const viewer of viewers) {
      for (const layer of layers) {
        for (const blockId of [undefined, p3]) {
          const direct = countThreads(
            db,
            and(
              eq(annotation.articleId, articleId),
              blockId === undefined ? undefined : eq(annotation.blockId, blockId),
              isNull(annotation.parentId),
              visibleTo(viewer),
              inLayer(layer),
            ),
          );
          expect(
            countVisibleThreads({ db, articleId, blockId, viewer, layer }),
            `${viewer?.id ?? "anonymous"}, ${layer.kind}, ${blockId ?? "article"}`,
          ).toEqual(direct);
        }
      }
    }
    // Post before you see: the newcomer sees the class's threads once they have posted one.
    const before = countVisibleThreads({ db, articleId, viewer: newcomer });
    thread(db, articleId, "p-5", newcomer, group);
    expect(countVisibleThreads({ db, articleId, viewer: newcomer }).all).toBe(before.all + 3);
  });
});

/**
 * Migration 0007 rebuilds the annotation table (SQLite cannot change a CHECK in place). Upgrading a
 * database that already holds annotations, replies, source links and endorsements must keep every
 * row, every counter and every trigger (search, tallies), and cascade into nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeDatabase, migrateDatabase, openDatabase } from "#db/client";
import { databaseBefore } from "./migrated-before";

const folder = mkdtempSync(join(tmpdir(), "marginalia-migrate-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const FIGURES = `select
  (select count(*) from annotation) as annotations,
  (select count(*) from source_link) as sources,
  (select count(*) from endorsement) as endorsements,
  (select group_concat(count) from paragraph_tally) as tallies,
  (select reply_count || ',' || endorsement_count from annotation where id = 1) as counters`;
const TRIGGERS = "select name from sqlite_schema where type = 'trigger' order by name";

describe("migrating a database with annotations to groups (0007)", () => {
  it("keeps every row, counter and trigger", () => {
    const path = join(folder, "old.db");
    const { db: before } = databaseBefore(path, "CREATE TABLE `group`");
    before.exec(`
      insert into user (id, username, display_name, password_hash) values ('u1','ada','Ada','x'), ('u2','bo','Bo','x');
      insert into article (slug, title, source_hash) values ('a', 'A', 'h');
      insert into block (article_id, position, kind, number, anchor, text) values (1, 0, 'paragraph', 1, 'p-1', 'hello world');
      insert into annotation (article_id, block_id, kind, body, author_id, visibility) values (1, 1, 'source', 'root words', 'u1', 'public');
      update annotation set root_id = id;
      insert into annotation (article_id, block_id, kind, body, author_id, visibility, parent_id, root_id, depth) values (1, 1, 'annotation', 'a reply', 'u2', 'public', 1, 1, 1);
      insert into source_link values (1, 'https://example.org', 'T', 'supports');
      insert into endorsement (user_id, annotation_id) values ('u2', 1);`);
    const figuresBefore = before.prepare(FIGURES).get();
    const triggersBefore = before.prepare(TRIGGERS).pluck().all() as string[];
    before.close();

    const db = openDatabase(path);
    migrateDatabase(db);
    const sqlite = db.$client;
    expect(sqlite.prepare(FIGURES).get()).toEqual(figuresBefore);
    // Every trigger that was there is there again (later migrations add their own).
    expect(sqlite.prepare(TRIGGERS).pluck().all()).toEqual(expect.arrayContaining(triggersBefore));
    expect(triggersBefore.length).toBeGreaterThan(10);
    expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    // The triggers still fire: a new reply counts, and is searchable.
    sqlite.exec(
      `insert into annotation (article_id, block_id, kind, body, author_id, visibility, parent_id, root_id, depth) values (1, 1, 'annotation', 'searchable zebra', 'u2', 'public', 1, 1, 1)`,
    );
    expect(sqlite.prepare("select reply_count from annotation where id = 1").pluck().get()).toBe(2);
    expect(
      sqlite
        .prepare("select rowid from annotation_search where annotation_search match 'zebra'")
        .pluck()
        .all(),
    ).toEqual([3]);
    // The new rule holds: a group annotation needs its group.
    expect(() =>
      sqlite.exec(
        `insert into annotation (article_id, block_id, kind, body, author_id, visibility) values (1, 1, 'annotation', 'x', 'u1', 'group')`,
      ),
    ).toThrow(/CHECK constraint failed/);
    // Migrating again is a no-op.
    migrateDatabase(db);
    closeDatabase(db);
  });
});

/**
 * Migration 0011 adds `api_token` to a database already in use: every existing row stays as it
 * was, and the new table's rules hold from the start (the scope CHECK, the unique digest, and
 * the cascade from a deleted account).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { closeDatabase, migrateDatabase, openDatabase } from "#db/client";
import { databaseBefore } from "./migrated-before";

const folder = mkdtempSync(join(tmpdir(), "marginalia-migrate-tokens-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const TABLES =
  "select name from sqlite_schema where type = 'table' and name not like 'sqlite%' and name not like '\\_\\_%' escape '\\' and name <> 'api_token' order by name";

function everyRow(sqlite: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of sqlite.prepare(TABLES).pluck().all() as string[]) {
    out[name] = sqlite.prepare(`select * from "${name}"`).all();
  }
  return out;
}

describe("migrating a database with data to API tokens (0011)", () => {
  it("keeps every row and enforces the new table's rules", () => {
    const path = join(folder, "before-tokens.db");
    const { db: before, index } = databaseBefore(path, "CREATE TABLE `api_token`");
    expect(index).toBe(11);
    before.exec(`
      insert into user (id, username, display_name, password_hash) values ('u1','ada','Ada','x'), ('u2','bo','Bo','x');
      insert into session (id, user_id, expires_at) values ('s1', 'u1', 9999999999);
      insert into article (slug, title, source_hash) values ('a', 'A', 'h');
      insert into article_revision (article_id, number, source_hash) values (1, 1, 'h');
      update article set current_revision_id = 1;
      insert into block (article_id, revision_id, position, kind, number, anchor, text) values (1, 1, 0, 'paragraph', 1, 'p-1', 'hello world');
      insert into annotation (article_id, block_id, kind, body, author_id, visibility) values (1, 1, 'annotation', 'a remark', 'u1', 'public');
      update annotation set root_id = id;
      insert into endorsement (user_id, annotation_id) values ('u2', 1);`);
    const rowsBefore = everyRow(before);
    before.close();

    const db = openDatabase(path);
    migrateDatabase(db);
    const sqlite = db.$client;
    // Every table that was there keeps its rows (later migrations may add tables of their own).
    const rowsAfter = everyRow(sqlite);
    expect(Object.fromEntries(Object.keys(rowsBefore).map((t) => [t, rowsAfter[t]]))).toEqual(
      rowsBefore,
    );
    expect(sqlite.prepare("select count(*) from api_token").pluck().get()).toBe(0);
    expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);

    const insert = sqlite.prepare(
      "insert into api_token (user_id, name, scope, token_hash, prefix) values (?, ?, ?, ?, ?)",
    );
    insert.run("u1", "script", "read", "h1", "mrg_abcdefgh");
    insert.run("u2", "sync", "read-write", "h2", "mrg_ijklmnop");
    expect(() => insert.run("u1", "x", "admin", "h3", "mrg_")).toThrow(/CHECK constraint failed/);
    expect(() => insert.run("u2", "x", "read", "h1", "mrg_")).toThrow(/UNIQUE constraint failed/);
    expect(() => insert.run("nobody", "x", "read", "h4", "mrg_")).toThrow(/FOREIGN KEY/);
    // A new row gets its creation time; last use, expiry and revocation start empty.
    expect(
      sqlite
        .prepare(
          "select created_at > 0 as made, last_used_at, expires_at, revoked_at from api_token where token_hash = 'h1'",
        )
        .get(),
    ).toEqual({ made: 1, last_used_at: null, expires_at: null, revoked_at: null });
    // Deleting an account deletes its tokens, and only its.
    sqlite.exec("delete from user where id = 'u2'");
    expect(sqlite.prepare("select user_id from api_token").pluck().all()).toEqual(["u1"]);
    // Migrating again is a no-op.
    migrateDatabase(db);
    closeDatabase(db);
  });
});

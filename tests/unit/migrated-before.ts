/**
 * A database file as it stood before one migration: every migration up to (not including) the
 * first whose SQL contains `marker` applied, and recorded as drizzle's migrator records them, so
 * that `migrateDatabase` then applies the rest. For upgrade tests that fill the old shape with rows
 * and check what the migration does to them.
 */
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";

export function databaseBefore(
  path: string,
  marker: string,
): { db: Database.Database; index: number } {
  const db = new Database(path);
  db.pragma("foreign_keys = ON");
  db.exec(
    `CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
  );
  const all = readMigrationFiles({ migrationsFolder: resolve("db/migrations") });
  const index = all.findIndex((m) => m.sql.some((s) => s.includes(marker)));
  if (index <= 0) throw new Error(`no migration after the first contains ${marker}`);
  const record = db.prepare(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)`);
  for (const migration of all.slice(0, index)) {
    for (const statement of migration.sql) db.exec(statement);
    record.run(migration.hash, migration.folderMillis);
  }
  return { db, index };
}

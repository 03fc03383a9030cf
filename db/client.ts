/**
 * The one way to open the database: a better-sqlite3 connection tuned for a web server
 * (WAL, foreign keys, a busy timeout) wrapped in drizzle.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const DEFAULT_DATABASE_PATH = "data/marginalia.db";

/** Migrations are looked up relative to the project root, where npm scripts and the server run. */
const MIGRATIONS_FOLDER = resolve(process.cwd(), "db/migrations");

export function databasePath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(process.cwd(), env.DATABASE_PATH || DEFAULT_DATABASE_PATH);
}

export function openDatabase(path: string = databasePath()): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  return drizzle(sqlite, { schema }) as Db;
}

/** Applies every pending migration; running it again is a no-op. */
export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

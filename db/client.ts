/**
 * The one way to open the database: a better-sqlite3 connection tuned for a web server
 * (WAL, foreign keys, a busy timeout) wrapped in drizzle.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const DEFAULT_DATABASE_PATH = "data/marginalia.db";

/**
 * The behaviour of every write transaction: `db.transaction(fn, IMMEDIATE)`. BEGIN IMMEDIATE takes
 * the write lock first, waiting up to busy_timeout for another connection (another process) to
 * finish. A deferred transaction that reads and then writes cannot wait: when another connection
 * committed meanwhile, its snapshot is stale and SQLite fails it at once (SQLITE_BUSY_SNAPSHOT).
 */
export const IMMEDIATE = { behavior: "immediate" } as const;

/** Migrations are looked up relative to the project root, where npm scripts and the server run. */
const MIGRATIONS_FOLDER = resolve(process.cwd(), "db/migrations");
/** drizzle's bookkeeping table (what drizzle-kit and drizzle's own migrator read and write). */
const MIGRATIONS_TABLE = "__drizzle_migrations";

export function databasePath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(process.cwd(), env.DATABASE_PATH || DEFAULT_DATABASE_PATH);
}

export function openDatabase(path: string = databasePath()): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // First, so that switching a new file to WAL waits for another process doing the same.
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  return drizzle(sqlite, { schema }) as Db;
}

/**
 * Applies every pending migration; running it again is a no-op. Safe when several processes start
 * at once on one file: drizzle's migrator decides what is pending before it takes a lock, so two
 * processes could both apply the first migration (and one fail on "table already exists"). Here
 * the check and the migrations run in one BEGIN IMMEDIATE transaction: the second process waits,
 * then finds nothing pending. Same bookkeeping table and rows as drizzle's migrator.
 */
export function migrateDatabase(db: Db): void {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const sqlite = db.$client;
  // A migration that rebuilds a table (SQLite cannot alter a CHECK) drops the old one; with foreign
  // keys on, that drop would cascade into every table referring to it. PRAGMA foreign_keys is a
  // no-op inside a transaction, so it is turned off around it, and the result checked before commit.
  const foreignKeys = sqlite.pragma("foreign_keys", { simple: true }) === 1;
  sqlite.pragma("foreign_keys = OFF");
  try {
    migrateInTransaction(sqlite, migrations);
  } finally {
    if (foreignKeys) sqlite.pragma("foreign_keys = ON");
  }
}

function migrateInTransaction(
  sqlite: Db["$client"],
  migrations: ReturnType<typeof readMigrationFiles>,
): void {
  sqlite
    .transaction(() => {
      sqlite.exec(
        `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
      );
      const last = sqlite
        .prepare(`SELECT created_at FROM "${MIGRATIONS_TABLE}" ORDER BY created_at DESC LIMIT 1`)
        .pluck()
        .get() as number | string | undefined;
      const record = sqlite.prepare(
        `INSERT INTO "${MIGRATIONS_TABLE}" ("hash", "created_at") VALUES (?, ?)`,
      );
      let applied = 0;
      for (const migration of migrations) {
        if (last !== undefined && Number(last) >= migration.folderMillis) continue;
        for (const statement of migration.sql) sqlite.exec(statement);
        record.run(migration.hash, migration.folderMillis);
        applied += 1;
      }
      // Only a migration can have broken a reference here; the check reads every row of every
      // table with a foreign key (1.7 s at 100,000 annotations), so a start with nothing to apply
      // skips it.
      if (applied === 0) return;
      const broken = sqlite.pragma("foreign_key_check") as unknown[];
      if (broken.length > 0) {
        throw new Error(`Migrating left ${broken.length} broken foreign key reference(s).`);
      }
    })
    .immediate();
}

/**
 * Closes a connection for good: everything in the WAL is copied into the database file first and
 * the WAL truncated, so that the .db file alone holds every committed write (a file copied after a
 * clean stop is complete). Closing twice is harmless.
 */
export function closeDatabase(db: Db): void {
  const sqlite = db.$client;
  if (!sqlite.open) return;
  try {
    if (!sqlite.memory && !sqlite.readonly) sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    sqlite.close();
  }
}

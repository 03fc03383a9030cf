/**
 * The one way to open the database: a better-sqlite3 connection tuned for a web server
 * (WAL, foreign keys, a busy timeout) wrapped in drizzle.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { Worker } from "node:worker_threads";
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

/**
 * Moves WAL checkpoints off the request path, for a long-running server. By default SQLite
 * checkpoints inside the commit of whichever write takes the WAL past 1,000 pages (~35 writes
 * here: a write changes ~28 pages with its indexes, tallies and search index), and that commit
 * then copies the pages into the database file and fsyncs it: 25-250 ms on this machine's disk,
 * on the event loop, in that writer's request. Instead a worker thread with a connection of its
 * own runs `wal_checkpoint(PASSIVE)` every `intervalMs`. PASSIVE takes no lock that readers or
 * writers wait for, so requests never wait for its copying or its fsync.
 *
 * Bounds: SQLite starts the WAL over only once a checkpoint has copied all of it, and under
 * steady writes a passive checkpoint never quite catches up. Past `restartPages` the worker asks
 * for a RESTART checkpoint, which holds writers back while it copies the little the passive passes
 * left (a few ms) and gives up after 20 ms if a reader still uses old pages (a backup, another
 * process). If the worker stops (killed, or its checkpoints failing), this connection's own
 * checkpoint takes over once the WAL passes `backstopPages`, as SQLite's default does at 1,000;
 * `journal_size_limit` truncates a WAL that grew that large once it is reset. Shutdown
 * (`closeDatabase`) and `npm run backup` checkpoint as before: stop the worker first, then close.
 */
export function startWalCheckpoints(
  db: Db,
  {
    intervalMs = 1_000,
    restartPages = 8_192,
    backstopPages = 16_384,
  }: { intervalMs?: number; restartPages?: number; backstopPages?: number } = {},
): { stop: () => Promise<void> } {
  const sqlite = db.$client;
  if (sqlite.memory || sqlite.readonly) return { stop: async () => {} };
  const worker = new Worker(CHECKPOINT_WORKER, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      path: sqlite.name,
      intervalMs,
      restartPages,
    },
    // Its own small heap: it holds a connection and a timer, nothing else.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  worker.unref();
  worker.on("message", (message: { error?: string }) => {
    if (message.error) console.error(`marginalia: WAL checkpoint failed: ${message.error}`);
  });
  worker.on("error", (error) => console.error("marginalia: WAL checkpoint worker stopped:", error));
  sqlite.pragma(`wal_autocheckpoint = ${backstopPages}`);
  sqlite.pragma(`journal_size_limit = ${backstopPages * 4096}`);
  let stopped: Promise<void> | null = null;
  return {
    stop: () => {
      stopped ??= new Promise((done) => {
        worker.once("exit", () => done());
        // Held open until the worker has closed its connection (or been cut off mid-checkpoint,
        // which SQLite survives like any interrupted checkpoint).
        worker.ref();
        worker.postMessage("stop");
        setTimeout(() => void worker.terminate(), 2_000).unref();
      });
      return stopped;
    },
  };
}

/**
 * Passes per tick: writes go on while a passive checkpoint copies, so each pass after the first
 * copies what was written during the one before (a short pass); the WAL can start over only after
 * a pass that found nothing new.
 */
const CATCH_UP_PASSES = 4;

/**
 * The checkpoint worker's code, evaluated as CommonJS (no file of its own to build). A failed
 * checkpoint is reported and tried again on the next tick; SQLITE_BUSY (another process's
 * checkpoint running, or a reader a RESTART gave up on) is not a failure.
 */
const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// How long a RESTART may hold writers back waiting for readers; PASSIVE never waits.
db.pragma("busy_timeout = 20");
const timer = setInterval(() => {
  try {
    // "log" is the WAL's length when a pass began: a pass that finds it unchanged has caught up.
    let length = -1;
    for (let pass = 0; pass < ${CATCH_UP_PASSES}; pass++) {
      const [done] = db.pragma("wal_checkpoint(PASSIVE)");
      if (!done || done.busy || done.log === length) break;
      length = done.log;
    }
    if (length > workerData.restartPages) db.pragma("wal_checkpoint(RESTART)");
  } catch (error) {
    if (error && error.code !== "SQLITE_BUSY") parentPort.postMessage({ error: String(error) });
  }
}, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

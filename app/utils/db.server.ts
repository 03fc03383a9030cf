/**
 * The server's database handle. Opening it migrates and, on an empty database, seeds the demo
 * article, so a fresh install is ready on its first request. One handle per process, kept across
 * dev rebuilds on globalThis.
 */

import { env } from "#app/env.server";
import { renderMissingBodies } from "#app/models/annotation.server";
import { seedDatabase } from "#app/models/seed.server";
import {
  closeDatabase as closeConnection,
  type Db,
  migrateDatabase,
  openDatabase,
} from "#db/client";

export type { Db };

declare global {
  // eslint-disable-next-line no-var
  var __marginaliaDb: Db | undefined;
}

function connect(): Db {
  const db = openDatabase(env().databasePath);
  migrateDatabase(db);
  seedDatabase(db);
  renderMissingBodies(db);
  return db;
}

export const db: Db = globalThis.__marginaliaDb ?? connect();
globalThis.__marginaliaDb = db;

/**
 * Closes the process's handle at shutdown (server.ts, once the last request is answered): the WAL
 * is checkpointed into the database file and truncated, and the file closed. The handle is shared
 * through globalThis, so this closes the one the Remix build uses too.
 */
export function closeDatabase(): void {
  const open = globalThis.__marginaliaDb;
  if (!open) return;
  globalThis.__marginaliaDb = undefined;
  closeConnection(open);
}

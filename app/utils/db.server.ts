/**
 * The server's database handle. Opening it migrates and, on an empty database, seeds the demo
 * article, so a fresh install is ready on its first request. One handle per process, kept across
 * dev rebuilds on globalThis.
 */

import { renderMissingBodies } from "#app/models/annotation.server";
import { seedDatabase } from "#app/models/seed.server";
import { type Db, databasePath, migrateDatabase, openDatabase } from "#db/client";

export type { Db };

declare global {
  // eslint-disable-next-line no-var
  var __marginaliaDb: Db | undefined;
}

function connect(): Db {
  const db = openDatabase(databasePath());
  migrateDatabase(db);
  seedDatabase(db);
  renderMissingBodies(db);
  return db;
}

export const db: Db = globalThis.__marginaliaDb ?? connect();
globalThis.__marginaliaDb = db;

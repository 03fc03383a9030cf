/**
 * A fresh, migrated database for one test. Each call migrates an in-memory database, so tests never
 * share state and need no cleanup.
 */
import { type Db, migrateDatabase, openDatabase } from "../../db/client";

export function createTestDb(): Db {
  const db = openDatabase(":memory:");
  migrateDatabase(db);
  return db;
}

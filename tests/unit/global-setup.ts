/**
 * Runs once per `vitest run`, before any worker starts: builds one migrated and seeded database
 * (the demo article, no users), exactly as app/utils/db.server.ts would on a first start, in a
 * directory of its own under tests/.tmp. tests/unit/setup.ts copies it to a file per worker, so
 * every test file that imports a route (and so app/utils/db.server.ts) gets a fresh database and
 * never the real data/marginalia.db. (Opening the copy still runs the app's own migrate, seed and
 * render steps, which find nothing to do: the copy only saves each file from doing them again.)
 *
 * The directory is named after this process, so two runs in one working tree (several people
 * testing at once) never share files; it is removed at the end, and left-overs of runs that were
 * killed are removed at the next start.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { renderMissingBodies } from "#app/models/annotation.server";
import { seedDatabase } from "#app/models/seed.server";
import { migrateDatabase, openDatabase } from "#db/client";

declare module "vitest" {
  export interface ProvidedContext {
    /** The freshly seeded database that each worker copies (tests/unit/setup.ts). */
    unitBaseDatabase: string;
  }
}

const TMP = fileURLToPath(new URL("../.tmp", import.meta.url));
const PREFIX = "unit-";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Directories left by runs whose process is gone (killed before their teardown). */
function removeAbandonedRuns(): void {
  if (!existsSync(TMP)) return;
  for (const name of readdirSync(TMP)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length));
    if (Number.isSafeInteger(pid) && pid !== process.pid && !isRunning(pid)) {
      rmSync(join(TMP, name), { recursive: true, force: true });
    }
  }
}

export default function setup(project: TestProject) {
  removeAbandonedRuns();
  const dir = join(TMP, `${PREFIX}${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const base = join(dir, "base.db");

  const db = openDatabase(base);
  migrateDatabase(db);
  seedDatabase(db);
  renderMissingBodies(db);
  // Everything into the main file, so that copying base.db alone copies the whole database.
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.pragma("journal_mode = DELETE");
  db.$client.close();

  project.provide("unitBaseDatabase", base);
  return () => rmSync(dir, { recursive: true, force: true });
}

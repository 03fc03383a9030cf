/**
 * Runs in each worker before every test file (before the file imports anything).
 *
 * 1. The database: app/utils/db.server.ts opens DATABASE_PATH when it is first imported, so that is
 *    pointed at a file of this worker's own, a fresh copy of the seeded database that
 *    tests/unit/global-setup.ts built for this run. Test files that import route modules (and so the
 *    app's `db`) each start from the demo article and no users; other files never open it.
 * 2. Every unit test fails on an unexpected console.error: errors should be asserted, not printed.
 */
import { copyFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, inject, vi } from "vitest";

const base = inject("unitBaseDatabase");
const worker = process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? String(process.pid);
const databasePath = join(dirname(base), `worker-${worker}.db`);
// Without isolation (--no-isolate) a later file in this worker reuses the open handle: leave it be.
if (!globalThis.__marginaliaDb) {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${databasePath}${suffix}`, { force: true });
  copyFileSync(base, databasePath);
}
process.env.DATABASE_PATH = databasePath;

let errors: unknown[][] = [];

beforeEach(() => {
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});

afterEach(() => {
  if (errors.length > 0) {
    const first = errors[0]?.map(String).join(" ");
    throw new Error(`console.error was called ${errors.length} time(s); first: ${first}`);
  }
});

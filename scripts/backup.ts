/**
 * `npm run backup -- <file> [--force]`: a consistent copy of the database named by DATABASE_PATH,
 * safe to take while the server runs and writes.
 *
 * Copying marginalia.db with `cp` is not a backup: committed writes may still sit in the -wal file
 * beside it, and a copy taken while the server writes can be torn. This uses SQLite's online backup
 * API (better-sqlite3's `db.backup`), copying every page in one step, inside one read transaction:
 * the copy is the database as it was at one moment, with every write committed before that moment.
 * In WAL mode that read does not block the server's writes.
 *
 * The copy is written beside the target and renamed into place once complete and checked
 * (`PRAGMA integrity_check`), so a failed backup never leaves a half-written file under the name.
 * It is a single self-contained file (rollback-journal mode; no -wal needed). An existing file is
 * refused unless --force is given.
 *
 * To restore: stop the server, then `npm run restore -- <file>` (scripts/restore.ts), and start it.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { configuredDatabasePath, describeContents, fileArgument } from "./cli";

/** Pages per backup step: all of them, so that the copy comes from a single read transaction. */
const ALL_PAGES = 0x7fffffff;

function syncDirectory(path: string): void {
  try {
    const fd = openSync(dirname(path), "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can fsync a directory; the file itself was synced by SQLite.
  }
}

async function main(): Promise<number> {
  const args = fileArgument("backup", "usage: npm run backup -- <file> [--force]", {
    force: { type: "boolean" },
  });
  if (!args) return 2;
  const source = configuredDatabasePath("backup");
  if (!source) return 1;
  const target = args.file;
  if (target === source) {
    console.error(`backup: ${target} is the database itself; name another file`);
    return 1;
  }
  if (!existsSync(source)) {
    console.error(`backup: there is no database at ${source} (DATABASE_PATH)`);
    return 1;
  }
  if (existsSync(target) && !args.values.force) {
    console.error(`backup: ${target} already exists; pass --force to replace it`);
    return 1;
  }
  if (!existsSync(dirname(target))) {
    console.error(`backup: the folder ${dirname(target)} does not exist`);
    return 1;
  }

  const partial = `${target}.partial-${process.pid}`;
  const db = new Database(source, { fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  try {
    // Every write committed before this moment is in the copy (its read starts after it).
    const asOf = new Date();
    const { totalPages } = await db.backup(partial, { progress: () => ALL_PAGES });
    const copy = new Database(partial);
    let summary: string;
    try {
      // A plain single file: nothing in a -wal beside it, readable by any SQLite tool.
      copy.pragma("journal_mode = DELETE");
      const integrity = copy.pragma("integrity_check", { simple: true });
      if (integrity !== "ok") throw new Error(`the copy fails integrity_check: ${integrity}`);
      summary = describeContents(copy);
    } finally {
      copy.close();
    }
    // A database that was at `target` must not meet its old WAL when the copy is opened.
    for (const suffix of ["-wal", "-shm", "-journal"])
      rmSync(`${target}${suffix}`, { force: true });
    renameSync(partial, target);
    syncDirectory(target);
    console.log(
      `backed up ${source} as of ${asOf.toISOString()} to ${target}: ${statSync(target).size} bytes (${totalPages} pages), ${summary}, integrity ok, in ${Date.now() - asOf.getTime()} ms`,
    );
    return 0;
  } catch (error) {
    for (const suffix of ["", "-journal", "-wal", "-shm"]) {
      rmSync(`${partial}${suffix}`, { force: true });
    }
    console.error(`backup: ${(error as Error).message}`);
    return 1;
  } finally {
    db.close();
  }
}

process.exitCode = await main();

/**
 * `npm run restore -- <file>`: puts a backup made by `npm run backup` in place of the database
 * named by DATABASE_PATH. Stop the server first; start it again afterwards.
 *
 * What it does (and what to do by hand without it): check the backup (`PRAGMA integrity_check`);
 * make sure nothing has the database open (it refuses while a server runs); move the current
 * database aside as `<DATABASE_PATH>.before-restore-<time>` and remove its -wal and -shm files (a
 * stale WAL must never be applied to the restored file); copy the backup to DATABASE_PATH. On start
 * the server applies any migrations newer than the backup.
 */
import { copyFileSync, existsSync, renameSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import { configuredDatabasePath, describeContents, fileArgument } from "./cli";

/** Whether the backup is a whole Marginalia database. Throws with the reason when not. */
function checkBackup(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") throw new Error(`${path} fails integrity_check: ${integrity}`);
    const tables = new Set(
      (
        db.prepare("select name from sqlite_master where type = 'table'").all() as {
          name: string;
        }[]
      ).map((row) => row.name),
    );
    for (const table of ["__drizzle_migrations", "article", "annotation", "user"]) {
      if (!tables.has(table)) throw new Error(`${path} is not a Marginalia database (no ${table})`);
    }
    return describeContents(db);
  } finally {
    db.close();
  }
}

/**
 * Fails when another connection (a running server) has the database open: leaving WAL mode needs
 * every other connection gone. On success the WAL has been checkpointed into the file.
 */
function takeOffline(path: string): void {
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma("journal_mode = DELETE");
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY")) {
      throw new Error(`${path} is in use: stop the server first`);
    }
    throw error;
  } finally {
    db.close();
  }
}

function main(): number {
  const args = fileArgument("restore", "usage: npm run restore -- <backup file>", {});
  if (!args) return 2;
  const target = configuredDatabasePath("restore");
  if (!target) return 1;
  const backup = args.file;
  if (backup === target) {
    console.error(`restore: ${backup} is the database itself`);
    return 1;
  }
  try {
    if (!existsSync(backup)) throw new Error(`there is no file ${backup}`);
    const summary = checkBackup(backup);
    let aside: string | null = null;
    if (existsSync(target)) {
      takeOffline(target);
      aside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      renameSync(target, aside);
    }
    for (const suffix of ["-wal", "-shm", "-journal"])
      rmSync(`${target}${suffix}`, { force: true });
    const partial = `${target}.restoring-${process.pid}`;
    copyFileSync(backup, partial);
    renameSync(partial, target);
    console.log(
      `restored ${backup} to ${target} (${summary})${aside ? `; the previous database is at ${aside}` : ""}`,
    );
    return 0;
  } catch (error) {
    console.error(`restore: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = main();

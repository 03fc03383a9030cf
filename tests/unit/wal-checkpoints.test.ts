/**
 * The server's WAL checkpoints run on a worker thread (db/client.ts `startWalCheckpoints`), not in
 * the commit of whichever request crosses SQLite's threshold: writers stop checkpointing below the
 * backstop, the worker copies the WAL into the database file, and stopping it leaves the
 * connection free to close (and truncate the WAL) as before.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { closeDatabase, openDatabase, startWalCheckpoints } from "#db/client";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileDb() {
  const dir = mkdtempSync(join(tmpdir(), "marginalia-wal-"));
  dirs.push(dir);
  const path = join(dir, "wal.db");
  const db = openDatabase(path);
  db.$client.exec("create table note (id integer primary key, body text not null)");
  return { db, path };
}

/** Frames in the WAL and frames already copied into the database file (SQLite 3.51+ NOOP mode). */
function walState(db: ReturnType<typeof openDatabase>) {
  const [row] = db.$client.pragma("wal_checkpoint(NOOP)") as {
    log: number;
    checkpointed: number;
  }[];
  return row ?? { log: 0, checkpointed: 0 };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("startWalCheckpoints", () => {
  it("leaves checkpoints to the worker, which copies the WAL into the file", async () => {
    const { db, path } = fileDb();
    const checkpoints = startWalCheckpoints(db, {
      intervalMs: 10,
      restartPages: 1_000_000,
      backstopPages: 100_000,
    });
    expect(db.$client.pragma("wal_autocheckpoint", { simple: true })).toBe(100_000);
    const insert = db.$client.prepare("insert into note (body) values (?)");
    // Well past SQLite's default threshold of 1,000 pages, which this connection no longer applies.
    for (let i = 0; i < 1_500; i++) insert.run("x".repeat(3_000));
    expect(walState(db).log).toBeGreaterThan(1_000);
    await waitFor(() => {
      const { log, checkpointed } = walState(db);
      return log > 0 && checkpointed === log;
    }, "the worker to copy the WAL");
    await checkpoints.stop();
    closeDatabase(db);
    expect(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0).toBe(true);
    const reopened = openDatabase(path);
    expect(reopened.$client.prepare("select count(*) as n from note").get()).toEqual({ n: 1_500 });
    closeDatabase(reopened);
  });

  it("lets the WAL start over once the worker has copied it, so it does not grow without bound", async () => {
    const { db, path } = fileDb();
    const checkpoints = startWalCheckpoints(db, { intervalMs: 10, restartPages: 200 });
    const insert = db.$client.prepare("insert into note (body) values (?)");
    for (let i = 0; i < 600; i++) insert.run("y".repeat(3_000));
    const grown = walState(db).log;
    expect(grown).toBeGreaterThan(200);
    await waitFor(() => walState(db).checkpointed === walState(db).log, "a complete checkpoint");
    // The next write finds everything copied and writes from the WAL's start again.
    insert.run("z");
    expect(walState(db).log).toBeLessThan(grown);
    await checkpoints.stop();
    await checkpoints.stop();
    closeDatabase(db);
    expect(existsSync(path)).toBe(true);
  });

  it("does nothing for an in-memory database", async () => {
    const db = openDatabase(":memory:");
    await startWalCheckpoints(db).stop();
    closeDatabase(db);
  });
});

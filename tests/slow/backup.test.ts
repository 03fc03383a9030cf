/**
 * `npm run backup` while writers keep writing through the server, then `npm run restore`: the backup
 * is one consistent moment (integrity, tallies, search index and threads all agree), it holds every
 * write acknowledged before the backup started, nothing in it is missing from a prefix of history,
 * and the restored database equals the backup table by table and serves it.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createReaders,
  ensureBuild,
  freePorts,
  killAllServers,
  openDb,
  ROOT,
  readArticle,
  removeDatabase,
  sleep,
  startServer,
  stopServer,
  tmpDir,
} from "./harness";
import { checkDatabase, dumpTables } from "./verify";
import { newKnowledge, runWorkload, summarize, type Tracked } from "./workload";

/** Annotations written straight into the database first, so that there is something to copy. */
const BULK_ANNOTATIONS = 20_000;

/** `npm run <script> -- <args>`, or (`via: "node"`, quicker) the script itself as npm runs it. */
function run(
  script: "backup" | "restore",
  args: string[],
  databasePath: string,
  via: "npm" | "node" = "node",
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const [command, commandArgs] =
    via === "npm"
      ? ["npm", ["run", "-s", script, "--", ...args]]
      : [process.execPath, ["--import", "tsx", `scripts/${script}.ts`, ...args]];
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: ROOT,
      env: { ...process.env, DATABASE_PATH: databasePath, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("exit", (code) => resolve({ code, output: output.trim(), ms: Date.now() - started }));
  });
}

function bulkInsert(path: string): void {
  const db = openDb(path);
  try {
    const blocks = db
      .prepare("select id, article_id from block where kind = 'paragraph'")
      .all() as { id: number; article_id: number }[];
    const insert = db.prepare(
      `insert into annotation (article_id, block_id, kind, body, body_html, visibility, depth)
       values (?, ?, 'annotation', ?, ?, 'public', 0)`,
    );
    const setRoot = db.prepare("update annotation set root_id = id where id = ?");
    db.transaction(() => {
      for (let i = 0; i < BULK_ANNOTATIONS; i++) {
        const b = blocks[i % blocks.length] as { id: number; article_id: number };
        const body = `bulk ${i} ${"lorem ipsum dolor sit amet ".repeat(8)}`;
        const { lastInsertRowid } = insert.run(b.article_id, b.id, body, `<p>${body}</p>`);
        setRoot.run(lastInsertRowid);
      }
    }).immediate();
  } finally {
    db.close();
  }
}

let dir: string;

beforeAll(() => {
  ensureBuild();
  dir = tmpDir("backup");
});

afterAll(() => killAllServers());

describe("backup and restore", () => {
  it("a backup taken during writes is one consistent moment with every earlier write; restore brings it back", async () => {
    const live = join(dir, "live.db");
    const backup = join(dir, "backup.db");
    removeDatabase(live);
    const [port] = (await freePorts(1)) as [number];
    let server = await startServer({ port, databasePath: live });
    bulkInsert(live);
    const readers = createReaders(live, 32);
    const { slug, paragraphs } = readArticle(live);
    const knowledge = newKnowledge();
    let stop = false;
    const writing = runWorkload({
      origins: () => [server.origin],
      readers,
      clients: 4,
      slug,
      paragraphs: paragraphs.slice(0, 4),
      knowledge,
      seed: Date.now() % 100_000,
      stop: () => stop,
      // No deletions: then the backup must hold exactly the annotations up to some id.
      mix: { create: 40, reply: 25, edit: 15, endorse: 20, delete: 0 },
    });
    await sleep(1500);

    const backedUp = await run("backup", [backup], live, "npm");
    const finished = Date.now();
    await sleep(500);
    stop = true;
    await writing;
    expect(backedUp.code, backedUp.output).toBe(0);
    expect(backedUp.output).toMatch(/^backed up .* as of \S+ to .*backup\.db: \d+ bytes/);
    expect(knowledge.failures).toEqual([]);

    // What the clients had seen acknowledged when the backup started (the time it reports), as
    // it was then: each must be in the backup, and no older.
    const asOf = Date.parse(/ as of (\S+) to /.exec(backedUp.output)?.[1] ?? "");
    const before = new Map<number, Tracked & { historyAtStart: number }>();
    for (const a of knowledge.annotations.values()) {
      const acknowledged = a.historyAt.filter((at) => at < asOf).length;
      if (acknowledged > 0) before.set(a.id, { ...a, historyAtStart: acknowledged - 1 });
    }
    const acks = [...knowledge.annotations.values()].flatMap((a) => a.historyAt);
    const justBefore = acks.filter((at) => at < asOf && at >= asOf - 250).length;
    const during = acks.filter((at) => at >= asOf && at <= finished).length;
    console.log(
      `backup: ${backedUp.output} (${backedUp.ms} ms with npm); ${justBefore} writes acknowledged in the 250 ms before it, ${during} while it ran; ${summarize(knowledge)}`,
    );
    expect(before.size).toBeGreaterThan(0);
    expect((await stopServer(server)).code).toBe(0);

    // One consistent moment.
    expect(checkDatabase(backup), "the backup's integrity, tallies, search and threads").toEqual(
      [],
    );
    expect(existsSync(`${backup}-wal`), "the backup is one file").toBe(false);

    // Everything acknowledged before the backup started is in it, whole, at least as new as then.
    const db = openDb(backup, { readonly: true });
    const problems: string[] = [];
    let backupIds: number[];
    try {
      const byId = db.prepare("select * from annotation where id = ?");
      for (const a of before.values()) {
        const row = byId.get(a.id) as Record<string, unknown> | undefined;
        if (!row) {
          problems.push(`annotation ${a.id}, acknowledged before the backup, is missing`);
          continue;
        }
        const at = a.history.indexOf(String(row.body));
        if (at < a.historyAtStart) {
          problems.push(`annotation ${a.id} has body #${at}, older than #${a.historyAtStart}`);
        }
        if (row.parent_id !== a.parentId || row.root_id !== a.rootId) {
          problems.push(`annotation ${a.id}: thread links ${row.parent_id}/${row.root_id}`);
        }
        if ((row.quote_exact ?? null) !== (a.quote?.exact ?? null)) {
          problems.push(`annotation ${a.id}: quote ${row.quote_exact}`);
        }
      }
      backupIds = (db.prepare("select id from annotation order by id").pluck().all() as number[])
        .slice()
        .sort((x, y) => x - y);
    } finally {
      db.close();
    }
    expect(problems).toEqual([]);

    // A prefix of history: with no deletions, every annotation up to the newest in the backup.
    const last = backupIds.at(-1) ?? 0;
    const liveDb = openDb(live, { readonly: true });
    try {
      const liveIds = liveDb
        .prepare("select id from annotation where id <= ? order by id")
        .pluck()
        .all(last) as number[];
      expect(backupIds).toEqual(liveIds);
    } finally {
      liveDb.close();
    }

    // An existing file is not overwritten without --force.
    const original = readFileSync(backup);
    const again = await run("backup", [backup], live);
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/already exists; pass --force/);
    expect(readFileSync(backup).equals(original)).toBe(true);
    const forced = await run("backup", [backup, "--force"], live);
    expect(forced.code, forced.output).toBe(0);

    // Restore: the restored database is the backup, table by table, and the server serves it.
    const restored = await run("restore", [backup], live);
    expect(restored.code, restored.output).toBe(0);
    expect(restored.output).toMatch(/^restored .* the previous database is at /);
    expect(existsSync(`${live}-wal`)).toBe(false);
    expect(dumpTables(live)).toEqual(dumpTables(backup));

    server = await startServer({ port, databasePath: live });
    // A public one: a tenth of the workload's annotations are private notes, which an anonymous
    // request rightly cannot open (404).
    const some = [...before.values()].find((a) => a.visibility === "public")?.id;
    const page = await fetch(`${server.origin}/articles/${slug}/annotations/${some}`);
    expect(page.status, `annotation ${some}`).toBe(200);
    // While a server has the database open, restore refuses and changes nothing.
    const refused = await run("restore", [backup], live);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/in use: stop the server first/);
    expect((await stopServer(server)).code).toBe(0);
    expect(checkDatabase(live)).toEqual([]);
  });
});

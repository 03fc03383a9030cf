/**
 * Two server processes on one database file (a blue/green deploy, or two instances behind a proxy):
 * writes through both at once must wait for each other, never fail, and leave every tally right.
 * And ten processes starting at once on a fresh file must all migrate and seed, and seed once.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createReaders,
  ensureBuild,
  freePorts,
  killAllServers,
  openDb,
  type Reader,
  ROOT,
  readArticle,
  removeDatabase,
  type Server,
  startServer,
  stopServer,
  tmpDir,
} from "./harness";
import { checkDatabase, checkKnowledge } from "./verify";
import { newKnowledge, post, runWorkload, summarize } from "./workload";

const STARTS = 10;
/** Concurrent clients, each signing in as three readers in turn (the per-user write limits). */
const CLIENTS = 8;
const OPS_PER_CLIENT = 40;
/** Rounds of one deletion raced by RACE_REPLIES replies to the deleted annotation. */
const RACE_ROUNDS = 25;
const RACE_REPLIES = 4;

let dir: string;

beforeAll(() => {
  ensureBuild();
  dir = tmpDir("two-processes");
});

afterAll(() => killAllServers());

describe("several processes on one database file", () => {
  it(`${STARTS} processes starting at once on a fresh file all migrate and seed it, once`, async () => {
    const path = join(dir, "starts.db");
    removeDatabase(path);
    // Each process loads first; then all open the database at the same moment.
    const children = Array.from({ length: STARTS }, () =>
      spawn(process.execPath, ["--import", "tsx", "tests/slow/start-db.ts"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_PATH: path, NODE_ENV: "production" },
        stdio: ["pipe", "pipe", "pipe"],
        timeout: 90_000,
      }),
    );
    const runs = children.map((child) => {
      let output = "";
      child.stdout.on("data", (chunk) => {
        output += chunk;
      });
      child.stderr.on("data", (chunk) => {
        output += chunk;
      });
      const ready = new Promise<void>((resolve) => {
        const check = () => (output.includes("ready") ? resolve() : undefined);
        child.stdout.on("data", check);
        child.on("exit", () => resolve());
      });
      const exit = new Promise<{ code: number | null; output: string }>((resolve) =>
        child.on("exit", (code) => resolve({ code, output })),
      );
      return { child, ready, exit };
    });
    await Promise.all(runs.map((run) => run.ready));
    for (const run of runs) run.child.stdin.end("go\n");
    const results = await Promise.all(runs.map((run) => run.exit));
    const failed = results.filter((r) => r.code !== 0);
    expect(
      failed.map((r) => r.output.slice(0, 600)),
      "every start succeeds",
    ).toEqual([]);

    const db = openDb(path, { readonly: true });
    try {
      expect(db.prepare("select count(*) as n from article").get()).toEqual({ n: 1 });
      const migrations = db.prepare("select hash from __drizzle_migrations").all();
      expect(new Set(migrations.map((m) => (m as { hash: string }).hash)).size).toBe(
        migrations.length,
      );
    } finally {
      db.close();
    }
    expect(checkDatabase(path)).toEqual([]);
  });

  it("concurrent writes through two servers: no 5xx, nothing lost, tallies right", async () => {
    const path = join(dir, "shared.db");
    removeDatabase(path);
    const ports = await freePorts(2);
    // Both start at once on the fresh file, too.
    const servers: Server[] = await Promise.all(
      ports.map((port) => startServer({ port, databasePath: path })),
    );
    const readers = createReaders(path, CLIENTS * 3);
    const { slug, paragraphs } = readArticle(path);
    const knowledge = newKnowledge();
    const seed = Date.now() % 100_000;
    const started = Date.now();
    await runWorkload({
      origins: () => servers.map((s) => s.origin),
      readers,
      slug,
      paragraphs: paragraphs.slice(0, 6),
      knowledge,
      seed,
      clients: CLIENTS,
      opsPerClient: OPS_PER_CLIENT,
    });
    console.log(
      `two processes, seed ${seed}: ${summarize(knowledge)} in ${Date.now() - started} ms`,
    );

    // Replies racing the deletion of their parent, through the other process: each is answered
    // (302) or refused (404), never a 5xx, and no reply is added to an already deleted annotation.
    const raceReaders = createReaders(path, RACE_ROUNDS * (RACE_REPLIES + 1), "race");
    const raceStatuses = new Map<string, number>();
    for (let round = 0; round < RACE_ROUNDS; round++) {
      const [author, ...repliers] = raceReaders.slice(
        round * (RACE_REPLIES + 1),
        (round + 1) * (RACE_REPLIES + 1),
      ) as [Reader, ...Reader[]];
      const [one, other] = servers as [Server, Server];
      const page = `/articles/${slug}/p/${paragraphs[round % 6]?.anchor}`;
      const created = await post(
        one.origin,
        page,
        { intent: "create", kind: "question", body: `race ${round}` },
        author,
      );
      const id = Number(/#a-(\d+)$/.exec(("location" in created && created.location) || "")?.[1]);
      expect(id, `create for race ${round}`).toBeGreaterThan(0);
      const permalink = `/articles/${slug}/annotations/${id}`;
      const answers = await Promise.all([
        post(one.origin, permalink, { intent: "delete", id: String(id) }, author),
        ...repliers.map((replier, i) =>
          post(
            i % 2 ? one.origin : other.origin,
            permalink,
            {
              intent: "reply",
              id: String(id),
              kind: "annotation",
              body: `race ${round} reply ${i}`,
            },
            replier,
          ),
        ),
      ]);
      answers.forEach((answer, i) => {
        const key = `${i === 0 ? "delete" : "reply"} ${answer.status}`;
        raceStatuses.set(key, (raceStatuses.get(key) ?? 0) + 1);
        const ok = i === 0 ? [302] : [302, 404];
        if (!ok.includes(answer.status as number)) {
          knowledge.failures.push(`race ${round}: ${key}`);
        }
      });
    }
    console.log(
      `replies racing deletions: ${[...raceStatuses].map(([k, n]) => `${k}: ${n}`).join(", ")}`,
    );
    const errors = servers.flatMap((s) =>
      s
        .output()
        .split("\n")
        .filter((line) => /error|SQLITE/i.test(line)),
    );
    if (errors.length > 0) console.log(`server errors:\n${errors.slice(0, 20).join("\n")}`);
    for (const server of servers) {
      const exit = await stopServer(server);
      expect(exit.code, server.output().slice(-2000)).toBe(0);
    }
    expect(knowledge.failures, "answers a client should never get").toEqual([]);
    expect(checkKnowledge(path, knowledge, readers), "acknowledged writes").toEqual([]);
    expect(checkDatabase(path), "integrity, tallies, search, threads").toEqual([]);
    const db = openDb(path, { readonly: true });
    try {
      const late = db
        .prepare(
          `select r.id, p.id as parent from annotation r join annotation p on p.id = r.parent_id
           where p.deleted_at is not null and r.created_at > p.deleted_at`,
        )
        .all();
      expect(late, "replies written after their parent was deleted").toEqual([]);
    } finally {
      db.close();
    }
  });
});

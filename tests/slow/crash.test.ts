/**
 * `npm run test:crash`: concurrent writers through HTTP while the server is killed with SIGKILL at
 * random moments, several times, and restarted each time. Afterwards every write a client saw
 * acknowledged (a 302/303) is there and whole — its row and text, its quote selectors, its thread
 * links, its search entry — every tally equals a count recomputed from the rows, and SQLite's
 * integrity check passes. Writes whose answer never came may or may not be there, but whole.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createReaders,
  ensureBuild,
  freePorts,
  killAllServers,
  readArticle,
  removeDatabase,
  type Server,
  sleep,
  startServer,
  stopServer,
  tmpDir,
} from "./harness";
import { checkDatabase, checkKnowledge } from "./verify";
import { newKnowledge, rng, runWorkload, summarize } from "./workload";

const ROUNDS = 5;
/** How long the writers run before each SIGKILL: a random time in this range (ms). */
const RUN_MS: [number, number] = [1000, 3500];
const CLIENTS = 6;
/** Readers per client: each has a write budget (the per-user limits), so a client moves on. */
const READERS_PER_CLIENT = 12;

let dir: string;

beforeAll(() => {
  ensureBuild();
  dir = tmpDir("crash");
});

afterAll(() => killAllServers());

describe("crash safety", () => {
  it(`${ROUNDS} SIGKILLs under concurrent writes lose no acknowledged write`, async () => {
    const path = join(dir, "crash.db");
    removeDatabase(path);
    const [port] = (await freePorts(1)) as [number];
    let server: Server = await startServer({ port, databasePath: path });
    const readers = createReaders(path, CLIENTS * READERS_PER_CLIENT);
    const { slug, paragraphs } = readArticle(path);
    const knowledge = newKnowledge();
    const seed = Date.now() % 100_000;
    const random = rng(seed);

    // Clients wait while the server is down instead of hammering a closed port.
    let up: Promise<void> = Promise.resolve();
    let markUp = () => {};
    let stop = false;
    const writing = runWorkload({
      origins: () => [server.origin],
      readers,
      clients: CLIENTS,
      slug,
      paragraphs: paragraphs.slice(0, 5),
      knowledge,
      seed,
      stop: () => stop,
      beforeRequest: () => up,
      tag: "crash",
    });

    const kills: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const runFor = RUN_MS[0] + random() * (RUN_MS[1] - RUN_MS[0]);
      await sleep(runFor);
      up = new Promise((resolve) => {
        markUp = resolve;
      });
      const exit = await stopServer(server, "SIGKILL");
      expect(exit.signal).toBe("SIGKILL");
      kills.push(Math.round(runFor));
      if (round < ROUNDS - 1) {
        server = await startServer({ port, databasePath: path });
        markUp();
      }
    }
    stop = true;
    markUp();
    await writing;
    const maybes = [...knowledge.annotations.values()].filter(
      (a) => a.deleted === "maybe" || a.bodies.size > 1,
    ).length;
    console.log(
      `crash, seed ${seed}: killed after ${kills.join(", ")} ms; ${summarize(knowledge)}; ${knowledge.unanswered.length} unanswered creates, ${maybes} annotations with an unanswered edit or delete`,
    );

    expect(knowledge.failures, "answers a client should never get").toEqual([]);
    // Straight after the last SIGKILL: the file as the crash left it (SQLite recovers the WAL).
    expect(checkKnowledge(path, knowledge, readers), "acknowledged writes").toEqual([]);
    expect(checkDatabase(path), "integrity, tallies, search, threads").toEqual([]);

    // And the server starts on it again, and stops cleanly.
    server = await startServer({ port, databasePath: path });
    expect((await stopServer(server)).code).toBe(0);
    expect(checkDatabase(path)).toEqual([]);
  });
});

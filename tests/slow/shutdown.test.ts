/**
 * Graceful shutdown, as a container stops it: SIGTERM to `npm start` (PID 1 in the container), and
 * SIGTERM to the server process itself. Every request the server had accepted must get a whole
 * answer — one still uploading its body, one on a connection opened but not yet sent, page loads
 * in flight — new connections must be refused, the process tree must be gone, exit code 0, and the
 * WAL checkpointed away so that the .db file alone holds every acknowledged write.
 */
import { copyFileSync, existsSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createReaders,
  ensureBuild,
  freePorts,
  isAlive,
  killAllServers,
  openDb,
  processTree,
  readArticle,
  removeDatabase,
  sleep,
  startServer,
  tmpDir,
} from "./harness";

/** server.ts's drain deadline: a clean shutdown here finishes well before it. */
const DRAIN_MS = 8_000;

type Answer = { status: number; body: string; complete: boolean; error?: string };

/**
 * A request on a connection of its own whose sending the test controls: headers and `first` are
 * sent by `begin()`, the rest by `finish()`. With `first === null`, `begin()` only connects.
 */
function controlledRequest(
  port: number,
  options: { method: "GET" | "POST"; path: string; headers?: Record<string, string> },
  body: string,
  first: string | null,
) {
  let answer: (value: Answer) => void = () => {};
  const answered = new Promise<Answer>((resolve) => {
    answer = resolve;
  });
  const request = http.request({
    host: "127.0.0.1",
    port,
    method: options.method,
    path: options.path,
    agent: false,
    headers: {
      ...options.headers,
      ...(options.method === "POST"
        ? {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": String(Buffer.byteLength(body)),
          }
        : {}),
    },
  });
  request.on("response", (response) => {
    let text = "";
    let aborted = false;
    response.setEncoding("utf8");
    response.on("data", (chunk) => {
      text += chunk;
    });
    response.on("aborted", () => {
      aborted = true;
    });
    response.on("error", (error) =>
      answer({
        status: response.statusCode ?? 0,
        body: text,
        complete: false,
        error: String(error),
      }),
    );
    response.on("end", () =>
      answer({ status: response.statusCode ?? 0, body: text, complete: !aborted }),
    );
  });
  request.on("error", (error) =>
    answer({ status: 0, body: "", complete: false, error: String(error) }),
  );
  const connected = new Promise<void>((resolve) =>
    request.on("socket", (socket) => {
      if (!socket.connecting) resolve();
      socket.once("connect", () => resolve());
    }),
  );
  return {
    answered,
    /** Connects, and sends the headers and the first part of the body (if any). */
    async begin() {
      if (first !== null) {
        request.flushHeaders();
        request.write(first);
      }
      await connected;
    },
    finish() {
      request.end(first === null ? body : body.slice(first.length));
    },
  };
}

function describeProcess(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`;
  } catch {
    return `${pid}`;
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

let dir: string;

beforeAll(() => {
  ensureBuild();
  dir = tmpDir("shutdown");
});

afterAll(() => killAllServers());

describe("graceful shutdown", () => {
  for (const target of ["npm start", "the server process"] as const) {
    it(`SIGTERM to ${target}: accepted requests answered, tree gone, WAL empty`, async () => {
      const path = join(dir, `${target === "npm start" ? "npm" : "server"}.db`);
      removeDatabase(path);
      const [port] = (await freePorts(1)) as [number];
      const server = await startServer({
        port,
        databasePath: path,
        via: target === "npm start" ? "npm" : "node",
      });
      const tree = processTree(server.pid);
      expect(tree.length, "npm start runs one server process under npm").toBeGreaterThan(0);
      const [reader] = createReaders(path, 1) as [ReturnType<typeof createReaders>[number]];
      const { slug, paragraphs } = readArticle(path);
      const origin = `http://127.0.0.1:${port}`;
      const writeHeaders = { Cookie: reader.cookie, Origin: origin };
      const create = (i: number, kind: string) =>
        new URLSearchParams({
          intent: "create",
          kind: "annotation",
          body: `shutdown ${kind} ${i} ${"words ".repeat(200)}`,
        }).toString();
      const paragraphPath = `/articles/${slug}/p/${paragraphs[0]?.anchor}`;

      // A write that is still uploading its body when the signal comes.
      const uploading = [0, 1, 2].map((i) => {
        const body = create(i, "uploading");
        return controlledRequest(
          port,
          { method: "POST", path: paragraphPath, headers: writeHeaders },
          body,
          body.slice(0, 200),
        );
      });
      // Connections opened before the signal whose request is sent only after it.
      const connectedOnly = [0, 1, 2].map((i) =>
        controlledRequest(
          port,
          { method: "POST", path: paragraphPath, headers: writeHeaders },
          create(i, "late"),
          null,
        ),
      );
      const pageLoads = [
        `/articles/${slug}`,
        `/articles/${slug}/discussion`,
        `/articles/${slug}/feed.xml`,
        "/search?q=taliban",
      ].map((page) => controlledRequest(port, { method: "GET", path: page }, "", null));
      // A keep-alive connection that already has its answer must not hold the shutdown up.
      const keepAlive = new http.Agent({ keepAlive: true });
      await new Promise<void>((resolve, reject) =>
        http
          .get({ host: "127.0.0.1", port, path: "/healthz", agent: keepAlive }, (res) => {
            res.resume();
            res.on("end", resolve);
          })
          .on("error", reject),
      );

      for (const r of [...uploading, ...connectedOnly]) await r.begin();
      for (const r of pageLoads) {
        await r.begin();
        r.finish();
      }
      await sleep(200);

      // Connections the kernel has accepted but the server has not taken yet: freeze the server
      // (SIGSTOP), connect and send whole requests, signal, and let it run again. It then finds
      // the signal and these connections waiting at the same moment.
      const node = tree.at(-1) as number;
      process.kill(node, "SIGSTOP");
      const queued = [0, 1, 2, 3].map((i) =>
        controlledRequest(
          port,
          { method: "POST", path: paragraphPath, headers: writeHeaders },
          create(i, "queued"),
          null,
        ),
      );
      for (const r of queued) {
        await r.begin();
        r.finish();
      }
      await sleep(100);
      const signalledAt = Date.now();
      process.kill(server.pid, "SIGTERM");
      await sleep(100);
      process.kill(node, "SIGCONT");
      let closed = false;
      for (let i = 0; i < 20 && !closed; i++) {
        await sleep(100);
        closed = await refused(port);
      }
      expect(closed, "no new connections once stopping (within 2 s)").toBe(true);
      for (const r of [...uploading, ...connectedOnly]) r.finish();

      const answers = await Promise.all(
        [...uploading, ...connectedOnly, ...queued, ...pageLoads].map((r) => r.answered),
      );
      const exit = await Promise.race([server.exited, sleep(DRAIN_MS + 7000).then(() => null)]);
      const stoppedAfter = Date.now() - signalledAt;
      keepAlive.destroy();
      const output = server.output();

      expect(
        answers.map((a) => ({ status: a.status, complete: a.complete, error: a.error })),
        output.slice(-1500),
      ).toEqual([
        ...[...uploading, ...connectedOnly, ...queued].map(() => ({
          status: 302,
          complete: true,
          error: undefined,
        })),
        ...pageLoads.map(() => ({ status: 200, complete: true, error: undefined })),
      ]);
      expect(exit, `exited after SIGTERM to ${target}\n${output.slice(-1500)}`).toEqual({
        code: 0,
        signal: null,
      });
      expect(stoppedAfter, "finished without waiting for the drain deadline").toBeLessThan(
        DRAIN_MS,
      );
      for (let i = 0; i < 20 && tree.some(isAlive); i++) await sleep(100);
      expect(tree.filter(isAlive).map(describeProcess), "no process of the tree is left").toEqual(
        [],
      );

      const wal = `${path}-wal`;
      expect(!existsSync(wal) || statSync(wal).size === 0, "the WAL is empty or gone").toBe(true);
      // The .db file alone holds every acknowledged write.
      const copy = join(dir, "copy-of-db-file.db");
      removeDatabase(copy);
      copyFileSync(path, copy);
      const db = openDb(copy, { readonly: true });
      try {
        const stored = db
          .prepare("select count(*) as n from annotation where body like 'shutdown %'")
          .get() as { n: number };
        expect(stored.n, "the ten acknowledged annotations").toBe(10);
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      } finally {
        db.close();
      }
    });
  }
});

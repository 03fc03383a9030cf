/**
 * Process-level test harness: builds the app when needed, starts real servers (`node
 * build/server.js`, or `npm start`) on 127.0.0.1 ports 3500–3599 with a database under tests/.tmp, gives
 * readers sessions straight in the database, and stops everything it started.
 *
 * Every server gets a watchdog process that SIGKILLs its process group when the test process is
 * gone or after MAX_SERVER_LIFETIME_MS, so nothing outlives a killed test run.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TMP = join(ROOT, "tests/.tmp");
const MAX_SERVER_LIFETIME_MS = 10 * 60_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A directory of this test process's own under tests/.tmp, emptied first. Directories earlier runs
 * of the same test left (kept for a look after a failure) go once their process is gone.
 */
export function tmpDir(name: string): string {
  const prefix = `slow-${name}-`;
  for (const entry of existsSync(TMP) ? readdirSync(TMP) : []) {
    const pid = Number(entry.slice(prefix.length));
    if (entry.startsWith(prefix) && Number.isSafeInteger(pid) && !isAlive(pid)) {
      rmSync(join(TMP, entry), { recursive: true, force: true });
    }
  }
  const dir = join(TMP, `${prefix}${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The production build the servers run (build/index.js, and server.ts bundled as build/server.js):
 * built when missing or older than app/ or server.ts, so the tests never exercise stale code.
 */
export function ensureBuild(): void {
  const newestSource = Math.max(
    newestMtime(join(ROOT, "app")),
    statSync(join(ROOT, "server.ts")).mtimeMs,
  );
  const built = ["build/index.js", "build/server.js"].map((file) => join(ROOT, file));
  if (built.every((file) => existsSync(file) && statSync(file).mtimeMs >= newestSource)) return;
  console.log("building the app (build/ is missing or older than app/ or server.ts)…");
  // NODE_ENV=production: vitest sets "test", which would build development JSX.
  execFileSync("npm", ["run", "-s", "build"], {
    cwd: ROOT,
    stdio: "inherit",
    timeout: 180_000,
    env: { ...process.env, NODE_ENV: "production" },
  });
}

/** Free ports in 3500–3599 (the range these tests may use), checked by binding 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  const start = 3500 + Math.floor(Math.random() * 100);
  for (let i = 0; i < 100 && ports.length < count; i++) {
    const port = 3500 + ((start - 3500 + i) % 100);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) ports.push(port);
  }
  if (ports.length < count) throw new Error("no free port in 3500-3599");
  return ports;
}

export type Server = {
  port: number;
  origin: string;
  /** The process we spawned: node itself, or npm for `npm start`. */
  child: ChildProcess;
  pid: number;
  /** Everything the server printed, for failure messages. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the spawned process has exited. */
  hasExited: () => boolean;
};

const started = new Set<Server>();

/** Kills the server's whole process group (only processes this test started). */
function killGroup(server: Server, signal: NodeJS.Signals): void {
  try {
    process.kill(-server.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGKILLs the process group when this test process dies or the server outlives its limit. */
function watchdog(pgid: number): void {
  const script = `
    const [parent, group, limit] = process.argv.slice(1).map(Number);
    const until = Date.now() + limit;
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === "EPERM"; } };
    const timer = setInterval(() => {
      if (!alive(-group)) { clearInterval(timer); return; }
      if (!alive(parent) || Date.now() > until) {
        try { process.kill(-group, "SIGKILL"); } catch {}
        clearInterval(timer);
      }
    }, 500);
  `;
  const dog = spawn(
    process.execPath,
    ["-e", script, String(process.pid), String(pgid), String(MAX_SERVER_LIFETIME_MS)],
    { detached: true, stdio: "ignore" },
  );
  dog.unref();
}

/**
 * Starts a server on `port` with `databasePath` and waits until /healthz answers.
 * `via: "npm"` runs `npm start` (what a container runs); otherwise node runs build/server.js directly,
 * so that a signal reaches the server itself.
 */
export async function startServer(options: {
  port: number;
  databasePath: string;
  via?: "node" | "npm";
  waitForHealth?: boolean;
  timeoutMs?: number;
}): Promise<Server> {
  const { port, databasePath, via = "node", waitForHealth = true, timeoutMs = 60_000 } = options;
  const [command, args] =
    via === "npm" ? ["npm", ["start", "--silent"]] : [process.execPath, ["build/server.js"]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_PATH: databasePath,
    },
    // Its own process group, so that the watchdog and the cleanup can end the whole tree.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  watchdog(child.pid);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const server: Server = {
    port,
    origin: `http://127.0.0.1:${port}`,
    child,
    pid: child.pid,
    output: () => output,
    exited,
    hasExited: () => done,
  };
  started.add(server);
  if (waitForHealth) await waitUntilHealthy(server, timeoutMs);
  return server;
}

export async function waitUntilHealthy(server: Server, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.hasExited()) {
      throw new Error(`server on ${server.port} exited while starting:\n${server.output()}`);
    }
    try {
      const response = await fetch(`${server.origin}/healthz`, {
        signal: AbortSignal.timeout(2000),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`server on ${server.port} did not become healthy:\n${server.output()}`);
}

/** Sends `signal` to the spawned process and waits (bounded) for it to exit. */
export async function stopServer(
  server: Server,
  signal: NodeJS.Signals = "SIGTERM",
  timeoutMs = 20_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (!server.hasExited()) server.child.kill(signal);
  const result = await Promise.race([server.exited, sleep(timeoutMs).then(() => null)]);
  if (result === null) {
    killGroup(server, "SIGKILL");
    throw new Error(`server on ${server.port} did not exit within ${timeoutMs} ms of ${signal}`);
  }
  started.delete(server);
  return result;
}

/** Ends every server this process started and has not stopped (after a failed test). */
export function killAllServers(): void {
  for (const server of started) killGroup(server, "SIGKILL");
  started.clear();
}

/** The pids of `pid` and all its descendants, from /proc (Linux). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function openDb(path: string, options: { readonly?: boolean } = {}): Database.Database {
  const db = new Database(path, { fileMustExist: true, readonly: options.readonly ?? false });
  db.pragma("busy_timeout = 5000");
  return db;
}

export type Reader = { id: string; username: string; sessionId: string; cookie: string };

/**
 * Readers with sessions, written straight into the database as tests/e2e/auth.ts does (the hash is
 * never checked: these readers never sign in with a password).
 */
export function createReaders(databasePath: string, count: number, prefix = "r"): Reader[] {
  const db = openDb(databasePath);
  try {
    const expiresAt = Math.floor(Date.now() / 1000) + 30 * 24 * 60 * 60;
    const readers: Reader[] = [];
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const id = randomBytes(16).toString("hex");
        const username = `${prefix}_${i}_${randomBytes(3).toString("hex")}`;
        const sessionId = randomBytes(25).toString("hex");
        db.prepare(
          "insert into user (id, username, display_name, password_hash) values (?, ?, ?, 'unused')",
        ).run(id, username, `Reader ${i}`);
        db.prepare("insert into session (id, user_id, expires_at) values (?, ?, ?)").run(
          sessionId,
          id,
          expiresAt,
        );
        readers.push({ id, username, sessionId, cookie: `auth_session=${sessionId}` });
      }
    }).immediate();
    return readers;
  } finally {
    db.close();
  }
}

export type Paragraph = { articleId: number; blockId: number; anchor: string; text: string };

/** The seeded article's slug and paragraphs. */
export function readArticle(databasePath: string): { slug: string; paragraphs: Paragraph[] } {
  const db = openDb(databasePath, { readonly: true });
  try {
    const article = db.prepare("select id, slug from article order by id limit 1").get() as {
      id: number;
      slug: string;
    };
    const paragraphs = db
      .prepare(
        "select article_id as articleId, id as blockId, anchor, text from block where article_id = ? and kind = 'paragraph' order by position",
      )
      .all(article.id) as Paragraph[];
    return { slug: article.slug, paragraphs };
  } finally {
    db.close();
  }
}

/**
 * Load for `npm run bench`: the production server (and a bare `node:http` baseline) started on
 * 127.0.0.1 pinned to one core, and wrk pinned to the other, each run bounded in time (writes also
 * in count). autocannon is the fallback only when wrk is missing: on 2 cores it saturates near
 * 10,000 req/s and would measure itself.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The core the server gets; the load generator takes the other (on a 2-core machine). */
export const SERVER_CPU = "0";
export const LOAD_CPU = "1";

export type Figures = {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
};

export type Load = {
  tool: "wrk" | "autocannon";
  run: (options: RunOptions) => Promise<Figures>;
};

export type RunOptions = {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** A POST body maker: wrk Lua that builds each request, with a cap on completed requests. */
  post?: { bodies: string[]; cookies: string[]; origin: string; limit: number };
  dir: string;
};

function has(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const pinned = (command: string, args: string[], cpu: string): [string, string[]] =>
  has("taskset") ? ["taskset", ["-c", cpu, command, ...args]] : [command, args];

/** wrk's durations (`850.00us`, `9.98ms`, `1.20s`) in milliseconds. */
function millis(text: string | undefined): number {
  const match = /([\d.]+)(us|ms|s|m)/.exec(text ?? "");
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return { us: value / 1000, ms: value, s: value * 1000, m: value * 60_000 }[match[2] as "ms"];
}

const luaString = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function wrkScript(post: NonNullable<RunOptions["post"]>, path: string): string {
  return `
local bodies = { ${post.bodies.map(luaString).join(", ")} }
local cookies = { ${post.cookies.map(luaString).join(", ")} }
local sent, answered, limit = 0, 0, ${post.limit}
request = function()
  sent = sent + 1
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = ${luaString(post.origin)},
    ["Cookie"] = cookies[(sent % #cookies) + 1],
  }
  return wrk.format("POST", ${luaString(path)}, headers, bodies[(sent % #bodies) + 1])
end
response = function(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end
`;
}

async function runWrk(options: RunOptions): Promise<Figures> {
  const args = [
    "-t1",
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--timeout",
    "10s",
    "--latency",
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    args.push("-H", `${name}: ${value}`);
  }
  if (options.post) {
    const file = join(options.dir, "post.lua");
    writeFileSync(file, wrkScript(options.post, new URL(options.url).pathname));
    args.push("-s", file);
  }
  args.push(options.url);
  const [command, argv] = pinned("wrk", args, LOAD_CPU);
  const output = execFileSync(command, argv, { encoding: "utf8", timeout: 120_000 });
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  return {
    requests,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    p50: millis(/\s50%\s+(\S+)/.exec(output)?.[1]),
    p99: millis(/\s99%\s+(\S+)/.exec(output)?.[1]),
    errors: non2xx + (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}

type Autocannon = (options: Record<string, unknown>) => Promise<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}>;

/** wrk when installed (Debian: `apt-get install wrk`), else autocannon if it can be imported. */
export async function loadGenerator(): Promise<Load> {
  if (has("wrk")) return { tool: "wrk", run: runWrk };
  // Not a dependency: only a fallback for a machine without wrk (`npm i --no-save autocannon`).
  const name = "autocannon";
  let autocannon: Autocannon;
  try {
    autocannon = ((await import(name)) as { default: Autocannon }).default;
  } catch {
    throw new Error(
      "npm run bench needs wrk (Debian: apt-get install wrk), or autocannon (npm i --no-save autocannon)",
    );
  }
  return {
    tool: "autocannon",
    run: async (options) => {
      let i = 0;
      const result = await autocannon({
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        headers: options.headers,
        ...(options.post
          ? {
              method: "POST",
              amount: options.post.limit,
              setupClient: (client: {
                setHeadersAndBody: (h: Record<string, string>, b: string) => void;
              }) => {
                const post = options.post as NonNullable<RunOptions["post"]>;
                i += 1;
                client.setHeadersAndBody(
                  {
                    "Content-Type": "application/x-www-form-urlencoded",
                    Origin: post.origin,
                    Cookie: post.cookies[i % post.cookies.length] as string,
                  },
                  post.bodies[i % post.bodies.length] as string,
                );
              },
            }
          : {}),
      });
      return {
        requests: result.requests.total,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.non2xx + result.errors + result.timeouts,
      };
    },
  };
}

export type RunningServer = {
  origin: string;
  pid: number;
  /**
   * Waits (at most 60 s) until the server answers /healthz quickly again: requests a run left
   * queued are still being answered after the load generator stopped, and would slow the next run.
   */
  settle: () => Promise<void>;
  /** Peak resident memory so far (VmHWM), in MiB. */
  peakRssMiB: () => number;
  /**
   * CPU time the process has used so far, all its threads (user + system), in ms: divided by the
   * requests a run answered, what one request costs, whatever the queueing did to its latency.
   */
  cpuMs: () => number;
  stop: () => Promise<void>;
};

async function waitFor(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited while starting:\n${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer from ${url}:\n${output()}`);
}

/** Clock ticks a second, the unit of /proc/<pid>/stat's times. */
let ticksPerSecond: number | undefined;

function processCpuMs(pid: number): number {
  ticksPerSecond ??=
    Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // After the command name (in parentheses, which may hold spaces): state is field 3, utime 14,
  // stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/**
 * How long a fixed piece of work takes on `cpu`, in ms (best of three): the machine's own speed,
 * printed with the table because it moves. The work is what a server does, parsing JSON into fresh
 * objects and copying them, as well as arithmetic: one afternoon an integer loop ran at its usual
 * speed on both cores while a warm write cost 5.4–6.9 ms of CPU against 4.0–4.9 that morning (same
 * build, same database); the slowdown was in memory, not arithmetic. Earlier that day one core had
 * run the integer loop at half speed for some minutes, and every figure measured meanwhile with it.
 */
export function fixedWorkMs(cpu: string): number {
  const script = `
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: i, body: "Note " + i + ": a claim worth checking.", tags: ["a", "b", String(i % 7)], score: i * 1.5,
    }));
    const text = JSON.stringify(rows);
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const start = performance.now();
      let n = 0;
      for (let i = 0; i < 40; i++) {
        n += JSON.parse(text).filter((r) => r.id % 3).map((r) => ({ ...r, html: "<p>" + r.body + "</p>" })).length;
      }
      for (let i = 0; i < 1e7; i++) n = (n * 31 + i) % 1000003;
      if (n < 0) console.log(n);
      best = Math.min(best, performance.now() - start);
    }
    console.log(best.toFixed(0));
  `;
  const [command, args] = pinned(process.execPath, ["-e", script], cpu);
  return Number(execFileSync(command, args, { encoding: "utf8" }).trim());
}

function started(
  child: ChildProcess,
  origin: string,
  health: string,
  logPath?: string,
): Promise<RunningServer> {
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output = (output + chunk).slice(-4000);
  });
  child.stderr?.on("data", (chunk) => {
    output = (output + chunk).slice(-4000);
  });
  // Only the tail: the production server logs every request.
  const tail = () => (logPath ? readFileSync(logPath, "utf8").slice(-4000) : output);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const pid = child.pid as number;
  return waitFor(`${origin}${health}`, child, tail).then(() => ({
    origin,
    pid,
    settle: async () => {
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        const start = Date.now();
        try {
          await fetch(`${origin}${health}`, { signal: AbortSignal.timeout(10_000) });
        } catch {
          // Still busy.
        }
        if (Date.now() - start < 20) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    peakRssMiB: () => {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    cpuMs: () => processCpuMs(pid),
    stop: async () => {
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  }));
}

/**
 * The node flags `npm start` runs the server with (package.json's start script), so that the bench
 * measures the process production runs.
 */
function startFlags(root: string): string[] {
  const start = (
    JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: { start: string };
    }
  ).scripts.start;
  const flags = /\bnode((?: --\S+)*) build\/server\.js/.exec(start)?.[1];
  if (flags === undefined)
    throw new Error(`package.json's start script is not "node … build/server.js": ${start}`);
  return flags.split(" ").filter(Boolean);
}

/** The production server (build/server.js) on `port`, as `npm start` runs it, pinned to SERVER_CPU. */
export function startAppServer(options: {
  root: string;
  port: number;
  databasePath: string;
}): Promise<RunningServer> {
  const [command, args] = pinned(
    process.execPath,
    [...startFlags(options.root), "build/server.js"],
    SERVER_CPU,
  );
  // Its log goes to a file, not a pipe: the load generator runs synchronously (execFileSync), so
  // nothing here reads a pipe during a run, and once a run's request log filled the pipe's 64 KB
  // the server's next log line blocked it (stdout to a pipe is synchronous on Linux) until the
  // run ended: the write rows' p99 measured the bench, not the server.
  const logPath = `${options.databasePath}.log`;
  const log = openSync(logPath, "a");
  const child = spawn(command, args, {
    cwd: options.root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(options.port),
      DATABASE_PATH: options.databasePath,
    },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  return started(child, `http://127.0.0.1:${options.port}`, "/healthz", logPath);
}

/** The baseline: `body` served as a fixed string by bare node:http, pinned like the app. */
export function startBareServer(options: {
  port: number;
  bodyFile: string;
}): Promise<RunningServer> {
  const script = `
    const { createServer } = require("node:http");
    const body = require("node:fs").readFileSync(process.argv[1]);
    createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": body.length });
      res.end(body);
    }).listen(${options.port}, "127.0.0.1");
  `;
  const [command, args] = pinned(process.execPath, ["-e", script, options.bodyFile], SERVER_CPU);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  return started(child, `http://127.0.0.1:${options.port}`, "/");
}

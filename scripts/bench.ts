/**
 * `npm run bench`: the project's performance record. Builds the production server if needed,
 * generates synthetic databases in a temporary folder (scripts/bench/data.ts), starts the server on
 * 127.0.0.1 pinned to one core and drives it over HTTP with wrk pinned to the other
 * (scripts/bench/load.ts), measures the reading page in Chromium (scripts/bench/browser.ts), and
 * prints one table (Markdown, for the README's "Performance" section). Every run is bounded in
 * time; the whole takes a few minutes on 2 cores. A measurement, not a test: nothing here fails on
 * a figure.
 *
 * BENCH_SECONDS (default 3) sets each run's length.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureBrowser } from "./bench/browser";
import { type BenchData, generateDatabase } from "./bench/data";
import {
  type Figures,
  fixedWorkMs,
  LOAD_CPU,
  type Load,
  loadGenerator,
  type RunningServer,
  SERVER_CPU,
  startAppServer,
  startBareServer,
} from "./bench/load";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = [10, 64] as const;
const PORT = 3450 + Math.floor(Math.random() * 40);
/** What a browser sends; rows other than the plain anonymous one send it too. */
const BROWSER_ENCODING = { "Accept-Encoding": "gzip, deflate, br" };
/** A run that answers fewer requests than this is not repeated with more connections. */
const MIN_REQUESTS = 20;
/** Each reader may write 20 times in 5 minutes (app/models/write-limit.server.ts). */
const WRITES_PER_READER = 20;
/**
 * The write rows run after WARM_UP_SECONDS of creates and as many of replies on a fresh server
 * process: V8 keeps optimizing the write path (Express, Remix's action, form parsing, the insert)
 * over its first few thousand requests, and the read rows before are answered from the page
 * store, ahead of all of that. Measured on the 2-core machine: ~8 ms of CPU a write in the first
 * second, ~5 ms after 3,000. The warm-up writes come from accounts of their own (each within its
 * write budget), and their figures are rows of the table, so the cold cost stays on record.
 */
const WARM_UP_SECONDS = 8;
const WARM_UP_WRITERS = 150;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds when build/ is missing or older than the sources it is made from. */
function ensureBuild(): void {
  const sources = Math.max(newestMtime(join(ROOT, "app")), newestMtime(join(ROOT, "server.ts")));
  const outputs = ["build/index.js", "build/server.js"].map((file) => join(ROOT, file));
  if (outputs.every((file) => existsSync(file) && statSync(file).mtimeMs >= sources)) return;
  console.error("building (build/ is missing or older than app/ or server.ts)…");
  execFileSync("npm", ["run", "-s", "build"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
}

type Row = {
  name: string;
  connections: number;
  figures: Figures | null;
  /** The server's CPU time per answered request, in ms (all its threads). */
  cpuMs?: number;
  note?: string;
  /** The first request's time, alone on an idle server: what a page not yet stored costs. */
  firstMs?: number;
};

const rows: Row[] = [];
let baselineRps: Record<number, number> = {};

/**
 * One run, with what it cost the server: its CPU time (every thread: checkpoints and the
 * collector's helpers too) over the requests answered. Unlike p50 and p99 it does not depend on
 * how requests queued, so it is the figure to compare across runs and machines.
 */
async function timedRun(
  load: Load,
  server: RunningServer,
  options: Parameters<Load["run"]>[0],
): Promise<{ figures: Figures; cpuMs: number }> {
  const before = server.cpuMs();
  const figures = await load.run(options);
  return { figures, cpuMs: (server.cpuMs() - before) / Math.max(1, figures.requests) };
}

async function measure(
  load: Load,
  dir: string,
  server: RunningServer,
  name: string,
  options: Omit<Parameters<Load["run"]>[0], "connections" | "seconds" | "dir">,
  connections: readonly number[] = CONNECTIONS,
): Promise<void> {
  let firstMs: number | undefined;
  for (const [i, c] of connections.entries()) {
    // One request alone (a page not yet stored is rendered: its time is the miss's cost), then a
    // short warm-up (JIT, SQLite's page cache), neither counted. Writes warm up too, within the
    // readers' write budgets: a first write compiles its statements and triggers.
    if (i === 0) {
      if (!options.post) {
        const started = performance.now();
        const response = await fetch(options.url, { headers: options.headers });
        await response.arrayBuffer();
        firstMs = performance.now() - started;
      }
      await load.run({ ...options, connections: c, seconds: 1, dir });
      await server.settle();
    }
    const previous = rows.at(-1);
    if (i > 0 && previous?.name === name && (previous.figures?.requests ?? 0) < MIN_REQUESTS) {
      // Already saturated at fewer connections: more would only queue work past the run's end.
      rows.push({
        name,
        connections: c,
        figures: null,
        note: `not run: under ${MIN_REQUESTS} answers at ${previous.connections}`,
      });
      continue;
    }
    const { figures, cpuMs } = await timedRun(load, server, {
      ...options,
      connections: c,
      seconds: SECONDS,
      dir,
    });
    await server.settle();
    rows.push({ name, connections: c, figures, cpuMs, ...(i === 0 ? { firstMs } : {}) });
    // Peak memory so far, after each run: which row drives the server's high-water mark.
    console.error(
      `  ${name} @${c}: ${figures.rps.toFixed(0)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, ${figures.errors} errors; server peak RSS ${server.peakRssMiB().toFixed(0)} MiB`,
    );
  }
}

/** Runs per side in `measureAlternating`: odd, so the median is one run's figures. */
const ALTERNATIONS = 3;

/**
 * Rows measured in turns (A, B, …, A, B, …) at each connection count, each side's median run (by
 * req/s) reported: a comparison of servers that noise on the machine cannot tilt.
 */
async function measureAlternating(
  load: Load,
  dir: string,
  sides: {
    server: RunningServer;
    name: string;
    options: Omit<Parameters<Load["run"]>[0], "connections" | "seconds" | "dir">;
  }[],
): Promise<void> {
  for (const c of CONNECTIONS) {
    const runs = sides.map(() => [] as { figures: Figures; cpuMs: number }[]);
    for (const side of sides) {
      await load.run({ ...side.options, connections: c, seconds: 1, dir });
      await side.server.settle();
    }
    for (let round = 0; round < ALTERNATIONS; round++) {
      for (const [i, side] of sides.entries()) {
        runs[i]?.push(
          await timedRun(load, side.server, {
            ...side.options,
            connections: c,
            seconds: SECONDS,
            dir,
          }),
        );
        await side.server.settle();
      }
    }
    for (const [i, side] of sides.entries()) {
      const sorted = [...(runs[i] ?? [])].sort((a, b) => a.figures.rps - b.figures.rps);
      const median = sorted[Math.floor(sorted.length / 2)];
      rows.push({
        name: `${side.name} (median of ${ALTERNATIONS}, alternated)`,
        connections: c,
        figures: median?.figures ?? null,
        cpuMs: median?.cpuMs,
      });
      console.error(
        `  ${side.name} @${c}: ${sorted.map((r) => r.figures.rps.toFixed(0)).join(" / ")} req/s; server peak RSS ${side.server.peakRssMiB().toFixed(0)} MiB`,
      );
    }
  }
}

/** Form posts for the write rows: a slice of the readers, each used at most WRITES_PER_READER times. */
function writes(
  data: BenchData,
  server: RunningServer,
  readers: BenchData["readers"],
  body: (i: number) => string,
) {
  return {
    url: `${server.origin}/articles/${data.replyTarget.slug}/p/${data.replyTarget.anchor}`,
    post: {
      bodies: Array.from({ length: 50 }, (_, i) => body(i)),
      cookies: readers.map((r) => r.cookie),
      origin: server.origin,
      limit: readers.length * WRITES_PER_READER,
    },
  };
}

async function main() {
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  ensureBuild();
  const speedBefore = [fixedWorkMs(SERVER_CPU), fixedWorkMs(LOAD_CPU)] as const;
  const load = await loadGenerator();
  const dir = mkdtempSync(join(tmpdir(), "marginalia-bench-"));
  const servers: RunningServer[] = [];
  try {
    console.error("generating databases…");
    const shape = {
      readers: 300,
      warmUpWriters: WARM_UP_WRITERS,
      onSeed: 2_000,
      syntheticParagraphs: 1_000,
    };
    const small = generateDatabase(join(dir, "small.db"), { ...shape, elsewhere: 0 });
    const fillStart = Date.now();
    const data = generateDatabase(join(dir, "full.db"), { ...shape, elsewhere: 100_000 });
    const fillSeconds = (Date.now() - fillStart) / 1000;
    console.error(`  full database filled in ${fillSeconds.toFixed(0)} s`);
    const [signedIn] = data.readers;
    if (!signedIn) throw new Error("no readers");
    const asReader = (reader: { cookie: string }) => ({
      ...BROWSER_ENCODING,
      Cookie: reader.cookie,
    });

    // 1. Both databases served at once (each server pinned to CPU 0; only the one under load works):
    // the baseline, then the seed page with 0 and with 100,000 annotations elsewhere, alternated.
    console.error(`load generator: ${load.tool}; servers on CPU 0, load on CPU 1`);
    const smallServer = await startAppServer({
      root: ROOT,
      port: PORT,
      databasePath: join(dir, "small.db"),
    });
    servers.push(smallServer);
    const server = await startAppServer({
      root: ROOT,
      port: PORT + 2,
      databasePath: join(dir, "full.db"),
    });
    servers.push(server);
    const o = server.origin;
    const seedPath = `/articles/${small.seedSlug}`;
    const seedBytes = Buffer.from(
      await (await fetch(`${smallServer.origin}${seedPath}`)).arrayBuffer(),
    );
    const bodyFile = join(dir, "seed.html");
    writeFileSync(bodyFile, seedBytes);
    const bare = await startBareServer({ port: PORT + 1, bodyFile });
    servers.push(bare);
    // The baseline and the same bytes from two databases, in turns: every row reads as a ratio to
    // the baseline, and the gap between the two databases is the database's size, so the machine's
    // noise (the baseline alone moved 14,700-22,100 a second between runs) must not land on one
    // side. Alternating the runs and taking each side's median keeps it from doing so.
    await measureAlternating(load, dir, [
      {
        server: bare,
        name: `baseline: the seed page's ${(seedBytes.length / 1024).toFixed(0)} KB from bare node:http`,
        options: { url: `${bare.origin}/` },
      },
      {
        server: smallServer,
        name: "seed page, anonymous, 0 annotations elsewhere",
        options: { url: `${smallServer.origin}${seedPath}` },
      },
      {
        server,
        name: "seed page, anonymous, 100,000 elsewhere",
        options: { url: `${o}${seedPath}` },
      },
    ]);
    baselineRps = Object.fromEntries(
      rows
        .filter((r) => r.name.startsWith("baseline"))
        .map((r) => [r.connections, r.figures?.rps ?? 0]),
    );
    await bare.stop();
    await measureAlternating(load, dir, [
      {
        server: smallServer,
        name: "seed page, signed in, 0 annotations elsewhere",
        options: {
          url: `${smallServer.origin}${seedPath}`,
          headers: asReader(small.readers[0] as { cookie: string }),
        },
      },
      {
        server,
        name: "seed page, signed in, 100,000 elsewhere",
        options: { url: `${o}${seedPath}`, headers: asReader(signedIn) },
      },
    ]);
    await smallServer.stop();

    // 2. The full database.
    await measure(load, dir, server, "seed page, anonymous, Accept-Encoding: gzip, br", {
      url: `${o}${seedPath}`,
      headers: { "Accept-Encoding": "gzip, br" },
    });
    const synthetic = `/articles/${data.syntheticSlug}`;
    await measure(load, dir, server, "1,000-paragraph article, anonymous", {
      url: `${o}${synthetic}`,
      headers: BROWSER_ENCODING,
    });
    await measure(load, dir, server, "1,000-paragraph article, signed in", {
      url: `${o}${synthetic}`,
      headers: asReader(signedIn),
    });
    await measure(
      load,
      dir,
      server,
      `busiest paragraph's threads (${data.busiest.annotations.toLocaleString("en")} annotations), signed in`,
      {
        // What "Discuss" fetches on the reading page: the paragraph route's data alone (the
        // article's own loader does not revalidate; see shouldRevalidate in articles.$slug.tsx).
        url: `${o}/articles/${data.busiest.slug}/p/${data.busiest.anchor}.data?_routes=${encodeURIComponent("routes/articles.$slug.p.$anchor")}`,
        headers: asReader(signedIn),
      },
    );
    for (const sort of ["reading", "newest", "endorsed", "replied"]) {
      await measure(load, dir, server, `discussion page, sort=${sort}, signed in`, {
        url: `${o}/articles/${data.syntheticSlug}/discussion?sort=${sort}`,
        headers: asReader(signedIn),
      });
    }
    await measure(load, dir, server, `search "${data.searchQuery}", signed in`, {
      url: `${o}/search?q=${encodeURIComponent(data.searchQuery)}`,
      headers: asReader(signedIn),
    });
    // Classes (issue 9): data.classes is filled by addClasses in scripts/bench/data.ts.
    const dashboard = data.classes[0];
    if (dashboard) {
      await measure(load, dir, server, "class dashboard, instructor", {
        url: `${o}${dashboard.dashboardPath}`,
        headers: asReader(signedIn),
      });
    } else {
      for (const c of CONNECTIONS) {
        rows.push({
          name: "class dashboard",
          connections: c,
          figures: null,
          note: "no classes yet",
        });
      }
    }
    // Writes: first the warm-up (WARM_UP_SECONDS), then each run with readers of its own, so no one
    // reaches the per-reader write limit.
    const createBody = (n: number) =>
      `intent=create&kind=annotation&quote=&quoteStart=&body=${encodeURIComponent(`Bench note ${n}: a claim worth checking.`)}`;
    const replyBody = (n: number) =>
      `intent=reply&id=${data.replyTarget.id}&kind=question&body=${encodeURIComponent(`Bench reply ${n}: why so?`)}`;
    const half = Math.floor(data.warmUpWriters.length / 2);
    for (const [name, writers, body] of [
      ["warm-up: a fresh process's first creates", data.warmUpWriters.slice(0, half), createBody],
      ["warm-up: then its first replies", data.warmUpWriters.slice(half), replyBody],
    ] as const) {
      const options = writes(data, server, writers, body);
      const { figures, cpuMs } = await timedRun(load, server, {
        ...options,
        connections: 10,
        seconds: WARM_UP_SECONDS,
        dir,
      });
      await server.settle();
      rows.push({
        name: `${name} (${WARM_UP_SECONDS} s, not a target)`,
        connections: 10,
        figures,
        cpuMs,
      });
      console.error(
        `  ${name} @10: ${figures.requests} writes, ${figures.rps.toFixed(0)} a second`,
      );
    }
    const quarter = Math.floor(data.readers.length / 4);
    const slice = (i: number) => data.readers.slice(i * quarter, (i + 1) * quarter);
    for (const [i, c] of CONNECTIONS.entries()) {
      await measure(
        load,
        dir,
        server,
        "create an annotation, signed in",
        writes(data, server, slice(i), createBody),
        [c],
      );
      await measure(
        load,
        dir,
        server,
        "reply, signed in",
        writes(data, server, slice(i + 2), replyBody),
        [c],
      );
    }
    const peakRss = server.peakRssMiB();

    console.error("measuring the seed page in Chromium…");
    const browser = await measureBrowser(`${o}${seedPath}`);
    await server.stop();
    const speedAfter = [fixedWorkMs(SERVER_CPU), fixedWorkMs(LOAD_CPU)] as const;

    printTable({
      load,
      peakRss,
      browser,
      fillSeconds,
      seconds: (Date.now() - started) / 1000,
      loadBefore,
      data,
      speed: { before: speedBefore, after: speedAfter },
    });
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "—");

function printTable(info: {
  load: Load;
  peakRss: number;
  browser: Awaited<ReturnType<typeof measureBrowser>>;
  fillSeconds: number;
  seconds: number;
  loadBefore: number;
  data: BenchData;
  speed: { before: readonly [number, number]; after: readonly [number, number] };
}) {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}; load average ${fmt(info.loadBefore, 1)} before, ${fmt(loadavg()[0] ?? 0, 1)} after (other work on the machine shows here).`,
    `Server: node build/server.js on CPU 0; load: ${info.load.tool} -t1 on CPU 1, ${SECONDS} s per run after a 1 s warm-up (the write rows also after the two warm-up rows, ${info.data.warmUpWriters.length} accounts of their own); ${info.data.readers.length} readers, ${info.data.annotations.onSeed.toLocaleString("en")} annotations on the seed article and ${info.data.annotations.elsewhere.toLocaleString("en")} on a 1,000-paragraph article (filled in ${fmt(info.fillSeconds)} s).`,
    `Machine speed: a fixed piece of work (JSON into objects, then arithmetic; scripts/bench/load.ts) took ${info.speed.before[0]} ms on CPU ${SERVER_CPU} and ${info.speed.before[1]} ms on CPU ${LOAD_CPU} before the runs, ${info.speed.after[0]} and ${info.speed.after[1]} ms after (lower is faster; it moves with other work on the host, and every figure with it).`,
    "",
    "| what | conns | req/s | p50 ms | p99 ms | errors | CPU ms/req | × baseline | first ms |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const row of rows) {
    const f = row.figures;
    const base = baselineRps[row.connections];
    const first = row.firstMs === undefined ? "" : fmt(row.firstMs, 1);
    const cpu = row.cpuMs === undefined ? "—" : fmt(row.cpuMs, 2);
    lines.push(
      f && f.requests === 0
        ? `| ${row.name} | ${row.connections} | 0 | — | — | ${f.errors} | — | none answered within the ${SECONDS} s run | ${first} |`
        : f
          ? `| ${row.name} | ${row.connections} | ${fmt(f.rps)} | ${fmt(f.p50, 1)} | ${fmt(f.p99, 1)} | ${f.errors} | ${cpu} | ${base ? fmt(f.rps / base, 3) : "—"} | ${first} |`
          : `| ${row.name} | ${row.connections} | — | — | — | — | — | ${row.note ?? ""} | ${first} |`,
    );
  }
  const b = info.browser;
  lines.push(
    "",
    `Peak server memory (VmHWM, full database, after every run above): ${fmt(info.peakRss)} MiB.`,
    b
      ? `Seed reading page in Chromium (anonymous, cold browser cache, median of ${b.loads}): JavaScript ${fmt(b.jsBytes / 1024, 1)} KB and CSS ${fmt(b.cssBytes / 1024, 1)} KB as downloaded (compressed); time to first byte ${fmt(b.ttfbMs, 1)} ms; usable (text shown, selection popover answering) ${fmt(b.usableMs)} ms.`
      : "Chromium (/usr/bin/chromium) not found: browser figures skipped.",
    "CPU ms/req: the server's CPU time (all its threads) during a run over the requests it answered; at 10 connections every row is saturated, so p50 is about 10 requests' worth of it, queued.",
    "First ms: one request alone on an idle server before the row's runs, for a page not yet stored (the render a reader pays once per change); the rows after it are served from the store until a write changes what the page shows.",
    `Whole bench: ${fmt(info.seconds)} s.`,
  );
  console.log(lines.join("\n"));
}

await main();

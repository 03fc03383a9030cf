/**
 * Nothing server-side reaches the browser. The lint rules (biome.json) stop browser modules from
 * importing zod, *.server modules or db/; this check looks at what the production build (made by
 * the suite's web server before any test runs) actually put in public/build, since the classic
 * compiler silently replaces a `.server` import with undefined and bundles whatever else it finds.
 * It also reports what the reading page makes a browser download.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { expect, test } from "@playwright/test";

const root = fileURLToPath(new URL("../..", import.meta.url));
const publicBuild = join(root, "public/build");

/**
 * Strings that exist only in server code: each is checked to occur in its source first, so the
 * check cannot pass because a marker is misspelt.
 */
const SERVER_MARKERS: { what: string; marker: string; source: string }[] = [
  { what: "zod", marker: "ZodError", source: "node_modules/zod/v4/core/errors.js" },
  {
    what: "the common-password list (account-rules.server.ts)",
    marker: "qwertyuiop1",
    source: "app/models/account-rules.server.ts",
  },
  {
    what: "drizzle-orm",
    marker: "sqliteTable",
    source: "node_modules/drizzle-orm/sqlite-core/table.js",
  },
  { what: "lucia", marker: "validateSession", source: "node_modules/lucia/dist/core.js" },
  {
    what: "sanitize-html",
    marker: "allowedSchemesAppliedToAttributes",
    source: "node_modules/sanitize-html/index.js",
  },
  { what: "the database schema", marker: "endorsement_annotation_idx", source: "db/schema.ts" },
  { what: "the thread query", marker: "e.annotation_id", source: "app/models/thread.server.ts" },
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

type Manifest = {
  entry: { module: string; imports?: string[] };
  routes: Record<string, { module: string; imports?: string[]; css?: string[] }>;
};

function readManifest(): { manifest: Manifest; file: string } {
  const file = filesUnder(publicBuild).find((path) => /manifest-[A-Z0-9]+\.js$/.test(path));
  if (!file) throw new Error("no manifest in public/build: build first");
  const text = readFileSync(file, "utf8");
  const json = text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
  return { manifest: JSON.parse(json) as Manifest, file };
}

const gzipped = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;

test("no server code or zod in the browser build", () => {
  const files = filesUnder(publicBuild).filter((path) => path.endsWith(".js"));
  expect(files.length).toBeGreaterThan(0);
  for (const { what, marker, source } of SERVER_MARKERS) {
    expect(readFileSync(join(root, source), "utf8"), `${marker} in ${source}`).toContain(marker);
    const leaks = files.filter((path) => readFileSync(path, "utf8").includes(marker));
    expect(leaks, `${what} in the browser build`).toEqual([]);
  }
});

/**
 * What the compiler says went in: the client metafile names every module each browser file holds.
 * A *.server module appears only as the compiler's empty stand-in, and no server-side package
 * contributes a byte, whatever strings its code contains.
 */
test("the client build's inputs hold no server module or server-side package", () => {
  const metafile = JSON.parse(readFileSync(join(root, "build/metafile.js.json"), "utf8")) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const serverOnly =
    /(\.server(\.[jt]sx?)?$|\/\.server\/|^db\/(?!enums\.ts$)|node_modules\/(zod|drizzle-orm|lucia|@lucia-auth|better-sqlite3|sanitize-html|markdown-it|@node-rs)\/)/;
  const leaks = Object.entries(metafile.outputs).flatMap(([output, { inputs }]) =>
    Object.entries(inputs)
      .filter(
        ([input, { bytesInOutput }]) => bytesInOutput > 0 && !input.startsWith("empty-module:"),
      )
      .filter(([input]) => serverOnly.test(input))
      .map(([input]) => `${input} in ${output}`),
  );
  expect(leaks, "server-side modules in the browser build").toEqual([]);
});

test("what the reading page makes a browser download", () => {
  const { manifest, file } = readManifest();
  const modules = new Set<string>([manifest.entry.module, ...(manifest.entry.imports ?? [])]);
  for (const id of ["root", "routes/articles.$slug"]) {
    const route = manifest.routes[id];
    if (!route) throw new Error(`no route ${id} in the manifest`);
    modules.add(route.module);
    for (const path of route.imports ?? []) modules.add(path);
  }
  const js =
    gzipped(file) +
    [...modules].reduce((sum, path) => sum + gzipped(join(root, "public", path)), 0);
  console.log(`reading page JavaScript: ${(js / 1024).toFixed(1)} KB gzipped`);
  test.info().annotations.push({ type: "reading-page-js-gzip-bytes", description: String(js) });
  // The issue-11 budget for the reading page (npm run bench reports the figure a browser fetched).
  expect(js).toBeLessThanOrEqual(100 * 1024);
});

/**
 * `npm run bench`: fills a throwaway database with the demo article and 100,000 annotations
 * (threads, replies, quotes, endorsements, some private) and prints how long the reads behind each
 * page take, and the process's memory. A measurement, not a test: nothing here asserts a timing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { eq, sql } from "drizzle-orm";
import { findArticleWithBlocks } from "#app/models/article.server";
import { listThreads } from "#app/models/discussion.server";
import { importArticle, parseArticle, readArticleFile } from "#app/models/importer.server";
import { getParagraphSummaries } from "#app/models/paragraph-summary.server";
import { searchAnnotations } from "#app/models/search.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import { getParagraphThreads } from "#app/models/thread.server";
import { migrateDatabase, openDatabase } from "#db/client";
import { block, user } from "#db/schema";

const ANNOTATIONS = Number(process.env.BENCH_ANNOTATIONS ?? 100_000);
const USERS = 500;
const RUNS = 20;

const dir = mkdtempSync(join(tmpdir(), "marginalia-bench-"));
const db = openDatabase(join(dir, "bench.db"));
migrateDatabase(db);
const { source, markdown } = readArticleFile(SEED_ARTICLE_PATH);
const { articleId } = importArticle(db, parseArticle(source, { markdown }), { slug: "bench" });
const paragraphs = db.select().from(block).where(eq(block.kind, "paragraph")).all();

// Deterministic pseudo-random numbers, so runs are comparable.
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const fillStart = performance.now();
db.transaction((tx) => {
  for (let i = 0; i < USERS; i++) {
    tx.insert(user)
      .values({ id: `u${i}`, username: `user${i}`, displayName: `User ${i}`, passwordHash: "x" })
      .run();
  }
});
const insertAnnotation = db.$client.prepare(
  `insert into annotation (article_id, block_id, kind, body, author_id, visibility, parent_id, root_id, depth,
     quote_exact, quote_prefix, quote_suffix, position_start, position_end)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?)`,
);
const setRoot = db.$client.prepare("update annotation set root_id = id where id = ?");
const endorse = db.$client.prepare(
  "insert or ignore into endorsement (user_id, annotation_id) values (?, ?)",
);
const kinds = ["annotation", "question", "counterargument", "source"] as const;
const words = source.split(/\s+/).filter((w) => w.length > 3);
const roots: { id: number; blockId: number; visibility: string }[] = [];
db.$client.transaction(() => {
  for (let i = 0; i < ANNOTATIONS; i++) {
    const body = Array.from({ length: 12 + Math.floor(random() * 30) }, () => pick(words)).join(
      " ",
    );
    const author = `u${Math.floor(random() * USERS)}`;
    if (roots.length > 0 && random() < 0.6) {
      const parent = pick(roots);
      insertAnnotation.run(
        articleId,
        parent.blockId,
        pick(kinds),
        body,
        author,
        parent.visibility,
        parent.id,
        parent.id,
        1,
        null,
        null,
        null,
      );
    } else {
      const paragraph = pick(paragraphs);
      const length = [...paragraph.text].length;
      const start = Math.floor(random() * (length - 40));
      const end = start + 5 + Math.floor(random() * 35);
      const quote = [...paragraph.text].slice(start, end).join("");
      const visibility = random() < 0.1 ? "private" : "public";
      const { lastInsertRowid } = insertAnnotation.run(
        articleId,
        paragraph.id,
        pick(kinds),
        body,
        author,
        visibility,
        null,
        null,
        0,
        quote,
        start,
        end,
      );
      setRoot.run(lastInsertRowid);
      roots.push({ id: Number(lastInsertRowid), blockId: paragraph.id, visibility });
    }
    if (random() < 0.3) endorse.run(`u${Math.floor(random() * USERS)}`, i + 1);
  }
})();
db.run(sql`analyze`);
const fillSeconds = (performance.now() - fillStart) / 1000;

function measure(label: string, work: () => unknown) {
  work(); // warm the page cache and the statement cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const p95 = times[Math.floor(times.length * 0.95)] ?? 0;
  console.log(
    `${label.padEnd(58)} median ${median.toFixed(2).padStart(8)} ms   p95 ${p95.toFixed(2).padStart(8)} ms`,
  );
}

const viewer = { id: "u1" };
const busiest = db.$client
  .prepare(
    "select block_id as id, count(*) as n from annotation group by block_id order by n desc limit 1",
  )
  .get() as { id: number; n: number };

console.log(
  `Marginalia benchmark: ${ANNOTATIONS.toLocaleString("en")} annotations on ${paragraphs.length} paragraphs, ${USERS} users`,
);
console.log(`filled in ${fillSeconds.toFixed(1)} s; ${RUNS} runs each after one warm-up\n`);
measure("reading page: article + blocks", () => findArticleWithBlocks({ db, slug: "bench" }));
measure("reading page: counts + highlight ranges (anonymous)", () =>
  getParagraphSummaries({ db, articleId, viewer: null }),
);
measure("reading page: counts + highlight ranges (signed in)", () =>
  getParagraphSummaries({ db, articleId, viewer }),
);
measure("paragraph panel: first 50 threads of the busiest paragraph", () =>
  getParagraphThreads({ db, blockId: busiest.id, viewer, limit: 50 }),
);
measure(`paragraph: all ${busiest.n.toLocaleString("en")} annotations of the busiest`, () =>
  getParagraphThreads({ db, blockId: busiest.id, viewer }),
);
for (const sort of ["reading", "newest", "endorsed", "replied"] as const) {
  measure(`discussion page 1, sort=${sort}`, () => listThreads({ db, articleId, viewer, sort }));
}
measure("discussion page 1, kind=source filter", () =>
  listThreads({ db, articleId, viewer, kind: "source" }),
);
measure("discussion page 1, text filter", () =>
  listThreads({ db, articleId, viewer, text: "Taliban government" }),
);
measure("search: two words, first page", () =>
  searchAnnotations({ db, viewer, query: "Taliban government", limit: 20, offset: 0 }),
);

const memory = process.memoryUsage();
console.log(
  `\nmemory: rss ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`,
);
db.$client.close();
rmSync(dir, { recursive: true, force: true });

/**
 * The benchmark's synthetic database: the seed article, a 1,000-paragraph synthetic article, 300
 * readers with sessions, and annotations of every kind (roots with and without quoted passages,
 * replies in nested threads, sources with links, private notes, deleted placeholders,
 * endorsements), skewed so that a few paragraphs draw most of the discussion. Rows are written
 * straight with prepared statements (the triggers keep tallies, search and page versions as the
 * app would), deterministically, so two runs measure the same data.
 *
 * Classes (issue 9) plug in at `addClasses` below: once they exist, it makes a few classes of these
 * readers, and `BenchData.classes` names the dashboard the bench's class row loads.
 */
import { randomBytes } from "node:crypto";
import { importArticle, parseArticle, readArticleFile } from "#app/models/importer.server";
import { SEED_ARTICLE_PATH, seedDatabase } from "#app/models/seed.server";
import { type Db, migrateDatabase, openDatabase } from "#db/client";

/** Distinct passages readers quote in one paragraph, at most. */
const PASSAGES_PER_PARAGRAPH = 8;

export const SEED_SLUG = "do-not-engage-the-taliban-for-free";
export const SYNTHETIC_SLUG = "synthetic-thousand-paragraphs";

export type BenchReader = { id: string; username: string; cookie: string };

export type BenchData = {
  seedSlug: string;
  syntheticSlug: string;
  readers: BenchReader[];
  /**
   * Accounts that only warm up the write path before the write rows (scripts/bench.ts): they read
   * nothing, and their annotations land after every read row has run.
   */
  warmUpWriters: BenchReader[];
  /** The paragraph with the most annotations, for the busiest-threads row. */
  busiest: { slug: string; anchor: string; annotations: number };
  /** A public root on the seed article's paragraph 3, for the reply row. */
  replyTarget: { slug: string; anchor: string; id: number };
  /** Two words that occur in many bodies, for the search row. */
  searchQuery: string;
  annotations: { onSeed: number; elsewhere: number };
  /** Filled by addClasses once classes exist: the class whose dashboard the bench loads. */
  classes: { dashboardPath: string }[];
};

export type BenchShape = {
  readers: number;
  /** Accounts for the write warm-up, besides the readers (each may write 20 times in 5 minutes). */
  warmUpWriters: number;
  /** Annotations (roots and replies) on the seed article. */
  onSeed: number;
  /** Annotations on the synthetic article. */
  elsewhere: number;
  syntheticParagraphs: number;
};

/** Deterministic pseudo-random numbers (a 32-bit LCG), so that runs are comparable. */
function generator(seed: number) {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  /** An index in [0, n), skewed: the first few draw most (about half land in the first 1/10). */
  const skewed = (n: number) => Math.min(n - 1, Math.floor(n * random() ** 3.3));
  return { random, pick, skewed };
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function syntheticArticle(
  words: string[],
  paragraphs: number,
  { random, pick }: { random: () => number; pick: <T>(items: readonly T[]) => T },
) {
  const sentence = () => {
    const length = 8 + Math.floor(random() * 12);
    const text = Array.from({ length }, () => pick(words)).join(" ");
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const blocks = ["A Synthetic Article of a Thousand Paragraphs", "", `${sentence()}`, ""];
  for (let i = 0; i < paragraphs; i++) {
    if (i > 0 && i % 50 === 0) blocks.push(`Part ${i / 50 + 1}`, "");
    blocks.push(Array.from({ length: 4 }, sentence).join(" "), "");
  }
  return blocks.join("\n");
}

/** Creates and fills the database at `path`; returns what the bench needs to address it. */
export function generateDatabase(path: string, shape: BenchShape): BenchData {
  const db = openDatabase(path);
  migrateDatabase(db);
  seedDatabase(db);
  const { random, pick, skewed } = generator(42);
  const { source } = readArticleFile(SEED_ARTICLE_PATH);
  const words = source
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}’'-]/gu, ""))
    .filter((w) => w.length > 3);
  importArticle(
    db,
    parseArticle(syntheticArticle(words, shape.syntheticParagraphs, { random, pick }), {
      markdown: false,
    }),
    { slug: SYNTHETIC_SLUG },
  );
  const sqlite = db.$client;
  // A throwaway file filled in one go: no journal, no syncs, a large page cache (WAL comes back at
  // the end, as the server expects).
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -262144");
  const readers = addReaders(db, shape.readers);
  const warmUpWriters = addReaders(db, shape.warmUpWriters, {
    username: "warmup",
    name: "Warm-up writer",
  });
  const paragraphsOf = (slug: string) =>
    sqlite
      .prepare(
        "select b.id, b.article_id as articleId, b.anchor, b.text from block b join article a on a.id = b.article_id where a.slug = ? and b.kind = 'paragraph' order by b.position",
      )
      .all(slug) as { id: number; articleId: number; anchor: string; text: string }[];

  const insert = sqlite.prepare(
    `insert into annotation (article_id, block_id, kind, body, body_html, author_id, visibility,
       parent_id, root_id, depth, quote_exact, quote_prefix, quote_suffix, position_start, position_end,
       created_at, deleted_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?)`,
  );
  const setRoot = sqlite.prepare("update annotation set root_id = id where id = ?");
  const link = sqlite.prepare(
    "insert into source_link (annotation_id, url, title, stance) values (?, ?, ?, ?)",
  );
  const endorse = sqlite.prepare(
    "insert or ignore into endorsement (user_id, annotation_id) values (?, ?)",
  );
  const kinds = ["annotation", "question", "counterargument", "source"] as const;
  const stances = ["supports", "refutes", "context"] as const;
  const start = Date.now() - 30 * 86_400_000;

  const fill = (slug: string, count: number) => {
    const paragraphs = paragraphsOf(slug);
    // Which paragraphs draw the discussion: a fixed shuffle, then a skewed pick over it.
    const order = paragraphs.map((p) => ({ p, key: random() })).sort((a, b) => a.key - b.key);
    type Thread = {
      id: number;
      blockId: number;
      articleId: number;
      visibility: string;
      depth: number;
    };
    const threads: Thread[] = [];
    for (let i = 0; i < count; i++) {
      const body = Array.from({ length: 8 + Math.floor(random() * 30) }, () => pick(words)).join(
        " ",
      );
      const author = pick(readers).id;
      const kind = pick(kinds);
      const createdAt = start + i * 20_000;
      let id: number;
      if (threads.length > 0 && random() < 0.55) {
        // A reply, to a popular thread more often than not, sometimes to a reply.
        const parent = threads[threads.length - 1 - skewed(threads.length)] as Thread;
        const result = insert.run(
          parent.articleId,
          parent.blockId,
          kind,
          body,
          `<p>${escapeHtml(body)}</p>`,
          author,
          parent.visibility,
          parent.id,
          parent.id,
          parent.depth + 1,
          null,
          null,
          null,
          createdAt,
          null,
        );
        id = Number(result.lastInsertRowid);
        if (parent.depth < 3 && random() < 0.3) {
          threads.push({ ...parent, id, depth: parent.depth + 1 });
        }
      } else {
        const paragraph = (order[skewed(order.length)] as (typeof order)[number]).p;
        const text = [...paragraph.text];
        const quoted = random() < 0.7 && text.length > 60;
        // Readers quote the same few phrases of a paragraph: one of PASSAGES_PER_PARAGRAPH fixed
        // windows, the first ones most often (uniformly random passages would make every quote
        // distinct, which no real discussion does).
        const passage = skewed(PASSAGES_PER_PARAGRAPH);
        const from = quoted
          ? Math.floor(((text.length - 50) * passage) / PASSAGES_PER_PARAGRAPH)
          : 0;
        const to = from + 12 + ((passage * 7) % 30);
        const visibility = random() < 0.1 ? "private" : "public";
        // A few roots are deleted placeholders (their replies keep them in the thread).
        const deleted = random() < 0.01;
        const result = insert.run(
          paragraph.articleId,
          paragraph.id,
          kind,
          deleted ? "" : body,
          deleted ? "" : `<p>${escapeHtml(body)}</p>`,
          author,
          visibility,
          null,
          null,
          0,
          quoted ? text.slice(from, to).join("") : null,
          quoted ? from : null,
          quoted ? to : null,
          createdAt,
          deleted ? createdAt + 60_000 : null,
        );
        id = Number(result.lastInsertRowid);
        setRoot.run(id);
        threads.push({
          id,
          blockId: paragraph.id,
          articleId: paragraph.articleId,
          visibility,
          depth: 0,
        });
      }
      if (kind === "source") {
        link.run(id, `https://example.org/source/${i}`, `Source ${i}`, pick(stances));
      }
      // Endorsements, skewed: most annotations get none, a few get many.
      const endorsements = Math.floor(random() ** 4 * 12);
      for (let e = 0; e < endorsements; e++) endorse.run(pick(readers).id, id);
    }
  };
  // The endorsement counter's trigger, once per endorsement, was half the fill time: it is set aside
  // during the fill and the counts made in one statement, as migration 0003 made them (the trigger
  // is re-created from its own stored text, so it stays whatever the migrations say).
  const counterTrigger = sqlite
    .prepare("select name, sql from sqlite_master where type = 'trigger' and name = ?")
    .get("endorsement_count_after_insert") as { name: string; sql: string } | undefined;
  sqlite.transaction(() => {
    if (counterTrigger) sqlite.exec(`drop trigger "${counterTrigger.name}"`);
    fill(SEED_SLUG, shape.onSeed);
    fill(SYNTHETIC_SLUG, shape.elsewhere);
    if (counterTrigger) {
      sqlite.exec(counterTrigger.sql);
      sqlite.exec(
        `update annotation set endorsement_count =
           (select count(*) from endorsement e where e.annotation_id = annotation.id)`,
      );
    }
  })();
  const classes = addClasses(db, readers);
  sqlite.exec("analyze");

  const busiest = (sqlite
    .prepare(
      `select a.slug, b.anchor, count(*) as n from annotation x join block b on b.id = x.block_id
       join article a on a.id = x.article_id group by x.block_id order by n desc limit 1`,
    )
    .get() as { slug: string; anchor: string; n: number } | undefined) ?? {
    slug: SEED_SLUG,
    anchor: "p-1",
    n: 0,
  };
  const seedP3 = paragraphsOf(SEED_SLUG).find((p) => p.anchor === "p-3");
  const replyTarget = sqlite
    .prepare(
      "select id from annotation where block_id = ? and visibility = 'public' and parent_id is null and deleted_at is null order by id limit 1",
    )
    .get(seedP3?.id) as { id: number } | undefined;
  // The reply row needs a public root on the seed article's p-3; an empty database gets one.
  const replyId =
    replyTarget?.id ??
    (() => {
      const r = insert.run(
        seedP3?.articleId,
        seedP3?.id,
        "annotation",
        "A root to reply to.",
        "<p>A root to reply to.</p>",
        readers[0]?.id,
        "public",
        null,
        null,
        0,
        null,
        null,
        null,
        Date.now(),
        null,
      );
      setRoot.run(r.lastInsertRowid);
      return Number(r.lastInsertRowid);
    })();
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
  return {
    seedSlug: SEED_SLUG,
    syntheticSlug: SYNTHETIC_SLUG,
    readers,
    warmUpWriters,
    busiest: { slug: busiest.slug, anchor: busiest.anchor, annotations: busiest.n },
    replyTarget: { slug: SEED_SLUG, anchor: "p-3", id: replyId },
    searchQuery: "Taliban government",
    annotations: { onSeed: shape.onSeed, elsewhere: shape.elsewhere },
    classes,
  };
}

/**
 * Readers with sessions, as lucia would store them. The session was set a day ago: neither fresh
 * (no re-issued cookie on every response) nor in the second half of its life (no extension).
 */
function addReaders(
  db: Db,
  count: number,
  who: { username: string; name: string } = { username: "reader", name: "Reader" },
): BenchReader[] {
  const sqlite = db.$client;
  const addUser = sqlite.prepare(
    "insert into user (id, username, display_name, password_hash) values (?, ?, ?, 'unused')",
  );
  const addSession = sqlite.prepare(
    "insert into session (id, user_id, expires_at) values (?, ?, ?)",
  );
  const expiresAt = Math.floor(Date.now() / 1000) + 29 * 86_400;
  const readers: BenchReader[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const username = `${who.username}${i}`;
      const id = `bench-${username}`;
      const sessionId = randomBytes(20).toString("hex");
      addUser.run(id, username, `${who.name} ${i}`);
      addSession.run(sessionId, id, expiresAt);
      readers.push({ id, username, cookie: `auth_session=${sessionId}` });
    }
  })();
  return readers;
}

const CLASSES = 5;
const CLASS_SIZE = 30;
const CLASS_ANNOTATIONS_EACH = 10;

/**
 * Five classes of thirty readers, each with an instructor and an assignment of the seed article
 * (post before you see, anonymous to peers), and ten class annotations per member on it: what a
 * dashboard reads and what a member's reading page counts beyond the public tallies. Reader 0 is
 * the first class's instructor: bench.ts loads that dashboard as reader 0.
 */
function addClasses(db: Db, readers: BenchReader[]): BenchData["classes"] {
  const sqlite = db.$client;
  const seed = sqlite.prepare("select id from article where slug = ?").pluck().get(SEED_SLUG) as
    | number
    | undefined;
  if (seed === undefined) return [];
  const blocks = sqlite
    .prepare("select id from block where article_id = ? and kind = 'paragraph' order by position")
    .pluck()
    .all(seed) as number[];
  const group = sqlite.prepare(
    "insert into \"group\" (kind, name, description, join_code) values ('class', ?, '', ?) returning id",
  );
  const member = sqlite.prepare(
    "insert or ignore into group_member (group_id, user_id, role) values (?, ?, ?)",
  );
  const assignment = sqlite.prepare(
    `insert into assignment (group_id, article_id, instructions, post_before_see, anonymous)
     values (?, ?, 'Read and respond.', 1, 1) returning id`,
  );
  const alias = sqlite.prepare(
    "insert into assignment_alias (assignment_id, user_id, number) values (?, ?, ?)",
  );
  const note = sqlite.prepare(
    `insert into annotation (article_id, block_id, kind, body, body_html, author_id, visibility,
       group_id, depth, created_at) values (?, ?, ?, ?, ?, ?, 'group', ?, 0, ?)`,
  );
  const setRoot = sqlite.prepare("update annotation set root_id = id where id = ?");
  const kinds = ["annotation", "question", "counterargument", "annotation"] as const;
  const made: BenchData["classes"] = [];
  sqlite.transaction(() => {
    for (let c = 0; c < CLASSES; c++) {
      const instructor = readers[c * (CLASS_SIZE + 1)];
      if (!instructor) break;
      const code = randomBytes(4).toString("hex").toUpperCase();
      const groupId = (group.get(`Bench class ${c + 1}`, code) as { id: number }).id;
      member.run(groupId, instructor.id, "owner");
      const assignmentId = (assignment.get(groupId, seed) as { id: number }).id;
      for (let m = 1; m <= CLASS_SIZE; m++) {
        const student = readers[c * (CLASS_SIZE + 1) + m];
        if (!student) break;
        member.run(groupId, student.id, "member");
        alias.run(assignmentId, student.id, m);
        for (let k = 0; k < CLASS_ANNOTATIONS_EACH; k++) {
          const body = `Class ${c + 1}, student ${m}, note ${k + 1}.`;
          const r = note.run(
            seed,
            blocks[(m * 7 + k * 3) % blocks.length],
            kinds[(m + k) % kinds.length],
            body,
            `<p>${body}</p>`,
            student.id,
            groupId,
            Date.now() - (CLASS_ANNOTATIONS_EACH - k) * 60_000,
          );
          setRoot.run(r.lastInsertRowid);
        }
      }
      made.push({ dashboardPath: `/groups/${groupId}/assignments/${assignmentId}` });
    }
  })();
  return made;
}

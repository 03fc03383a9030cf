/**
 * What a database must satisfy after any sequence of writes, crashes, restores: SQLite's own
 * integrity and foreign-key checks; the tallies the triggers keep (migrations 0002/0003) equal to
 * counts recomputed from the rows; the search index (migration 0001) holding exactly each
 * annotation's words; threads whose links and quotes are whole; and every acknowledged write there.
 */
import type Database from "better-sqlite3";
import { openDb, type Reader } from "./harness";
import type { Knowledge } from "./workload";

type Row = Record<string, unknown>;

function rows(db: Database.Database, sql: string, ...params: unknown[]): Row[] {
  return db.prepare(sql).all(...params) as Row[];
}

/** Checks every invariant of the stored data; returns what is wrong (empty when all is well). */
export function checkDatabase(path: string): string[] {
  const db = openDb(path);
  try {
    return checkOpenDatabase(db);
  } finally {
    db.close();
  }
}

function keyed(list: Row[], keyOf: (row: Row) => string): Map<string, number> {
  return new Map(list.map((row) => [keyOf(row), Number(row.n)]));
}

function diffCounts(name: string, expected: Map<string, number>, actual: Map<string, number>) {
  const problems: string[] = [];
  for (const [key, n] of expected) {
    if ((actual.get(key) ?? 0) !== n) {
      problems.push(`${name} ${key}: stored ${actual.get(key) ?? 0}, counted ${n}`);
    }
  }
  for (const [key, n] of actual) {
    if (!expected.has(key) && n !== 0) problems.push(`${name} ${key}: stored ${n}, counted 0`);
  }
  return problems;
}

export function checkOpenDatabase(db: Database.Database): string[] {
  const problems: string[] = [];
  const integrity = db.pragma("integrity_check") as { integrity_check: string }[];
  if (integrity.length !== 1 || integrity[0]?.integrity_check !== "ok") {
    problems.push(`integrity_check: ${JSON.stringify(integrity.slice(0, 5))}`);
  }
  const foreignKeys = db.pragma("foreign_key_check") as Row[];
  if (foreignKeys.length > 0) {
    problems.push(`foreign_key_check: ${JSON.stringify(foreignKeys.slice(0, 5))}`);
  }
  try {
    db.exec("insert into annotation_search(annotation_search) values ('integrity-check')");
  } catch (error) {
    problems.push(`annotation_search integrity-check: ${(error as Error).message}`);
  }

  // Tallies against counts from the rows.
  problems.push(
    ...diffCounts(
      "paragraph_tally",
      keyed(
        rows(
          db,
          `select article_id, block_id, kind, count(*) as n from annotation
           where visibility = 'public' and deleted_at is null group by 1, 2, 3`,
        ),
        (r) => `${r.article_id}/${r.block_id}/${r.kind}`,
      ),
      keyed(
        rows(db, "select article_id, block_id, kind, count as n from paragraph_tally"),
        (r) => `${r.article_id}/${r.block_id}/${r.kind}`,
      ),
    ),
    ...diffCounts(
      "passage_tally",
      keyed(
        rows(
          db,
          `select article_id, block_id, position_start as s, position_end as e, kind, count(*) as n
           from annotation where visibility = 'public' and parent_id is null
             and position_start is not null and anchor_status != 'orphaned'
           group by 1, 2, 3, 4, 5`,
        ),
        (r) => `${r.article_id}/${r.block_id}/${r.s}-${r.e}/${r.kind}`,
      ),
      keyed(
        rows(
          db,
          `select article_id, block_id, start as s, end as e, kind, count as n from passage_tally`,
        ),
        (r) => `${r.article_id}/${r.block_id}/${r.s}-${r.e}/${r.kind}`,
      ),
    ),
  );
  for (const r of rows(db, "select * from paragraph_tally where count < 0")) {
    problems.push(`paragraph_tally negative: ${JSON.stringify(r)}`);
  }
  for (const r of rows(
    db,
    `select a.id, a.reply_count as stored,
       (select count(*) from annotation r where r.root_id = a.id and r.id != a.id
          and r.deleted_at is null) as counted
     from annotation a where stored != counted`,
  )) {
    problems.push(`reply_count of ${r.id}: stored ${r.stored}, counted ${r.counted}`);
  }
  for (const r of rows(
    db,
    `select a.id, a.endorsement_count as stored,
       (select count(*) from endorsement e where e.annotation_id = a.id) as counted
     from annotation a where stored != counted`,
  )) {
    problems.push(`endorsement_count of ${r.id}: stored ${r.stored}, counted ${r.counted}`);
  }

  // The search index: one row per annotation, holding exactly what the triggers put there.
  const searchRows = Number(
    (db.prepare("select count(*) as n from annotation_search").get() as Row).n,
  );
  const annotationRows = Number(
    (db.prepare("select count(*) as n from annotation").get() as Row).n,
  );
  if (searchRows !== annotationRows) {
    problems.push(`annotation_search has ${searchRows} rows for ${annotationRows} annotations`);
  }
  for (const r of rows(
    db,
    `select a.id, a.deleted_at is not null as deleted, a.body, coalesce(a.quote_exact, '') as quote,
       coalesce(l.title, '') as title,
       s.rowid as found, s.body as s_body, s.quote as s_quote, s.source_title as s_title
     from annotation a
     left join source_link l on l.annotation_id = a.id
     left join annotation_search s on s.rowid = a.id`,
  )) {
    const live = r.deleted === 0;
    const wanted = live ? [r.body, r.quote, r.title] : ["", "", ""];
    if (
      r.found === null ||
      r.s_body !== wanted[0] ||
      r.s_quote !== wanted[1] ||
      r.s_title !== wanted[2]
    ) {
      problems.push(`annotation_search row of ${r.id}: ${JSON.stringify(r)}`);
    }
  }

  // Threads: a root is its own root at depth 0; a reply sits in its parent's thread, paragraph and
  // visibility, one level deeper. Quotes are the paragraph's own words at the stored position.
  for (const r of rows(
    db,
    `select a.id, a.root_id, a.depth from annotation a
     where a.parent_id is null and (a.root_id is not a.id or a.depth != 0)`,
  )) {
    problems.push(`root ${r.id}: root_id ${r.root_id}, depth ${r.depth}`);
  }
  for (const r of rows(
    db,
    `select a.id, a.parent_id, a.root_id, p.root_id as p_root, p.id as p_id from annotation a
     left join annotation p on p.id = a.parent_id
     where a.parent_id is not null and (p.id is null or a.root_id is not p.root_id
       or a.depth != p.depth + 1 or a.article_id != p.article_id or a.block_id != p.block_id
       or a.visibility != p.visibility)`,
  )) {
    problems.push(`reply ${r.id} does not fit its parent: ${JSON.stringify(r)}`);
  }
  for (const r of rows(
    db,
    `select a.id, a.quote_exact, a.quote_prefix, a.quote_suffix, a.position_start, a.position_end,
       b.text from annotation a join block b on b.id = a.block_id where a.quote_exact is not null`,
  )) {
    const chars = Array.from(String(r.text));
    const start = Number(r.position_start);
    const end = Number(r.position_end);
    const before = chars.slice(0, start).join("");
    const after = chars.slice(end).join("");
    if (
      chars.slice(start, end).join("") !== r.quote_exact ||
      !before.endsWith(String(r.quote_prefix ?? "")) ||
      !after.startsWith(String(r.quote_suffix ?? "")) ||
      r.quote_prefix === null ||
      r.quote_suffix === null
    ) {
      problems.push(`annotation ${r.id}: its quote selectors do not match paragraph text`);
    }
  }
  return problems;
}

/**
 * Every write a client saw acknowledged is in `path`, whole: the row with its text, kind,
 * visibility, quote, thread links and source; deleted ones gone or a "[deleted]" placeholder; and
 * each reader's endorsements as they last toggled them.
 */
export function checkKnowledge(path: string, knowledge: Knowledge, readers: Reader[]): string[] {
  const db = openDb(path);
  try {
    const problems: string[] = [];
    const byId = db.prepare("select * from annotation where id = ?");
    const sourceOf = db.prepare("select * from source_link where annotation_id = ?");
    const endorsed = db.prepare(
      "select 1 from endorsement where user_id = ? and annotation_id = ?",
    );
    for (const a of knowledge.annotations.values()) {
      const row = byId.get(a.id) as Row | undefined;
      if (a.deleted === "maybe") continue;
      if (a.deleted === "yes") {
        if (row && (row.deleted_at === null || row.body !== "")) {
          problems.push(`annotation ${a.id} was deleted (acknowledged) but is live`);
        }
        continue;
      }
      if (!row) {
        problems.push(`acknowledged annotation ${a.id} (by reader ${a.author}) is missing`);
        continue;
      }
      const expected: [string, unknown, unknown][] = [
        ["author_id", row.author_id, readers[a.author]?.id],
        ["parent_id", row.parent_id, a.parentId],
        ["root_id", row.root_id, a.rootId],
        ["article_id", row.article_id, a.articleId],
        ["block_id", row.block_id, a.blockId],
        ["kind", row.kind, a.kind],
        ["visibility", row.visibility, a.visibility],
        ["deleted_at", row.deleted_at, null],
        ["quote_exact", row.quote_exact, a.quote?.exact ?? null],
        ["position_start", row.position_start, a.quote?.start ?? null],
      ];
      for (const [column, actual, wanted] of expected) {
        if (actual !== wanted) {
          problems.push(`annotation ${a.id}: ${column} is ${actual}, expected ${wanted}`);
        }
      }
      if (!a.bodies.has(String(row.body))) {
        problems.push(`annotation ${a.id}: body "${row.body}" is not one acknowledged`);
      }
      if (row.body_html === "" || row.body_html === null) {
        problems.push(`annotation ${a.id}: no rendered body`);
      }
      if (a.sourceTitles) {
        const link = sourceOf.get(a.id) as Row | undefined;
        if (!link || !a.sourceTitles.has(String(link.title)) || link.url !== a.sourceUrl) {
          problems.push(`annotation ${a.id}: source link ${JSON.stringify(link)} is not whole`);
        }
      }
    }
    for (const [key, state] of knowledge.endorsements) {
      if (state === "maybe") continue;
      const [reader, id] = key.split(":").map(Number) as [number, number];
      if (knowledge.annotations.get(id)?.deleted !== "no") continue;
      const has = endorsed.get(readers[reader]?.id, id) !== undefined;
      if (has !== (state === "yes")) {
        problems.push(`reader ${reader} ${state === "yes" ? "endorsed" : "took back"} ${id}`);
      }
    }
    return problems;
  } finally {
    db.close();
  }
}

/** Every table's rows, in a stable order, to compare two databases. */
export function dumpTables(path: string): Map<string, string[]> {
  const db = openDb(path, { readonly: true });
  try {
    const tables = rows(
      db,
      `select name from sqlite_master where type = 'table' and name not like 'sqlite_%'
         and name not like 'annotation_search_%' order by name`,
    ).map((r) => String(r.name));
    const dump = new Map<string, string[]>();
    for (const table of tables) {
      const all = rows(db, `select rowid as _rowid, * from "${table}"`).map((r) =>
        JSON.stringify(r),
      );
      dump.set(table, all.sort());
    }
    return dump;
  } finally {
    db.close();
  }
}

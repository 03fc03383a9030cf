/**
 * A fresh, migrated database for one test. Each call migrates an in-memory database, so tests never
 * share state and need no cleanup.
 */
import { readFileSync } from "node:fs";
import { and, eq, sql } from "drizzle-orm";
import type { NewAnnotationInput } from "#app/models/annotation-input.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import { type Db, migrateDatabase, openDatabase } from "#db/client";
import { block, user } from "#db/schema";

export function createTestDb(): Db {
  const db = openDatabase(":memory:");
  migrateDatabase(db);
  return db;
}

/** Two readers most domain tests need. */
export const ADA = { id: "u-ada" };
export const BOB = { id: "u-bob" };

/** A fresh database holding the demo article (slug "seed") and the users Ada and Bob. */
export function createSeededDb() {
  const db = createTestDb();
  const source = readFileSync(SEED_ARTICLE_PATH, "utf8");
  const seed = importArticle(db, parseArticle(source, { markdown: false }), { slug: "seed" });
  db.insert(user)
    .values([
      { id: ADA.id, username: "ada", displayName: "Ada Lovelace", passwordHash: "x" },
      { id: BOB.id, username: "bob", displayName: "Bob Builder", passwordHash: "x" },
    ])
    .run();
  return { db, articleId: seed.articleId };
}

/** A block of an article's current revision by its anchor (`p-3`); throws when there is none. */
export function blockAt(db: Db, articleId: number, anchor: string) {
  const found = db
    .select()
    .from(block)
    .where(
      and(
        eq(block.articleId, articleId),
        eq(block.anchor, anchor),
        sql`${block.revisionId} = (select current_revision_id from "article" where id = ${articleId})`,
      ),
    )
    .get();
  if (!found) throw new Error(`no block ${anchor}`);
  return found;
}

/** A valid new public annotation on a whole paragraph, with any fields overridden. */
export function newInput(overrides: Partial<NewAnnotationInput> = {}): NewAnnotationInput {
  return {
    kind: "annotation",
    body: "A thought about this.",
    source: null,
    quote: null,
    quoteStart: null,
    visibility: "public",
    ...overrides,
  };
}

/**
 * First-start seed: an empty database gets the demo article, a real symposium response kept in
 * db/seed/, and the demo collection (symposium) it is a response in. Nothing else is seeded: no
 * accounts, so no known passwords.
 */
import { resolve } from "node:path";
import type { Db } from "#db/client";
import { article } from "#db/schema";
import { seedDemoCollection } from "./collection.server";
import { importArticle, parseArticle, readArticleFile } from "./importer.server";

export const SEED_ARTICLE_SLUG = "do-not-engage-the-taliban-for-free";

export const SEED_ARTICLE_PATH = resolve(
  process.cwd(),
  "db/seed/do-not-engage-the-taliban-for-free.txt",
);

/**
 * Seeds an empty database. Safe when several processes start at once: the check here only skips
 * the work; `importArticle` looks for the slug again inside its BEGIN IMMEDIATE transaction, so a
 * process that waited for another's seeding finds the article there and changes nothing. The demo
 * collection is made the same way: seedDemoCollection looks for its slug inside its own BEGIN
 * IMMEDIATE transaction, and the process that finds it there writes nothing.
 */
export function seedDatabase(db: Db): void {
  if (db.select({ id: article.id }).from(article).limit(1).get()) return;
  const { source, markdown } = readArticleFile(SEED_ARTICLE_PATH);
  importArticle(db, parseArticle(source, { markdown }), {
    slug: SEED_ARTICLE_SLUG,
    // From the editor's note: a National Interest symposium held in August 2022.
    publication: "The National Interest",
    publishedOn: "2022-08",
  });
  seedDemoCollection(db, SEED_ARTICLE_SLUG);
}

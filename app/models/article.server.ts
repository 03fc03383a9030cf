/**
 * Articles and their blocks, as readers see them. Articles are public; what is drawn on them
 * (annotations) is loaded by the annotation model with the viewer's visibility filter.
 */
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "#app/utils/db.server";
import { perConnection } from "#app/utils/statements.server";
import { article, block } from "#db/schema";

/** An article's metadata, as listed in the library and shown at the top of its page. */
export type ArticleSummary = {
  id: number;
  slug: string;
  title: string;
  dek: string | null;
  byline: string | null;
  publication: string | null;
  publishedOn: string | null;
  paragraphCount: number;
  /** The current revision's id (`article_revision.id`). */
  revisionId: number;
  /** The author's linked account and the editor who added it (revise and resolve rights). */
  authorId: string | null;
  editorId: string | null;
};

const summaryColumns = {
  id: article.id,
  slug: article.slug,
  title: article.title,
  dek: article.dek,
  byline: article.byline,
  publication: article.publication,
  publishedOn: article.publishedOn,
  // Written out by hand: inside a correlated subquery drizzle would leave the columns unqualified.
  paragraphCount: sql<number>`(select count(*) from "block" as b where b.revision_id = "article"."current_revision_id" and b.kind = 'paragraph')`,
  revisionId: sql<number>`"article"."current_revision_id"`,
  authorId: article.authorId,
  editorId: article.editorId,
};

export function listArticles({ db }: { db: Db }): ArticleSummary[] {
  return db.select(summaryColumns).from(article).orderBy(desc(article.createdAt)).all();
}

export type ArticleBlock = typeof block.$inferSelect;

/** An article's metadata without its text, or null. */
export function findArticle({ db, slug }: { db: Db; slug: string }) {
  return (
    db
      .select({ ...summaryColumns, editorsNote: article.editorsNote })
      .from(article)
      .where(eq(article.slug, slug))
      .get() ?? null
  );
}

/** An article with its blocks in reading order, or null. */
export function findArticleWithBlocks({ db, slug }: { db: Db; slug: string }) {
  const found = findArticle({ db, slug });
  if (!found) return null;
  const blocks = db
    .select()
    .from(block)
    .where(eq(block.revisionId, found.revisionId))
    .orderBy(asc(block.position))
    .all();
  return { ...found, blocks };
}

/** "August 2022" for `2022-08`, "15 August 2022" for a full date; other strings as they are. */
export function formatPublishedOn(value: string | null): string | null {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(value);
  if (!match) return value;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day ?? 1)));
  return new Intl.DateTimeFormat("en-GB", {
    year: "numeric",
    month: "long",
    ...(day ? { day: "numeric" } : {}),
    timeZone: "UTC",
  }).format(date);
}

/** Kept per connection: every paragraph's discussion, and every write to it, starts here. */
const paragraphBySlug = perConnection((db) =>
  db
    .select({
      articleId: article.id,
      articleTitle: article.title,
      block,
    })
    .from(block)
    .innerJoin(
      article,
      and(eq(article.id, block.articleId), eq(article.currentRevisionId, block.revisionId)),
    )
    .where(
      and(
        eq(article.slug, sql.placeholder("slug")),
        eq(block.anchor, sql.placeholder("anchor")),
        eq(block.kind, "paragraph"),
      ),
    )
    .prepare(),
);

/**
 * One paragraph of the current revision of an article, found by the article's slug and the
 * paragraph's stable anchor.
 */
export function findParagraph({ db, slug, anchor }: { db: Db; slug: string; anchor: string }) {
  return paragraphBySlug(db).get({ slug, anchor }) ?? null;
}

/**
 * The Atom 1.0 feed of an article's newest public annotations (/articles/:slug/feed.xml). Built for
 * an anonymous reader (`visibleTo(null)` through `listRecentAnnotations`), so a private note can never
 * appear in it. Every piece of text is XML-escaped; entry content is the sanitized HTML that the
 * reading page shows, carried as escaped text in `<content type="html">`.
 */
import { eq } from "drizzle-orm";
import { type ActivityItem, listRecentAnnotations } from "#app/models/activity.server";
import { escapeHtml } from "#app/models/search.server";
import { KIND_LABELS, STANCE_LABELS } from "#app/rules";
import type { Db } from "#app/utils/db.server";
import { permalinkPath } from "#app/utils/format";
import { article } from "#db/schema";

export const FEED_CONTENT_TYPE = "application/atom+xml; charset=utf-8";
/** How many entries a feed carries. */
export const FEED_SIZE = 50;

/**
 * Anything outside XML 1.0's `Char` production: control characters other than tab and newlines,
 * lone surrogates, U+FFFE and U+FFFF. Such characters in a body would make the feed ill-formed.
 */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Text made safe for XML element content and attribute values; characters XML forbids are dropped. */
export function escapeXml(text: string): string {
  return text.replace(INVALID_XML, "").replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Counterargument by Ada on paragraph 3"; a reply says so: "Reply (question) by Ada on …". */
export function entryTitle(item: ActivityItem): string {
  const kind = KIND_LABELS[item.kind].one;
  const what = item.isReply
    ? item.kind === "annotation"
      ? "Reply"
      : `Reply (${kind})`
    : capitalized(kind);
  const who = item.author
    ? `${item.author.displayName} (@${item.author.username})`
    : "a deleted user";
  const where = item.paragraph.number === null ? "" : ` on paragraph ${item.paragraph.number}`;
  return `${what} by ${who}${where}`;
}

/** The HTML shown as an entry's content: the quoted passage, the source link, the rendered body. */
function entryHtml(item: ActivityItem): string {
  const parts: string[] = [];
  if (item.quote) parts.push(`<blockquote><p>${escapeHtml(item.quote)}</p></blockquote>`);
  if (item.source) {
    parts.push(
      `<p>Source: <a href="${escapeHtml(item.source.url)}" rel="noopener noreferrer nofollow ugc">${escapeHtml(item.source.title)}</a> (${escapeHtml(STANCE_LABELS[item.source.stance])})</p>`,
    );
  }
  parts.push(item.bodyHtml);
  return parts.join("\n");
}

function entryXml(item: ActivityItem, origin: string): string {
  const link = `${origin}${permalinkPath(item.article.slug, item.id)}`;
  const author = item.author
    ? `<author><name>${escapeXml(item.author.displayName)}</name><uri>${escapeXml(`${origin}/u/${encodeURIComponent(item.author.username)}`)}</uri></author>`
    : "<author><name>deleted user</name></author>";
  return [
    "  <entry>",
    `    <id>${escapeXml(link)}</id>`,
    `    <title>${escapeXml(entryTitle(item))}</title>`,
    `    <published>${item.createdAt}</published>`,
    `    <updated>${item.editedAt ?? item.createdAt}</updated>`,
    `    ${author}`,
    `    <link rel="alternate" type="text/html" href="${escapeXml(link)}"/>`,
    `    <category term="${escapeXml(item.kind)}" label="${escapeXml(capitalized(KIND_LABELS[item.kind].one))}"/>`,
    `    <content type="html">${escapeXml(entryHtml(item))}</content>`,
    "  </entry>",
  ].join("\n");
}

/**
 * The article's feed as an XML string, or null when no article has this slug. `origin` (like
 * `https://example.org`, no trailing slash) makes every link and id absolute.
 */
export function findArticleFeed({
  db,
  slug,
  origin,
}: {
  db: Db;
  slug: string;
  origin: string;
}): string | null {
  const found = db
    .select({
      id: article.id,
      slug: article.slug,
      title: article.title,
      createdAt: article.createdAt,
    })
    .from(article)
    .where(eq(article.slug, slug))
    .get();
  if (!found) return null;
  const items = listRecentAnnotations({ db, viewer: null, articleId: found.id, limit: FEED_SIZE });
  const articleUrl = `${origin}/articles/${encodeURIComponent(found.slug)}`;
  const selfUrl = `${articleUrl}/feed.xml`;
  const updated = new Date(
    Math.max(
      found.createdAt.getTime(),
      ...items.map((item) => Date.parse(item.editedAt ?? item.createdAt)),
    ),
  ).toISOString();
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(selfUrl)}</id>`,
    `  <title>${escapeXml(`Annotations on “${found.title}” · Marginalia`)}</title>`,
    `  <subtitle>The newest public annotations, questions, counterarguments and sources.</subtitle>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(selfUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(articleUrl)}"/>`,
    "  <generator>Marginalia</generator>",
    ...items.map((item) => entryXml(item, origin)),
    "</feed>",
    "",
  ].join("\n");
}

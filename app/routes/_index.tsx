import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AuthorName } from "#app/components/author-name";
import { markdownToText } from "#app/markdown.server";
import { listRecentAnnotations } from "#app/models/activity.server";
import { formatPublishedOn, listArticles } from "#app/models/article.server";
import { listMyAssignments } from "#app/models/assignment.server";
import { collectionsOfArticles, listCollections } from "#app/models/collection.server";
import { kindLabel } from "#app/rules";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { formatDue, permalinkPath } from "#app/utils/format";

const RECENT_LIMIT = 8;
const EXCERPT_LENGTH = 180;

/**
 * A plain-text opening of a Markdown body, for a one-line preview: the text markdown-it's
 * tokens show a reader, cut at {@link EXCERPT_LENGTH} code points. Server only (the loader),
 * so markdown-it never ships to the browser.
 */
function excerpt(markdown: string): string {
  const chars = Array.from(markdownToText(markdown).replace(/\s+/g, " ").trim());
  return chars.length > EXCERPT_LENGTH
    ? `${chars.slice(0, EXCERPT_LENGTH - 1).join("")}…`
    : chars.join("");
}

export const meta: MetaFunction = () => [
  { title: "Library · Marginalia" },
  {
    name: "description",
    content: "Articles to read, annotate and argue about, paragraph by paragraph.",
  },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await getUser(request);
  const now = Date.now();
  return {
    // A member's assignments come first: what is due, soonest first, and whether they have posted.
    assignments: viewer
      ? listMyAssignments({ db, viewer }).map((a) => ({
          id: a.id,
          groupId: a.groupId,
          groupName: a.groupName,
          article: a.article,
          due: a.dueAt
            ? {
                iso: a.dueAt,
                text: formatDue(a.dueAt, a.timeZone),
                past: Date.parse(a.dueAt) < now,
              }
            : null,
          posted: a.posted,
          runs: a.role !== "member",
        }))
      : [],
    // Symposia first; their responses are still listed below, each saying where it belongs.
    collections: listCollections({ db }),
    articles: (() => {
      const inCollection = collectionsOfArticles({ db });
      return listArticles({ db }).map((a) => ({
        ...a,
        publishedOn: formatPublishedOn(a.publishedOn),
        collection: inCollection.get(a.id) ?? null,
      }));
    })(),
    recent: listRecentAnnotations({ db, viewer, limit: RECENT_LIMIT }).map((item) => ({
      id: item.id,
      kind: item.kind,
      isReply: item.isReply,
      article: item.article,
      paragraph: item.paragraph,
      author: item.author,
      alias: item.alias,
      quote: item.quote,
      excerpt: excerpt(item.body),
    })),
  };
}

export default function Library() {
  const { articles, collections, recent, assignments } = useLoaderData<typeof loader>();
  return (
    <div className="library">
      <h1>Library</h1>
      <p className="lede">
        Read closely, annotate passages, raise questions and counterarguments, cite sources.
      </p>
      {assignments.length > 0 ? (
        <section aria-labelledby="assignments-heading">
          <h2 className="section-label" id="assignments-heading">
            Your assignments
          </h2>
          <ul className="assignment-list">
            {assignments.map((a) => (
              <li key={a.id}>
                <h3>
                  <Link to={`/articles/${a.article.slug}?layer=group-${a.groupId}`}>
                    {a.article.title}
                  </Link>
                </h3>
                <p className="meta">
                  <Link to={`/groups/${a.groupId}/assignments/${a.id}`}>{a.groupName}</Link>
                  {a.due ? (
                    <>
                      {" "}
                      · {a.due.past ? "was due" : "due"}{" "}
                      <time dateTime={a.due.iso}>{a.due.text}</time>
                    </>
                  ) : null}
                  {a.runs
                    ? " · you run this class"
                    : a.posted > 0
                      ? ` · you have posted ${a.posted} ${a.posted === 1 ? "annotation" : "annotations"}`
                      : " · you have not posted yet"}
                </p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {collections.length > 0 ? (
        <section aria-labelledby="collections-heading">
          <h2 className="section-label" id="collections-heading">
            Collections
          </h2>
          <ul className="article-list collection-list">
            {collections.map((c) => (
              <li key={c.id}>
                <article>
                  <h3>
                    <Link to={`/collections/${c.slug}`}>{c.title}</Link>
                  </h3>
                  <p className="dek">{c.question}</p>
                  <p className="meta">
                    {c.responseCount} {c.responseCount === 1 ? "response" : "responses"}
                  </p>
                </article>
              </li>
            ))}
          </ul>
          <p>
            <Link to="/collections">All collections</Link>
          </p>
        </section>
      ) : null}
      <h2 className="section-label">Articles</h2>
      {articles.length === 0 ? (
        <p>
          No articles yet. Import one with <code>npm run import -- path/to/article.txt</code>.
        </p>
      ) : (
        <ul className="article-list">
          {articles.map((a) => (
            <li key={a.id}>
              <article>
                <h3>
                  <Link to={`/articles/${a.slug}`}>{a.title}</Link>
                </h3>
                {a.dek ? <p className="dek">{a.dek}</p> : null}
                <p className="meta">
                  {[a.byline, a.publication, a.publishedOn].filter(Boolean).join(" · ")}
                  {a.byline || a.publication || a.publishedOn ? " · " : ""}
                  {a.paragraphCount} paragraphs
                  {a.collection ? (
                    <>
                      {" "}
                      · in{" "}
                      <Link to={`/collections/${a.collection.slug}`}>{a.collection.title}</Link>
                    </>
                  ) : null}
                </p>
              </article>
            </li>
          ))}
        </ul>
      )}
      <h2 className="section-label">Recent discussion</h2>
      {recent.length === 0 ? (
        <p className="empty">No annotations yet. Open an article and select a passage to begin.</p>
      ) : (
        <ul className="recent-list">
          {recent.map((item) => (
            <li key={item.id}>
              <p className="recent-meta">
                <span className={`kind-badge badge-${item.kind}`}>{kindLabel(item.kind)}</span>{" "}
                <strong>{item.alias ?? <AuthorName author={item.author} link={false} />}</strong>
                {item.isReply ? " replied" : ""} on{" "}
                <Link to={permalinkPath(item.article.slug, item.id)}>
                  paragraph {item.paragraph.number} of {item.article.title}
                </Link>
              </p>
              {item.quote ? <p className="recent-quote">“{item.quote}”</p> : null}
              <p className="recent-excerpt">{item.excerpt}</p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

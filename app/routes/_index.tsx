import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatPublishedOn, listArticles } from "~/models/article.server";
import { db } from "~/utils/db.server";

export const meta: MetaFunction = () => [
  { title: "Library · Marginalia" },
  {
    name: "description",
    content: "Articles to read, annotate and argue about, paragraph by paragraph.",
  },
];

export async function loader() {
  return {
    articles: listArticles({ db }).map((a) => ({
      ...a,
      publishedOn: formatPublishedOn(a.publishedOn),
    })),
  };
}

export default function Library() {
  const { articles } = useLoaderData<typeof loader>();
  return (
    <div className="library">
      <h1>Library</h1>
      <p className="lede">
        Read closely, annotate passages, raise questions and counterarguments, cite sources.
      </p>
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
                </p>
              </article>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

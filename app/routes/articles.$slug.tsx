import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ArticleHeader } from "~/components/article-header";
import { formatPublishedOn, getArticleBySlug } from "~/models/article.server";
import { db } from "~/utils/db.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        { title: `${data.article.title} · Marginalia` },
        { name: "description", content: data.article.dek ?? "" },
      ]
    : [{ title: "Not found · Marginalia" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const article = getArticleBySlug({ db, slug: params.slug ?? "" });
  if (!article) throw new Response("No article has this address.", { status: 404 });
  return { article: { ...article, publishedOn: formatPublishedOn(article.publishedOn) } };
}

export default function ReadingPage() {
  const { article } = useLoaderData<typeof loader>();
  return (
    <article className="reading">
      <ArticleHeader {...article} />
      <div className="article-body">
        {article.blocks.map((b) =>
          b.kind === "heading" ? (
            <h2 key={b.id} id={b.anchor} className="section-heading">
              {b.text}
            </h2>
          ) : (
            <div key={b.id} id={b.anchor} className="paragraph">
              <a
                className="paragraph-number"
                href={`#${b.anchor}`}
                aria-label={`Paragraph ${b.number}`}
              >
                {b.number}
              </a>
              <p>{b.text}</p>
            </div>
          ),
        )}
      </div>
    </article>
  );
}

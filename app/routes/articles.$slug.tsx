/**
 * The reading page: the article block by block, each paragraph with its highlighted passages and
 * what it has drawn. A paragraph's discussion is the nested route `p/:anchor`, rendered beside the
 * paragraph on wide screens and under it on narrow ones.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Link,
  Outlet,
  type ShouldRevalidateFunction,
  useLoaderData,
  useParams,
} from "@remix-run/react";
import { useRef } from "react";
import { ArticleHeader } from "#app/components/article-header";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { HighlightedText } from "#app/components/highlighted-text";
import { discussLinkLabel, ParagraphCounts } from "#app/components/paragraph-counts";
import { SelectionPopover } from "#app/components/selection-popover";
import { findArticleWithBlocks, formatPublishedOn } from "#app/models/article.server";
import { getParagraphSummaries } from "#app/models/paragraph-summary.server";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [
        { title: `${data.article.title} · Marginalia` },
        { name: "description", content: data.article.dek ?? "" },
      ]
    : [{ title: errorTitle(error) }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticleWithBlocks({ db, slug: params.slug ?? "" });
  invariantResponse(article, "No article has this address.", { status: 404 });
  const viewer = await getUser(request);
  const summaries = getParagraphSummaries({ db, articleId: article.id, viewer });
  return {
    article: {
      ...article,
      publishedOn: formatPublishedOn(article.publishedOn),
      blocks: article.blocks.map((b) => ({
        ...b,
        summary: summaries.get(b.id) ?? { counts: {}, total: 0, ranges: [] },
      })),
    },
  };
}

/**
 * Opening another paragraph's discussion loads only that paragraph's threads; the article and its
 * counts reload after a write (or a sign-in, which arrives as a new page).
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({
  formMethod,
  currentParams,
  nextParams,
  defaultShouldRevalidate,
}) => {
  if (formMethod && formMethod !== "GET") return defaultShouldRevalidate;
  return currentParams.slug !== nextParams.slug;
};

export default function ReadingPage() {
  const { article } = useLoaderData<typeof loader>();
  const { anchor: activeAnchor } = useParams();
  const bodyRef = useRef<HTMLDivElement>(null);
  const annotationTotal = article.blocks.reduce((sum, b) => sum + b.summary.total, 0);
  return (
    <article className="reading">
      <ArticleHeader {...article} />
      <nav className="article-tools" aria-label="Discussion tools">
        <Link to={`/articles/${article.slug}/discussion`}>
          Whole discussion
          {annotationTotal > 0
            ? ` · ${annotationTotal} ${annotationTotal === 1 ? "annotation" : "annotations"}`
            : ""}
        </Link>
        <a href={`/articles/${article.slug}/feed.xml`}>Atom feed of new annotations</a>
      </nav>
      <div className="article-body" ref={bodyRef}>
        {activeAnchor && !article.blocks.some((b) => b.anchor === activeAnchor) ? (
          // An address naming no paragraph of this article: the panel (and its error) opens
          // above the text, which stays readable.
          <div className="discussion-panel discussion-panel-unplaced">
            <Outlet />
          </div>
        ) : null}
        {article.blocks.map((b) =>
          b.kind === "heading" ? (
            <h2 key={b.id} id={b.anchor} className="section-heading">
              {b.text}
            </h2>
          ) : (
            <div
              key={b.id}
              id={b.anchor}
              className={`paragraph${b.anchor === activeAnchor ? " is-active" : ""}`}
            >
              <a
                className="paragraph-number"
                href={`#${b.anchor}`}
                aria-label={`Paragraph ${b.number}`}
              >
                {b.number}
              </a>
              <p data-paragraph={b.anchor}>
                <HighlightedText text={b.text} ranges={b.summary.ranges} />
              </p>
              <div className="paragraph-margin">
                <Link
                  to={`p/${b.anchor}`}
                  preventScrollReset
                  className={b.summary.total > 0 ? "discuss has-annotations" : "discuss"}
                  aria-label={discussLinkLabel(b.number, b.summary.counts)}
                  aria-current={b.anchor === activeAnchor ? "true" : undefined}
                >
                  {b.summary.total > 0 ? <ParagraphCounts counts={b.summary.counts} /> : "Discuss"}
                </Link>
              </div>
              {b.anchor === activeAnchor ? (
                <div className="discussion-panel">
                  <Outlet />
                </div>
              ) : null}
            </div>
          ),
        )}
        <SelectionPopover slug={article.slug} containerRef={bodyRef} />
      </div>
    </article>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

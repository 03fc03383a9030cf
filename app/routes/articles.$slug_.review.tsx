/**
 * The review summary: every thread the reader may see on the article, grouped by paragraph of the
 * current revision (orphaned ones last), open before resolved, with quotes, kinds, source stances
 * and replies — what an author works through before revising. Also as a Markdown download.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { Thread } from "#app/components/thread";
import { findArticle } from "#app/models/article.server";
import { getReviewSummary } from "#app/models/review.server";
import { listRevisions } from "#app/models/revision.server";
import { getUser, loginPath } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [{ title: `Review summary of ${data.article.title} · Marginalia` }]
    : [{ title: errorTitle(error) }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticle({ db, slug: params.slug ?? "" });
  invariantResponse(article, "No article has this address.", { status: 404 });
  const viewer = await getUser(request);
  const url = new URL(request.url);
  return {
    article: { slug: article.slug, title: article.title },
    revision: listRevisions({ db, articleId: article.id })[0]?.number ?? 1,
    summary: getReviewSummary({
      db,
      articleId: article.id,
      revisionId: article.revisionId,
      viewer,
    }),
    signedIn: viewer !== null,
    signInHref: loginPath(url.pathname),
  };
}

export default function ReviewSummary() {
  const { article, revision, summary, signedIn, signInHref } = useLoaderData<typeof loader>();
  const context = { slug: article.slug, signedIn, signInHref, mode: "listing" as const };
  return (
    <div className="review-page">
      <p className="breadcrumb">
        <Link to={`/articles/${article.slug}`}>{article.title}</Link> ·{" "}
        <Link to={`/articles/${article.slug}/revisions`}>Revisions</Link>
      </p>
      <h1>Review summary</h1>
      <p role="status">
        Revision {revision}: {summary.open} open, {summary.resolved} resolved.{" "}
        <a href={`/articles/${article.slug}/review.md`} download>
          Download as Markdown
        </a>
      </p>
      {summary.sections.length === 0 ? (
        <p className="empty">No comments yet.</p>
      ) : (
        summary.sections.map((section) => (
          <section
            key={section.anchor ?? "orphaned"}
            className="review-section"
            aria-labelledby={`review-${section.anchor ?? "orphaned"}`}
          >
            <h2 id={`review-${section.anchor ?? "orphaned"}`}>
              {section.anchor ? (
                <Link to={`/articles/${article.slug}#${section.anchor}`}>
                  Paragraph {section.number}
                </Link>
              ) : (
                "Orphaned comments"
              )}
              <span className="review-counts">
                {" "}
                · {section.open.length} open, {section.resolved.length} resolved
              </span>
            </h2>
            {section.anchor ? (
              <blockquote className="review-paragraph">
                <p>{section.text}</p>
              </blockquote>
            ) : (
              <p>The words these were about are no longer in the article.</p>
            )}
            {(
              [
                ["Open", section.open],
                ["Resolved", section.resolved],
              ] as const
            ).map(([label, threads]) =>
              threads.length > 0 ? (
                <div key={label}>
                  <h3>
                    {label} ({threads.length})
                  </h3>
                  <ol className="threads">
                    {threads.map((root) => (
                      <Thread key={root.id} root={root} context={context} />
                    ))}
                  </ol>
                </div>
              ) : null,
            )}
          </section>
        ))
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

/**
 * One revision of an article as it read then: read-only (threads are written on the current
 * revision), so a comment can always be read against the words it was written on.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { findArticle } from "#app/models/article.server";
import { getRevision, listRevisions } from "#app/models/revision.server";
import { db } from "#app/utils/db.server";
import { invariantResponse, toResponseError } from "#app/utils/errors";
import { formatDateTime } from "#app/utils/format";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [{ title: `${data.article.title}, revision ${data.revision.number} · Marginalia` }]
    : [{ title: errorTitle(error) }];

export async function loader({ params }: LoaderFunctionArgs) {
  const article = findArticle({ db, slug: params.slug ?? "" });
  invariantResponse(article, "No article has this address.", { status: 404 });
  const number = Number(params.number);
  invariantResponse(Number.isSafeInteger(number) && number > 0, "No such revision.", {
    status: 404,
  });
  let revision: ReturnType<typeof getRevision>;
  try {
    revision = getRevision({ db, articleId: article.id, number });
  } catch (error) {
    toResponseError(error);
  }
  const latest = listRevisions({ db, articleId: article.id })[0]?.number ?? number;
  return {
    article: { slug: article.slug, title: article.title },
    revision: {
      number: revision.number,
      note: revision.note,
      createdAt: revision.createdAt.toISOString(),
      blocks: revision.blocks.map((b) => ({
        id: b.id,
        kind: b.kind,
        anchor: b.anchor,
        number: b.number,
        text: b.text,
      })),
    },
    latest,
  };
}

export default function RevisionPage() {
  const { article, revision, latest } = useLoaderData<typeof loader>();
  const current = revision.number === latest;
  return (
    <article className="reading revision-reading">
      <header className="article-header">
        <p className="breadcrumb">
          <Link to={`/articles/${article.slug}/revisions`}>All revisions</Link>
        </p>
        <h1>{article.title}</h1>
        <p className="revision-banner" role="note">
          Revision {revision.number} of {latest}, from{" "}
          <time dateTime={revision.createdAt}>{formatDateTime(revision.createdAt)}</time>.{" "}
          {current ? (
            <Link to={`/articles/${article.slug}`}>
              This is the current text: read and annotate it
            </Link>
          ) : (
            <>
              An earlier text, kept as it was.{" "}
              <Link to={`/articles/${article.slug}`}>Read the current revision</Link> ·{" "}
              <Link to={`/articles/${article.slug}/compare?from=${revision.number}&to=${latest}`}>
                What changed since
              </Link>
            </>
          )}
        </p>
        {revision.note ? <p className="revision-note">{revision.note}</p> : null}
      </header>
      <div className="article-body">
        {revision.blocks.map((b) =>
          b.kind === "heading" ? (
            <h2 key={b.id} id={b.anchor} className="section-heading">
              {b.text}
            </h2>
          ) : (
            <div key={b.id} id={b.anchor} className="paragraph">
              <span className="paragraph-number" aria-hidden="true">
                {b.number}
              </span>
              <p>
                <span className="visually-hidden">Paragraph {b.number}: </span>
                {b.text}
              </p>
            </div>
          ),
        )}
      </div>
    </article>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

/**
 * Two revisions compared paragraph by paragraph: inserted and deleted words marked, paragraphs
 * added, removed or moved, and the threads that concerned each changed paragraph, with their
 * status (open or resolved; in place, on changed text, or orphaned).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { RevisionPicker } from "#app/components/revision-picker";
import { WordDiff } from "#app/components/word-diff";
import { findArticle } from "#app/models/article.server";
import { compareRevisions } from "#app/models/review.server";
import { listRevisions } from "#app/models/revision.server";
import { kindLabel } from "#app/rules";
import type { ThreadNode } from "#app/threading/thread-node";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse, toResponseError } from "#app/utils/errors";
import { formatDateTime, permalinkPath } from "#app/utils/format";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [
        {
          title: `${data.article.title}: revision ${data.comparison.from.number} to ${data.comparison.to.number} · Marginalia`,
        },
      ]
    : [{ title: errorTitle(error) }];

function revisionParam(value: string | null, fallback: number): number {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticle({ db, slug: params.slug ?? "" });
  invariantResponse(article, "No article has this address.", { status: 404 });
  const viewer = await getUser(request);
  const revisions = listRevisions({ db, articleId: article.id }).map((r) => r.number);
  const latest = revisions[0] ?? 1;
  const url = new URL(request.url);
  const to = revisionParam(url.searchParams.get("to"), latest);
  const from = revisionParam(url.searchParams.get("from"), Math.max(1, to - 1));
  let comparison: ReturnType<typeof compareRevisions>;
  try {
    comparison = compareRevisions({ db, articleId: article.id, viewer, from, to });
  } catch (error) {
    toResponseError(error);
  }
  const changedOnly = url.searchParams.get("all") !== "1";
  return {
    article: { slug: article.slug, title: article.title },
    revisions,
    comparison: {
      ...comparison,
      paragraphs: changedOnly
        ? comparison.paragraphs.filter((p) => p.change !== "unchanged")
        : comparison.paragraphs,
    },
    unchanged: comparison.paragraphs.filter((p) => p.change === "unchanged").length,
    changedOnly,
  };
}

const CHANGE_LABELS = {
  changed: "Changed",
  added: "New paragraph",
  removed: "Removed",
  moved: "Moved",
  unchanged: "Unchanged",
} as const;

function ThreadStatusLine({ slug, thread }: { slug: string; thread: ThreadNode }) {
  const placement =
    thread.anchorStatus === "orphaned"
      ? "orphaned"
      : thread.anchorStatus === "changed"
        ? "on changed text"
        : "in place";
  return (
    <li>
      <Link to={permalinkPath(slug, thread.id)}>
        {kindLabel(thread.kind)}
        {thread.author
          ? ` by ${thread.author.displayName}`
          : thread.alias
            ? ` by ${thread.alias}`
            : ""}
      </Link>
      {thread.quote ? <> on “{thread.quote}”</> : null} —{" "}
      <strong>{thread.resolved ? "resolved" : "open"}</strong>, {placement}
    </li>
  );
}

export default function Compare() {
  const { article, revisions, comparison, unchanged, changedOnly } = useLoaderData<typeof loader>();
  const { from, to, paragraphs } = comparison;
  const base = `/articles/${article.slug}/compare?from=${from.number}&to=${to.number}`;
  return (
    <div className="compare-page">
      <p className="breadcrumb">
        <Link to={`/articles/${article.slug}`}>{article.title}</Link> ·{" "}
        <Link to={`/articles/${article.slug}/revisions`}>Revisions</Link>
      </p>
      <h1>
        Revision {from.number} → revision {to.number}
      </h1>
      <RevisionPicker slug={article.slug} revisions={revisions} from={from.number} to={to.number} />
      <p className="compare-legend">
        Deleted words are <del>struck through</del>; inserted words are <ins>underlined</ins>.{" "}
        {to.note ? (
          <>
            Revision {to.number}: “{to.note}” ({formatDateTime(to.createdAt)}).
          </>
        ) : null}
      </p>
      <p role="status">
        {paragraphs.length === 0 && changedOnly
          ? "No paragraph changed between these revisions."
          : `${changedOnly ? paragraphs.length : paragraphs.length - unchanged} ${paragraphs.length === 1 ? "paragraph" : "paragraphs"} changed, ${unchanged} unchanged. `}
        {changedOnly ? (
          <Link to={`${base}&all=1`}>Show unchanged paragraphs too</Link>
        ) : (
          <Link to={base}>Show changed paragraphs only</Link>
        )}
      </p>
      <ol className="compare-list">
        {paragraphs.map((p) => (
          <li key={`${p.anchor}-${p.fromNumber}-${p.toNumber}`} className={`compare-${p.change}`}>
            <h2 className="compare-heading">
              {p.toNumber !== null
                ? `Paragraph ${p.toNumber}`
                : `Paragraph ${p.fromNumber} (removed)`}
              <span className="compare-change">
                {" — "}
                {CHANGE_LABELS[p.change]}
                {p.change === "moved" ||
                (p.fromNumber !== null && p.toNumber !== null && p.fromNumber !== p.toNumber)
                  ? ` (was paragraph ${p.fromNumber})`
                  : ""}
              </span>
            </h2>
            <WordDiff parts={p.diff} />
            {p.threads.length > 0 ? (
              <>
                <h3 className="compare-threads-heading">
                  {p.threads.length} {p.threads.length === 1 ? "thread" : "threads"} on this
                  paragraph
                </h3>
                <ul className="compare-threads">
                  {p.threads.map((t) => (
                    <ThreadStatusLine key={t.id} slug={article.slug} thread={t} />
                  ))}
                </ul>
              </>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

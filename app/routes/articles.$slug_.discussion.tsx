/**
 * An article's whole discussion on one page: every thread with its passage and a way back to the
 * paragraph, sorted and filtered by what is in the URL (so a view can be shared), 50 threads a page.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { Pager } from "#app/components/pager";
import { Thread } from "#app/components/thread";
import { findArticle } from "#app/models/article.server";
import { listThreads } from "#app/models/discussion.server";
import {
  type AnnotationKind,
  annotationKinds,
  KIND_LABELS,
  parseThreadStatus,
  type ThreadSort,
  threadSorts,
} from "#app/rules";
import { getUser, loginPath } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";
import { inContextPath, permalinkPath } from "#app/utils/format";
import { parsePage } from "#app/utils/params";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [{ title: `Discussion of ${data.article.title} · Marginalia` }]
    : [{ title: errorTitle(error) }];

const SORT_LABELS: Record<ThreadSort, string> = {
  reading: "Reading order",
  newest: "Newest first",
  endorsed: "Most endorsed",
  replied: "Most replied",
};

/** Reads the view from the URL; anything unknown falls back to the default instead of failing. */
function readView(url: URL) {
  const get = (name: string) => url.searchParams.get(name)?.trim() ?? "";
  const sort = get("sort");
  const kind = get("kind");

  return {
    sort: (threadSorts as readonly string[]).includes(sort) ? (sort as ThreadSort) : "reading",
    kind: (annotationKinds as readonly string[]).includes(kind) ? (kind as AnnotationKind) : null,
    author: get("author").slice(0, 64),
    q: get("q").slice(0, 200),
    status: parseThreadStatus(get("status")),
    page: parsePage(get("page")),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticle({ db, slug: params.slug ?? "" });
  invariantResponse(article, "No article has this address.", { status: 404 });
  const viewer = await getUser(request);
  const url = new URL(request.url);
  const view = readView(url);
  const result = listThreads({
    db,
    articleId: article.id,
    viewer,
    sort: view.sort,
    kind: view.kind ?? undefined,
    authorUsername: view.author || undefined,
    text: view.q || undefined,
    page: view.page,
    status: view.status,
  });
  return {
    article: { slug: article.slug, title: article.title },
    view,
    ...result,
    signedIn: viewer !== null,
    signInHref: loginPath(url.pathname + url.search),
  };
}

function pageHref(view: ReturnType<typeof readView>, page: number): string {
  const params = new URLSearchParams();
  if (view.sort !== "reading") params.set("sort", view.sort);
  if (view.kind) params.set("kind", view.kind);
  if (view.author) params.set("author", view.author);
  if (view.q) params.set("q", view.q);
  if (view.status) params.set("status", view.status);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return query ? `?${query}` : ".";
}

export default function Discussion() {
  const { article, view, threads, total, page, pageCount, counts, signedIn, signInHref } =
    useLoaderData<typeof loader>();
  const filtered = Boolean(view.kind || view.author || view.q || view.status);
  const context = { slug: article.slug, signedIn, signInHref, mode: "listing" as const };
  return (
    <div className="discussion-page">
      <p className="breadcrumb">
        <Link to={`/articles/${article.slug}`}>{article.title}</Link>
      </p>
      <h1>Discussion</h1>
      <nav className="discussion-tools" aria-label="Discussion tools">
        <a href={`/articles/${article.slug}/annotations.jsonld`} download>
          Download all annotations (W3C JSON-LD)
        </a>
        <a href={`/articles/${article.slug}/feed.xml`}>Atom feed of new annotations</a>
      </nav>
      <Form method="get" className="discussion-filters" aria-label="Sort and filter threads">
        <div className="filter-field">
          <label htmlFor="filter-sort">Sort</label>
          <select id="filter-sort" name="sort" defaultValue={view.sort}>
            {threadSorts.map((sort) => (
              <option key={sort} value={sort}>
                {SORT_LABELS[sort]}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-field">
          <label htmlFor="filter-kind">Kind</label>
          <select id="filter-kind" name="kind" defaultValue={view.kind ?? ""}>
            <option value="">All kinds</option>
            {annotationKinds.map((kind) => (
              <option key={kind} value={kind}>
                {KIND_LABELS[kind].many.charAt(0).toUpperCase() + KIND_LABELS[kind].many.slice(1)}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-field">
          <label htmlFor="filter-author">Author (username)</label>
          <input id="filter-author" name="author" defaultValue={view.author} autoComplete="off" />
        </div>
        <div className="filter-field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" name="status" defaultValue={view.status ?? ""}>
            <option value="">Open and resolved ({counts.all})</option>
            <option value="open">Open ({counts.open})</option>
            <option value="resolved">Resolved ({counts.resolved})</option>
          </select>
        </div>
        <div className="filter-field filter-text">
          <label htmlFor="filter-q">Containing</label>
          <input id="filter-q" name="q" type="search" defaultValue={view.q} />
        </div>
        <button type="submit">Show</button>
        {filtered || view.sort !== "reading" ? (
          <Link to="." className="clear-filters">
            Clear
          </Link>
        ) : null}
      </Form>
      <p className="results-summary" role="status">
        {total === 0
          ? filtered
            ? "No threads match these filters."
            : "No discussion yet. Select a passage in the article to start one."
          : `${total} ${total === 1 ? "thread" : "threads"}${filtered ? " match" : ""}${view.status || counts.resolved === 0 ? "" : ` (${counts.open} open, ${counts.resolved} resolved)`} · ${SORT_LABELS[view.sort].toLowerCase()}${pageCount > 1 ? ` · page ${page} of ${pageCount}` : ""}`}
      </p>
      <ol className="threads discussion-threads">
        {threads.map((listing) => (
          <li key={listing.root.id} className="listing">
            <p className="thread-location">
              {listing.root.anchorStatus === "orphaned" ? (
                <Link to={permalinkPath(article.slug, listing.root.id)}>
                  Orphaned (was paragraph {listing.paragraphNumber})
                </Link>
              ) : (
                <Link to={inContextPath(article.slug, listing.anchor, listing.root.id)}>
                  Paragraph {listing.paragraphNumber}
                </Link>
              )}
              {listing.replyCount > 0
                ? ` · ${listing.replyCount} ${listing.replyCount === 1 ? "reply" : "replies"}`
                : ""}
            </p>
            <ol className="threads">
              <Thread root={listing.root} context={context} />
            </ol>
          </li>
        ))}
      </ol>
      <Pager
        page={page}
        pageCount={pageCount}
        hrefFor={(n) => pageHref(view, n)}
        label="Pages of threads"
      />
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

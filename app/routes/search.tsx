/**
 * /search?q=&page= — site-wide search of annotations, quoted passages and source titles. A plain
 * GET form (works without script); results link to each annotation's permalink, 20 per page in a
 * stable order (best match, then oldest first). A search that matches more than the model ranks
 * (SEARCH_CANDIDATES) says so and pages through the most recent matches.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Pager } from "#app/components/pager";
import { searchAnnotations } from "#app/models/search.server";
import { kindLabel } from "#app/rules";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { formatDate, permalinkPath } from "#app/utils/format";
import { parsePage } from "#app/utils/params";

const PAGE_SIZE = 20;
/** Longer input is cut before searching (the model reads no more of it either). */
const MAX_QUERY_LENGTH = 500;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.q ? `Search: ${data.q} · Marginalia` : "Search · Marginalia" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const q = (url.searchParams.get("q") ?? "").slice(0, MAX_QUERY_LENGTH).trim();
  const page = parsePage(url.searchParams.get("page"));
  if (!q) {
    return { q, page: 1, pageCount: 0, total: 0, capped: false, searchable: false, results: [] };
  }
  const viewer = await getUser(request);
  const found = searchAnnotations({
    db,
    viewer,
    query: q,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  return {
    q,
    page,
    pageCount: Math.ceil(found.total / PAGE_SIZE),
    total: found.total,
    capped: found.capped,
    searchable: found.query !== null,
    results: found.results.map((r) => ({ ...r, permalink: permalinkPath(r.article.slug, r.id) })),
  };
}

function pageHref(q: string, page: number): string {
  const params = new URLSearchParams({ q });
  if (page > 1) params.set("page", String(page));
  return `/search?${params}`;
}

type Result = ReturnType<typeof useLoaderData<typeof loader>>["results"][number];

function SearchResultItem({ result }: { result: Result }) {
  const kind = kindLabel(result.kind);
  const what = !result.isReply
    ? kind
    : result.kind === "annotation"
      ? "Reply"
      : `Reply (${kind.toLowerCase()})`;
  const who = result.author
    ? `${result.author.displayName} (@${result.author.username})`
    : "deleted user";
  return (
    <li className={`search-result kind-${result.kind}`}>
      <article aria-labelledby={`result-${result.id}`}>
        <h2 className="search-result-title" id={`result-${result.id}`}>
          <span className={`kind-badge badge-${result.kind}`}>{kind}</span>{" "}
          <Link to={result.permalink}>
            {what} by {who}
          </Link>
        </h2>
        <p className="search-result-where">
          {result.paragraph.number === null ? "In " : `Paragraph ${result.paragraph.number} of `}
          <Link
            to={
              result.paragraph.current
                ? `/articles/${result.article.slug}#${result.paragraph.anchor}`
                : permalinkPath(result.article.slug, result.id)
            }
          >
            {result.article.title}
          </Link>
          {" · "}
          <time dateTime={result.createdAt}>{formatDate(result.createdAt)}</time>
          {result.visibility === "private" ? (
            <span className="private-badge"> · private note</span>
          ) : null}
        </p>
        {/* The three snippets below are escaped text with <mark>s (markedHtml in search.server). */}
        {result.quoteHtml ? (
          <blockquote className="search-result-quote">
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: escaped text + <mark> only */}
            <p dangerouslySetInnerHTML={{ __html: result.quoteHtml }} />
          </blockquote>
        ) : null}
        {result.sourceTitleHtml ? (
          <p className="search-result-source">
            Source:{" "}
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: escaped text + <mark> only */}
            <cite dangerouslySetInnerHTML={{ __html: result.sourceTitleHtml }} />
          </p>
        ) : null}
        {result.bodyHtml ? (
          // biome-ignore lint/security/noDangerouslySetInnerHtml: escaped text + <mark> only
          <p className="search-result-body" dangerouslySetInnerHTML={{ __html: result.bodyHtml }} />
        ) : null}
      </article>
    </li>
  );
}

export default function SearchPage() {
  const { q, page, pageCount, total, capped, searchable, results } = useLoaderData<typeof loader>();
  const first = (page - 1) * PAGE_SIZE + 1;
  return (
    <div className="search-page">
      <h1>Search</h1>
      <Form
        method="get"
        action="/search"
        role="search"
        aria-label="Annotations"
        className="search-form"
      >
        <label htmlFor="search-q">Search annotations, quoted passages and source titles</label>
        <div className="search-row">
          <input
            key={q}
            id="search-q"
            type="search"
            name="q"
            defaultValue={q}
            maxLength={MAX_QUERY_LENGTH}
            autoComplete="off"
          />
          <button type="submit">Search</button>
        </div>
      </Form>

      {!q ? null : !searchable ? (
        <p className="search-status" role="status">
          Type a word to search for: “{q}” has no letters or numbers in it.
        </p>
      ) : total === 0 ? (
        <p className="search-status" role="status">
          No annotations match “{q}”.
        </p>
      ) : (
        <>
          <p className="search-status" role="status">
            {capped
              ? `More than ${total.toLocaleString("en")} annotations match`
              : total === 1
                ? "1 annotation matches"
                : `${total.toLocaleString("en")} annotations match`}{" "}
            “{q}”{pageCount > 1 ? `; showing ${first}–${first + results.length - 1}` : ""}.
          </p>
          {capped ? (
            <p className="search-hint">
              These are the best matches among the {total.toLocaleString("en")} most recent. Add a
              word to find older ones.
            </p>
          ) : null}
          {results.length === 0 ? (
            <p>
              There is no page {page}. <Link to={pageHref(q, 1)}>Back to the first page</Link>
            </p>
          ) : (
            <ol className="search-results" start={first}>
              {results.map((result) => (
                <SearchResultItem key={result.id} result={result} />
              ))}
            </ol>
          )}
          <Pager
            page={page}
            pageCount={pageCount}
            hrefFor={(n) => pageHref(q, n)}
            label="Pages of results"
          />
        </>
      )}
    </div>
  );
}

/**
 * /u/:username — one person's annotations and replies across articles, newest first, 50 per page.
 * Usernames are matched without regard to case (another spelling redirects to the stored one);
 * their private notes are listed only to themselves.
 */
import { type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AnnotationContent } from "#app/components/annotation-content";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { Pager } from "#app/components/pager";
import { findPersonByUsername, listAnnotationsByAuthor } from "#app/models/activity.server";
import { kindLabel } from "#app/rules";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";
import { formatDateTime, inContextPath, permalinkPath } from "#app/utils/format";
import { parsePage } from "#app/utils/params";

const PAGE_SIZE = 50;

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [{ title: `${data.person.displayName} (@${data.person.username}) · Marginalia` }]
    : [{ title: errorTitle(error) }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const person = findPersonByUsername({ db, username: params.username ?? "" });
  invariantResponse(person, "No one has this username.", { status: 404 });
  const url = new URL(request.url);
  if (params.username !== person.username) {
    throw redirect(`/u/${encodeURIComponent(person.username)}${url.search}`, 301);
  }
  const page = parsePage(url.searchParams.get("page"));
  const viewer = await getUser(request);
  const { items, total } = listAnnotationsByAuthor({
    db,
    viewer,
    authorId: person.id,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  return {
    person: { username: person.username, displayName: person.displayName },
    isSelf: viewer?.id === person.id,
    page,
    pageCount: Math.ceil(total / PAGE_SIZE),
    total,
    items: items.map((item) => ({
      ...item,
      permalink: permalinkPath(item.article.slug, item.id),
      // A thread a revision orphaned is not on the current text: its permalink shows its words.
      inContext: item.paragraph.current
        ? inContextPath(item.article.slug, item.paragraph.anchor, item.id)
        : permalinkPath(item.article.slug, item.id),
    })),
  };
}

type Item = ReturnType<typeof useLoaderData<typeof loader>>["items"][number];

function ActivityEntry({ item }: { item: Item }) {
  const where = item.paragraph.number === null ? "" : `paragraph ${item.paragraph.number} of `;
  return (
    <li className={`activity-item kind-${item.kind}`}>
      <article aria-labelledby={`item-${item.id}`}>
        <header className="activity-header">
          <span className={`kind-badge badge-${item.kind}`}>{kindLabel(item.kind)}</span>{" "}
          <span id={`item-${item.id}`}>
            {item.isReply ? "Reply on " : "On "}
            {where}
            <Link to={`/articles/${encodeURIComponent(item.article.slug)}`}>
              {item.article.title}
            </Link>
          </span>
          <span className="annotation-meta">
            {" · "}
            <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
            {item.editedAt ? <span className="edited"> · edited</span> : null}
            {item.visibility === "private" ? (
              <span className="private-badge"> · private note</span>
            ) : null}
          </span>
        </header>
        {item.quote ? (
          <blockquote className="annotation-quote">
            <p>{item.quote}</p>
          </blockquote>
        ) : null}
        <AnnotationContent source={item.source} bodyHtml={item.bodyHtml} />
        <p className="activity-links">
          <Link to={item.permalink}>
            Permalink
            <span className="visually-hidden"> of this {kindLabel(item.kind).toLowerCase()}</span>
          </Link>
          <Link to={item.inContext}>
            Read in context
            <span className="visually-hidden"> (paragraph {item.paragraph.number})</span>
          </Link>
        </p>
      </article>
    </li>
  );
}

export default function PersonPage() {
  const { person, isSelf, page, pageCount, total, items } = useLoaderData<typeof loader>();
  const here = `/u/${encodeURIComponent(person.username)}`;
  return (
    <div className="person-page">
      <h1>{person.displayName}</h1>
      <p className="person-meta">
        @{person.username} ·{" "}
        {total === 1 ? "1 annotation" : `${total.toLocaleString("en")} annotations`}
        {isSelf ? " (your private notes included; only you see them)" : ""}
      </p>
      {total === 0 ? (
        <p className="empty">
          {isSelf ? "You have not" : `${person.displayName} has not`} annotated anything yet.
        </p>
      ) : items.length === 0 ? (
        <p>
          There is no page {page}. <Link to={here}>Back to the newest</Link>
        </p>
      ) : (
        <>
          <h2 className="visually-hidden">Annotations, newest first</h2>
          <ol className="activity-list">
            {items.map((item) => (
              <ActivityEntry key={item.id} item={item} />
            ))}
          </ol>
        </>
      )}
      <Pager
        page={page}
        pageCount={pageCount}
        hrefFor={(n) => `${here}?page=${n}`}
        label="Pages of annotations"
        previous="Newer"
        next="Older"
      />
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

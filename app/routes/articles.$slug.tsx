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
import { LayerSwitch } from "#app/components/layer-switch";
import { LiveUpdates } from "#app/components/live-updates";
import { discussLinkLabel, ParagraphCounts } from "#app/components/paragraph-counts";
import { SelectionPopover } from "#app/components/selection-popover";
import { findArticleWithBlocks, formatPublishedOn } from "#app/models/article.server";
import { findAssignmentsOnArticle } from "#app/models/assignment.server";
import { listMyGroups } from "#app/models/group.server";
import { getParagraphSummaries } from "#app/models/paragraph-summary.server";
import { listOrphanedQuotes } from "#app/models/review.server";
import { countRevisions } from "#app/models/revision.server";
import { layerParam, parseLayer } from "#app/models/visibility.server";
import { kindLabel } from "#app/rules";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";
import { formatDue, permalinkPath } from "#app/utils/format";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [
        { title: `${data.article.title} · Marginalia` },
        { name: "description", content: data.article.dek ?? "" },
        // The same address answers `Accept: application/ld+json` with these (server.ts).
        {
          tagName: "link",
          rel: "alternate",
          type: "application/ld+json",
          href: `/articles/${data.article.slug}/annotations.jsonld`,
        },
      ]
    : [{ title: errorTitle(error) }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticleWithBlocks({ db, slug: params.slug ?? "" });
  invariantResponse(article, "No article has this address.", { status: 404 });
  const viewer = await getUser(request);
  // Which annotations the margin counts: everything the reader may see, or one layer of it.
  const layer = viewer
    ? parseLayer(new URL(request.url).searchParams.get("layer"))
    : ({ kind: "all" } as const);
  const summaries = getParagraphSummaries({ db, articleId: article.id, viewer, layer });
  return {
    // Only what differs for a signed-in reader: the anonymous page is rendered once and stored.
    signedIn: viewer !== null,
    revision: countRevisions({ db, articleId: article.id }),
    orphans: listOrphanedQuotes({ db, articleId: article.id, viewer }),
    layer: layerParam(layer),
    groups: viewer ? listMyGroups({ db, viewer }).map((g) => ({ id: g.id, name: g.name })) : [],
    assignments: viewer
      ? findAssignmentsOnArticle(db, viewer, article.id).map((a) => ({
          id: a.id,
          groupId: a.groupId,
          groupName: a.groupName,
          panel: a.groupKind === "panel",
          due: a.dueAt ? { iso: a.dueAt, text: formatDue(a.dueAt, a.timeZone) } : null,
          postBeforeSee: a.postBeforeSee,
          anonymous: a.anonymous,
        }))
      : [],
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
  currentUrl,
  nextUrl,
  defaultShouldRevalidate,
}) => {
  if (formMethod && formMethod !== "GET") return defaultShouldRevalidate;
  // The live bar's "Show" revalidates in place (same address): load what arrived.
  if (currentUrl.href === nextUrl.href) return defaultShouldRevalidate;
  return (
    currentParams.slug !== nextParams.slug ||
    currentUrl.searchParams.get("layer") !== nextUrl.searchParams.get("layer")
  );
};

export default function ReadingPage() {
  const { article, layer, groups, assignments, revision, orphans, signedIn } =
    useLoaderData<typeof loader>();
  const layerQuery = layer ? `?layer=${layer}` : "";
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
        <Link to={`/articles/${article.slug}/review`}>Review summary</Link>
        <Link to={`/articles/${article.slug}/revisions`}>
          {revision > 1 ? `Revision ${revision} · all revisions` : "Revisions"}
        </Link>
        {revision > 1 ? (
          <Link to={`/articles/${article.slug}/compare?from=${revision - 1}&to=${revision}`}>
            What changed in revision {revision}
          </Link>
        ) : null}
        <a href={`/articles/${article.slug}/feed.xml`}>Atom feed of new annotations</a>
        <a href={`/articles/${article.slug}/annotations.jsonld`} download>
          Download annotations (W3C JSON-LD)
        </a>
        {signedIn ? <Link to={`/articles/${article.slug}/import`}>Import annotations</Link> : null}
      </nav>
      {assignments.length > 0 ? (
        <ul className="assignment-notes" aria-label="Your assignments and reviews of this article">
          {assignments.map((a) => (
            <li key={a.id}>
              {a.panel ? "Under review by " : "Assigned in "}
              <Link to={`/groups/${a.groupId}/assignments/${a.id}`}>{a.groupName}</Link>
              {a.due ? (
                <>
                  {" "}
                  · due <time dateTime={a.due.iso}>{a.due.text}</time>
                </>
              ) : null}
              {a.postBeforeSee
                ? a.panel
                  ? " · blind until posted: the other reviewers' comments appear once you have posted one"
                  : " · post before you see: your classmates' annotations appear once you have posted one"
                : ""}
              {a.anonymous
                ? a.panel
                  ? " · reviewers are anonymous to each other"
                  : " · classmates are anonymous to each other"
                : ""}
            </li>
          ))}
        </ul>
      ) : null}
      <LiveUpdates slug={article.slug} layer={layer} />
      {groups.length > 0 ? (
        <LayerSwitch slug={article.slug} current={layer} groups={groups} />
      ) : null}
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
                  to={`p/${b.anchor}${layerQuery}#${b.anchor}`}
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
        <SelectionPopover slug={article.slug} layer={layer} containerRef={bodyRef} />
      </div>
      {orphans.total > 0 ? (
        <section id="orphaned" className="orphaned-comments" aria-labelledby="orphaned-heading">
          <h2 id="orphaned-heading">Orphaned comments ({orphans.total})</h2>
          <p>
            A revision removed the words these comments were about. They are kept, with the passage
            they quoted; each opens with the revision it was written on.
          </p>
          <ul>
            {orphans.rows.map((o) => (
              <li key={o.id}>
                <Link to={permalinkPath(article.slug, o.id)}>
                  {o.deleted ? "[deleted]" : kindLabel(o.kind)}
                  <span className="visually-hidden"> (orphaned)</span>
                </Link>
                {o.deleted ? (
                  " — its replies remain"
                ) : o.quote ? (
                  <>
                    {" "}
                    on <q className="orphan-quote">{o.quote}</q>
                  </>
                ) : (
                  " on a paragraph since removed"
                )}
              </li>
            ))}
          </ul>
          {orphans.total > orphans.rows.length ? (
            <p>
              <Link to={`/articles/${article.slug}/review`}>
                All {orphans.total} in the review summary
              </Link>
            </p>
          ) : null}
        </section>
      ) : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

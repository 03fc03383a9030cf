/**
 * An annotation's permalink: its thread in context — the paragraph with the thread's passage
 * highlighted, the whole conversation, and the linked annotation marked. Replies, edits and
 * deletions work here as on the paragraph's discussion.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { HighlightedText } from "#app/components/highlighted-text";
import { Thread, type ThreadFormState } from "#app/components/thread";
import { findArticle } from "#app/models/article.server";
import { getThreadOf } from "#app/models/thread.server";
import { getUser, loginPath } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse, toResponseError } from "#app/utils/errors";
import { inContextPath } from "#app/utils/format";
import { parseId } from "#app/utils/params";
import { handleThreadAction } from "#app/utils/thread-actions.server";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [
        {
          title: `Annotation on paragraph ${data.paragraph.number} of ${data.article.title} · Marginalia`,
        },
      ]
    : [{ title: errorTitle(error) }];

function readId(params: LoaderFunctionArgs["params"]): number {
  const id = parseId(params.id);
  invariantResponse(id !== null, "No such annotation.", { status: 404 });
  return id;
}

function findArticleOr404(slug: string | undefined) {
  const article = findArticle({ db, slug: slug ?? "" });
  invariantResponse(article, "No article has this address.", { status: 404 });
  return article;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticleOr404(params.slug);
  const id = readId(params);
  const viewer = await getUser(request);
  let thread: ReturnType<typeof getThreadOf>;
  try {
    thread = getThreadOf({ db, id, viewer });
  } catch (error) {
    toResponseError(error);
  }
  invariantResponse(thread.articleId === article.id, "No such annotation here.", { status: 404 });
  const url = new URL(request.url);
  return {
    article: { slug: article.slug, title: article.title },
    paragraph: {
      anchor: thread.paragraph.anchor,
      number: thread.paragraph.number,
      text: thread.paragraph.text,
    },
    revision: thread.revision,
    passage: thread.passage ? [{ ...thread.passage, count: 1 }] : [],
    root: thread.root,
    id,
    signedIn: viewer !== null,
    signInHref: loginPath(url.pathname + url.search),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const article = findArticleOr404(params.slug);
  const id = readId(params);
  const here = `/articles/${article.slug}/annotations/${id}`;
  return handleThreadAction({
    request,
    paragraph: null,
    afterWrite: (written) => `${here}#a-${written}`,
    afterDelete: `/articles/${article.slug}/discussion`,
  });
}

export default function Permalink() {
  const { article, paragraph, revision, passage, root, id, signedIn, signInHref } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ThreadFormState | undefined;
  // An orphaned thread's paragraph is in the revision it was written on, not the current text.
  const inContext = revision.current
    ? inContextPath(article.slug, paragraph.anchor, id)
    : `/articles/${article.slug}/revisions/${revision.number}#${paragraph.anchor}`;
  return (
    <div className="permalink-page">
      <p className="breadcrumb">
        <Link to={`/articles/${article.slug}`}>{article.title}</Link>
        {" · "}
        <Link to={`/articles/${article.slug}/discussion`}>All discussion</Link>
      </p>
      <h1>
        Thread on paragraph {paragraph.number}
        {revision.current ? null : ` of revision ${revision.number}`}
      </h1>
      <figure className="context-paragraph">
        <blockquote cite={`/articles/${article.slug}#${paragraph.anchor}`}>
          <p>
            <HighlightedText text={paragraph.text} ranges={passage} />
          </p>
        </blockquote>
        <figcaption>
          Paragraph {paragraph.number} of <cite>{article.title}</cite>
          {revision.current ? null : `, revision ${revision.number}`} ·{" "}
          <Link to={inContext}>
            {revision.current ? "Read it in the article" : `Read revision ${revision.number}`}
          </Link>
        </figcaption>
      </figure>
      <ol className="threads permalink-thread">
        <Thread
          root={root}
          context={{
            slug: article.slug,
            signedIn,
            signInHref,
            mode: "interactive",
            markedId: id,
            formState: actionData,
          }}
        />
      </ol>
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

/**
 * An article's revisions: each with its note, who made it and what re-anchoring did to the
 * threads; a form to compare two; and, for the article's author and editors, the upload of a new
 * revision (a file or pasted text: a plain multipart form, no script needed).
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { FormMessage, TextAreaField, useAfterErrors } from "#app/components/form-field";
import { RevisionPicker } from "#app/components/revision-picker";
import { findArticle } from "#app/models/article.server";
import { canRevise, uploadRevision } from "#app/models/review.server";
import { listRevisions } from "#app/models/revision.server";
import { parseRevisionForm } from "#app/models/revision-input.server";
import { REVISION_NOTE_MAX } from "#app/rules";
import { getUser, loginPath, requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { ForbiddenError, invariantResponse } from "#app/utils/errors";
import { formatDateTime } from "#app/utils/format";
import { formValues, invalid, readForm, refused } from "#app/utils/forms.server";

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [{ title: `Revisions of ${data.article.title} · Marginalia` }]
    : [{ title: errorTitle(error) }];

function findArticleOr404(slug: string | undefined) {
  const found = findArticle({ db, slug: slug ?? "" });
  invariantResponse(found, "No article has this address.", { status: 404 });
  return found;
}

type Report = { anchored?: number; moved?: number; changed?: number; orphaned?: number };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticleOr404(params.slug);
  const viewer = await getUser(request);
  const revisions = listRevisions({ db, articleId: article.id }).map((r) => ({
    number: r.number,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
    by: r.byDisplayName ? { displayName: r.byDisplayName, username: r.byUsername } : null,
    report: JSON.parse(r.report) as Report,
  }));
  const url = new URL(request.url);
  return {
    article: { slug: article.slug, title: article.title },
    revisions,
    mayRevise: canRevise(viewer, article),
    signInHref: viewer ? null : loginPath(url.pathname),
    done: url.searchParams.get("revised"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const article = findArticleOr404(params.slug);
  // Refused before the (up to 1 MB) body is read and parsed.
  if (!canRevise(viewer, article)) {
    return refused(
      new ForbiddenError(
        "Only the article's author, its editor or a site administrator can upload a revision.",
      ),
      { intent: "revise", values: {} },
    );
  }
  const form = await readForm(request);
  const values = formValues(form);
  // Never send a whole pasted article back and forth for a note's typo: keep it, it was typed.
  const result = { intent: "revise", values };
  const parsed = await parseRevisionForm(form);
  if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
  try {
    const revised = uploadRevision({ db, viewer, article, input: parsed.value });
    return redirect(`/articles/${article.slug}/revisions?revised=${revised.revision}`);
  } catch (error) {
    return refused(error, result);
  }
}

function describeReport(report: Report): string {
  const parts = [
    report.anchored ? `${report.anchored} in place` : null,
    report.moved ? `${report.moved} moved` : null,
    report.changed ? `${report.changed} on changed text` : null,
    report.orphaned ? `${report.orphaned} orphaned` : null,
  ].filter(Boolean);
  return parts.length ? `Threads: ${parts.join(", ")}.` : "";
}

export default function Revisions() {
  const { article, revisions, mayRevise, signInHref, done } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const formRef = useRef<HTMLFormElement>(null);
  useAfterErrors(formRef, result ?? null);
  const latest = revisions[0]?.number ?? 1;
  return (
    <div className="revisions-page">
      <p className="breadcrumb">
        <Link to={`/articles/${article.slug}`}>{article.title}</Link>
      </p>
      <h1>Revisions</h1>
      {done ? (
        <p className="status-message" role="status">
          Revision {done} is now the article’s text. Every thread was carried over: see where each
          landed below, or{" "}
          <Link to={`/articles/${article.slug}#orphaned`}>the orphaned comments</Link>.
        </p>
      ) : null}
      <ol className="revision-list" reversed>
        {revisions.map((r) => (
          <li key={r.number}>
            <p>
              <Link to={`/articles/${article.slug}/revisions/${r.number}`}>
                Revision {r.number}
              </Link>
              {r.number === latest ? " (current)" : ""} ·{" "}
              <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>
              {r.by ? ` · by ${r.by.displayName}` : ""}
              {r.number > 1 ? (
                <>
                  {" · "}
                  <Link
                    to={`/articles/${article.slug}/compare?from=${r.number - 1}&to=${r.number}`}
                  >
                    What changed<span className="visually-hidden"> in revision {r.number}</span>
                  </Link>
                </>
              ) : null}
            </p>
            {r.note ? <p className="revision-note">{r.note}</p> : null}
            {describeReport(r.report) ? (
              <p className="revision-report">{describeReport(r.report)}</p>
            ) : null}
          </li>
        ))}
      </ol>
      {revisions.length > 1 ? (
        <section aria-labelledby="compare-heading">
          <h2 id="compare-heading">Compare two revisions</h2>
          <RevisionPicker
            slug={article.slug}
            revisions={revisions.map((r) => r.number)}
            from={latest - 1}
            to={latest}
          />
        </section>
      ) : null}
      {mayRevise ? (
        <section aria-labelledby="revise-heading">
          <h2 id="revise-heading">Upload a revision</h2>
          <p>
            The new text becomes revision {latest + 1}. Paragraphs are matched by their words, so
            comments follow the text they are about; comments whose words are gone are kept and
            listed as orphaned.
          </p>
          <Form
            method="post"
            encType="multipart/form-data"
            className="stacked-form"
            ref={formRef}
            noValidate
          >
            <FormMessage message={result?.errors.form} />
            <div className={result?.errors.file ? "field field-invalid" : "field"}>
              <label htmlFor="revise-file">The revised article (.txt or .md, at most 1 MB)</label>
              <input
                id="revise-file"
                name="file"
                type="file"
                accept=".txt,.md,.markdown,text/plain,text/markdown"
                aria-invalid={result?.errors.file ? true : undefined}
                aria-describedby={result?.errors.file ? "revise-file-error" : undefined}
              />
              {result?.errors.file ? (
                <p id="revise-file-error" className="field-error">
                  {result.errors.file}
                </p>
              ) : null}
            </div>
            <TextAreaField
              name="text"
              idPrefix="revise"
              label="Or paste the revised text"
              hint="Title first, then the dek, then the body; a blank line between blocks."
              rows={6}
              error={result?.errors.text}
              defaultValue={result?.values.text}
            />
            <TextAreaField
              name="note"
              idPrefix="revise"
              label="What changed (optional)"
              rows={2}
              maxLength={REVISION_NOTE_MAX}
              error={result?.errors.note}
              defaultValue={result?.values.note}
            />
            <button type="submit" disabled={busy}>
              {busy ? "Uploading…" : "Upload the revision"}
            </button>
          </Form>
        </section>
      ) : signInHref ? (
        <p>
          Authors and editors <Link to={signInHref}>sign in</Link> to upload a revision.
        </p>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

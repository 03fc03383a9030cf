/**
 * Importing annotations onto an article, in three steps that need no script: upload a file (a W3C
 * Web Annotation document or a Hypothesis export; or paste its JSON) and choose who will see them;
 * read the preview (what will anchor, approximately, be orphaned, or be refused) and confirm; read
 * the report. The upload is kept server-side between preview and confirmation (a token in the
 * form), so the file is sent once. Previews are limited (MAX_IMPORT_PREVIEWS_PER_HOUR): past it the
 * upload is refused beside the file field, 429 with Retry-After.
 */
import {
  type ActionFunctionArgs,
  data,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { FormMessage, TextAreaField, useAfterErrors } from "#app/components/form-field";
import {
  findImportReport,
  findPendingImport,
  type ImportCounts,
  type ImportFormat,
  type ImportPreview,
  type ImportVisibility,
  keepPendingImport,
  PENDING_GONE,
  previewImport,
  runImport,
} from "#app/models/annotation-import.server";
import { parseImportForm, TOO_LARGE } from "#app/models/annotation-import-input.server";
import { findArticle } from "#app/models/article.server";
import { listMyGroups } from "#app/models/group.server";
import {
  kindLabel,
  MAX_ANNOTATION_IMPORT_BYTES,
  MAX_ANNOTATION_IMPORT_ITEMS,
  MAX_IMPORT_PREVIEWS_PER_HOUR,
  MAX_SHARED_IMPORTED_PER_HOUR,
} from "#app/rules";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse, NotFoundError, RateLimitedError } from "#app/utils/errors";
import { permalinkPath } from "#app/utils/format";
import { type FormResult, invalid, readForm, refused } from "#app/utils/forms.server";
import { keepRetryAfter, retryAfterHeaders } from "#app/utils/retry-after";

export const headers = keepRetryAfter;

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [{ title: `Import annotations onto ${data.article.title} · Marginalia` }]
    : [{ title: errorTitle(error) }];

/** Room for the form around the file (the boundary, the other fields). */
const FORM_MARGIN_BYTES = 64 * 1024;

function findArticleOr404(slug: string | undefined) {
  const found = findArticle({ db, slug: slug ?? "" });
  invariantResponse(found, "No article has this address.", { status: 404 });
  return found;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const article = findArticleOr404(params.slug);
  const reportId = Number(new URL(request.url).searchParams.get("report") ?? "");
  const report = Number.isSafeInteger(reportId)
    ? findImportReport(db, { importId: reportId, viewer, articleId: article.id })
    : null;
  return {
    article: { slug: article.slug, title: article.title },
    groups: listMyGroups({ db, viewer }).map((g) => ({ id: g.id, name: g.name })),
    report: report
      ? {
          ...report,
          createdAt: report.createdAt.toISOString(),
        }
      : null,
  };
}

type PreviewResult = FormResult & {
  intent: "preview";
  preview: ImportPreview;
  token: string;
  visibility: ImportVisibility;
};

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const article = findArticleOr404(params.slug);
  // Refused from its declared length, before a byte of it is read.
  const length = Number(request.headers.get("Content-Length") ?? 0);
  if (length > MAX_ANNOTATION_IMPORT_BYTES + FORM_MARGIN_BYTES) {
    return invalid({ intent: "preview", errors: { file: TOO_LARGE }, values: {} }, 413);
  }
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "confirm") {
    const token = String(form.get("token") ?? "");
    const result = { intent: "confirm", values: {} };
    const pending = findPendingImport(db, { token, userId: viewer.id, articleId: article.id });
    if (!pending) return refused(new NotFoundError(PENDING_GONE), result);
    try {
      const report = await runImport(db, {
        article,
        document: pending.document,
        importer: viewer,
        visibility: pending.visibility,
        pendingToken: token,
      });
      return redirect(`/articles/${article.slug}/import?report=${report.importId}`);
    } catch (error) {
      return refused(error, result);
    }
  }
  const visibilityValue = String(form.get("visibility") ?? "private");
  // Never the pasted file back: it can be megabytes, and it is still in the textarea with script.
  const result = { intent: "preview", values: { visibility: visibilityValue } };
  const parsed = await parseImportForm(form);
  if (!parsed.ok) {
    const tooLarge = parsed.errors.file === TOO_LARGE || parsed.errors.json === TOO_LARGE;
    return invalid({ ...result, errors: parsed.errors }, tooLarge ? 413 : 400);
  }
  try {
    const { document, visibility } = parsed.value;
    const preview = previewImport(db, { article, document, importer: viewer, visibility });
    const token = keepPendingImport(db, {
      userId: viewer.id,
      articleId: article.id,
      document,
      visibility,
    });
    return data({
      ...result,
      intent: "preview" as const,
      errors: {},
      preview,
      token,
      visibility,
    } satisfies PreviewResult);
  } catch (error) {
    // A limit on uploading is about the file the person is choosing: said beside that field.
    if (error instanceof RateLimitedError) {
      return invalid(
        { ...result, errors: { file: error.message } },
        429,
        retryAfterHeaders(error.retryAt, error.now),
      );
    }
    return refused(error, result);
  }
}

const FORMAT_NAMES: Record<ImportFormat, string> = {
  w3c: "a W3C Web Annotation file",
  hypothesis: "a Hypothesis export",
};

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

/** "42 will anchor, 3 approximately, 2 orphaned; 5 replies in 3 threads; 1 refused". */
function describeCounts(counts: ImportCounts, done: boolean): string {
  const threads = [
    `${counts.anchored.toLocaleString("en")} ${done ? "anchored" : "will anchor"}`,
    `${counts.approximate.toLocaleString("en")} approximately`,
    `${counts.orphaned.toLocaleString("en")} orphaned`,
  ].join(", ");
  const replies =
    counts.replies > 0
      ? `${plural(counts.replies, "reply", "replies")} in ${plural(counts.threadsWithReplies, "thread")}`
      : "no replies";
  const refusals = counts.refused > 0 ? `; ${counts.refused.toLocaleString("en")} refused` : "";
  return `${threads}; ${replies}${refusals}.`;
}

function describeVisibility(
  chosen: ImportVisibility,
  groups: { id: number; name: string }[],
): string {
  if (chosen.visibility === "private") return "only you";
  if (chosen.visibility === "public") return "everyone";
  const name = groups.find((g) => g.id === chosen.groupId)?.name ?? "the group";
  return `the members of ${name}`;
}

/** Orphans whose approximate search the file's budget did not cover, and why. */
function UnsearchedList({ unsearched }: { unsearched: ImportPreview["unsearched"] }) {
  if (!unsearched) return null;
  return (
    <>
      <h3>Not searched approximately ({unsearched.count.toLocaleString("en")})</h3>
      <p>
        The file asked for too much approximate matching, so once the budget for one import was
        spent, these were only looked for word for word. Their exact words are not in the article,
        so they are kept as orphaned. To have them placed where the text has changed, import them in
        smaller files.
      </p>
      <ul className="import-refused">
        {unsearched.items.map((r) => (
          <li key={r.item}>
            {r.item}: {r.message}
          </li>
        ))}
      </ul>
    </>
  );
}

const STATUS_WORDS = {
  anchored: "anchors",
  changed: "anchors approximately (the text differs)",
  orphaned: "orphaned: its words are not in the article",
  reply: "a reply",
} as const;

function PreviewSection({
  result,
  slug,
  groups,
}: {
  result: PreviewResult;
  slug: string;
  groups: { id: number; name: string }[];
}) {
  const busy = useNavigation().state === "submitting";
  const { preview } = result;
  return (
    <section aria-labelledby="preview-heading" className="import-preview">
      <h2 id="preview-heading">Preview: nothing is imported yet</h2>
      <p role="status" className="import-counts">
        From {FORMAT_NAMES[preview.format]}: {describeCounts(preview.counts, false)}
      </p>
      <p>
        They will be yours to edit or delete, each marked with who first wrote it and when, and
        visible to {describeVisibility(result.visibility, groups)}.
      </p>
      {preview.items.length > 0 ? (
        <>
          <h3>The first {plural(preview.items.length, "item")}</h3>
          <ol className="import-items">
            {preview.items.map((item) => (
              <li key={item.label}>
                <p>
                  <strong>{kindLabel(item.kind)}</strong>,{" "}
                  {item.unsearched
                    ? "orphaned: not searched approximately (the file asked for too much)"
                    : STATUS_WORDS[item.status]}
                  {item.paragraph !== null && item.status !== "reply"
                    ? ` on paragraph ${item.paragraph}`
                    : ""}
                  {item.creator ? ` · originally by ${item.creator}` : ""}
                </p>
                {item.quote ? (
                  <blockquote className="annotation-quote">
                    <p>{item.quote}</p>
                  </blockquote>
                ) : null}
                <p className="import-excerpt">{item.excerpt || "[deleted]"}</p>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      <UnsearchedList unsearched={preview.unsearched} />
      {preview.refused.length > 0 ? (
        <>
          <h3>Refused ({preview.counts.refused.toLocaleString("en")})</h3>
          <ul className="import-refused">
            {preview.refused.map((r) => (
              <li key={r.item}>
                {r.item}: {r.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <Form method="post" className="stacked-form">
        <input type="hidden" name="intent" value="confirm" />
        <input type="hidden" name="token" value={result.token} />
        <button type="submit" disabled={busy}>
          {busy ? "Importing…" : "Import these"}
        </button>{" "}
        <Link to={`/articles/${slug}/import`}>Choose another file</Link>
      </Form>
    </section>
  );
}

function ReportSection({
  report,
  slug,
}: {
  report: NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["report"]>;
  slug: string;
}) {
  const orphans = report.threads.filter((t) => t.anchorStatus === "orphaned");
  const placed = report.threads.filter((t) => t.anchorStatus !== "orphaned");
  return (
    <section aria-labelledby="report-heading" className="import-report">
      <h2 id="report-heading">Imported</h2>
      <p role="status" className="import-counts">
        From {FORMAT_NAMES[report.report.format]}: {describeCounts(report.report.counts, true)}
      </p>
      {orphans.length > 0 ? (
        <>
          <h3>Orphaned ({orphans.length.toLocaleString("en")})</h3>
          <p>
            Their words are not in the article; they are listed under{" "}
            <Link to={`/articles/${slug}#orphaned`}>Orphaned comments</Link>.
          </p>
          <ul>
            {orphans.map((t) => (
              <li key={t.id}>
                <Link to={permalinkPath(slug, t.id)}>{kindLabel(t.kind)}</Link>
                {t.quote ? (
                  <>
                    {" "}
                    on <q>{t.quote}</q>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {placed.length > 0 ? (
        <>
          <h3>Threads ({placed.length.toLocaleString("en")})</h3>
          <ul>
            {placed.map((t) => (
              <li key={t.id}>
                <Link to={permalinkPath(slug, t.id)}>
                  {kindLabel(t.kind)} on paragraph {t.paragraph}
                </Link>
                {t.anchorStatus === "changed" ? " (text differs)" : ""}
                {t.replies > 0 ? ` · ${plural(t.replies, "reply", "replies")}` : ""}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <UnsearchedList unsearched={report.report.unsearched} />
      {report.report.refused.length > 0 ? (
        <>
          <h3>Refused ({report.report.counts.refused.toLocaleString("en")})</h3>
          <ul className="import-refused">
            {report.report.refused.map((r) => (
              <li key={r.item}>
                {r.item}: {r.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <Link to={`/articles/${slug}`}>Back to the article</Link> ·{" "}
        <Link to={`/articles/${slug}/import`}>Import another file</Link>
      </p>
    </section>
  );
}

export default function ImportAnnotations() {
  const { article, groups, report } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as PreviewResult | FormResult | undefined;
  const busy = useNavigation().state === "submitting";
  const formRef = useRef<HTMLFormElement>(null);
  useAfterErrors(formRef, result ?? null);
  const preview = result && "preview" in result ? (result as PreviewResult) : null;
  const errors = result?.errors ?? {};
  const chosen = result?.values.visibility ?? "private";
  const options = [
    { value: "private", label: "Only me — private notes (the default, as in Hypothesis)" },
    { value: "public", label: "Everyone — public" },
    ...groups.map((g) => ({ value: `group-${g.id}`, label: `${g.name} — its members only` })),
  ];
  return (
    <div className="import-page">
      <p className="breadcrumb">
        <Link to={`/articles/${article.slug}`}>{article.title}</Link>
      </p>
      <h1>Import annotations</h1>
      {report ? (
        <ReportSection report={report} slug={article.slug} />
      ) : preview ? (
        <PreviewSection result={preview} slug={article.slug} groups={groups} />
      ) : (
        <>
          <p>
            Bring annotations from a W3C Web Annotation file (JSON-LD, such as another Marginalia’s
            download) or a Hypothesis export onto this article. Each is placed where its quote is
            found; if the words have changed a little it is placed approximately, and if they are
            gone it is kept and listed as orphaned. Replies rejoin their threads. You will see a
            preview before anything is imported, and you will be the writer of what is imported,
            with who first wrote it and when shown beside it.
          </p>
          {errors.form && result?.intent === "confirm" ? (
            <FormMessage message={errors.form} />
          ) : null}
          <Form
            method="post"
            encType="multipart/form-data"
            className="stacked-form"
            ref={formRef}
            noValidate
          >
            <input type="hidden" name="intent" value="preview" />
            {result?.intent !== "confirm" ? <FormMessage message={errors.form} /> : null}
            <div className={errors.file ? "field field-invalid" : "field"}>
              <label htmlFor="import-file">
                The file (.json or .jsonld, at most {MAX_ANNOTATION_IMPORT_BYTES / 1024 / 1024} MB
                and {MAX_ANNOTATION_IMPORT_ITEMS.toLocaleString("en")} annotations)
              </label>
              <input
                id="import-file"
                name="file"
                type="file"
                accept=".json,.jsonld,application/json,application/ld+json"
                aria-invalid={errors.file ? true : undefined}
                aria-describedby={errors.file ? "import-file-error" : undefined}
                // biome-ignore lint/a11y/noAutofocus: after a refused upload without script, focus goes to the field that says why.
                autoFocus={errors.file ? true : undefined}
              />
              {errors.file ? (
                <p id="import-file-error" className="field-error">
                  {errors.file}
                </p>
              ) : null}
            </div>
            <TextAreaField
              name="json"
              idPrefix="import"
              label="Or paste the JSON"
              rows={5}
              error={errors.json}
            />
            <fieldset
              className="visibility-field"
              aria-describedby={errors.visibility ? "import-visibility-error" : undefined}
            >
              <legend>Who can see them</legend>
              <p className="field-hint">
                Public and group imports add at most {MAX_SHARED_IMPORTED_PER_HOUR} annotations an
                hour; private ones are only yours.
              </p>
              {options.map((option) => (
                <div key={option.value} className="checkbox-field">
                  <input
                    type="radio"
                    id={`import-visibility-${option.value}`}
                    name="visibility"
                    value={option.value}
                    defaultChecked={chosen === option.value}
                    aria-invalid={errors.visibility ? true : undefined}
                  />
                  <label htmlFor={`import-visibility-${option.value}`}>{option.label}</label>
                </div>
              ))}
              {errors.visibility ? (
                <p id="import-visibility-error" className="field-error">
                  {errors.visibility}
                </p>
              ) : null}
            </fieldset>
            <p className="field-hint">
              You can preview {MAX_IMPORT_PREVIEWS_PER_HOUR} files an hour.
            </p>
            <button type="submit" disabled={busy}>
              {busy ? "Reading the file…" : "Preview the import"}
            </button>
          </Form>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

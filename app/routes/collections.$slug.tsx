/**
 * One collection (symposium): its question, introduction and responses in order, each with how
 * much review it drew (threads the viewer may see, and how many are open) and links to its review
 * summary and revisions. Its editor (or a site admin) gets the forms below: edit the text, add an
 * article already on the site, upload a new response, move, remove, and link a response's author
 * account. Every form is a plain POST and works without script; the upload is multipart.
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { ConfirmedSubmit } from "#app/components/confirmed-submit";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import {
  FormMessage,
  StatusMessage,
  TextAreaField,
  TextField,
  useAfterErrors,
} from "#app/components/form-field";
import {
  addExistingArticle,
  addUploadedResponse,
  findCollection,
  linkAuthor,
  listArticleChoices,
  moveResponse,
  removeResponse,
  type Upload,
  updateCollection,
} from "#app/models/collection.server";
import {
  addArticleSchema,
  collectionSchema,
  itemSchema,
  linkAuthorSchema,
  uploadSchema,
} from "#app/models/collection-input.server";
import {
  BYLINE_MAX,
  COLLECTION_INTRODUCTION_MAX,
  COLLECTION_QUESTION_MAX,
  COLLECTION_TITLE_MAX,
  MAX_IMPORT_BYTES,
  USERNAME_MAX,
} from "#app/rules";
import { getUser, requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";
import { formFields, invalid, parseWith, readForm, refused } from "#app/utils/forms.server";
import { COLLECTION_INTENTS, readIntent } from "#app/utils/intents";

export const meta: MetaFunction<typeof loader> = ({ data, error }) => [
  { title: data ? `${data.collection.title} · Marginalia` : errorTitle(error) },
];

const NO_SUCH_COLLECTION = "There is no such collection.";

const SAVED: Record<string, string> = {
  [COLLECTION_INTENTS.edit]: "The collection is saved.",
  [COLLECTION_INTENTS.addArticle]: "The article is added as the last response.",
  [COLLECTION_INTENTS.upload]: "The file is imported and added as the last response.",
  [COLLECTION_INTENTS.move]: "The response is moved.",
  [COLLECTION_INTENTS.remove]: "The response is removed from the collection (the article stays).",
  [COLLECTION_INTENTS.linkAuthor]: "The author's account is saved.",
};

const MAX_UPLOAD_MB = MAX_IMPORT_BYTES / 1024 / 1024;

function readSlug(params: LoaderFunctionArgs["params"]): string {
  const slug = params.slug ?? "";
  invariantResponse(/^[a-z0-9-]{1,100}$/.test(slug), NO_SUCH_COLLECTION, { status: 404 });
  return slug;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await getUser(request);
  const slug = readSlug(params);
  const collection = findCollection({ db, viewer, slug });
  invariantResponse(collection, NO_SUCH_COLLECTION, { status: 404 });
  const saved = new URL(request.url).searchParams.get("saved");
  return {
    collection,
    // Articles not in it yet, for the editor's "add an existing article" select.
    articles: collection.canEdit
      ? listArticleChoices({ db }).filter(
          (a) => !collection.responses.some((r) => r.articleId === a.id),
        )
      : [],
    saved: saved && Object.hasOwn(SAVED, saved) ? SAVED[saved] : null,
  };
}

/** The uploaded file, read only when it is within the limit (a larger one is refused unread). */
async function readUpload(form: FormData): Promise<Upload | null> {
  const file = form.get("file");
  if (file === null || typeof file === "string") return null;
  const bytes =
    file.size <= MAX_IMPORT_BYTES ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array();
  return { name: file.name, size: file.size, bytes };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const slug = readSlug(params);
  const form = await readForm(request);
  const intent = readIntent(form, COLLECTION_INTENTS);
  const here = `/collections/${slug}`;
  const values = formFields(form, [
    "title",
    "question",
    "introduction",
    "articleId",
    "direction",
    "byline",
    "authorUsername",
  ]);
  // Forms on one response carry its article id: their errors show beside that response.
  const itemId = /^[1-9]\d{0,9}$/.test(values.articleId) ? Number(values.articleId) : undefined;
  const result = { intent: intent ?? undefined, values, targetId: undefined as number | undefined };
  try {
    switch (intent) {
      case COLLECTION_INTENTS.edit: {
        const parsed = parseWith(collectionSchema, values);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        updateCollection({ db, viewer, slug, input: parsed.value });
        return redirect(`${here}?saved=${intent}`);
      }
      case COLLECTION_INTENTS.addArticle: {
        const parsed = parseWith(addArticleSchema, values);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        addExistingArticle({ db, viewer, slug, articleId: parsed.value.articleId });
        return redirect(`${here}?saved=${intent}#response-${parsed.value.articleId}`);
      }
      case COLLECTION_INTENTS.upload: {
        const parsed = parseWith(uploadSchema, values);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        addUploadedResponse({
          db,
          viewer,
          slug,
          upload: await readUpload(form),
          ...parsed.value,
        });
        return redirect(`${here}?saved=${intent}#responses`);
      }
      case COLLECTION_INTENTS.move:
      case COLLECTION_INTENTS.remove: {
        result.targetId = itemId;
        const parsed = parseWith(itemSchema, values);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        const { articleId, direction } = parsed.value;
        if (intent === COLLECTION_INTENTS.remove) {
          removeResponse({ db, viewer, slug, articleId });
          return redirect(`${here}?saved=${intent}#responses`);
        }
        if (!direction) return invalid({ ...result, errors: { form: "Move it up or down?" } });
        moveResponse({ db, viewer, slug, articleId, direction });
        return redirect(`${here}?saved=${intent}#response-${articleId}`);
      }
      case COLLECTION_INTENTS.linkAuthor: {
        result.targetId = itemId;
        const parsed = parseWith(linkAuthorSchema, values);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        linkAuthor({ db, viewer, slug, ...parsed.value });
        return redirect(`${here}?saved=${intent}#response-${parsed.value.articleId}`);
      }
      default:
        return invalid({ ...result, errors: { form: "Unknown action." } });
    }
  } catch (error) {
    return refused(error, result);
  }
}

/** Plain text in paragraphs: a blank line starts a new one. */
function Paragraphs({ text }: { text: string }) {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <>
      {paragraphs.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the paragraphs of a fixed text, in order
        <p key={i}>{p}</p>
      ))}
    </>
  );
}

function plural(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

export default function CollectionPage() {
  const { collection, articles, saved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().formData?.get("intent");
  const resultFor = (intent: string) => (result?.intent === intent ? result : null);
  const edit = resultFor(COLLECTION_INTENTS.edit);
  const add = resultFor(COLLECTION_INTENTS.addArticle);
  const upload = resultFor(COLLECTION_INTENTS.upload);
  const unknown = result && !result.intent ? result : null;
  const editForm = useRef<HTMLFormElement>(null);
  const addForm = useRef<HTMLFormElement>(null);
  const uploadForm = useRef<HTMLFormElement>(null);
  useAfterErrors(editForm, edit);
  useAfterErrors(addForm, add);
  useAfterErrors(uploadForm, upload);
  const count = collection.responses.length;

  return (
    <div className="collection-page">
      <p className="breadcrumb">
        <Link to="/collections">Collections</Link>
      </p>
      <h1>{collection.title}</h1>
      <blockquote className="collection-question">
        <p>{collection.question}</p>
      </blockquote>
      {collection.editor ? (
        <p className="meta">
          Edited by{" "}
          <Link to={`/u/${collection.editor.username}`}>{collection.editor.displayName}</Link>
        </p>
      ) : null}
      {collection.introduction ? (
        <div className="collection-introduction">
          <Paragraphs text={collection.introduction} />
        </div>
      ) : null}
      <StatusMessage message={saved} />
      <FormMessage message={unknown?.errors.form} />

      <section aria-labelledby="responses-heading" id="responses">
        <h2 id="responses-heading">Responses</h2>
        {count === 0 ? (
          <p className="empty">No responses yet.</p>
        ) : (
          <ol className="response-list">
            {collection.responses.map((r, index) => {
              const mine = result?.targetId === r.articleId ? result : null;
              const linkResult = mine?.intent === COLLECTION_INTENTS.linkAuthor ? mine : null;
              return (
                <li key={r.articleId} id={`response-${r.articleId}`}>
                  <article aria-labelledby={`response-${r.articleId}-title`}>
                    <h3 id={`response-${r.articleId}-title`}>
                      <Link to={`/articles/${r.slug}`}>{r.title}</Link>
                    </h3>
                    <p className="meta">
                      {r.byline ? <>{r.byline} · </> : null}
                      {r.author ? (
                        <>
                          author's account:{" "}
                          <Link to={`/u/${r.author.username}`}>{r.author.displayName}</Link> ·{" "}
                        </>
                      ) : null}
                      {plural(r.paragraphCount, "paragraph", "paragraphs")}
                    </p>
                    <p className="response-review">
                      {r.threads === 0
                        ? "No review threads yet"
                        : `${plural(r.threads, "review thread", "review threads")}, ${r.openThreads} open`}{" "}
                      ·{" "}
                      <Link to={`/articles/${r.slug}/review`}>
                        Review summary<span className="visually-hidden"> of {r.title}</span>
                      </Link>{" "}
                      ·{" "}
                      <Link to={`/articles/${r.slug}/revisions`}>
                        Revisions<span className="visually-hidden"> of {r.title}</span>
                      </Link>
                    </p>
                  </article>
                  {collection.canEdit ? (
                    <div className="response-controls">
                      <FormMessage
                        message={
                          mine && !linkResult
                            ? (mine.errors.form ?? mine.errors.articleId)
                            : undefined
                        }
                      />
                      <Form method="post" className="inline-forms">
                        <input type="hidden" name="articleId" value={r.articleId} />
                        <input type="hidden" name="intent" value={COLLECTION_INTENTS.move} />
                        {index > 0 ? (
                          <button type="submit" name="direction" value="up">
                            Move up<span className="visually-hidden"> {r.title}</span>
                          </button>
                        ) : null}
                        {index < count - 1 ? (
                          <button type="submit" name="direction" value="down">
                            Move down<span className="visually-hidden"> {r.title}</span>
                          </button>
                        ) : null}
                      </Form>
                      <Form method="post" className="inline-forms">
                        <input type="hidden" name="articleId" value={r.articleId} />
                        <ConfirmedSubmit
                          label={
                            <>
                              Remove from the collection
                              <span className="visually-hidden"> {r.title}</span>
                            </>
                          }
                          question={`“${r.title}” will no longer be listed in this collection.`}
                          confirmLabel={
                            <>
                              Yes, remove it<span className="visually-hidden"> ({r.title})</span>
                            </>
                          }
                          value={COLLECTION_INTENTS.remove}
                        />
                      </Form>
                      {r.canLinkAuthor ? (
                        <details open={linkResult ? true : undefined}>
                          <summary>
                            {r.author ? "Change" : "Link"} the author's account
                            <span className="visually-hidden"> of {r.title}</span>
                          </summary>
                          <Form method="post" className="stacked-form" noValidate>
                            <FormMessage message={linkResult?.errors.form} />
                            <input type="hidden" name="articleId" value={r.articleId} />
                            <TextField
                              name="authorUsername"
                              idPrefix={`author-${r.articleId}`}
                              label="Author's username"
                              hint="The linked author may revise the text and resolve review threads. Leave it empty to unlink."
                              error={linkResult?.errors.authorUsername}
                              defaultValue={
                                linkResult?.values.authorUsername ?? r.author?.username ?? ""
                              }
                              autoComplete="off"
                              autoCapitalize="none"
                              spellCheck={false}
                              maxLength={USERNAME_MAX + 1}
                            />
                            <button
                              type="submit"
                              name="intent"
                              value={COLLECTION_INTENTS.linkAuthor}
                            >
                              Save the author's account
                            </button>
                          </Form>
                        </details>
                      ) : null}
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ol>
        )}
      </section>

      {collection.canEdit ? (
        <section aria-labelledby="editor-heading" className="collection-editor">
          <h2 id="editor-heading">Editing</h2>

          <details open={upload ? true : undefined}>
            <summary>Upload a new response</summary>
            <Form
              method="post"
              encType="multipart/form-data"
              ref={uploadForm}
              className="stacked-form"
              noValidate
            >
              <FormMessage message={upload?.errors.form} />
              <TextField
                name="file"
                idPrefix="upload"
                type="file"
                label="The response's file"
                hint={`A .txt file (title on the first line, paragraphs separated by blank lines) or a .md file beginning with a "# Title" heading; at most ${MAX_UPLOAD_MB} MB.${upload ? " Choose the file again." : ""}`}
                error={upload?.errors.file}
                accept=".txt,.md,.markdown,text/plain,text/markdown"
              />
              <TextField
                name="byline"
                idPrefix="upload"
                label="Byline"
                hint="Who wrote it, as readers should see it."
                error={upload?.errors.byline}
                defaultValue={upload?.values.byline}
                maxLength={BYLINE_MAX}
                required
              />
              <TextField
                name="authorUsername"
                idPrefix="upload"
                label="Author's username (optional)"
                hint="Links the response to the author's account, so they can revise it and resolve review threads."
                error={upload?.errors.authorUsername}
                defaultValue={upload?.values.authorUsername}
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                maxLength={USERNAME_MAX + 1}
              />
              <button
                type="submit"
                name="intent"
                value={COLLECTION_INTENTS.upload}
                disabled={submitting === COLLECTION_INTENTS.upload}
              >
                Upload and add
              </button>
            </Form>
          </details>

          <details open={add ? true : undefined}>
            <summary>Add an article already on the site</summary>
            {articles.length === 0 ? (
              <p className="empty">Every article on the site is in this collection.</p>
            ) : (
              <Form method="post" ref={addForm} className="stacked-form" noValidate>
                <FormMessage message={add?.errors.form} />
                <div className={add?.errors.articleId ? "field field-invalid" : "field"}>
                  <label htmlFor="add-article">Article</label>
                  <select
                    id="add-article"
                    name="articleId"
                    defaultValue={add?.values.articleId ?? ""}
                    aria-invalid={add?.errors.articleId ? true : undefined}
                    aria-describedby={add?.errors.articleId ? "add-article-error" : undefined}
                  >
                    <option value="">Choose an article…</option>
                    {articles.map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.title}
                      </option>
                    ))}
                  </select>
                  {add?.errors.articleId ? (
                    <p id="add-article-error" className="field-error">
                      {add.errors.articleId}
                    </p>
                  ) : null}
                </div>
                <button
                  type="submit"
                  name="intent"
                  value={COLLECTION_INTENTS.addArticle}
                  disabled={submitting === COLLECTION_INTENTS.addArticle}
                >
                  Add to the collection
                </button>
              </Form>
            )}
          </details>

          <details open={edit ? true : undefined}>
            <summary>Edit the title, question and introduction</summary>
            <Form method="post" ref={editForm} className="stacked-form" noValidate>
              <FormMessage message={edit?.errors.form} />
              <TextField
                name="title"
                idPrefix="edit"
                label="Title"
                error={edit?.errors.title}
                defaultValue={edit?.values.title ?? collection.title}
                maxLength={COLLECTION_TITLE_MAX}
                required
              />
              <TextAreaField
                name="question"
                idPrefix="edit"
                label="The question you put to the writers"
                error={edit?.errors.question}
                defaultValue={edit?.values.question ?? collection.question}
                maxLength={COLLECTION_QUESTION_MAX}
                rows={2}
                required
              />
              <TextAreaField
                name="introduction"
                idPrefix="edit"
                label="Introduction (optional)"
                hint="Plain text; leave a blank line between paragraphs."
                error={edit?.errors.introduction}
                defaultValue={edit?.values.introduction ?? collection.introduction}
                maxLength={COLLECTION_INTRODUCTION_MAX}
                rows={6}
              />
              <button
                type="submit"
                name="intent"
                value={COLLECTION_INTENTS.edit}
                disabled={submitting === COLLECTION_INTENTS.edit}
              >
                Save
              </button>
            </Form>
          </details>
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

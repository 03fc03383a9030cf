/**
 * Every collection (symposium): its title, question and number of responses; and, for signed-in
 * readers, a form to start one (its starter becomes its editor). Reading is public.
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useRef } from "react";
import { PageErrorBoundary } from "#app/components/error-boundary";
import { FormMessage, TextAreaField, TextField, useAfterErrors } from "#app/components/form-field";
import { createCollection, listCollections } from "#app/models/collection.server";
import { collectionSchema } from "#app/models/collection-input.server";
import {
  COLLECTION_INTRODUCTION_MAX,
  COLLECTION_QUESTION_MAX,
  COLLECTION_TITLE_MAX,
} from "#app/rules";
import { getUser, requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { formFields, invalid, parseWith, readForm } from "#app/utils/forms.server";
import { COLLECTION_INTENTS, readIntent } from "#app/utils/intents";

export const meta: MetaFunction = () => [{ title: "Collections · Marginalia" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await getUser(request);
  return { collections: listCollections({ db }), signedIn: viewer !== null };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const form = await readForm(request);
  const intent = readIntent(form, COLLECTION_INTENTS);
  const values = formFields(form, ["title", "question", "introduction"]);
  if (intent !== COLLECTION_INTENTS.create) {
    return invalid({ errors: { form: "Unknown action." }, values });
  }
  const parsed = parseWith(collectionSchema, values);
  if (!parsed.ok) return invalid({ intent, errors: parsed.errors, values });
  const slug = createCollection({ db, editor: viewer, input: parsed.value });
  return redirect(`/collections/${slug}`);
}

export default function Collections() {
  const { collections, signedIn } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().formData?.get("intent") === COLLECTION_INTENTS.create;
  const createForm = useRef<HTMLFormElement>(null);
  useAfterErrors(createForm, result);
  return (
    <div className="collections-page">
      <h1>Collections</h1>
      <p className="lede">
        Symposia: an editor puts one question to several writers, and their responses are read and
        reviewed side by side.
      </p>
      {collections.length === 0 ? (
        <p className="empty">No collections yet.</p>
      ) : (
        <ul className="collection-list">
          {collections.map((c) => (
            <li key={c.id}>
              <h2>
                <Link to={`/collections/${c.slug}`}>{c.title}</Link>
              </h2>
              <p className="collection-question">{c.question}</p>
              <p className="meta">
                {c.responseCount} {c.responseCount === 1 ? "response" : "responses"}
              </p>
            </li>
          ))}
        </ul>
      )}
      {signedIn ? (
        <section aria-labelledby="create-collection-heading">
          <h2 id="create-collection-heading">Start a collection</h2>
          <p>You will be its editor: you add the responses and put them in order.</p>
          <Form method="post" ref={createForm} className="stacked-form" noValidate>
            <FormMessage message={result?.errors.form} />
            <TextField
              name="title"
              idPrefix="collection"
              label="Title"
              error={result?.errors.title}
              defaultValue={result?.values.title}
              maxLength={COLLECTION_TITLE_MAX}
              required
            />
            <TextAreaField
              name="question"
              idPrefix="collection"
              label="The question you put to the writers"
              error={result?.errors.question}
              defaultValue={result?.values.question}
              maxLength={COLLECTION_QUESTION_MAX}
              rows={2}
              required
            />
            <TextAreaField
              name="introduction"
              idPrefix="collection"
              label="Introduction (optional)"
              hint="Plain text; leave a blank line between paragraphs."
              error={result?.errors.introduction}
              defaultValue={result?.values.introduction}
              maxLength={COLLECTION_INTRODUCTION_MAX}
              rows={5}
            />
            <button
              type="submit"
              name="intent"
              value={COLLECTION_INTENTS.create}
              disabled={submitting}
            >
              Create the collection
            </button>
          </Form>
        </section>
      ) : (
        <p>
          <Link to="/login?redirectTo=%2Fcollections">Sign in</Link> to start a collection.
        </p>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

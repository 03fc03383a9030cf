/**
 * One paragraph's discussion, nested in the reading page: its threads and the forms to add an
 * annotation, reply, edit or delete. Works as plain HTML forms; the selection popover only
 * pre-fills `?kind=&quote=&start=`.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useParams,
} from "@remix-run/react";
import { useEffect, useRef } from "react";
import {
  BodyField,
  FieldError,
  FormErrorSummary,
  type FormState,
  KindField,
  SourceFields,
  VisibilityField,
} from "#app/components/annotation-fields";
import { PanelErrorBoundary } from "#app/components/error-boundary";
import { StatusFilter } from "#app/components/status-filter";
import { Thread, type ThreadFormState } from "#app/components/thread";
import { findParagraph } from "#app/models/article.server";
import { listMyGroups, panelsReviewing } from "#app/models/group.server";
import { countParagraphThreads, getParagraphThreads } from "#app/models/thread.server";
import { type Layer, layerParam, parseLayer } from "#app/models/visibility.server";
import { annotationKinds, MAX_QUOTE_LENGTH, parseThreadStatus } from "#app/rules";
import { getUser, loginPath } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";
import { INTENTS } from "#app/utils/intents";
import { parseId } from "#app/utils/params";
import { handleThreadAction } from "#app/utils/thread-actions.server";

/**
 * Threads loaded at a time, whole (every reply): the first screenful of a busy paragraph, not a
 * serialised discussion of 12,000 threads' worth of its first 50 (42 ms a request, issue 11).
 */
const THREADS_SHOWN = 20;
/** "Show more" stops adding batches here: a link someone shares never asks for every thread. */
const MAX_THREADS_SHOWN = 500;

function findParagraphOr404(params: LoaderFunctionArgs["params"]) {
  const found = findParagraph({ db, slug: params.slug ?? "", anchor: params.anchor ?? "" });
  invariantResponse(found, "This article has no such paragraph.", { status: 404 });
  return found;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const paragraph = findParagraphOr404(params);
  const viewer = await getUser(request);
  const url = new URL(request.url);
  const layer: Layer = viewer ? parseLayer(url.searchParams.get("layer")) : { kind: "all" };
  const kind = url.searchParams.get("kind");
  const start = url.searchParams.get("start");
  // Threads come THREADS_SHOWN at a time; "more" asks for another batch.
  const more = Number(url.searchParams.get("more"));
  const batches = Number.isSafeInteger(more) && more > 1 ? more : 1;
  const shown = Math.min(THREADS_SHOWN * batches, MAX_THREADS_SHOWN);
  const moreParams = new URLSearchParams({ more: String(shown / THREADS_SHOWN + 1) });
  const layerValue = layerParam(layer);
  if (layerValue) moreParams.set("layer", layerValue);
  const status = parseThreadStatus(url.searchParams.get("status"));
  if (status) moreParams.set("status", status);
  return {
    number: paragraph.block.number,
    threads: getParagraphThreads({
      db,
      blockId: paragraph.block.id,
      viewer,
      limit: shown,
      // The annotation just written (see `action`): its thread is shown even beyond the limit.
      include: parseId(url.searchParams.get("show")) ?? undefined,
      layer,
      status,
    }),
    counts: countParagraphThreads({
      db,
      articleId: paragraph.articleId,
      blockId: paragraph.block.id,
      viewer,
      layer,
    }),
    status,
    layer: layerValue,
    groups: viewer ? listMyGroups({ db, viewer }).map((g) => ({ id: g.id, name: g.name })) : [],
    // A reviewer on a panel reviewing this article writes to the panel unless they choose otherwise.
    reviewPanel: viewer
      ? (panelsReviewing({ db, viewer, articleId: paragraph.articleId })[0] ?? null)
      : null,
    // Past the cap, the rest are read page by page on the discussion page.
    moreHref: shown < MAX_THREADS_SHOWN ? `?${moreParams}` : null,
    signedIn: viewer !== null,
    signInHref: loginPath(url.pathname + url.search),
    // Pre-filled by the selection popover (or a shared link): which kind, which words, where.
    prefill: {
      kind: kind && (annotationKinds as readonly string[]).includes(kind) ? kind : null,
      quote: url.searchParams.get("quote")?.slice(0, MAX_QUOTE_LENGTH) ?? "",
      start: start && /^\d+$/.test(start) ? start : "",
    },
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const paragraph = findParagraphOr404(params);
  const here = `/articles/${params.slug}/p/${params.anchor}`;
  // Back to the layer the reader was looking at (the `?layer=` this form was posted from).
  const layer = layerParam(parseLayer(new URL(request.url).searchParams.get("layer")));
  const inLayer = layer ? `layer=${layer}&` : "";
  return handleThreadAction({
    request,
    paragraph: { articleId: paragraph.articleId, blockId: paragraph.block.id },
    afterWrite: (id) => `${here}?${inLayer}show=${id}#a-${id}`,
    // Back to the paragraph, not to the top of the article.
    afterDelete: `${here}${layer ? `?layer=${layer}` : ""}#${params.anchor}`,
  });
}

/**
 * Writing inside a layer defaults to it: a class's layer to the class, "Only me" to private;
 * elsewhere a reviewer writes to their review panel, and everyone else in public.
 */
function defaultVisibility(layer: string | null, reviewPanel: number | null): string {
  if (layer === "me") return "private";
  if (layer?.startsWith("group-")) return layer;
  if (reviewPanel !== null && layer !== "public") return `group-${reviewPanel}`;
  return "public";
}

function NewAnnotationForm({
  state,
  prefill,
  groups,
  layer,
  reviewPanel,
}: {
  state: FormState;
  prefill: { kind: string | null; quote: string; start: string };
  groups: { id: number; name: string }[];
  layer: string | null;
  reviewPanel: number | null;
}) {
  const navigation = useNavigation();
  const busy =
    navigation.state === "submitting" && navigation.formData?.get("intent") === INTENTS.create;
  const quoteError = state.errors?.quote;
  const values = state.values;
  return (
    <Form method="post" className="annotation-form new-annotation" preventScrollReset>
      <FormErrorSummary state={state} />
      <KindField prefix="new" state={state} defaultKind={prefill.kind ?? "annotation"} />
      <div className="field">
        <label htmlFor="new-quote">Passage (optional)</label>
        <textarea
          id="new-quote"
          name="quote"
          rows={2}
          maxLength={MAX_QUOTE_LENGTH}
          defaultValue={values?.quote ?? prefill.quote}
          aria-invalid={quoteError ? true : undefined}
          aria-describedby={quoteError ? "new-quote-error new-quote-hint" : "new-quote-hint"}
        />
        <p className="field-hint" id="new-quote-hint">
          The exact words you are responding to; leave empty to respond to the whole paragraph.
        </p>
        <FieldError id="new-quote-error" message={quoteError} />
        <input type="hidden" name="quoteStart" value={values?.quoteStart ?? prefill.start} />
      </div>
      <BodyField prefix="new" state={state} autoFocus={Boolean(prefill.kind)} />
      <SourceFields prefix="new" state={state} />
      <VisibilityField
        groups={groups}
        error={state.errors?.visibility}
        value={values?.visibility ?? defaultVisibility(layer, reviewPanel)}
      />
      <button type="submit" name="intent" value={INTENTS.create} disabled={busy}>
        {busy ? "Posting…" : "Post"}
      </button>
    </Form>
  );
}

export default function ParagraphDiscussion() {
  const {
    number,
    threads,
    counts,
    status,
    moreHref,
    signedIn,
    signInHref,
    prefill,
    layer,
    groups,
    reviewPanel,
  } = useLoaderData<typeof loader>();
  const threadCount = status ? counts[status] : counts.all;
  const actionData = useActionData<typeof action>() as ThreadFormState | undefined;
  const { slug, anchor } = useParams();
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening a paragraph's discussion replaces what had focus: a screen reader would hear nothing of
  // the panel that opened. Focus moves to its heading, unless something in it (a form's field) has
  // already taken it; the page does not scroll for it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per paragraph opened
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body) heading.current?.focus({ preventScroll: true });
  }, [anchor]);
  const discussionHref = `/articles/${slug}/discussion${layer ? `?layer=${layer}` : ""}`;
  const createState = actionData?.intent === INTENTS.create ? actionData : {};
  const formOpen = Boolean(
    prefill.kind || prefill.quote || createState.errors || threads.length === 0,
  );
  const context = {
    slug: slug ?? "",
    signedIn,
    signInHref,
    mode: "interactive" as const,
    formState: actionData,
  };

  return (
    <section className="discussion" aria-labelledby="discussion-heading">
      <header className="discussion-header">
        <h2 id="discussion-heading" ref={heading} tabIndex={-1}>
          Discussion of paragraph {number}
        </h2>
        <Link
          to={`/articles/${slug}${layer ? `?layer=${layer}` : ""}#${anchor}`}
          className="close-discussion"
          preventScrollReset
        >
          Close<span className="visually-hidden"> the discussion</span>
        </Link>
      </header>
      {signedIn ? (
        // Keyed by the thread count, so a posted annotation leaves a closed, empty form behind.
        <details key={threadCount} className="new-annotation-details" open={formOpen || undefined}>
          <summary>Add to this paragraph</summary>
          <NewAnnotationForm
            state={createState}
            prefill={prefill}
            groups={groups}
            layer={layer}
            reviewPanel={reviewPanel}
          />
        </details>
      ) : (
        <p className="sign-in-prompt">
          <Link to={signInHref}>Sign in</Link> to annotate, question, counter or cite a source.
        </p>
      )}
      {counts.all > 0 ? (
        <StatusFilter
          counts={counts}
          status={status}
          href={(next) => {
            const params = new URLSearchParams();
            if (layer) params.set("layer", layer);
            if (next) params.set("status", next);
            const query = params.toString();
            return `/articles/${slug}/p/${anchor}${query ? `?${query}` : ""}#${anchor}`;
          }}
        />
      ) : null}
      {threads.length === 0 ? (
        <p className="empty">
          {status
            ? `No ${status} threads on this paragraph.`
            : "Nothing here yet. Be the first to respond to this paragraph."}
        </p>
      ) : (
        <>
          <h3 className="threads-heading">
            {threadCount} {status ? `${status} ` : ""}
            {threadCount === 1 ? "thread" : "threads"}
            {status ? null : counts.resolved > 0 ? `, ${counts.open} open` : null}
          </h3>
          <ol className="threads">
            {threads.map((root) => (
              <Thread key={root.id} root={root} context={context} />
            ))}
          </ol>
          {threads.length < threadCount ? (
            <p className="more-threads">
              Showing {threads.length} of {threadCount}.{" "}
              {moreHref ? (
                <Link to={moreHref} preventScrollReset>
                  Show more threads
                </Link>
              ) : (
                <Link to={discussionHref}>The rest are in the whole discussion</Link>
              )}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

/** A missing paragraph (or any failure here) shows in the panel; the article stays on screen. */
export function ErrorBoundary() {
  const { slug } = useParams();
  return (
    <PanelErrorBoundary
      heading="Discussion"
      close={
        <Link to={`/articles/${slug}`} className="close-discussion" preventScrollReset>
          Close<span className="visually-hidden"> the discussion</span>
        </Link>
      }
    />
  );
}

/**
 * A moderation queue (a group's, or the site admins' for public annotations): the flagged
 * annotations with their reasons, each with Hide (a reason required) and Dismiss, then the hidden
 * ones with Restore. Plain forms posting `intent` and `id`, so it works without script; a refused
 * form shows its error beside itself (`formState` names the form by intent and annotation).
 */
import { Form, Link, useNavigation } from "@remix-run/react";
import { FormErrorSummary, type FormState } from "#app/components/annotation-fields";
import { AuthorName } from "#app/components/author-name";
import { ReasonField } from "#app/components/moderation-reason";
import { type AnnotationKind, kindLabel } from "#app/rules";
import { formatDateTime, permalinkPath } from "#app/utils/format";
import { MODERATION_INTENTS, type ModerationIntent } from "#app/utils/intents";

/** One annotation in the queue, as the loader sends it (models/moderation.server.ts QueueItem). */
export type QueueEntry = {
  id: number;
  kind: AnnotationKind;
  body: string;
  author: { username: string; displayName: string } | null;
  article: { slug: string; title: string };
  paragraph: { anchor: string; number: number | null };
  createdAt: string;
  reasons: { id: number; reason: string; createdAt: string }[];
  hidden: { at: string; reason: string } | null;
};

export type QueueFormState = FormState & { intent?: string; targetId?: number };

function stateFor(formState: QueueFormState | undefined, intent: string, id: number): FormState {
  return formState && formState.intent === intent && formState.targetId === id ? formState : {};
}

function QueueButton({
  intent,
  id,
  children,
}: {
  intent: ModerationIntent;
  id: number;
  children: string;
}) {
  const navigation = useNavigation();
  const busy =
    navigation.state === "submitting" &&
    navigation.formData?.get("intent") === intent &&
    navigation.formData?.get("id") === String(id);
  return (
    <button type="submit" name="intent" value={intent} disabled={busy}>
      {busy ? "Saving…" : children}
    </button>
  );
}

function QueueForm({
  entry,
  intent,
  formState,
  reason,
  submitLabel,
}: {
  entry: QueueEntry;
  intent: ModerationIntent;
  formState?: QueueFormState;
  reason?: { label: string; required: boolean; hint?: string };
  submitLabel: string;
}) {
  const state = stateFor(formState, intent, entry.id);
  return (
    <Form method="post" className={`annotation-form ${intent}-form`} preventScrollReset noValidate>
      <input type="hidden" name="id" value={entry.id} />
      <FormErrorSummary state={state} />
      {reason ? (
        <ReasonField
          id={`q-${intent}-${entry.id}-reason`}
          state={state}
          label={reason.label}
          hint={reason.hint}
          required={reason.required}
        />
      ) : null}
      <QueueButton intent={intent} id={entry.id}>
        {submitLabel}
      </QueueButton>
    </Form>
  );
}

function where(entry: QueueEntry): string {
  const paragraph =
    entry.paragraph.number === null ? "" : `paragraph ${entry.paragraph.number} of `;
  return `${paragraph}${entry.article.title}`;
}

function Entry({ entry, formState }: { entry: QueueEntry; formState?: QueueFormState }) {
  const headingId = `queue-${entry.id}`;
  return (
    <article className="annotation queue-entry" aria-labelledby={headingId}>
      <h3 id={headingId} className="queue-entry-heading">
        {kindLabel(entry.kind)} by <AuthorName author={entry.author} link={false} /> on{" "}
        {where(entry)}
      </h3>
      <p className="annotation-meta">
        Written <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time> ·{" "}
        <Link to={`${permalinkPath(entry.article.slug, entry.id)}#a-${entry.id}`}>
          See it in its thread
        </Link>
      </p>
      <blockquote className="annotation-quote queue-body">
        <p style={{ whiteSpace: "pre-wrap" }}>{entry.body}</p>
      </blockquote>
      {entry.hidden ? (
        <>
          <p>
            Hidden <time dateTime={entry.hidden.at}>{formatDateTime(entry.hidden.at)}</time>
            {entry.hidden.reason ? `: ${entry.hidden.reason}` : "."}
          </p>
          <QueueForm
            entry={entry}
            intent={MODERATION_INTENTS.restore}
            formState={formState}
            reason={{ label: "Note for the log (optional)", required: false }}
            submitLabel="Restore"
          />
        </>
      ) : (
        <>
          <p className="queue-flaggers">
            Flagged by {entry.reasons.length} {entry.reasons.length === 1 ? "person" : "people"}:
          </p>
          <ul className="queue-reasons">
            {entry.reasons.map((r) => (
              <li key={r.id}>
                “{r.reason}” <time dateTime={r.createdAt}>({formatDateTime(r.createdAt)})</time>
              </li>
            ))}
          </ul>
          <QueueForm
            entry={entry}
            intent={MODERATION_INTENTS.hide}
            formState={formState}
            reason={{
              label: "Why hide it?",
              required: true,
              hint: "Others will see “Hidden by a moderator”; its author still sees it.",
            }}
            submitLabel="Hide"
          />
          <QueueForm
            entry={entry}
            intent={MODERATION_INTENTS.dismiss}
            formState={formState}
            submitLabel="Dismiss the flags"
          />
        </>
      )}
    </article>
  );
}

export function ModerationQueue({
  flagged,
  hidden,
  more,
  formState,
}: {
  flagged: QueueEntry[];
  hidden: QueueEntry[];
  more: boolean;
  formState?: QueueFormState;
}) {
  return (
    <>
      <section aria-labelledby="flagged-heading">
        <h2 id="flagged-heading">Flagged ({flagged.length})</h2>
        {flagged.length === 0 ? (
          <p className="empty">Nothing is flagged.</p>
        ) : (
          <ol className="threads queue">
            {flagged.map((entry) => (
              <li key={entry.id}>
                <Entry entry={entry} formState={formState} />
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="hidden-heading">
        <h2 id="hidden-heading">Hidden ({hidden.length})</h2>
        {hidden.length === 0 ? (
          <p className="empty">Nothing is hidden.</p>
        ) : (
          <ol className="threads queue">
            {hidden.map((entry) => (
              <li key={entry.id}>
                <Entry entry={entry} formState={formState} />
              </li>
            ))}
          </ol>
        )}
      </section>
      {more ? (
        <p className="results-summary">
          Only the first entries of each list are shown: deal with these to see the rest.
        </p>
      ) : null}
    </>
  );
}

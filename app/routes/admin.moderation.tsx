/**
 * /admin/moderation — the site admins' queue for public annotations: the flagged ones with their
 * reasons (Hide, with a reason, or Dismiss), the hidden ones (Restore), and the log of what was
 * done to public annotations. Groups moderate their own annotations (groups.$groupId.moderation).
 */
import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import { StatusMessage } from "#app/components/form-field";
import { ModerationLog } from "#app/components/moderation-log";
import { ModerationQueue, type QueueFormState } from "#app/components/moderation-queue";
import { listSiteModerationLog, listSiteModerationQueue } from "#app/models/moderation.server";
import { requireAdmin } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { toResponseError } from "#app/utils/errors";
import { type FormResult, formValues, invalid, readForm, refused } from "#app/utils/forms.server";
import { QUEUE_INTENTS, readIntent } from "#app/utils/intents";
import { parseId } from "#app/utils/params";
import { moderateFromForm } from "#app/utils/thread-actions.server";

const DONE: Record<string, string> = {
  hide: "Hidden. Its author still sees it, marked hidden.",
  restore: "Restored: everyone sees it again.",
  dismiss: "The flags are dismissed; the annotation stays as it was.",
};

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data ? [{ title: "Moderating public annotations · Marginalia" }] : [{ title: errorTitle(error) }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireAdmin(request);
  const done = new URL(request.url).searchParams.get("done");
  try {
    return {
      queue: listSiteModerationQueue({ db, viewer }),
      log: listSiteModerationLog({ db, viewer }),
      done: done && Object.hasOwn(DONE, done) ? DONE[done] : null,
    };
  } catch (error) {
    toResponseError(error);
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireAdmin(request);
  const form = await readForm(request);
  const intent = readIntent(form, QUEUE_INTENTS);
  const result: Omit<FormResult, "errors"> = {
    intent: intent ?? undefined,
    targetId: parseId(form.get("id")) ?? undefined,
    values: formValues(form),
  };
  if (!intent) return invalid({ ...result, errors: { form: "Unknown action." } });
  try {
    const done = moderateFromForm(intent, form, user);
    if (!done.ok) return invalid({ ...result, errors: done.errors });
    return redirect(`/admin/moderation?done=${intent}`);
  } catch (error) {
    return refused(error, result);
  }
}

export default function SiteModeration() {
  const { queue, log, done } = useLoaderData<typeof loader>();
  const formState = useActionData<typeof action>() as QueueFormState | undefined;
  return (
    <div className="moderation-page">
      <h1>Moderating public annotations</h1>
      <StatusMessage message={done} />
      <ModerationQueue {...queue} formState={formState} />
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">Moderation log</h2>
        <ModerationLog
          rows={log}
          caption="What was done to public annotations, by whom, when and why: the latest first."
        />
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

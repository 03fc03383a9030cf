/**
 * /groups/:groupId/moderation — a group's moderation queue, for its owners and moderators: the
 * flagged annotations with their reasons (Hide, with a reason, or Dismiss) and the hidden ones
 * (Restore); for its owners, the moderation log too. Outsiders get 404 (a group's existence is not
 * told to them), plain members 403. Plain forms: works without script.
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
import { getGroupFor, requireGroupRole } from "#app/models/group.server";
import { listModerationLog, listModerationQueue } from "#app/models/moderation.server";
import { canInGroup } from "#app/permissions";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse, toResponseError } from "#app/utils/errors";
import { type FormResult, formValues, invalid, readForm, refused } from "#app/utils/forms.server";
import { QUEUE_INTENTS, readIntent } from "#app/utils/intents";
import { parseId } from "#app/utils/params";
import { moderateFromForm } from "#app/utils/thread-actions.server";

const DONE: Record<string, string> = {
  hide: "Hidden. Its author still sees it, marked hidden.",
  restore: "Restored: everyone who could see it sees it again.",
  dismiss: "The flags are dismissed; the annotation stays as it was.",
};

export const meta: MetaFunction<typeof loader> = ({ data, error }) =>
  data
    ? [{ title: `Moderation · ${data.group.name} · Marginalia` }]
    : [{ title: errorTitle(error) }];

function readGroupId(params: LoaderFunctionArgs["params"]): number {
  const groupId = parseId(params.groupId);
  invariantResponse(groupId !== null, "There is no such group, or you are not in it.", {
    status: 404,
  });
  return groupId;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const groupId = readGroupId(params);
  try {
    const { role, ...queue } = listModerationQueue({ db, viewer, groupId });
    const group = getGroupFor({ db, viewer, groupId });
    const done = new URL(request.url).searchParams.get("done");
    return {
      group: { id: group.id, name: group.name },
      queue,
      log: canInGroup(role, "manage") ? listModerationLog({ db, viewer, groupId }) : null,
      done: done && Object.hasOwn(DONE, done) ? DONE[done] : null,
    };
  } catch (error) {
    toResponseError(error);
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const groupId = readGroupId(params);
  const form = await readForm(request);
  const intent = readIntent(form, QUEUE_INTENTS);
  const result: Omit<FormResult, "errors"> = {
    intent: intent ?? undefined,
    targetId: parseId(form.get("id")) ?? undefined,
    values: formValues(form),
  };
  try {
    // Outsiders learn nothing of the group, whatever they post.
    requireGroupRole(db, user, groupId, "moderate");
    if (!intent) return invalid({ ...result, errors: { form: "Unknown action." } });
    const done = moderateFromForm(intent, form, user);
    if (!done.ok) return invalid({ ...result, errors: done.errors });
    return redirect(`/groups/${groupId}/moderation?done=${intent}`);
  } catch (error) {
    return refused(error, result);
  }
}

export default function GroupModeration() {
  const { group, queue, log, done } = useLoaderData<typeof loader>();
  const formState = useActionData<typeof action>() as QueueFormState | undefined;
  return (
    <div className="moderation-page">
      <h1>Moderation · {group.name}</h1>
      <StatusMessage message={done} />
      <ModerationQueue {...queue} formState={formState} />
      {log ? (
        <section aria-labelledby="log-heading">
          <h2 id="log-heading">Moderation log</h2>
          <ModerationLog
            rows={log}
            caption="Who did what, when and why: the latest actions first."
          />
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <PageErrorBoundary />;
}

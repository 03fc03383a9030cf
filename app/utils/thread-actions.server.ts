/**
 * The writes a thread's forms make (new annotation, reply, edit, delete, and the moderation forms:
 * flag, hide, restore, dismiss), shared by every page that shows threads with their forms:
 * validate, call the model, redirect, or answer the refusal with the errors and what was typed
 * (forms.server.ts). The moderation queues post the same moderation forms (`moderateFromForm`).
 */
import { redirect } from "@remix-run/node";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  setThreadResolved,
  updateAnnotation,
} from "#app/models/annotation.server";
import { parseEdit, parseNewAnnotation, parseReply } from "#app/models/annotation-input.server";
import {
  dismissFlags,
  flagAnnotation,
  hideAnnotation,
  restoreAnnotation,
} from "#app/models/moderation.server";
import { parseReason } from "#app/models/moderation-input.server";
import { reserveWrite } from "#app/models/write-limit.server";
import { requireUser, type SessionUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import {
  type FormResult,
  formValues,
  invalid,
  type Parsed,
  readForm,
  refused,
} from "#app/utils/forms.server";
import { INTENTS, type ModerationIntent, readIntent } from "#app/utils/intents";
import { parseId } from "#app/utils/params";

function readId(form: FormData): number {
  const id = parseId(form.get("id"));
  if (id === null) throw new Response("Which annotation?", { status: 400 });
  return id;
}

const MODERATE = {
  flag: flagAnnotation,
  hide: hideAnnotation,
  restore: restoreAnnotation,
  dismiss: dismissFlags,
} as const satisfies Record<ModerationIntent, unknown>;

/**
 * One moderation form: its reason checked, then the model called (which throws NotFound,
 * Forbidden or a field error, for the caller's `refused`). `beforeWrite` runs once the form is
 * valid (a write budget's reservation). Returns the annotation's id, or the reason's error.
 */
export function moderateFromForm(
  intent: ModerationIntent,
  form: FormData,
  viewer: SessionUser,
  beforeWrite?: () => void,
): Parsed<number> {
  const reason = parseReason(intent, form);
  if (!reason.ok) return reason;
  const id = readId(form);
  beforeWrite?.();
  MODERATE[intent]({ db, viewer, id, reason: reason.value });
  return { ok: true, value: id };
}

export async function handleThreadAction({
  request,
  paragraph,
  afterWrite,
  afterDelete,
}: {
  request: Request;
  /** The paragraph new annotations attach to; null where a page offers no new-annotation form. */
  paragraph: { articleId: number; blockId: number } | null;
  /** Where to go once an annotation was written (its id, to show and scroll to). */
  afterWrite: (id: number) => string;
  afterDelete: string;
}) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const intent = readIntent(form, INTENTS);
  const result: Omit<FormResult, "errors"> = {
    intent: intent ?? undefined,
    targetId: parseId(form.get("id")) ?? undefined,
    values: formValues(form),
  };

  // Writing costs from the author's budget (write-limit.server.ts): annotations, replies and edits
  // count inside their own transaction (`limited`), so a refused write never counts. A flag
  // reserves in a transaction of its own and gives it back when refused.
  let reservation: { release: () => void } | undefined;
  const reserve = () => {
    reservation = reserveWrite({ db, userId: user.id, kind: "annotation" });
  };
  try {
    switch (intent) {
      case INTENTS.create: {
        if (!paragraph) {
          return invalid({
            ...result,
            errors: { form: "Add new annotations from the paragraph's discussion." },
          });
        }
        const parsed = parseNewAnnotation(form);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        const id = createAnnotation({
          db,
          author: user,
          ...paragraph,
          input: parsed.value,
          limited: true,
        });
        return redirect(afterWrite(id));
      }
      case INTENTS.reply: {
        const parsed = parseReply(form);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        const parentId = readId(form);
        const id = createReply({ db, author: user, parentId, input: parsed.value, limited: true });
        return redirect(afterWrite(id));
      }
      case INTENTS.edit: {
        const parsed = parseEdit(form);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        const id = readId(form);
        updateAnnotation({ db, viewer: user, id, input: parsed.value, limited: true });
        return redirect(afterWrite(id));
      }
      case INTENTS.delete:
        deleteAnnotation({ db, viewer: user, id: readId(form) });
        return redirect(afterDelete);
      case INTENTS.resolve:
      case INTENTS.reopen: {
        const id = readId(form);
        setThreadResolved({ db, viewer: user, id, resolved: intent === INTENTS.resolve });
        return redirect(afterWrite(id));
      }
      case INTENTS.flag:
      case INTENTS.hide:
      case INTENTS.restore:
      case INTENTS.dismiss: {
        // A flag is words a person writes: it costs from the annotation budget; moderating does not.
        const done = moderateFromForm(
          intent,
          form,
          user,
          intent === INTENTS.flag ? reserve : undefined,
        );
        if (!done.ok) return invalid({ ...result, errors: done.errors });
        return redirect(afterWrite(done.value));
      }
      default:
        return invalid({ ...result, errors: { form: "Unknown action." } });
    }
  } catch (error) {
    reservation?.release();
    // Someone deleted the annotation meanwhile, or it is not theirs, or the budget is spent: say
    // so by the form, keeping the page and what was typed.
    return refused(error, result);
  }
}

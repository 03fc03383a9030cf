/**
 * The writes a thread's forms make (new annotation, reply, edit, delete), shared by every page that
 * shows threads with their forms: validate, call the annotation model, redirect, or answer the
 * refusal with the errors and what was typed (forms.server.ts).
 */
import { redirect } from "@remix-run/node";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  updateAnnotation,
} from "#app/models/annotation.server";
import { parseEdit, parseNewAnnotation, parseReply } from "#app/models/annotation-input.server";
import { reserveWrite } from "#app/models/write-limit.server";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { type FormResult, formValues, invalid, readForm, refused } from "#app/utils/forms.server";
import { INTENTS, readIntent } from "#app/utils/intents";
import { parseId } from "#app/utils/params";

function readId(form: FormData): number {
  const id = parseId(form.get("id"));
  if (id === null) throw new Response("Which annotation?", { status: 400 });
  return id;
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

  // Writing costs from the author's budget (write-limit.server.ts); a refused write gives it back.
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
        reserve();
        const id = createAnnotation({ db, author: user, ...paragraph, input: parsed.value });
        return redirect(afterWrite(id));
      }
      case INTENTS.reply: {
        const parsed = parseReply(form);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        const parentId = readId(form);
        reserve();
        const id = createReply({ db, author: user, parentId, input: parsed.value });
        return redirect(afterWrite(id));
      }
      case INTENTS.edit: {
        const parsed = parseEdit(form);
        if (!parsed.ok) return invalid({ ...result, errors: parsed.errors });
        const id = readId(form);
        reserve();
        updateAnnotation({ db, viewer: user, id, input: parsed.value });
        return redirect(afterWrite(id));
      }
      case INTENTS.delete:
        deleteAnnotation({ db, viewer: user, id: readId(form) });
        return redirect(afterDelete);
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

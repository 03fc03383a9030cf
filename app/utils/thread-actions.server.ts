/**
 * The writes a thread's forms make (new annotation, reply, edit, delete), shared by every page that
 * shows threads with their forms: validate, call the annotation model, redirect or answer 400 with
 * the errors and what was typed.
 */
import { data, redirect } from "@remix-run/node";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  updateAnnotation,
} from "#app/models/annotation.server";
import {
  formValues,
  parseEdit,
  parseNewAnnotation,
  parseReply,
} from "#app/models/annotation-input.server";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import {
  type FieldErrors,
  FieldValidationError,
  ForbiddenError,
  NotFoundError,
} from "#app/utils/errors";
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
  /** Where to go once an annotation was written (its id, to scroll to). */
  afterWrite: (id: number) => string;
  afterDelete: string;
}) {
  const user = await requireUser(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const targetId = parseId(form.get("id")) ?? undefined;
  const invalid = (errors: FieldErrors, status = 400) =>
    data({ intent, targetId, errors, values: formValues(form) }, { status });

  try {
    switch (intent) {
      case "create": {
        if (!paragraph)
          return invalid({ form: "Add new annotations from the paragraph's discussion." });
        const parsed = parseNewAnnotation(form);
        if (!parsed.ok) return invalid(parsed.errors);
        const id = createAnnotation({ db, author: user, ...paragraph, input: parsed.value });
        return redirect(afterWrite(id));
      }
      case "reply": {
        const parsed = parseReply(form);
        if (!parsed.ok) return invalid(parsed.errors);
        const id = createReply({ db, author: user, parentId: readId(form), input: parsed.value });
        return redirect(afterWrite(id));
      }
      case "edit": {
        const parsed = parseEdit(form);
        if (!parsed.ok) return invalid(parsed.errors);
        const id = readId(form);
        updateAnnotation({ db, viewer: user, id, input: parsed.value });
        return redirect(afterWrite(id));
      }
      case "delete":
        deleteAnnotation({ db, viewer: user, id: readId(form) });
        return redirect(afterDelete);
      default:
        return invalid({ form: "Unknown action." });
    }
  } catch (error) {
    if (error instanceof FieldValidationError) return invalid(error.errors);
    // Someone deleted the annotation meanwhile, or it is not theirs: say so by the form, keeping
    // the page and what was typed.
    if (error instanceof NotFoundError) return invalid({ form: error.message }, 404);
    if (error instanceof ForbiddenError) return invalid({ form: error.message }, 403);
    throw error;
  }
}

/**
 * Endorse an annotation, or take the endorsement back. A plain form post returns to the page it
 * came from; the script version (a fetcher) gets the new state instead and stays put.
 */
import { type ActionFunctionArgs, data, redirect } from "@remix-run/node";
import { toggleEndorsement } from "#app/models/endorsement.server";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { ForbiddenError, NotFoundError, toResponseError } from "#app/utils/errors";
import { parseId } from "#app/utils/params";
import { safeRedirectPath } from "#app/utils/redirect";

export async function loader() {
  throw new Response("Not found", { status: 404 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = parseId(params.id);
  if (id === null) throw new Response("No such annotation.", { status: 404 });
  const form = await request.formData();
  const viaFetcher = form.get("via") === "fetcher";
  let endorsed: boolean;
  try {
    endorsed = toggleEndorsement({ db, viewer: user, annotationId: id });
  } catch (error) {
    // With script, say it beside the button instead of replacing the page.
    if (viaFetcher && (error instanceof NotFoundError || error instanceof ForbiddenError)) {
      return data({ error: error.message }, { status: error instanceof NotFoundError ? 404 : 403 });
    }
    toResponseError(error);
  }
  if (viaFetcher) return { endorsed };
  return redirect(safeRedirectPath(form.get("redirectTo")));
}

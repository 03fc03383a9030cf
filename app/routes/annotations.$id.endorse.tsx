/**
 * Endorse an annotation, or take the endorsement back. A plain form post returns to the page it
 * came from; the script version (a fetcher) gets the new state instead and stays put.
 */
import { type ActionFunctionArgs, data, redirect } from "@remix-run/node";
import { toggleEndorsement } from "#app/models/endorsement.server";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse, statusOf, toResponseError } from "#app/utils/errors";
import { readForm } from "#app/utils/forms.server";
import { parseId } from "#app/utils/params";
import { safeRedirectPath } from "#app/utils/redirect";

export async function loader() {
  throw new Response(
    "There is nothing at this address. The article may have moved, or the link may be mistyped.",
    { status: 404 },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = parseId(params.id);
  invariantResponse(id !== null, "No such annotation.", { status: 404 });
  const form = await readForm(request);
  const viaFetcher = form.get("via") === "fetcher";
  let endorsed: boolean;
  try {
    // Counted against the endorsement budget in the write's own transaction: a refused one is not.
    endorsed = toggleEndorsement({ db, viewer: user, annotationId: id, limited: true });
  } catch (error) {
    // With script, say it beside the button instead of replacing the page.
    const status = statusOf(error);
    if (viaFetcher && status !== null) return data({ error: (error as Error).message }, { status });
    toResponseError(error);
  }
  if (viaFetcher) return { endorsed };
  return redirect(safeRedirectPath(form.get("redirectTo")));
}

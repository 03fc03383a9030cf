/**
 * Endorse an annotation, or take the endorsement back. A plain form post returns to the page it
 * came from; the script version (a fetcher) gets the new state instead and stays put.
 */
import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { toggleEndorsement } from "~/models/annotation.server";
import { requireUser } from "~/utils/auth.server";
import { db } from "~/utils/db.server";
import { toResponseError } from "~/utils/errors";
import { safeRedirectPath } from "~/utils/redirect";

export async function loader() {
  throw new Response("Not found", { status: 404 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) throw new Response("No such annotation.", { status: 404 });
  const form = await request.formData();
  let endorsed: boolean;
  try {
    endorsed = toggleEndorsement({ db, viewer: user, annotationId: id });
  } catch (error) {
    toResponseError(error);
  }
  if (form.get("via") === "fetcher") return { endorsed };
  return redirect(safeRedirectPath(form.get("redirectTo")));
}

/**
 * /account/annotations.jsonld — everything the signed-in reader wrote, on every article and private
 * notes included, as a W3C AnnotationCollection in one file (or `?page=n`): theirs to keep or to
 * take elsewhere. Signed-out readers are sent to sign in.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportMyAnnotations } from "#app/models/export.server";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { exportResponse } from "#app/utils/export-response.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  return exportResponse(
    request,
    (origin, part) => exportMyAnnotations({ db, viewer, origin, part }),
    { writable: context.writable },
  );
}

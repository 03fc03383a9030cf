/**
 * /groups/:groupId/annotations.jsonld — a class's or review panel's annotations, on every article,
 * as a W3C AnnotationCollection, for the group's owners (names shown, as owners see them).
 * Outsiders get 404, as for every group page; members who do not own it, 403.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportGroupAnnotations } from "#app/models/export.server";
import { requireUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { NotFoundError } from "#app/utils/errors";
import { exportResponse } from "#app/utils/export-response.server";
import { parseId } from "#app/utils/params";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const groupId = parseId(params.groupId);
  return exportResponse(
    request,
    (origin, part) => {
      if (groupId === null) {
        throw new NotFoundError("There is no such group, or you are not in it.");
      }
      return exportGroupAnnotations({ db, viewer, groupId, origin, part });
    },
    { writable: context.writable },
  );
}

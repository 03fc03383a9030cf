/**
 * /articles/:slug/annotations.jsonld — the article's annotations as a W3C AnnotationCollection (a
 * resource route): the whole collection in one file (a download, written out as it is read;
 * signed-out readers up to MAX_ANONYMOUS_DOWNLOAD annotations), or `?page=n` in pages. What each
 * reader gets is what they may see (app/models/export.server.ts). A client asking for JSON-LD by
 * `Accept` — also at `GET /articles/:slug` (server.ts routes it here) — gets the collection
 * described with its first page embedded, and the rest by `?page=`.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportArticleAnnotations } from "#app/models/export.server";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { exportResponse } from "#app/utils/export-response.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await getUser(request);
  return exportResponse(
    request,
    (origin, part) =>
      exportArticleAnnotations({ db, viewer, slug: params.slug ?? "", origin, part }),
    { writable: context.writable },
  );
}

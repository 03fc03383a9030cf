/**
 * /articles/:slug/annotations.jsonld — the article's annotations as a W3C AnnotationCollection (a
 * resource route): the whole collection in one file, or `?page=n` in pages. What each reader
 * gets is what they may see (app/models/export.server.ts). `GET /articles/:slug` with
 * `Accept: application/ld+json` answers with the same document (server.ts routes it here).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportArticleAnnotations } from "#app/models/export.server";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { exportResponse } from "#app/utils/export-response.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await getUser(request);
  return exportResponse(request, (origin, part) =>
    exportArticleAnnotations({ db, viewer, slug: params.slug ?? "", origin, part }),
  );
}

/**
 * /articles/:slug/feed.xml — an Atom feed of the article's newest public annotations (a resource
 * route: no component). Links are absolute, on APP_ORIGIN when set, else the request's own origin.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { env } from "#app/env.server";
import { FEED_CONTENT_TYPE, findArticleFeed } from "#app/models/feed.server";
import { db } from "#app/utils/db.server";

function siteOrigin(request: Request): string {
  return env().appOrigin ?? new URL(request.url).origin;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const xml = findArticleFeed({ db, slug: params.slug ?? "", origin: siteOrigin(request) });
  if (xml === null) {
    throw new Response("No article has this address.", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  return new Response(xml, {
    headers: { "Content-Type": FEED_CONTENT_TYPE, "Cache-Control": "public, max-age=300" },
  });
}

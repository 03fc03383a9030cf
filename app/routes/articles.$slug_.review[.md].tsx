/**
 * /articles/:slug/review.md — the review summary as a Markdown file (a resource route): the same
 * threads, grouped the same way, as the page shows this reader. Text readers wrote is escaped so it
 * cannot turn into headings, links or HTML in the author's Markdown viewer.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { findArticle } from "#app/models/article.server";
import { getReviewSummary, reviewMarkdown } from "#app/models/review.server";
import { listRevisions } from "#app/models/revision.server";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticle({ db, slug: params.slug ?? "" });
  if (!article) {
    return new Response("No article has this address.", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const viewer = await getUser(request);
  const summary = getReviewSummary({
    db,
    articleId: article.id,
    revisionId: article.revisionId,
    viewer,
  });
  const revision = listRevisions({ db, articleId: article.id })[0]?.number ?? 1;
  return new Response(reviewMarkdown(article.title, revision, summary), {
    headers: {
      "Content-Type": "text/markdown; charset=utf-8",
      "Content-Disposition": `attachment; filename="${article.slug}-review.md"`,
      // What a reader may see depends on who they are: never shared by a cache.
      "Cache-Control": "private, no-store",
      Vary: "Cookie",
    },
  });
}

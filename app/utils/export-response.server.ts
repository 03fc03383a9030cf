/**
 * The HTTP side of the W3C exports, shared by their resource routes: which part was asked for
 * (`?page=`), the site's origin for IRIs, the media type, and whether the answer is a download.
 * A browser following a link gets a file (`Content-Disposition: attachment`); a client that asked
 * for JSON-LD by `Accept` (content negotiation on the article's address, a script) gets the
 * document itself. What a reader may see depends on who they are: never kept by a shared cache.
 */
import { env } from "#app/env.server";
import { prefersJsonLd } from "#app/interop/negotiate";
import { ANNOTATION_MEDIA_TYPE } from "#app/interop/vocabulary";
import { type ExportDocument, type ExportPart, parseExportPart } from "#app/models/export.server";
import { statusOf } from "#app/utils/errors";

/** Absolute IRIs are on APP_ORIGIN when it is set, else the request's own origin (as the feed). */
export function siteOrigin(request: Request): string {
  return env().appOrigin ?? new URL(request.url).origin;
}

function plainText(message: string, status: number): Response {
  return new Response(message, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "private, no-store" },
  });
}

/**
 * Answers an export request: `produce` reads the collection (or page) for this origin and part,
 * throwing the models' errors, which become their statuses with the message as plain text.
 */
export function exportResponse(
  request: Request,
  produce: (origin: string, part: ExportPart) => ExportDocument,
): Response {
  const url = new URL(request.url);
  const part = parseExportPart(url.searchParams.get("page"));
  if (part === null) return plainText("?page= takes a page number from 1, or all.", 400);
  let exported: ExportDocument;
  try {
    exported = produce(siteOrigin(request), part);
  } catch (error) {
    const status = statusOf(error);
    if (status === null) throw error;
    return plainText((error as Error).message, status);
  }
  const headers: Record<string, string> = {
    "Content-Type": ANNOTATION_MEDIA_TYPE,
    "Cache-Control": "private, no-store",
    // The article's own address answers with this or the page, by Accept; and by who asks.
    Vary: "Accept, Cookie",
  };
  const whole = part.page === null || part.page === "all";
  if (whole && !prefersJsonLd(request.headers.get("Accept"))) {
    headers["Content-Disposition"] = `attachment; filename="${exported.filename}"`;
  }
  return new Response(JSON.stringify(exported.document, null, 2), { headers });
}

/**
 * The HTTP side of the W3C exports, shared by their resource routes: which part was asked for
 * (`?page=`), the site's origin for IRIs, the media type, and whether the answer is a download.
 * A browser following a link gets the whole collection as a file (`Content-Disposition:
 * attachment`), written out as it is read (`StreamedDocument`); a client that asked for JSON-LD by
 * `Accept` (content negotiation on the article's address, a script) gets the collection described
 * with its first page, and the rest by `?page=`. What a reader may see depends on who they are:
 * never kept by a shared cache.
 */
import { env } from "#app/env.server";
import { prefersJsonLd } from "#app/interop/negotiate";
import { ANNOTATION_MEDIA_TYPE } from "#app/interop/vocabulary";
import {
  type ExportDocument,
  type ExportPart,
  parseExportPart,
  type StreamedDocument,
} from "#app/models/export.server";
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
 * Whether the connection can take more; false once it is gone. server.ts passes one that waits
 * for the socket to drain (`AppLoadContext.writable`); without it, nothing is waited for.
 */
export type Writable = () => Promise<boolean>;

/** Lets other requests run between two chunks: reading a chunk is synchronous. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A streamed document as bytes, one chunk of rows per pull. Each pull waits for the next turn of
 * the event loop and for the connection to take more, so a large file neither holds up other
 * requests nor piles up in memory in front of a slow reader (Remix writes what it reads without
 * waiting for the socket). A connection that went away ends the reading.
 */
export function streamDocument(
  document: StreamedDocument,
  writable?: Writable,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const chunks = document.chunks[Symbol.iterator]();
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(document.head));
          return;
        }
        // Every pull enqueues or closes: a pull that did neither would never be called again.
        for (;;) {
          await nextTurn();
          if (writable && !(await writable())) {
            chunks.return?.();
            controller.close();
            return;
          }
          const next = chunks.next();
          if (next.done) {
            controller.enqueue(encoder.encode(`\n${document.tail}`));
            controller.close();
            return;
          }
          // Rows deleted since their ids were read leave a chunk empty.
          if (next.value.length === 0) continue;
          const text = `${first ? "" : ","}\n${next.value.join(",\n")}`;
          first = false;
          controller.enqueue(encoder.encode(text));
          return;
        }
      },
      cancel() {
        chunks.return?.();
      },
    },
    // Nothing is read ahead of the connection: one chunk at a time, when asked for.
    { highWaterMark: 0 },
  );
}

function isStreamed(document: ExportDocument["document"]): document is StreamedDocument {
  return "head" in document && "chunks" in document;
}

/**
 * Answers an export request: `produce` reads the collection (or page) for this origin and part,
 * throwing the models' errors, which become their statuses with the message as plain text. No
 * `?page=` means the whole file for a link, and the collection with its first page for a client
 * that asked for JSON-LD (`?page=all` gives it everything at once, as one page).
 */
export function exportResponse(
  request: Request,
  produce: (origin: string, part: ExportPart) => ExportDocument,
  { writable }: { writable?: Writable } = {},
): Response {
  const url = new URL(request.url);
  const asked = parseExportPart(url.searchParams.get("page"));
  if (asked === null) return plainText("?page= takes a page number from 1, or all.", 400);
  const jsonLd = prefersJsonLd(request.headers.get("Accept"));
  const part: ExportPart = asked.page === null && jsonLd ? { page: "paged" } : asked;
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
  if (whole && !jsonLd) {
    headers["Content-Disposition"] = `attachment; filename="${exported.filename}"`;
  }
  const { document } = exported;
  // A page or a described collection is at most PAGE_SIZE items: built whole, and indented.
  const body = isStreamed(document)
    ? streamDocument(document, writable)
    : JSON.stringify(document, null, 2);
  return new Response(body, { headers });
}

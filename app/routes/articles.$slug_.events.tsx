/**
 * Server-sent events for an open reading page: "something new" notices, filtered by the visibility
 * rule (models/live.server.ts). A comment line every 20 s keeps proxies from closing an idle
 * stream; the event id lets a reconnecting browser (EventSource reconnects by itself) hear what it
 * missed.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { findArticle } from "#app/models/article.server";
import { currentCursor, formatCursor, listen, parseCursor } from "#app/models/live.server";
import { parseLayer } from "#app/models/visibility.server";
import { getUser } from "#app/utils/auth.server";
import { db } from "#app/utils/db.server";
import { invariantResponse } from "#app/utils/errors";

const HEARTBEAT_MS = 20_000;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const article = findArticle({ db, slug: params.slug ?? "" });
  invariantResponse(article, "No article has this address.", { status: 404 });
  const viewer = await getUser(request);
  const url = new URL(request.url);
  const layer = viewer ? parseLayer(url.searchParams.get("layer")) : ({ kind: "all" } as const);
  const from = parseCursor(request.headers.get("last-event-id")) ?? currentCursor(db);
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      // Browsers wait this long before reconnecting after a dropped connection.
      write(`retry: 3000\nid: ${formatCursor(from)}\n\n`);
      const unlisten = listen(db, article.id, from, {
        viewer,
        layer,
        send: (change, cursor) =>
          write(`id: ${formatCursor(cursor)}\nevent: change\ndata: ${JSON.stringify(change)}\n\n`),
      });
      const heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
      stop = () => {
        clearInterval(heartbeat);
        unlisten();
        try {
          controller.close();
        } catch {
          // Already closed by the client going away.
        }
      };
      request.signal.addEventListener("abort", () => stop(), { once: true });
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-store, no-transform",
      // nginx buffers proxied responses unless told not to.
      "X-Accel-Buffering": "no",
    },
  });
}

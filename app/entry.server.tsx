/**
 * Server rendering: Remix's default streaming renderer (all-at-once for bots and for the render-once
 * page cache), with two additions: the request's CSP nonce (made by server.ts; none for a page the
 * cache renders, whose inline scripts are allowed by their hashes) goes to React and to the root's
 * inline scripts; a signed-in reader's pages and data are never stored by a shared cache; and
 * errors that are answers rather than faults (a 404, a 405 for a method a route lacks, a request
 * the client aborted) are not logged as errors.
 */
import { PassThrough } from "node:stream";
import {
  type AppLoadContext,
  createReadableStreamFromReadable,
  type EntryContext,
  type HandleDataRequestFunction,
  type HandleErrorFunction,
} from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { isPersonalRequest } from "#app/utils/auth.server";
import { NonceProvider } from "#app/utils/nonce";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = typeof loadContext.cspNonce === "string" ? loadContext.cspNonce : "";
  markPersonal(request, responseHeaders);
  // Bots and the page cache get the whole page at once; browsers get it streamed as soon as the
  // shell is ready.
  const waitForAll =
    loadContext.renderWhole === true ||
    isbot(request.headers.get("user-agent") ?? "") ||
    remixContext.isSpaMode;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html; charset=utf-8");
      resolve(
        new Response(createReadableStreamFromReadable(body), {
          headers: responseHeaders,
          status: responseStatusCode,
        }),
      );
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer
          context={remixContext}
          url={request.url}
          abortDelay={ABORT_DELAY}
          nonce={nonce || undefined}
        />
      </NonceProvider>,
      {
        nonce: nonce || undefined,
        onShellReady: waitForAll ? undefined : ready,
        onAllReady: waitForAll ? ready : undefined,
        onShellError: reject,
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell reject and are logged by Remix; later ones only here.
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

function markPersonal(request: Request, headers: Headers): void {
  if (isPersonalRequest(request)) headers.set("Cache-Control", "private, no-store");
}

/** Client-side navigations' data (`.data` requests) follow the same rule as pages. */
export const handleDataRequest: HandleDataRequestFunction = (response, { request }) => {
  markPersonal(request, response.headers);
  return response;
};

/** Logs faults only: a 4xx answer (405 included) or an aborted request is not an error. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  console.error(error);
};

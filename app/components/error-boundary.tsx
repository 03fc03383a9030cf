/**
 * Error boundaries that keep an error where it happened. Every route that can fail on its own
 * exports `ErrorBoundary` built from these, so a missing paragraph shows its message in the panel
 * (the article stays on screen) and each route's own 404 message reaches the reader. A thrown
 * Response with a string body (`invariantResponse`, `toResponseError`) is a message for the reader;
 * anything else is a bug, shown as a plain apology (its details stay in the server log).
 */
import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";

export type RouteErrorInfo = { status: number; message: string | null };

/** The status and, for a 4xx with a text body, the route's own message. */
export function describeRouteError(error: unknown): RouteErrorInfo {
  if (isRouteErrorResponse(error)) {
    const message =
      error.status < 500 && typeof error.data === "string" && error.data.trim() !== ""
        ? error.data
        : null;
    return { status: error.status, message };
  }
  return { status: 500, message: null };
}

const GENERIC: Record<number, { title: string; message: string }> = {
  400: { title: "That did not work", message: "The request could not be understood." },
  403: { title: "Not allowed", message: "You may not do that here." },
  404: {
    title: "Page not found",
    message:
      "There is nothing at this address. The article may have moved, or the link may be mistyped.",
  },
  500: {
    title: "Something went wrong",
    message: "Something went wrong on our side. Please try again in a moment.",
  },
};

function titleAndMessage({ status, message }: RouteErrorInfo) {
  const generic = GENERIC[status] ?? (status >= 500 ? GENERIC[500] : GENERIC[400]);
  return {
    title: generic?.title ?? "That did not work",
    message: message ?? generic?.message ?? "",
  };
}

/** A whole page's error: heading, the route's message, and a way back. */
export function PageErrorBoundary({ back }: { back?: ReactNode }) {
  const { title, message } = titleAndMessage(describeRouteError(useRouteError()));
  return (
    <div className="page-message">
      <h1>{title}</h1>
      <p>{message}</p>
      <p>{back ?? <Link to="/">Back to the library</Link>}</p>
    </div>
  );
}

/**
 * An error inside a part of a page (a nested panel): its own heading level and a way to close it,
 * announced as an alert, while the page around it stays.
 */
export function PanelErrorBoundary({ heading, close }: { heading: string; close: ReactNode }) {
  const info = describeRouteError(useRouteError());
  const { message } = titleAndMessage(info);
  const title = info.status === 404 ? "Not found" : titleAndMessage(info).title;
  return (
    <section className="discussion panel-error" aria-labelledby="panel-error-heading">
      <header className="discussion-header">
        <h2 id="panel-error-heading">{heading}</h2>
        {close}
      </header>
      <div role="alert">
        <p className="panel-error-title">{title}</p>
        <p>{message}</p>
      </div>
    </section>
  );
}

/** The page title while a route shows its error (for `meta` when there is no data). */
export function errorTitle(error: unknown): string {
  const { status } = describeRouteError(error);
  return `${status === 404 ? "Not found" : `Error ${status}`} · Marginalia`;
}

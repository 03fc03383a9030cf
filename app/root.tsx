import type { LinksFunction, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import stylesheet from "~/styles.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.ico", sizes: "any" },
];

export const meta: MetaFunction = () => [{ title: "Marginalia" }];

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <Link to="/" className="site-name">
            Marginalia
          </Link>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <div className="page-message">
        <title>Not found · Marginalia</title>
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. The article may have moved, or the link may be mistyped.
        </p>
        <p>
          <Link to="/">Back to the library</Link>
        </p>
      </div>
    );
  }
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message =
    isRouteErrorResponse(error) && typeof error.data === "string" && error.status < 500
      ? error.data
      : "Something went wrong on our side. Please try again in a moment.";
  return (
    <div className="page-message">
      <title>{`Error ${status} · Marginalia`}</title>
      <h1>
        {status === 403
          ? "Not allowed"
          : status >= 500
            ? "Something went wrong"
            : "That did not work"}
      </h1>
      <p>{message}</p>
      <p>
        <Link to="/">Back to the library</Link>
      </p>
    </div>
  );
}

import {
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import stylesheet from "#app/styles.css";
import { getUserWithHeaders, type SessionUser } from "#app/utils/auth.server";
import { useNonce } from "#app/utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.ico", sizes: "any" },
];

export const meta: MetaFunction = ({ error }) => {
  if (!error) return [{ title: "Marginalia" }];
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return [
    { title: status === 404 ? "Page not found · Marginalia" : `Error ${status} · Marginalia` },
  ];
};

/**
 * The signed-in user (or null) for every page. Its headers carry the session cookie when lucia has
 * just extended the session, or a blank cookie for a stale one (see app/utils/auth.server.ts).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const { user, headers } = await getUserWithHeaders(request);
  return data({ user }, { headers });
}

/** Where "Sign in" / "Sign up" should bring the reader back to: here, or where /login was headed. */
function useReturnPath(): string {
  const { pathname, search } = useLocation();
  if (pathname === "/login" || pathname === "/signup") {
    return new URLSearchParams(search).get("redirectTo") ?? "/";
  }
  return `${pathname}${search}`;
}

function withRedirect(path: string, redirectTo: string): string {
  return redirectTo === "/" ? path : `${path}?${new URLSearchParams({ redirectTo })}`;
}

function AccountNav({ user }: { user: SessionUser | null }) {
  const returnPath = useReturnPath();
  if (user) {
    return (
      <nav className="account-nav" aria-label="Account">
        <span className="account-who">
          <span className="account-label">Signed in as </span>
          <Link to="/account" className="account-name">
            {user.displayName}
          </Link>
        </span>
        <Form method="post" action="/logout" className="sign-out-form">
          <button type="submit" className="sign-out-button">
            Sign out
          </button>
        </Form>
      </nav>
    );
  }
  return (
    <nav className="account-nav" aria-label="Account">
      <Link to={withRedirect("/login", returnPath)}>Sign in</Link>
      <Link to={withRedirect("/signup", returnPath)} className="sign-up-link">
        Sign up
      </Link>
    </nav>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const user = useRouteLoaderData<typeof loader>("root")?.user ?? null;
  const nonce = useNonce();
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
          <nav className="site-nav" aria-label="Site">
            <NavLink to="/search">Search</NavLink>
          </nav>
          <AccountNav user={user} />
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
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

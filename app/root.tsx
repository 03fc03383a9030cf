import {
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { errorTitle, PageErrorBoundary } from "#app/components/error-boundary";
import stylesheet from "#app/styles.css";
import { getUserWithHeaders, type SessionUser } from "#app/utils/auth.server";
import { useNonce } from "#app/utils/nonce";
import { withRedirectTo } from "#app/utils/redirect";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.ico", sizes: "any" },
];

export const meta: MetaFunction = ({ error }) => [
  { title: error ? errorTitle(error) : "Marginalia" },
];

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
      <Link to={withRedirectTo("/login", returnPath)}>Sign in</Link>
      <Link to={withRedirectTo("/signup", returnPath)} className="sign-up-link">
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
            <NavLink to="/collections">Collections</NavLink>
            {user ? <NavLink to="/groups">Classes &amp; panels</NavLink> : null}
            {user?.role === "admin" ? <NavLink to="/admin/moderation">Moderation</NavLink> : null}
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
  return <PageErrorBoundary />;
}

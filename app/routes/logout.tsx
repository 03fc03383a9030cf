/** Sign out: a POST that ends the session on the server and clears the cookie. A GET goes home. */
import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { endSession } from "#app/utils/auth.server";

export async function action({ request }: ActionFunctionArgs) {
  return redirect("/", { headers: { "Set-Cookie": await endSession(request) } });
}

export async function loader() {
  return redirect("/");
}

/**
 * Accounts in a real browser: sign up, sign out, sign in (the one spec that uses the form), the same
 * answer for a wrong username and a wrong password, the 429 after five failures, returning to where
 * the reader was, refusing foreign-origin writes, and password changes ending other sessions.
 */
import type { Page } from "@playwright/test";
import {
  countSessions,
  createUser,
  readUser,
  SESSION_COOKIE,
  sessionExpiry,
  signIn,
  uniqueUsername,
} from "./auth";
import { expect, expectAccessible, test } from "./fixtures";

const SLUG = "do-not-engage-the-taliban-for-free";
const BAD_CREDENTIALS = "That username and password do not match an account.";
const DAY = 24 * 60 * 60;

const accountNav = (page: Page) => page.getByRole("navigation", { name: "Account" });

async function submitSignIn(page: Page, username: string, password: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  const response = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname.startsWith("/login"),
  );
  await page.getByRole("button", { name: "Sign in" }).click();
  return response;
}

/** Nothing secret in what the page received: no password, no hash, no session token. */
async function expectNoSecrets(page: Page, secrets: string[]) {
  const html = await page.content();
  for (const secret of [...secrets, "$argon2"]) expect(html).not.toContain(secret);
}

test("sign up, sign out, and sign in again with a fresh session id", async ({ page, context }) => {
  const username = uniqueUsername("Signup");
  const password = "a quiet harbour at dawn";

  await page.goto("/");
  await accountNav(page).getByRole("link", { name: "Sign up" }).click();
  await expect(page).toHaveURL("/signup");
  await expect(page.getByRole("heading", { level: 1, name: "Create an account" })).toBeVisible();

  // A rule broken: the message sits by the field, and what was typed (but the password) is kept.
  await page.getByLabel("Username").fill(username);
  await page.getByRole("textbox", { name: "Display name" }).fill("Hypatia Tester");
  await page.getByLabel("Password", { exact: true }).fill(username.toLowerCase());
  await page.getByRole("button", { name: "Create account" }).click();
  const passwordInput = page.getByLabel("Password", { exact: true });
  await expect(passwordInput).toHaveAttribute("aria-invalid", "true");
  await expect(passwordInput).toHaveAccessibleDescription(
    /Your password must not be your username\./,
  );
  // Focus is on the field to correct (the mechanism the annotation forms share, useAfterErrors).
  await expect(passwordInput).toBeFocused();
  await expect(page.getByLabel("Username")).toHaveValue(username);
  await expect(page.getByRole("textbox", { name: "Display name" })).toHaveValue("Hypatia Tester");
  await expect(passwordInput).toHaveValue("");
  await expectAccessible(page);

  await passwordInput.fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL("/");
  await expect(accountNav(page).getByRole("link", { name: "Hypatia Tester" })).toHaveAttribute(
    "href",
    "/account",
  );

  // The session cookie: HttpOnly, SameSite=Lax, Path=/, 30 days; not Secure over plain http.
  const [cookie] = (await context.cookies()).filter((c) => c.name === SESSION_COOKIE);
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
  expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000 + 29.9 * DAY);
  await expectNoSecrets(page, [password, cookie?.value ?? "?"]);

  // Sign out is a POST that ends the session on the server.
  await accountNav(page).getByRole("button", { name: "Sign out" }).click();
  await expect(accountNav(page).getByRole("link", { name: "Sign in" })).toBeVisible();
  expect((await context.cookies()).some((c) => c.name === SESSION_COOKIE)).toBe(false);

  // Sign in again, typing the username in another case: a new session id is issued.
  await accountNav(page).getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await submitSignIn(page, username.toLowerCase(), password);
  await expect(page).toHaveURL("/");
  await expect(accountNav(page).getByRole("link", { name: "Hypatia Tester" })).toBeVisible();
  const [second] = (await context.cookies()).filter((c) => c.name === SESSION_COOKIE);
  expect(second?.value).toBeTruthy();
  expect(second?.value).not.toBe(cookie?.value);
  await accountNav(page).getByRole("button", { name: "Sign out" }).click();
  await expect(accountNav(page).getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("a wrong username and a wrong password get the same answer; five failures mean 429", async ({
  page,
}) => {
  const { username, password } = await createUser();
  // A wrong password and an unknown username get the same answer; the username stays typed.
  await page.goto("/login");
  const unknown = await submitSignIn(page, uniqueUsername("nobody"), "whatever it may be");
  expect(unknown.status()).toBe(400);
  const unknownMessage = await page.getByRole("alert").textContent();

  for (let failure = 1; failure <= 5; failure++) {
    const response = await submitSignIn(page, username, `not the password ${failure}`);
    expect(response.status()).toBe(400);
    await expect(page.getByRole("alert")).toContainText(BAD_CREDENTIALS);
    await expect(page.getByLabel("Username")).toHaveValue(username);
    await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
    if (failure === 1) {
      expect(await page.getByRole("alert").textContent()).toBe(unknownMessage);
      await expectAccessible(page);
    }
  }

  // Past five failures in fifteen minutes: 429, with a time to retry, even for the right password.
  const blocked = await submitSignIn(page, username, password);
  expect(blocked.status()).toBe(429);
  expect(Number(blocked.headers()["retry-after"])).toBeGreaterThan(800);
  await expect(page.getByRole("alert")).toContainText(
    /Too many failed sign-in attempts\. .*try again in 1[45] minutes\./,
  );
  await expect(page.getByLabel("Username")).toHaveValue(username);
  await expect(accountNav(page).getByRole("link", { name: "Sign in" })).toBeVisible();
  await expectAccessible(page);
  await expectNoSecrets(page, [password]);
});

test("signing in from an article returns to the article", async ({ page }) => {
  const user = await createUser();
  await page.goto(`/articles/${SLUG}`);
  await accountNav(page).getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`/login?redirectTo=%2Farticles%2F${SLUG}`);
  await submitSignIn(page, user.username, user.password);
  await expect(page).toHaveURL(`/articles/${SLUG}`);
  await expect(accountNav(page).getByRole("link", { name: user.displayName })).toBeVisible();
});

test("a page that needs an account sends the reader to sign in and back", async ({ page }) => {
  const user = await createUser();
  await page.goto("/account");
  await expect(page).toHaveURL("/login?redirectTo=%2Faccount");
  await submitSignIn(page, user.username, user.password);
  await expect(page).toHaveURL("/account");
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
});

test("a form post that needed an account returns to the page the form was on", async ({
  page,
  baseURL,
}) => {
  const response = await page.request.post("/account", {
    form: { intent: "display-name", displayName: "Anyone" },
    headers: { Origin: baseURL ?? "", Referer: `${baseURL}/articles/${SLUG}?from=form` },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(302);
  expect(response.headers().location).toBe(
    `/login?redirectTo=${encodeURIComponent(`/articles/${SLUG}?from=form`)}`,
  );
});

test("redirectTo leading off the site lands on /", async ({ page }) => {
  const user = await createUser();
  for (const target of [
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
  ]) {
    await page.goto(`/login?${new URLSearchParams({ redirectTo: target })}`);
    await expect(page.locator('input[name="redirectTo"]')).toHaveValue("/");
  }
  // Even a tampered hidden field is checked again by the action.
  await page.goto("/login?redirectTo=//evil.example");
  await page.locator('input[name="redirectTo"]').evaluate((input: HTMLInputElement) => {
    input.value = "//evil.example";
  });
  await submitSignIn(page, user.username, user.password);
  await expect(page).toHaveURL("/");
  expect(new URL(page.url()).host).toBe(new URL(test.info().project.use.baseURL ?? "").host);
  await expect(accountNav(page).getByRole("link", { name: user.displayName })).toBeVisible();
});

test("forms work without JavaScript", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL });
  const page = await context.newPage();
  try {
    const user = await createUser();
    await page.goto(`/articles/${SLUG}`);
    await accountNav(page).getByRole("link", { name: "Sign in" }).click();
    await page.getByLabel("Username").fill(user.username);
    await page.getByLabel("Password", { exact: true }).fill("wrong password here");
    const failed = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect((await failed).status()).toBe(400);
    await expect(page.getByRole("alert")).toContainText(BAD_CREDENTIALS);
    await expect(page.getByLabel("Username")).toHaveValue(user.username);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`/articles/${SLUG}`);
    await expect(accountNav(page).getByRole("link", { name: user.displayName })).toBeVisible();
    await accountNav(page).getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL("/");
    await expect(accountNav(page).getByRole("link", { name: "Sign in" })).toBeVisible();
    expect(countSessions(user)).toBe(0);
  } finally {
    await context.close();
  }
});

test.describe(() => {
  test.use({ account: { displayName: "Unchanged Name" } });

  test("a write from another origin is refused with 403 and changes nothing", async ({
    page,
    signedIn: user,
    baseURL,
  }) => {
    const form = { intent: "display-name", displayName: "Forged Name" };

    // With the session cookie attached, a foreign Origin, or a foreign Referer without Origin: 403.
    const foreign: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { Referer: "https://evil.example/page" },
    ];
    for (const headers of foreign) {
      const forged = await page.request.post("/account", { form, headers, maxRedirects: 0 });
      expect(forged.status()).toBe(403);
      const signOut = await page.request.post("/logout", { headers, maxRedirects: 0 });
      expect(signOut.status()).toBe(403);
    }
    expect(readUser(user)?.displayName).toBe("Unchanged Name");
    expect(countSessions(user)).toBe(1);

    // A real cross-site form, submitted by the browser from a page on another origin.
    await page.route("http://evil.example/**", (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><html lang="en"><title>Evil</title><main><form method="post" action="${baseURL}/account">
        <input type="hidden" name="intent" value="display-name"><input type="hidden" name="displayName" value="Forged Name">
        <button>Win a prize</button></form></main></html>`,
      }),
    );
    await page.goto("http://evil.example/");
    const refused = page.waitForResponse((r) => r.url() === `${baseURL}/account`);
    await page.getByRole("button", { name: "Win a prize" }).click();
    expect((await refused).status()).toBe(403);
    await expect(page.getByText("Forbidden")).toBeVisible();
    expect(readUser(user)?.displayName).toBe("Unchanged Name");

    // The same change from our own page goes through, so the refusal above was the origin check.
    await page.goto("/account");
    await expect(accountNav(page).getByRole("link", { name: "Unchanged Name" })).toBeVisible();
    const own = await page.request.post("/account", {
      form,
      headers: { Origin: baseURL ?? "" },
      maxRedirects: 0,
    });
    expect(own.status()).toBe(302);
    expect(readUser(user)?.displayName).toBe("Forged Name");
  });
});

test("changing the password signs out every other browser, not this one", async ({
  page,
  signedIn: user,
  browser,
  baseURL,
}) => {
  const other = await browser.newContext({ baseURL });
  try {
    await signIn(other, user);
    const otherPage = await other.newPage();
    await otherPage.goto("/account");
    await expect(otherPage.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();

    await page.goto("/account");
    const newPassword = "a different long phrase";
    await page.getByLabel("Current password").fill("not my password at all");
    await page.getByLabel("New password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByLabel("Current password")).toHaveAccessibleDescription(
      "That password is not right.",
    );
    await expectAccessible(page);

    await page.getByLabel("Current password").fill(user.password);
    await page.getByLabel("New password").fill(newPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByRole("status")).toHaveText(/Your password is changed\./);
    await expectNoSecrets(page, [user.password, newPassword]);

    await otherPage.reload();
    await expect(otherPage).toHaveURL("/login?redirectTo=%2Faccount");
    await expect(accountNav(otherPage).getByRole("link", { name: "Sign in" })).toBeVisible();

    await page.reload();
    await expect(accountNav(page).getByRole("link", { name: user.displayName })).toBeVisible();
    expect(countSessions(user)).toBe(1);
  } finally {
    await other.close();
  }
});

test("the account page renames, and deletes only with the password", async ({
  page,
  signedIn: user,
}) => {
  await page.goto("/");
  await accountNav(page).getByRole("link", { name: user.displayName }).click();
  await expect(page).toHaveURL("/account");

  await page.getByRole("textbox", { name: "Display name" }).fill("   ");
  await page.getByRole("button", { name: "Save display name" }).click();
  await expect(page.getByRole("textbox", { name: "Display name" })).toHaveAccessibleDescription(
    /Enter the name other readers will see\./,
  );
  await page.getByRole("textbox", { name: "Display name" }).fill("Renamed Reader");
  await page.getByRole("button", { name: "Save display name" }).click();
  await expect(page.getByRole("status")).toHaveText("Your display name is saved.");
  await expect(accountNav(page).getByRole("link", { name: "Renamed Reader" })).toBeVisible();

  await page.getByLabel("Your password, to confirm").fill("wrong password here");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByLabel("Your password, to confirm")).toHaveAccessibleDescription(
    "That password is not right.",
  );
  expect(readUser(user)).toBeDefined();

  await page.getByLabel("Your password, to confirm").fill(user.password);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL("/");
  await expect(accountNav(page).getByRole("link", { name: "Sign in" })).toBeVisible();
  expect(readUser(user)).toBeUndefined();
  expect(countSessions(user)).toBe(0);
});

test("a session used in the second half of its life is extended, in the database and the browser", async ({
  page,
  context,
}) => {
  const user = await createUser();
  const sessionId = await signIn(context, user, { expiresInSeconds: 10 * DAY });
  await page.goto("/");
  await expect(accountNav(page).getByRole("link", { name: user.displayName })).toBeVisible();
  const now = Date.now() / 1000;
  expect(sessionExpiry(sessionId)).toBeGreaterThan(now + 29 * DAY);
  const [cookie] = (await context.cookies()).filter((c) => c.name === SESSION_COOKIE);
  expect(cookie?.value).toBe(sessionId);
  expect(cookie?.expires).toBeGreaterThan(now + 29 * DAY);
});

test("a stale session cookie is cleared, and /logout by GET just goes home", async ({
  page,
  context,
  signedIn: user,
}) => {
  const { sessionId } = user;
  await page.goto("/logout");
  await expect(page).toHaveURL("/");
  await expect(accountNav(page).getByRole("link", { name: user.displayName })).toBeVisible();

  await accountNav(page).getByRole("button", { name: "Sign out" }).click();
  await expect(accountNav(page).getByRole("link", { name: "Sign in" })).toBeVisible();
  expect(sessionExpiry(sessionId)).toBeUndefined();
  // Replaying the old cookie gets nobody signed in, and the browser is told to forget it.
  await context.addCookies([
    { name: SESSION_COOKIE, value: sessionId, domain: "127.0.0.1", path: "/" },
  ]);
  await page.goto("/");
  await expect(accountNav(page).getByRole("link", { name: "Sign in" })).toBeVisible();
  expect((await context.cookies()).some((c) => c.name === SESSION_COOKIE)).toBe(false);
});

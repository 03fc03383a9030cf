/**
 * Personal API tokens in a real browser: made on the account page, the secret shown once in a
 * labelled read-only field, gone after a reload and after Back, listed as never used, revoked; the
 * same with JavaScript off. And against the real server: a bearer-only cross-origin write to a
 * protocol address gets past the origin check, while the same request with the session cookie is
 * refused.
 */
import type { Page } from "@playwright/test";
import { queryDb } from "./data";
import { expect, expectAccessible, test } from "./fixtures";

const SLUG = "do-not-engage-the-taliban-for-free";
const TOKEN = /^mrg_[A-Za-z0-9_-]{43}$/;

const tokensSection = (page: Page) => page.getByRole("region", { name: "Personal API tokens" });
const newTokenField = (page: Page) => page.getByLabel(/^Your new token/);

async function createToken(page: Page, name: string, scope: "Read" | "Read and write") {
  const section = tokensSection(page);
  await section.getByLabel("Token name").fill(name);
  await section.getByRole("radio", { name: scope, exact: true }).check();
  await section.getByRole("button", { name: "Create token" }).click();
  await expect(newTokenField(page)).toBeVisible();
  const secret = await newTokenField(page).inputValue();
  expect(secret).toMatch(TOKEN);
  return secret;
}

/** What the database holds for tokens, as text: the secret must never be in it. */
function storedTokens(): string {
  return JSON.stringify(queryDb("select * from api_token"));
}

test("a token is shown once, listed as never used, and revoked", async ({
  page,
  context,
  signedIn,
}) => {
  await page.goto("/account");
  const section = tokensSection(page);
  await expect(section.getByText("You have no tokens.")).toBeVisible();

  // A refused form: the message by the field, the typed scope kept.
  await section.getByRole("radio", { name: "Read and write" }).check();
  await section.getByRole("button", { name: "Create token" }).click();
  const name = section.getByLabel("Token name");
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription(/Give the token a name/);
  await expect(name).toBeFocused();
  await expect(section.getByRole("radio", { name: "Read and write" })).toBeChecked();

  const secret = await createToken(page, "E2E script", "Read and write");
  await expect(page).toHaveURL(/\/account#new-token$/);
  await expect(page.getByText("Copy it now: you will not see it again.")).toBeVisible();
  await expect(newTokenField(page)).toHaveAttribute("readonly", "");
  // The form starts empty again for the next one.
  await expect(section.getByLabel("Token name")).toHaveValue("");
  await expect(page.getByRole("button", { name: "Copy" })).toBeVisible();
  // The flash that carried it is gone from the browser; the database has only its digest.
  expect((await context.cookies()).map((c) => c.name)).not.toContain("new_api_token");
  expect(storedTokens()).not.toContain(secret);
  expect(storedTokens()).toContain(signedIn.id);
  await expectAccessible(page);

  // Listed without the secret: its first characters, and never used.
  const row = section.getByRole("row", { name: /E2E script/ });
  await expect(row).toContainText("Read and write");
  await expect(row).toContainText(`${secret.slice(0, 12)}…`);
  await expect(row.getByRole("cell").nth(3)).toHaveText("Never");

  // A reload does not show it again…
  await page.reload();
  await expect(section.getByRole("row", { name: /E2E script/ })).toBeVisible();
  await expect(newTokenField(page)).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  // …nor does going back to the page it was first shown on.
  await page.goto(`/articles/${SLUG}`);
  await page.goBack();
  await expect(page).toHaveURL(/\/account/);
  await expect(section.getByRole("row", { name: /E2E script/ })).toBeVisible();
  await expect(newTokenField(page)).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);

  // Revoked with one click: marked so, and saying it no longer works.
  await section.getByRole("button", { name: "Revoke E2E script" }).click();
  await expect(page.getByRole("status").filter({ hasText: "revoked" })).toContainText(
    "The token is revoked: it no longer works.",
  );
  await expect(section.getByRole("row", { name: /E2E script/ })).toContainText("Revoked");
  await expect(section.getByRole("button", { name: "Revoke E2E script" })).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a token is made and shown once with plain HTML forms", async ({ page, signedIn }) => {
    expect(signedIn.id).toBeTruthy();
    await page.goto("/account");
    const secret = await createToken(page, "No-script tool", "Read");
    await expect(page.getByText("Copy it now: you will not see it again.")).toBeVisible();
    // No copy button without script: the field's text is there to select.
    await expect(page.getByRole("button", { name: "Copy" })).toHaveCount(0);
    const row = tokensSection(page).getByRole("row", { name: /No-script tool/ });
    await expect(row.getByRole("cell").nth(3)).toHaveText("Never");

    // The page was reached by a redirect (a GET): reloading neither posts again nor shows it.
    await page.reload();
    await expect(newTokenField(page)).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);
    await expect(tokensSection(page).getByRole("row", { name: /No-script tool/ })).toHaveCount(1);

    await tokensSection(page).getByRole("button", { name: "Revoke No-script tool" }).click();
    await expect(tokensSection(page).getByRole("row", { name: /No-script tool/ })).toContainText(
      "Revoked",
    );
  });
});

test("the origin check: a bearer-only write to a protocol address passes, a cookie one does not", async ({
  playwright,
  baseURL,
  signedIn,
}) => {
  const annotationId = 999_999_999;
  const path = `/articles/${SLUG}/annotations/${annotationId}`;
  const bearer = { Authorization: `Bearer mrg_${"x".repeat(43)}` };
  const form = { intent: "reply", id: String(annotationId), kind: "annotation", body: "x" };
  const cookie = { Cookie: `auth_session=${signedIn.sessionId}` };
  const api = await playwright.request.newContext({ baseURL });
  try {
    // A script with a token and no cookie (and, like curl, no Origin) gets past the origin check
    // to the route. No protocol write exists yet, so the permalink's form action answers: it takes
    // no tokens, so it sends the request to sign in, having written nothing.
    const script = await api.post(path, { headers: bearer, form, maxRedirects: 0 });
    expect(script.status()).toBe(302);
    expect(script.headers().location).toMatch(/^\/login\?/);
    // The same request carrying the session cookie is held to the origin check: no Origin or
    // Referer of ours, so 403, as is one from another origin.
    for (const headers of [
      { ...bearer, ...cookie },
      { ...bearer, ...cookie, Origin: "https://elsewhere.example" },
    ]) {
      const refused = await api.post(path, { headers, form, maxRedirects: 0 });
      expect(refused.status()).toBe(403);
      expect(await refused.text()).toMatch(/did not come from a Marginalia page/);
    }
    // And a token is no pass for a page's form.
    const page = await api.post("/account", {
      headers: bearer,
      form: { intent: "display-name", displayName: "Forged" },
      maxRedirects: 0,
    });
    expect(page.status()).toBe(403);
    expect(queryDb("select 1 from annotation where body = 'x'")).toEqual([]);
  } finally {
    await api.dispose();
  }
});

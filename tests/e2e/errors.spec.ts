/**
 * Errors stay where they happen: a missing paragraph shows its message in the discussion panel
 * while the article stays readable, a route's own message reaches the reader, and every page is
 * served with the security headers (and runs under its Content-Security-Policy: the fixture fails
 * a test on any console error, CSP violations included).
 */
import { expect, test } from "./fixtures";

const SLUG = "do-not-engage-the-taliban-for-free";

test("an unknown paragraph leaves the article on screen, with the error in the panel", async ({
  page,
}) => {
  const response = await page.goto(`/articles/${SLUG}/p/p-999`);
  expect(response?.status()).toBe(404);
  await expect(
    page.getByRole("heading", { level: 1, name: /Do Not Engage the Taliban/ }),
  ).toBeVisible();
  await expect(page.locator("#p-1")).toBeVisible();
  const panel = page.getByRole("region", { name: "Discussion" });
  await expect(panel.getByRole("alert")).toContainText("This article has no such paragraph.");
  await panel.getByRole("link", { name: /Close/ }).click();
  await expect(page).toHaveURL(`/articles/${SLUG}`);
  await expect(panel).toHaveCount(0);
});

test("a missing paragraph reached without reloading keeps the article too", async ({ page }) => {
  await page.goto(`/articles/${SLUG}`);
  await page.getByRole("link", { name: /^Discuss paragraph 2\b/ }).click();
  await expect(page.getByRole("heading", { name: "Discussion of paragraph 2" })).toBeVisible();
  // A stale in-app link: the client-side router goes to a paragraph that does not exist.
  await page.evaluate((slug) => {
    const router = (window as unknown as { __remixRouter: { navigate: (to: string) => void } })
      .__remixRouter;
    router.navigate(`/articles/${slug}/p/p-0`);
  }, SLUG);
  await expect(page.getByRole("alert")).toContainText("This article has no such paragraph.");
  await expect(page.locator("#p-2")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: /Do Not Engage/ })).toBeVisible();
});

test("a route's own not-found message reaches the reader", async ({ page }) => {
  const response = await page.goto("/u/nobody-has-this-name");
  expect(response?.status()).toBe(404);
  await expect(page.getByText("No one has this username.")).toBeVisible();
});

test("pages carry the security headers; personal pages are not cached", async ({
  page,
  signedIn,
}) => {
  void signedIn;
  const response = await page.goto("/account");
  const headers = response?.headers() ?? {};
  expect(headers["content-security-policy"]).toMatch(/script-src 'nonce-[^']+'/);
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["cache-control"]).toBe("private, no-store");
  // The inline scripts carry this response's nonce, and the page works (the fixture would fail on
  // a CSP violation in the console).
  const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"] ?? "")?.[1];
  expect(await page.locator("script[nonce]").count()).toBeGreaterThan(0);
  expect(nonce).toBeTruthy();
});

test("a form post that is not a form gets 415, not a stack trace", async ({ request }) => {
  const response = await request.post("/login", {
    data: { username: "x", password: "y" },
    headers: { Origin: new URL(test.info().project.use.baseURL ?? "http://127.0.0.1").origin },
  });
  expect(response.status()).toBe(415);
  expect(await response.text()).toContain("application/x-www-form-urlencoded");
});

/**
 * The render-once page cache (ADR 010): an anonymous reader's page is stored and served ahead of
 * the framework, and must never be stale. A public annotation posted through the app shows in the
 * stranger's next load at once, with its counts; a private note never does. The stored page's CSP
 * lists its inline scripts' hashes instead of a nonce, and the page still hydrates under it (the
 * fixture fails the test on any console error, a CSP refusal included).
 */
import { createUser, signIn } from "./auth";
import { createArticle } from "./data";
import { expect, test } from "./fixtures";
import { selectWithMouse } from "./selection";

const PHRASE = "no country has recognized the Taliban government";

test("a stranger's stored page shows a new public annotation at once, never a private one", async ({
  page,
  browser,
}) => {
  const slug = createArticle();
  const counts = page.locator("#p-3 .paragraph-counts");

  // The stranger's first load stores the page; the second is served from the store.
  const first = await page.goto(`/articles/${slug}`);
  const etag = first?.headers().etag;
  expect(etag, "a stored page carries a strong ETag").toMatch(/^"[^"]+"$/);
  const again = await page.goto(`/articles/${slug}`);
  expect(again?.headers().etag).toBe(etag);
  expect(again?.headers().vary).toBe("Accept, Accept-Encoding, Cookie");
  await expect(page.locator("#p-3 .discuss")).toHaveText("Discuss");

  // A reader posts a public counterargument on a passage of paragraph 3, through the app.
  const writerContext = await browser.newContext();
  const writer = await writerContext.newPage();
  await signIn(writerContext, await createUser());
  await writer.goto(`/articles/${slug}/p/p-3`);
  const discussion = writer.getByRole("region", { name: "Discussion of paragraph 3" });
  await discussion.getByRole("radio", { name: "Counterargument" }).check();
  await discussion.getByLabel("Passage (optional)").fill(PHRASE);
  await discussion.getByLabel("Your text", { exact: true }).fill("Recognition is not the measure.");
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(discussion.getByRole("article")).toHaveCount(1);

  // The stranger's very next load shows it: counts, the highlighted passage, the total.
  const fresh = await page.goto(`/articles/${slug}`);
  expect(fresh?.headers().etag).not.toBe(etag);
  await expect(counts).toHaveText("1 counterargument");
  await expect(page.locator("#p-3 mark.highlight-counter")).toHaveText(PHRASE);
  await expect(page.getByRole("link", { name: /Whole discussion · 1 annotation$/ })).toBeVisible();

  // A private note by the same reader changes nothing a stranger sees.
  await writer.goto(`/articles/${slug}/p/p-3`);
  await discussion.getByText("Add to this paragraph").click();
  await discussion.getByLabel("Your text", { exact: true }).fill("A note only I may read.");
  await discussion.getByLabel("Private note — only you will see it").check();
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(discussion.getByRole("article")).toHaveCount(2);
  const afterPrivate = await page.goto(`/articles/${slug}`);
  expect(afterPrivate?.headers().etag).toBe(fresh?.headers().etag);
  await expect(counts).toHaveText("1 counterargument");
  await expect(page.getByText("A note only I may read.")).toHaveCount(0);
  await writerContext.close();
});

test("a stored page's CSP allows exactly its inline scripts, and the page hydrates", async ({
  page,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}`);
  const response = await page.goto(`/articles/${slug}`);
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).not.toContain("'nonce-");
  expect(policy).toContain("'strict-dynamic'");
  const served = [...policy.matchAll(/'sha256-([^']+)'/g)].map((m) => m[1]).sort();

  // The digests of the inline scripts the browser actually received.
  const inPage = await page.evaluate(async () => {
    const digests: string[] = [];
    for (const script of document.querySelectorAll("script:not([src])")) {
      const bytes = new TextEncoder().encode(script.textContent ?? "");
      const digest = await crypto.subtle.digest("SHA-256", bytes);
      digests.push(btoa(String.fromCharCode(...new Uint8Array(digest))));
    }
    return digests;
  });
  expect(inPage.length).toBeGreaterThan(0);
  for (const digest of inPage) expect(served).toContain(digest);

  // Hydrated: the selection popover answers a selection.
  const paragraph = page.locator('[data-paragraph="p-3"]');
  await paragraph.scrollIntoViewIfNeeded();
  await selectWithMouse(page, paragraph, PHRASE);
  await expect(
    page.getByRole("toolbar", { name: "Respond to the selected passage" }),
  ).toBeVisible();
});

test("a signed-in reader's page is never the stored one", async ({ page, signedIn }) => {
  const slug = createArticle();
  const response = await page.goto(`/articles/${slug}`);
  expect(response?.headers()["content-security-policy"]).toContain("'nonce-");
  expect(response?.headers().etag).toBeUndefined();
  expect(response?.headers()["cache-control"]).toBe("private, no-store");
  await expect(page.getByRole("link", { name: signedIn.displayName })).toBeVisible();
});

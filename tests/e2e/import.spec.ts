/**
 * Importing a Hypothesis export onto a copy of the seed article, in the browser: the reading
 * page's link, the upload, the preview's counts, "Import these", the report, and an imported
 * annotation on its paragraph with who first wrote it. Then the same without JavaScript.
 */
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";
import { createArticle, queryDb } from "./data";
import { expect, expectAccessible, test } from "./fixtures";

const FIXTURE = fileURLToPath(new URL("../data/hypothesis-export.json", import.meta.url));
const COUNTS = "7 will anchor, 2 approximately, 3 orphaned; 3 replies in 2 threads; 2 refused.";

/** `scan`: the preview is a POST's answer, so it is scanned here (axe needs script in the page). */
async function importFixture(page: Page, slug: string, { scan }: { scan: boolean }) {
  await page.goto(`/articles/${slug}`);
  await page.getByRole("link", { name: "Import annotations" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import annotations" })).toBeVisible();
  await page.getByLabel(/^The file/).setInputFiles(FIXTURE);
  await expect(page.getByLabel(/Only me/)).toBeChecked();
  await page.getByRole("button", { name: "Preview the import" }).click();

  await expect(page.getByRole("heading", { name: /Preview/ })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Hypothesis" })).toContainText(COUNTS);
  await expect(page.getByText(/It is a highlight without words/)).toBeVisible();
  await expect(page.getByText(/not in this file/)).toBeVisible();
  // Nothing written yet.
  expect(
    queryDb(
      "select 1 from annotation a join article r on r.id = a.article_id where r.slug = ?",
      slug,
    ),
  ).toHaveLength(0);
  if (scan) await expectAccessible(page);

  await page.getByRole("button", { name: "Import these" }).click();
  await expect(page.getByRole("heading", { name: "Imported" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Hypothesis" })).toContainText(
    "7 anchored, 2 approximately, 3 orphaned; 3 replies in 2 threads; 2 refused.",
  );
  await expect(page.getByRole("heading", { name: "Orphaned (3)" })).toBeVisible();

  // The first thread, on paragraph 1, in its place with its replies and its first writer.
  await page.getByRole("link", { name: "Annotation on paragraph 1" }).first().click();
  const thread = page.locator("article.annotation").filter({ hasText: "The date matters" });
  await expect(thread.first()).toContainText(
    "Imported from Hypothesis: originally by Alice Liddell (acct:alice@hypothes.is), 1 Mar 2024",
  );
  await expect(page.getByText("Doha Agreement was the only lever").first()).toBeVisible();
  await page.goto(`/articles/${slug}/p/p-1`);
  await expect(
    page
      .getByRole("region", { name: "Discussion of paragraph 1" })
      .getByText("The date matters")
      .first(),
  ).toBeVisible();
  // Listed with the orphaned comments on the reading page.
  await page.goto(`/articles/${slug}`);
  await expect(page.getByRole("heading", { name: "Orphaned comments (3)" })).toBeVisible();
}

test("a Hypothesis export is previewed, imported and reported", async ({
  page,
  signedIn: _reader,
}) => {
  await importFixture(page, createArticle(), { scan: true });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the same import with plain HTML forms", async ({ page, signedIn: _reader }) => {
    await importFixture(page, createArticle(), { scan: false });
  });
});

import { createUser } from "./auth";
import { addAnnotation, createArticle } from "./data";
import { expect, expectAccessible, test } from "./fixtures";

const SLUG = "do-not-engage-the-taliban-for-free";

test("the library leads to the seeded article, shown block by block", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Library" })).toBeVisible();
  // Other tests import copies of the article under their own slugs: pick the seeded one.
  const seeded = page.locator(`.article-list a[href="/articles/${SLUG}"]`);
  await expect(seeded).toHaveText("Do Not Engage the Taliban for Free");
  await seeded.click();
  await expect(page).toHaveURL(`/articles/${SLUG}`);

  const article = page.getByRole("article").first();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(
    "Do Not Engage the Taliban for Free",
  );
  await expect(article.locator(".dek")).toHaveText(/^If the United States continues to engage/);
  await expect(page.getByRole("complementary", { name: "Editor’s note" })).toContainText(
    "How should the Biden administration approach Afghanistan and the Taliban government?",
  );
  await expect(page.getByRole("heading", { level: 2 })).toHaveText([
    "The Political Process",
    "Conditional Engagement",
  ]);

  const paragraphs = article.locator(".article-body .paragraph > p");
  await expect(paragraphs).toHaveCount(14);
  await expect(paragraphs.first()).toHaveText(/^On August 15, 2021, the Taliban returned to power/);
  await expect(paragraphs.last()).toHaveText(
    /^Third, the United States should continue to support/,
  );

  // Reading order: paragraphs 1–8, a heading, 9–10, a heading, 11–14.
  const order = await article
    .locator(".article-body > *")
    .evaluateAll((nodes) => nodes.map((n) => (n.tagName === "H2" ? "h" : n.id)));
  expect(order).toEqual([
    ...Array.from({ length: 8 }, (_, i) => `p-${i + 1}`),
    "h",
    "p-9",
    "p-10",
    "h",
    "p-11",
    "p-12",
    "p-13",
    "p-14",
  ]);
});

test("paragraphs are numbered and addressable by #p-N", async ({ page }) => {
  await page.goto(`/articles/${SLUG}#p-7`);
  const seventh = page.locator("#p-7");
  await expect(seventh).toBeInViewport();
  await expect(seventh.getByRole("link", { name: "Paragraph 7", exact: true })).toHaveAttribute(
    "href",
    "#p-7",
  );
  await expect(seventh).toContainText(
    "The Taliban’s primary goal is to impose their interpretation",
  );
});

test("each Discuss link is named by its visible text first, then by its paragraph", async ({
  page,
}) => {
  const slug = createArticle();
  const author = await createUser();
  addAnnotation({ slug, anchor: "p-3", author, kind: "counterargument", body: "Not so." });
  addAnnotation({ slug, anchor: "p-5", author, kind: "question", body: "Why?" });
  addAnnotation({
    slug,
    anchor: "p-5",
    author,
    kind: "source",
    body: "See this.",
    source: { url: "https://example.org/", title: "A report", stance: "context" },
  });
  await page.goto(`/articles/${slug}`);

  // What a voice-control user sees is what they can say: the name begins with the visible text.
  const links = page.locator(".paragraph-margin a");
  await expect(links).toHaveCount(14);
  for (const link of await links.all()) {
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point, not hidden text.
    const visible = (await link.innerText()).trim();
    expect(visible).not.toBe("");
    const escaped = visible.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await expect(link).toHaveAccessibleName(new RegExp(`^${escaped} .*paragraph \\d+$`));
  }
  await expect(page.getByRole("link", { name: "Discuss paragraph 2", exact: true })).toHaveText(
    "Discuss",
  );
  await expect(
    page.getByRole("link", { name: "1 counterargument on paragraph 3", exact: true }),
  ).toHaveText("1 counterargument");
  await expect(
    page.getByRole("link", { name: "1 question · 1 source on paragraph 5", exact: true }),
  ).toHaveText("1 question · 1 source");
  await expectAccessible(page);

  // The paragraph's panel, open beside it, passes the same scan.
  await page.getByRole("link", { name: "Discuss paragraph 4", exact: true }).click();
  await expect(page.getByRole("region", { name: "Discussion of paragraph 4" })).toBeVisible();
  await expectAccessible(page);
});

test("the skip link moves focus to the content", async ({ page }) => {
  await page.goto(`/articles/${SLUG}`);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});

test("an unknown article gets a real 404 page", async ({ page }) => {
  const response = await page.goto("/articles/no-such-article");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to the library" })).toBeVisible();
  await expect(page).toHaveTitle(/Not found · Marginalia|Page not found · Marginalia/);

  const elsewhere = await page.goto("/no/such/page");
  expect(elsewhere?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
});

test("the reading page is readable on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`/articles/${SLUG}`);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
});

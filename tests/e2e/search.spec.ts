/**
 * Finding annotations: site-wide search (also without script, and with input that looks like FTS5
 * syntax), a person's page, and an article's Atom feed. Each test writes its own article, users and
 * annotations, and searches for words no other test uses.
 */
import { randomBytes } from "node:crypto";
import { createUser, signIn } from "./auth";
import { addAnnotation, createArticle } from "./data";
import { expect, expectAccessible, test } from "./fixtures";

/** A word that occurs nowhere else in the test database (letters only, so FTS5 sees one token). */
function uniqueWord(prefix: string): string {
  const letters = Array.from(randomBytes(6), (b) => String.fromCharCode(97 + (b % 26))).join("");
  return `${prefix}${letters}`;
}

test("search finds a phrase in a counterargument and links to its permalink", async ({ page }) => {
  const slug = createArticle();
  const author = await createUser({ displayName: "Ada Searcher" });
  const word = uniqueWord("zeugma");
  const id = addAnnotation({
    slug,
    author,
    anchor: "p-3",
    kind: "counterargument",
    body: `Recognition would reward the ${word} of the regime, not restrain it.`,
    quote: "no country has recognized the Taliban government",
  });

  await page.goto("/");
  await page
    .getByRole("navigation", { name: "Site" })
    .getByRole("link", { name: "Search" })
    .click();
  await expect(page).toHaveURL(/\/search$/);
  const form = page.getByRole("search", { name: "Annotations" });
  await form
    .getByLabel("Search annotations, quoted passages and source titles")
    .fill(`regime ${word}`);
  await form.getByRole("button", { name: "Search" }).click();

  await expect(page).toHaveURL(new RegExp(`/search\\?q=regime\\+${word}$`));
  await expect(page.getByRole("status")).toHaveText(`1 annotation matches “regime ${word}”.`);
  const result = page.getByRole("listitem").filter({ hasText: word });
  await expect(result).toHaveCount(1);
  await expect(result.locator("mark")).toHaveText([word, "regime"]);
  await expect(result.getByText("Counterargument", { exact: true })).toBeVisible();
  await expect(result).toContainText("Paragraph 3 of Do Not Engage the Taliban for Free");
  await expect(result.locator("blockquote")).toHaveText(
    "no country has recognized the Taliban government",
  );
  const link = result.getByRole("link", { name: "Counterargument by Ada Searcher" });
  await expect(link).toHaveAttribute("href", `/articles/${slug}/annotations/${id}`);
  await expectAccessible(page);

  await link.click();
  await expect(page).toHaveURL(new RegExp(`/articles/${slug}/annotations/${id}$`));
  await expect(page.getByText(word).first()).toBeVisible();
});

test("search never shows another reader's private note, and shows my own", async ({
  page,
  context,
}) => {
  const slug = createArticle();
  const [ada, bob] = [await createUser(), await createUser()];
  const word = uniqueWord("privy");
  addAnnotation({
    slug,
    author: ada,
    anchor: "p-2",
    body: `Ada's private ${word}.`,
    visibility: "private",
  });
  addAnnotation({ slug, author: bob, anchor: "p-2", body: `Bob's public ${word}.` });

  await page.goto(`/search?q=${word}`);
  await expect(page.getByRole("status")).toHaveText(`1 annotation matches “${word}”.`);
  await expect(page.getByText(`Ada's private ${word}`)).toHaveCount(0);

  await signIn(context, ada);
  await page.goto(`/search?q=${word}`);
  await expect(page.getByRole("status")).toHaveText(`2 annotations match “${word}”.`);
  await expect(page.getByRole("listitem").filter({ hasText: "Ada's private" })).toContainText(
    "private note",
  );
});

test("queries that look like search syntax give ordinary pages", async ({ page, request }) => {
  const hostile = [
    '"',
    "*",
    "(",
    "-",
    "NEAR(",
    "a OR",
    "'; drop table annotation; --",
    "body:x",
    "🚀",
  ];
  for (const q of hostile) {
    const response = await page.goto(`/search?q=${encodeURIComponent(q)}`);
    expect(response?.status(), q).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: "Search" })).toBeVisible();
    await expect(page.getByRole("searchbox")).toHaveValue(q);
    await expect(page.getByRole("status")).toBeVisible();
  }
  // The form itself, typed into.
  await page.getByRole("searchbox").fill('"unbalanced (NEAR');
  await page.getByRole("searchbox").press("Enter");
  await expect(page.getByRole("status")).toHaveText(/No annotations match “"unbalanced \(NEAR”\./);
  // Odd paging parameters are clamped, not errors.
  for (const query of ["q=a&page=-3", "q=a&page=abc", "q=a&page=99999999999999999999"]) {
    expect((await request.get(`/search?${query}`)).status(), query).toBe(200);
  }
});

test.describe("without script", () => {
  test.use({ javaScriptEnabled: false });

  test("the search form works as a plain GET form and pages 20 at a time", async ({ page }) => {
    const slug = createArticle();
    const author = await createUser();
    const word = uniqueWord("pager");
    for (let i = 1; i <= 23; i++) {
      addAnnotation({ slug, author, anchor: "p-4", body: `Note ${i} on ${word}.` });
    }
    await page.goto("/search");
    await page.getByRole("searchbox").fill(word);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("status")).toHaveText(
      `23 annotations match “${word}”; showing 1–20.`,
    );
    const results = page.locator(".search-result");
    await expect(results).toHaveCount(20);
    const firstPage = await results.allTextContents();

    const pager = page.getByRole("navigation", { name: "Pages of results" });
    await expect(pager).toContainText("Page 1 of 2");
    await pager.getByRole("link", { name: "Next page" }).click();
    await expect(page.getByRole("status")).toHaveText(
      `23 annotations match “${word}”; showing 21–23.`,
    );
    await expect(results).toHaveCount(3);
    const secondPage = await results.allTextContents();
    // Stable order: together the pages hold each note exactly once.
    const numbers = [...firstPage, ...secondPage].map((t) => Number(/Note (\d+) on/.exec(t)?.[1]));
    expect(new Set(numbers).size).toBe(23);
    await pager.getByRole("link", { name: "Previous page" }).click();
    await expect(results).toHaveCount(20);
  });
});

test("a person's page lists their annotations newest first and hides their private notes from others", async ({
  page,
  context,
  signedIn: _bob,
}) => {
  const slug = createArticle();
  const ada = await createUser({ displayName: "Ada Person" });
  const word = uniqueWord("mine");
  const day = (n: number) => new Date(Date.UTC(2024, 0, n));
  addAnnotation({
    slug,
    author: ada,
    anchor: "p-2",
    body: `Oldest ${word}, with *emphasis*.`,
    createdAt: day(1),
  });
  addAnnotation({
    slug,
    author: ada,
    anchor: "p-3",
    kind: "question",
    body: `Middle ${word}?`,
    quote: "no country has recognized the Taliban government",
    createdAt: day(2),
  });
  addAnnotation({
    slug,
    author: ada,
    anchor: "p-4",
    body: `Secret ${word}.`,
    visibility: "private",
    createdAt: day(3),
  });
  const newest = addAnnotation({
    slug,
    author: ada,
    anchor: "p-5",
    kind: "counterargument",
    body: `Newest ${word}.`,
    createdAt: day(4),
  });

  // Seen by another reader (the test's own account)…
  await page.goto(`/u/${ada.username}`);
  await expect(page.getByRole("heading", { level: 1, name: "Ada Person" })).toBeVisible();
  await expect(page.getByText(`@${ada.username} · 3 annotations`)).toBeVisible();
  const items = page.locator(".activity-item");
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toContainText(`Newest ${word}`);
  await expect(items.nth(0)).toContainText("Counterargument");
  await expect(items.nth(0)).toContainText("On paragraph 5 of Do Not Engage the Taliban for Free");
  await expect(items.nth(1)).toContainText(`Middle ${word}?`);
  await expect(items.nth(1).locator("blockquote")).toHaveText(
    "no country has recognized the Taliban government",
  );
  await expect(items.nth(2).locator("em")).toHaveText("emphasis");
  await expect(page.getByText(`Secret ${word}`)).toHaveCount(0);
  await expect(items.nth(0).getByRole("link", { name: /^Permalink/ })).toHaveAttribute(
    "href",
    `/articles/${slug}/annotations/${newest}`,
  );
  await expect(items.nth(0).getByRole("link", { name: /^Read in context/ })).toHaveAttribute(
    "href",
    `/articles/${slug}/p/p-5#a-${newest}`,
  );

  // Usernames are case-insensitive: another spelling redirects to the stored one.
  await page.goto(`/u/${ada.username.toUpperCase()}`);
  await expect(page).toHaveURL(new RegExp(`/u/${ada.username}$`));

  // Ada sees her own private note, marked as such.
  await context.clearCookies();
  await signIn(context, ada);
  await page.goto(`/u/${ada.username}`);
  await expect(items).toHaveCount(4);
  await expect(items.nth(1)).toContainText(`Secret ${word}`);
  await expect(items.nth(1)).toContainText("private note");
});

test("an unknown person's page is a 404", async ({ page }) => {
  const response = await page.goto(`/u/${uniqueWord("nobody")}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("the article feed is Atom with public annotations only", async ({ request }) => {
  const slug = createArticle();
  const author = await createUser({ displayName: "Feed <Writer>" });
  const word = uniqueWord("feed");
  const shown = addAnnotation({
    slug,
    author,
    anchor: "p-3",
    kind: "counterargument",
    body: `Public ${word} & <b>more</b>.`,
  });
  addAnnotation({ slug, author, anchor: "p-3", body: `Private ${word}.`, visibility: "private" });

  const response = await request.get(`/articles/${slug}/feed.xml`);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toBe("application/atom+xml; charset=utf-8");
  const xml = await response.text();
  expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
  expect(xml).toContain(`Public ${word} &amp;amp; &amp;lt;b&amp;gt;more&amp;lt;/b&amp;gt;.`);
  expect(xml).toContain(
    `<title>Counterargument by Feed &lt;Writer&gt; (@${author.username}) on paragraph 3</title>`,
  );
  expect(xml).toMatch(
    new RegExp(
      `<link rel="alternate" type="text/html" href="http://127\\.0\\.0\\.1:\\d+/articles/${slug}/annotations/${shown}"/>`,
    ),
  );
  expect(xml).not.toContain(`Private ${word}`);

  const missing = await request.get("/articles/no-such-article/feed.xml");
  expect(missing.status()).toBe(404);
});

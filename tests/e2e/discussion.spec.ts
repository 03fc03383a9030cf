import { createUser } from "./auth";
import { addAnnotation, createArticle, endorse } from "./data";
import { expect, test } from "./fixtures";

test("sort and filter change the thread list and the URL", async ({ page }) => {
  const slug = createArticle();
  const ada = await createUser({ displayName: "Ada Early" });
  const bo = await createUser({ displayName: "Bo Later" });
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));
  // Reading order puts paragraph 2 before paragraph 9; newest puts the paragraph 2 thread last.
  addAnnotation({
    slug,
    anchor: "p-9",
    author: ada,
    kind: "question",
    body: "Which process?",
    createdAt: at(5),
  });
  addAnnotation({
    slug,
    anchor: "p-2",
    author: bo,
    body: "Plundered is a strong word.",
    createdAt: at(1),
  });
  const counter = addAnnotation({
    slug,
    anchor: "p-5",
    author: bo,
    kind: "counterargument",
    body: "One strike does not make a strategy.",
    quote: "a huge success",
    createdAt: at(3),
  });
  addAnnotation({
    slug,
    author: ada,
    parentId: counter,
    kind: "source",
    body: "See the report.",
    source: { url: "https://example.org/report", title: "UN monitoring report", stance: "context" },
  });

  await page.goto(`/articles/${slug}/discussion`);
  const roots = page.locator(".listing > ol > .thread > article");
  const locations = page.locator(".thread-location a");
  await expect(page.getByRole("status").first()).toHaveText("3 threads · reading order");
  await expect(locations).toHaveText(["Paragraph 2", "Paragraph 5", "Paragraph 9"]);
  await expect(page.locator(".listing").nth(1).locator(".annotation-quote")).toHaveText(
    "a huge success",
  );

  await page.getByLabel("Sort", { exact: true }).selectOption("newest");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/[?&]sort=newest/);
  await expect(locations).toHaveText(["Paragraph 9", "Paragraph 5", "Paragraph 2"]);

  await page.getByLabel("Sort", { exact: true }).selectOption("replied");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/[?&]sort=replied/);
  await expect(locations.first()).toHaveText("Paragraph 5");

  // A kind filter keeps threads holding that kind anywhere: the source is a reply.
  await page.getByLabel("Kind", { exact: true }).selectOption("source");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/[?&]kind=source/);
  await expect(roots).toHaveCount(1);
  await expect(page.getByText("UN monitoring report")).toBeVisible();

  await page.goto(`/articles/${slug}/discussion?author=${ada.username.toUpperCase()}`);
  await expect(page.getByLabel("Author (username)")).toHaveValue(ada.username.toUpperCase());
  await expect(locations).toHaveText(["Paragraph 5", "Paragraph 9"]);

  await page.goto(`/articles/${slug}/discussion?q=strategy`);
  await expect(locations).toHaveText(["Paragraph 5"]);

  // The view lives in the URL, so a shared link shows the same list; nonsense falls back.
  await page.goto(`/articles/${slug}/discussion?sort=bogus&kind=nope&page=-3&q=%22(*`);
  await expect(page.getByRole("heading", { level: 1, name: "Discussion" })).toBeVisible();
  await expect(page.getByLabel("Sort", { exact: true })).toHaveValue("reading");
});

test("a permalink opens the thread in context with the annotation marked", async ({
  page,
  context,
  signedIn: _reader,
}) => {
  const slug = createArticle();
  const author = await createUser({ displayName: "Cy Critic" });
  const root = addAnnotation({
    slug,
    anchor: "p-10",
    author,
    kind: "counterargument",
    body: "The West has little leverage left.",
    quote: "a new political process",
  });
  const reply = addAnnotation({ slug, author, parentId: root, body: "And the UN even less." });

  await page.goto(`/articles/${slug}/discussion`);
  const replyArticle = page.locator(`#a-${reply}`);
  const link = replyArticle.getByRole("link", { name: "Copy link" });
  await expect(link).toHaveAttribute("href", `/articles/${slug}/annotations/${reply}`);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await link.click();
  await expect(replyArticle.getByRole("status")).toHaveText("Link copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toMatch(
    new RegExp(`^http://127\\.0\\.0\\.1:\\d+/articles/${slug}/annotations/${reply}$`),
  );

  await page.goto(`/articles/${slug}/annotations/${reply}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Thread on paragraph 10");
  await expect(page.locator(".context-paragraph mark")).toHaveText("a new political process");
  const marked = page.locator("article.annotation.is-linked");
  await expect(marked).toHaveCount(1);
  await expect(marked).toHaveAttribute("id", `a-${reply}`);
  await expect(marked).toContainText("And the UN even less.");
  await expect(page.locator(`#a-${root}`)).toContainText("The West has little leverage left.");

  // Replying from the permalink stays on it.
  await marked.getByText("Reply", { exact: true }).click();
  await marked.locator("form").getByLabel("Your reply").fill("Leverage can be built.");
  await marked.locator("form").getByRole("button", { name: "Post reply" }).click();
  await expect(page).toHaveURL(new RegExp(`/articles/${slug}/annotations/${reply}#a-\\d+$`));
  await expect(
    page.locator(".annotation-body", { hasText: "Leverage can be built." }),
  ).toBeVisible();

  expect((await page.goto(`/articles/${slug}/annotations/999999`))?.status()).toBe(404);
  expect((await page.goto(`/articles/${slug}/annotations/abc`))?.status()).toBe(404);
});

test("endorsing toggles, counts everywhere and reorders 'most endorsed'", async ({
  page,
  signedIn: _reader,
}) => {
  const slug = createArticle();
  const writer = await createUser();
  const first = addAnnotation({
    slug,
    anchor: "p-1",
    author: writer,
    body: "First thought.",
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0)),
  });
  const second = addAnnotation({
    slug,
    anchor: "p-2",
    author: writer,
    body: "Second thought.",
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, 1)),
  });
  endorse(await createUser(), first);

  await page.goto(`/articles/${slug}/discussion?sort=endorsed`);
  const bodies = page.locator(".listing .annotation-body");
  await expect(bodies).toHaveText(["First thought.", "Second thought."]);

  const button = page.locator(`#a-${second}`).getByRole("button", { name: /Endorse/ });
  await expect(button).toHaveAttribute("aria-pressed", "false");
  // The button turns at once (optimistic); wait for the server before reloading.
  const endorsed = page.waitForResponse((r) => r.url().includes("/endorse") && r.ok());
  await button.click();
  await expect(button).toHaveAttribute("aria-pressed", "true");
  await endorsed;
  await expect(button).toHaveText("Endorsed · 1");
  await page.reload();
  // Tied at one endorsement each: newest first among equals.
  await expect(bodies).toHaveText(["Second thought.", "First thought."]);

  // The count agrees on the paragraph's own discussion, and the toggle takes it back.
  await page.goto(`/articles/${slug}/p/p-2`);
  const again = page.locator(`#a-${second}`).getByRole("button", { name: /Endorse/ });
  await expect(again).toHaveText("Endorsed · 1");
  const withdrawn = page.waitForResponse((r) => r.url().includes("/endorse") && r.ok());
  await again.click();
  await expect(again).toHaveText("Endorse · 0");
  await withdrawn;
  await page.goto(`/articles/${slug}/discussion?sort=endorsed`);
  await expect(bodies).toHaveText(["First thought.", "Second thought."]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("endorsing works as a plain form and returns to the thread", async ({
    page,
    signedIn: _reader,
  }) => {
    const slug = createArticle();
    const id = addAnnotation({
      slug,
      anchor: "p-3",
      author: await createUser(),
      body: "Worth endorsing.",
    });
    await page.goto(`/articles/${slug}/discussion`);
    await page.locator(`#a-${id}`).getByRole("button", { name: "Endorse · 0" }).click();
    await expect(page).toHaveURL(new RegExp(`/articles/${slug}/discussion#a-${id}$`));
    await expect(
      page.locator(`#a-${id}`).getByRole("button", { name: "Endorsed · 1" }),
    ).toBeVisible();
  });
});

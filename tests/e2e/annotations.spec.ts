import { createUser, signIn } from "./auth";
import { createArticle, queryDb } from "./data";
import { expect, expectAccessible, test } from "./fixtures";
import { selectWithMouse } from "./selection";

const PHRASE = "no country has recognized the Taliban government";

test("select a passage with the mouse and add a counterargument; it survives a reload", async ({
  page,
  signedIn: _reader,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}`);

  const paragraph = page.locator('[data-paragraph="p-3"]');
  await paragraph.scrollIntoViewIfNeeded();
  await selectWithMouse(page, paragraph, PHRASE);
  const toolbar = page.getByRole("toolbar", { name: "Respond to the selected passage" });
  await expect(toolbar).toBeVisible();
  await toolbar.getByRole("button", { name: "Counter" }).click();

  await expect(page).toHaveURL(new RegExp(`/articles/${slug}/p/p-3\\?kind=counterargument`));
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 3" });
  await expect(discussion.getByLabel("Passage (optional)")).toHaveValue(PHRASE);
  await expect(discussion.getByRole("radio", { name: "Counterargument" })).toBeChecked();
  await expectAccessible(page);
  await discussion
    .getByLabel("Your text", { exact: true })
    .fill("Several states engage *de facto*; recognition is not the measure.");
  await discussion.getByRole("button", { name: "Post" }).click();

  const posted = discussion.getByRole("article").filter({ hasText: "Several states engage" });
  await expect(posted).toBeVisible();
  await expect(posted.locator("em")).toHaveText("de facto");
  await expect(posted.locator(".annotation-quote")).toHaveText(PHRASE);

  for (const attempt of ["after posting", "after a reload"]) {
    if (attempt === "after a reload") await page.reload();
    const mark = page.locator("#p-3 mark.highlight-counter");
    await expect(mark, attempt).toHaveText(PHRASE);
    await expect(page.locator("#p-3 .paragraph-counts"), attempt).toHaveText("1 counterargument");
  }
  const rows = queryDb<{ start: number; end: number; prefix: string }>(
    "select position_start as start, position_end as end, quote_prefix as prefix from annotation a join article r on r.id = a.article_id where r.slug = ?",
    slug,
  );
  expect(rows).toEqual([
    { start: 146, end: 146 + PHRASE.length, prefix: " to other countries. Until now, " },
  ]);
});

test("a second reader replies with a source, and the thread nests", async ({
  page,
  signedIn: _author,
  browser,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}/p/p-5`);
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 5" });
  await discussion.getByRole("radio", { name: "Question" }).check();
  await discussion
    .getByLabel("Your text", { exact: true })
    .fill("Was this operation really a success for intelligence?");
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(discussion.getByRole("article")).toHaveCount(1);

  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  const replier = await createUser({ displayName: "Bo Replier" });
  await signIn(otherContext, replier);
  await other.goto(`/articles/${slug}/p/p-5`);
  const question = other.locator("article.annotation").filter({ hasText: "Was this operation" });
  await question.getByText("Reply", { exact: true }).click();
  const replyForm = question.locator("form");
  await replyForm.getByRole("radio", { name: "Source" }).check();
  await replyForm.getByLabel("Your reply").fill("The official statement describes the strike.");
  await replyForm.getByLabel("Web address").fill("https://www.whitehouse.gov/briefing-room/");
  await replyForm.getByLabel("Title").fill("Remarks on a successful counterterrorism operation");
  await replyForm.getByLabel("What it does").selectOption("supports");
  await replyForm.getByRole("button", { name: "Post reply" }).click();

  const reply = other
    .locator(".thread .replies article")
    .filter({ hasText: "The official statement" });
  await expect(reply).toBeVisible();
  await expect(reply.locator(".kind-badge")).toHaveText("Source");
  const link = reply.getByRole("link", {
    name: "Remarks on a successful counterterrorism operation",
  });
  await expect(link).toHaveAttribute("href", "https://www.whitehouse.gov/briefing-room/");
  await expect(link).toHaveAttribute("rel", "noopener noreferrer nofollow ugc");
  await expect(reply).toContainText("Bo Replier");
  // The form the reply came from is closed and empty again: no accidental second post.
  await expect(question.getByLabel("Your reply")).toBeHidden();
  await question.getByText("Reply", { exact: true }).first().click();
  await expect(question.getByLabel("Your reply")).toHaveValue("");
  await otherContext.close();

  await page.reload();
  await expect(page.locator("#p-5 .paragraph-counts")).toHaveText("1 question · 1 source");
  const nested = page.locator(".thread > ol.replies > li > article");
  await expect(nested).toHaveCount(1);
  await expect(nested).toContainText("The official statement describes the strike.");
});

test("a whole annotation can be written with the keyboard alone", async ({
  page,
  signedIn: _reader,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}`);
  const discuss = page.getByRole("link", { name: "Discuss paragraph 2", exact: true });
  await discuss.focus();
  await page.keyboard.press("Enter");
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 2" });
  await expect(discussion).toBeVisible();
  // Focus follows into the panel that opened, so a screen reader announces it.
  await expect(
    discussion.getByRole("heading", { name: "Discussion of paragraph 2" }),
  ).toBeFocused();

  // The form opens by itself on an empty paragraph; move through it with Tab only.
  const kind = discussion.getByRole("radio", { name: "Annotation" });
  await kind.focus();
  await page.keyboard.press("ArrowRight"); // Question
  await page.keyboard.press("Tab");
  await expect(discussion.getByLabel("Passage (optional)")).toBeFocused();
  await page.keyboard.type("plundered women’s rights");
  await page.keyboard.press("Tab");
  await expect(discussion.getByLabel("Your text", { exact: true })).toBeFocused();
  await page.keyboard.type("What does “plundered” mean here?");
  await discussion.getByRole("button", { name: "Post" }).focus();
  await page.keyboard.press("Enter");

  const posted = discussion
    .getByRole("article")
    .filter({ hasText: "What does “plundered” mean here?" });
  await expect(posted.locator(".kind-badge")).toHaveText("Question");
  await expect(page.locator("#p-2 mark")).toHaveText("plundered women’s rights");
});

test("bad input is refused next to its field, keeping what was typed", async ({
  page,
  signedIn: _reader,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}/p/p-1`);
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 1" });

  await discussion.getByRole("radio", { name: "Source" }).check();
  await discussion.getByLabel("Your text", { exact: true }).fill("This source shows it.");
  await discussion.getByLabel("Web address").fill("javascript:alert(document.cookie)");
  await discussion.getByLabel("Title").fill("Harmless-looking title");
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST"),
    discussion.getByRole("button", { name: "Post" }).click(),
  ]);
  expect(response.status()).toBe(400);
  await expect(discussion.locator("#new-url-error")).toHaveText(
    "Use a full web address starting with http:// or https://.",
  );
  await expect(discussion.getByLabel("Web address")).toHaveAttribute("aria-invalid", "true");
  await expect(discussion.getByLabel("Your text", { exact: true })).toHaveValue(
    "This source shows it.",
  );
  await expect(discussion.getByLabel("Title")).toHaveValue("Harmless-looking title");
  await expectAccessible(page);

  await discussion.getByRole("radio", { name: "Annotation" }).check();
  await discussion.getByLabel("Passage (optional)").fill("words that are not in this paragraph");
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(discussion.locator("#new-quote-error")).toContainText("do not occur in paragraph 1");
  await expect(discussion.getByLabel("Passage (optional)")).toHaveValue(
    "words that are not in this paragraph",
  );

  await discussion.getByLabel("Passage (optional)").fill("");
  await discussion.getByLabel("Your text", { exact: true }).fill("   ");
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(discussion.locator("#new-body-error")).toHaveText("Write something first.");

  const stored = queryDb(
    "select a.id from annotation a join article r on r.id = a.article_id where r.slug = ?",
    slug,
  );
  expect(stored).toEqual([]);
});

test("a refused annotation or reply takes focus to the first invalid field and says why", async ({
  page,
  signedIn: _reader,
  browser,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}/p/p-1`);
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 1" });
  const form = discussion.locator("form.new-annotation");

  // A bad web address: focus is on it (not on the page), the refusal is announced, and the next
  // Tab goes on to the field after it.
  await discussion.getByRole("radio", { name: "Source" }).check();
  await discussion.getByLabel("Your text", { exact: true }).fill("This source shows it.");
  await discussion.getByLabel("Web address").fill("javascript:alert(document.cookie)");
  await discussion.getByLabel("Title").fill("A title");
  await discussion.getByRole("button", { name: "Post" }).click();
  const url = discussion.getByLabel("Web address");
  await expect(url).toBeFocused();
  await expect(url).toHaveAccessibleDescription(
    "Use a full web address starting with http:// or https://.",
  );
  await expect(form.getByRole("alert")).toHaveText(
    "Not posted: Use a full web address starting with http:// or https://.",
  );
  await page.keyboard.press("Tab");
  await expect(discussion.getByLabel("Title")).toBeFocused();

  // Errors in two fields: the first of them, in the order of the form, takes focus.
  await discussion.getByLabel("Your text", { exact: true }).fill("   ");
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(form.getByRole("alert")).toHaveText(
    "Not posted: Write something first. Use a full web address starting with http:// or https://.",
  );
  await expect(discussion.getByLabel("Your text", { exact: true })).toBeFocused();
  await expect(url).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  // The passage (a field of the paragraph's own form) is focused the same way.
  await discussion.getByRole("radio", { name: "Annotation" }).check();
  await discussion.getByLabel("Passage (optional)").fill("words that are not in this paragraph");
  await discussion.getByLabel("Your text", { exact: true }).fill("A remark.");
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(form.getByRole("alert")).toContainText("do not occur in paragraph 1");
  await expect(discussion.getByLabel("Passage (optional)")).toBeFocused();

  // A reply, refused for an empty text: focus goes to the reply's own text field.
  const otherContext = await browser.newContext();
  try {
    const author = await createUser();
    const other = await otherContext.newPage();
    await signIn(otherContext, author);
    await other.goto(`/articles/${slug}/p/p-1`);
    const mine = other.getByRole("region", { name: "Discussion of paragraph 1" });
    await mine.getByLabel("Your text", { exact: true }).fill("Something to answer.");
    await mine.getByRole("button", { name: "Post" }).click();
    await expect(mine.getByRole("article")).toHaveCount(1);
  } finally {
    await otherContext.close();
  }
  await page.reload();
  const annotation = discussion.getByRole("article").filter({ hasText: "Something to answer." });
  await annotation.getByText("Reply", { exact: true }).click();
  const replyForm = annotation.locator("form");
  await replyForm.getByLabel("Your reply").fill(" ");
  await replyForm.getByRole("button", { name: "Post reply" }).click();
  await expect(replyForm.getByRole("alert")).toHaveText("Not posted: Write something first.");
  await expect(replyForm.getByLabel("Your reply")).toBeFocused();
  await expect(replyForm.getByLabel("Your reply")).toHaveAccessibleDescription(
    /Write something first\./,
  );
});

test("authors edit and delete their own; a reply keeps a deleted annotation's place", async ({
  page,
  signedIn: _author,
  browser,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}/p/p-6`);
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 6" });
  await discussion.getByLabel("Your text", { exact: true }).fill("First draft of a thought.");
  await discussion.getByRole("button", { name: "Post" }).click();
  const mine = discussion.getByRole("article").filter({ hasText: "First draft" });
  await mine.getByText("Edit", { exact: true }).click();
  await mine.getByLabel("Edit your text").fill("Second, better draft.");
  await mine.getByRole("button", { name: "Save changes" }).click();
  const edited = discussion.getByRole("article").filter({ hasText: "Second, better draft." });
  await expect(edited.locator(".edited")).toHaveText("· edited");

  // Someone answers; deleting the annotation then leaves "[deleted]" above the reply.
  const otherContext = await browser.newContext();
  await signIn(otherContext, await createUser({ displayName: "Rhea Replier" }));
  const other = await otherContext.newPage();
  await other.goto(`/articles/${slug}/p/p-6`);
  const target = other.locator("article.annotation").filter({ hasText: "Second, better draft." });
  await expect(target.getByText("Edit", { exact: true })).toHaveCount(0);
  await expect(target.getByText("Delete", { exact: true })).toHaveCount(0);
  await target.getByText("Reply", { exact: true }).click();
  await target.getByLabel("Your reply").fill("I agree with the second draft.");
  await target.getByRole("button", { name: "Post reply" }).click();
  await expect(
    other.locator(".annotation-body", { hasText: "I agree with the second draft." }),
  ).toBeVisible();
  await otherContext.close();

  await page.reload();
  await edited.getByText("Delete", { exact: true }).click();
  await edited.getByRole("button", { name: "Yes, delete" }).click();
  await expect(discussion.locator(".deleted-body")).toHaveText("[deleted]");
  await expect(discussion.getByText("Second, better draft.")).toHaveCount(0);
  await expect(
    discussion.locator(".annotation-body", { hasText: "I agree with the second draft." }),
  ).toBeVisible();
  await expect(page.locator("#p-6 .paragraph-counts")).toHaveText("1 annotation");

  // One without replies disappears entirely.
  await discussion.getByText("Add to this paragraph").click();
  await discussion.getByLabel("Your text", { exact: true }).fill("A passing remark.");
  await discussion.getByRole("button", { name: "Post" }).click();
  const remark = discussion.getByRole("article").filter({ hasText: "A passing remark." });
  await remark.getByText("Delete", { exact: true }).click();
  await remark.getByRole("button", { name: "Yes, delete" }).click();
  await expect(discussion.getByText("A passing remark.")).toHaveCount(0);
  await expect(discussion.locator(".deleted-body")).toHaveCount(1);
});

test("nobody can edit or delete another's annotation (403), even by forging the form", async ({
  page,
  signedIn: _author,
  browser,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}/p/p-4`);
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 4" });
  await discussion.getByLabel("Your text", { exact: true }).fill("Original words.");
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(discussion.locator(".annotation-body")).toHaveText("Original words.");
  const [{ id }] = queryDb<{ id: number }>(
    "select a.id from annotation a join article r on r.id = a.article_id where r.slug = ?",
    slug,
  ) as [{ id: number }];

  const otherContext = await browser.newContext();
  await signIn(otherContext, await createUser());
  const other = await otherContext.newPage();
  await other.goto(`/articles/${slug}/p/p-4`);
  const origin = new URL(other.url()).origin;
  for (const intent of ["edit", "delete"]) {
    const response = await other.request.post(`/articles/${slug}/p/p-4`, {
      form: { intent, id: String(id), body: "Hijacked words." },
      headers: { Origin: origin },
      maxRedirects: 0,
    });
    expect(response.status(), intent).toBe(403);
  }
  await otherContext.close();
  const rows = queryDb<{ body: string; deleted: number | null }>(
    "select body, deleted_at as deleted from annotation where id = ?",
    id,
  );
  expect(rows).toEqual([{ body: "Original words.", deleted: null }]);
});

test("a private note is invisible to other readers: no text, no highlight, no count", async ({
  page,
  signedIn: _author,
  browser,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}/p/p-8`);
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 8" });
  await discussion.getByLabel("Passage (optional)").fill("Pashtun-led militancy");
  await discussion
    .getByLabel("Your text", { exact: true })
    .fill("Note to self: check the ethnic breakdown.");
  await discussion.getByLabel("Private note — only you will see it").check();
  await discussion.getByRole("button", { name: "Post" }).click();
  const note = discussion.getByRole("article").filter({ hasText: "Note to self" });
  await expect(note.locator(".private-badge")).toHaveText("· private note");
  await expect(page.locator("#p-8 mark")).toHaveText("Pashtun-led militancy");

  const otherContext = await browser.newContext();
  await signIn(otherContext, await createUser());
  const anonymousContext = await browser.newContext();
  for (const [who, view] of [
    ["another reader", await otherContext.newPage()],
    ["an anonymous reader", await anonymousContext.newPage()],
  ] as const) {
    await view.goto(`/articles/${slug}/p/p-8`);
    await expect(
      view.getByRole("region", { name: "Discussion of paragraph 8" }),
      who,
    ).toBeVisible();
    await expect(view.getByText("Note to self"), who).toHaveCount(0);
    await expect(view.locator("#p-8 mark"), who).toHaveCount(0);
    await expect(view.locator("#p-8 .paragraph-counts"), who).toHaveCount(0);
    const html = await view.content();
    expect(html, who).not.toContain("Note to self");
  }
  await otherContext.close();
  await anonymousContext.close();
});

test("an oversized form is refused before anything reads it", async ({ request, baseURL }) => {
  const response = await request.post("/login", {
    form: { username: "someone", password: "x".repeat(300_000) },
    headers: { Origin: new URL(baseURL ?? "").origin },
  });
  expect(response.status()).toBe(413);
});

test("a word longer than the panel wraps inside it, on a desk and on a phone", async ({
  page,
  signedIn: _writer,
}) => {
  const slug = createArticle();
  await page.goto(`/articles/${slug}/p/p-2`);
  const discussion = page.getByRole("region", { name: "Discussion of paragraph 2" });
  await discussion.getByLabel("Your text", { exact: true }).fill("y".repeat(3000));
  await discussion.getByRole("button", { name: "Post" }).click();
  await expect(discussion.locator(".annotation-body").first()).toContainText("yyyy");
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(viewport);
    await page.reload();
    // Not one pixel wider than the window: the page never scrolls sideways.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `at ${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a paragraph's Discuss link opens its discussion at that paragraph, not at the top", async ({
    page,
  }) => {
    const slug = createArticle();
    await page.goto(`/articles/${slug}`);
    await page.locator("#p-7 a.discuss").click();
    await expect(page).toHaveURL(new RegExp(`/articles/${slug}/p/p-7#p-7$`));
    await expect(page.getByRole("region", { name: "Discussion of paragraph 7" })).toBeVisible();
    const top = await page.locator("#p-7").evaluate((el) => el.getBoundingClientRect().top);
    expect(Math.abs(top)).toBeLessThan(50);
  });

  test("an annotation on a quoted passage is written with plain HTML forms", async ({
    page,
    context,
  }) => {
    const slug = createArticle();
    const anonymous = await page.goto(`/articles/${slug}/p/p-9`);
    expect(anonymous?.status()).toBe(200);
    await page.locator(".sign-in-prompt").getByRole("link", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/login\?redirectTo=/);

    await signIn(context, await createUser());
    await page.goto(`/articles/${slug}/p/p-9`);
    const discussion = page.getByRole("region", { name: "Discussion of paragraph 9" });
    await discussion.getByRole("radio", { name: "Counterargument" }).check();
    await discussion.getByLabel("Passage (optional)").fill("through the use of force");
    await discussion
      .getByLabel("Your text", { exact: true })
      .fill("Force was also how its predecessor held power.");
    await discussion.getByRole("button", { name: "Post" }).click();
    await expect(page).toHaveURL(new RegExp(`/articles/${slug}/p/p-9`));
    await expect(page.locator("#p-9 mark.highlight-counter")).toHaveText(
      "through the use of force",
    );
    await expect(page.locator("#p-9 .paragraph-counts")).toHaveText("1 counterargument");

    // A validation error comes back as a page with the message and the text kept.
    await discussion.getByText("Add to this paragraph").click();
    await discussion.getByLabel("Passage (optional)").fill("words from elsewhere");
    await discussion.getByLabel("Your text", { exact: true }).fill("Kept after the error.");
    await discussion.getByRole("button", { name: "Post" }).click();
    await expect(discussion.locator("#new-quote-error")).toContainText(
      "do not occur in paragraph 9",
    );
    await expect(discussion.getByLabel("Your text", { exact: true })).toHaveValue(
      "Kept after the error.",
    );
    // The page the refusal returns puts focus where the problem is: the passage field is not one
    // the shared components render, so on the message that names it, just above the fields.
    const alert = discussion.locator("form.new-annotation").getByRole("alert");
    await expect(alert).toContainText("do not occur in paragraph 9");
    await expect(alert).toBeFocused();

    // An empty text: focus is on the text field itself.
    await discussion.getByLabel("Passage (optional)").fill("");
    await discussion.getByLabel("Your text", { exact: true }).fill("  ");
    await discussion.getByRole("button", { name: "Post" }).click();
    await expect(discussion.locator("#new-body-error")).toHaveText("Write something first.");
    await expect(discussion.getByLabel("Your text", { exact: true })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(discussion.getByLabel("Public — everyone can read it")).toBeFocused();
  });
});

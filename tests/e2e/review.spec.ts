/**
 * Symposium peer review end to end: an editor builds a collection and a review panel; two
 * reviewers comment blind; the author resolves one comment and uploads a revision that rewrites a
 * commented sentence and deletes another; the first comment shows "text changed" with its old
 * quote, the second is listed as orphaned; the editor compares the revisions and downloads the
 * review summary. Then the author's part again with JavaScript switched off.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "@playwright/test";
import { createUser, signIn, type TestUser } from "./auth";
import { addAnnotation, queryDb } from "./data";
import { expect, expectAccessible, test } from "./fixtures";

const SEED = readFileSync(
  new URL("../../db/seed/do-not-engage-the-taliban-for-free.txt", import.meta.url),
  "utf8",
);
const REVISION = readFileSync(
  new URL("../data/do-not-engage-the-taliban-for-free.rev2.txt", import.meta.url),
  "utf8",
);
const TITLE = "Do Not Engage the Taliban for Free";
/** Revision 2 inserts "nearly" inside this quote: found approximately, so "changed". */
const EDITED_QUOTE = "returned to power after two decades of fighting";
/** Revision 2 rewrites this sentence away: orphaned. */
const DELETED_QUOTE = "This lack of validation has left two strong messages in its wake.";

/**
 * Threads written straight into the database are dated long ago, so that they never push another
 * test's public annotations out of the library's "recent discussion".
 */
const LONG_AGO = new Date(Date.UTC(2001, 0, 1));

/** The seed (or its revision) under a title of the test's own, as a file to upload. */
function articleFile(text: string, title: string): string {
  const dir = join(tmpdir(), "marginalia-e2e");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${randomBytes(5).toString("hex")}.txt`);
  writeFileSync(path, text.replaceAll(TITLE, title));
  return path;
}

/** Errors the extra pages (other people's browsers) met; each test asserts there were none. */
const pageErrors: string[] = [];

async function pageFor(browser: Browser, user: TestUser, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled });
  await signIn(context, user);
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${user.displayName}: ${e.message}`));
  page.on("console", (m) => {
    // A refused form answers 4xx on purpose; the browser logs that as a failed resource.
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) {
      pageErrors.push(`${user.displayName}: ${m.text()}`);
    }
  });
  return page;
}

test.afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

function articleIdOf(slug: string): number {
  const id = queryDb<{ id: number }>("select id from article where slug = ?", slug)[0]?.id;
  if (id === undefined) throw new Error(`no article ${slug}`);
  return id;
}

/** A reviewer's comment through the paragraph panel's form, on a quoted passage. */
async function comment(page: Page, slug: string, anchor: string, quote: string, body: string) {
  await page.goto(`/articles/${slug}/p/${anchor}`);
  const form = page.locator("form.new-annotation");
  if (!(await form.isVisible())) await page.getByText("Add to this paragraph").click();
  await page.getByLabel("Passage (optional)").fill(quote);
  await page.getByLabel("Your text", { exact: true }).fill(body);
  await page.getByRole("button", { name: "Post", exact: true }).click();
  await expect(page.locator(".annotation").filter({ hasText: body })).toBeVisible();
}

test("an editor's panel reviews blind; the author resolves, revises, and nothing is lost", async ({
  page,
  browser,
  signedIn: _editor,
}) => {
  test.slow();
  const tag = randomBytes(3).toString("hex");
  const title = `${TITLE} (${tag})`;
  const [author, ana, ben] = await Promise.all([
    createUser({ displayName: "Ahmad Author" }),
    createUser({ displayName: "Ana Reviewer" }),
    createUser({ displayName: "Ben Reviewer" }),
  ]);

  // The editor's collection, with the response uploaded and linked to its author's account.
  await page.goto("/collections");
  await page.getByLabel("Title").fill(`Afghanistan, one year on ${tag}`);
  await page
    .getByLabel("The question you put to the writers")
    .fill("How should the Biden administration approach Afghanistan and the Taliban government?");
  await page.getByRole("button", { name: /create/i }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(tag);
  const collectionUrl = new URL(page.url()).pathname;
  await page.getByText("Upload a new response").click();
  await page.getByLabel("The response's file").setInputFiles(articleFile(SEED, title));
  await page.getByLabel("Byline").fill("Ahmad Samim");
  await page.getByLabel("Author's username (optional)").fill(author.username);
  await page.getByRole("button", { name: "Upload and add" }).click();
  const response = page.getByRole("link", { name: title, exact: true });
  await expect(response).toBeVisible();
  const slug =
    new URL((await response.getAttribute("href")) ?? "", "http://x").pathname.split("/")[2] ?? "";
  expect(
    queryDb("select 1 from article where slug = ? and author_id = ?", slug, author.id),
  ).toHaveLength(1);
  await expectAccessible(page);

  // The editor's review panel, with the response under review, blind until posted.
  await page.goto("/groups");
  await page.getByLabel(/^Review panel/).check();
  await page.getByLabel("Name").fill(`Panel ${tag}`);
  await page.getByRole("button", { name: "Create the review panel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Panel ${tag}` })).toBeVisible();
  const panelId = Number(new URL(page.url()).pathname.split("/").pop());
  await page.getByText("Put a response under review").click();
  await page.getByLabel("Response", { exact: true }).selectOption(String(articleIdOf(slug)));
  await page.getByLabel(/Blind until posted/).check();
  await page.getByRole("button", { name: "Put under review" }).click();
  await expect(page).toHaveURL(/\/assignments\/\d+$/);
  await page.goto(`/groups/${panelId}`);
  const joinPath = new URL((await page.locator(".join-url").textContent()) ?? "").pathname;

  // Two reviewers join; each writes to the panel by default, and neither sees the other first.
  const anaPage = await pageFor(browser, ana);
  const benPage = await pageFor(browser, ben);
  for (const reviewer of [anaPage, benPage]) {
    await reviewer.goto(joinPath);
    await reviewer.getByRole("button", { name: /^Join/ }).click();
    await expect(reviewer).toHaveURL(new RegExp(`/groups/${panelId}$`));
  }
  await anaPage.goto(`/articles/${slug}/p/p-1`);
  await anaPage.getByText("Add to this paragraph").click();
  await expect(anaPage.getByLabel(`Panel ${tag} — its members only`)).toBeChecked();
  await comment(
    anaPage,
    slug,
    "p-1",
    EDITED_QUOTE,
    "Is two decades precise? Say when the war began.",
  );
  await benPage.goto(`/articles/${slug}/p/p-1`);
  await expect(benPage.getByText("Is two decades precise?")).toHaveCount(0);
  await comment(benPage, slug, "p-3", DELETED_QUOTE, "Which two messages? This needs a source.");
  await benPage.goto(`/articles/${slug}/p/p-1`);
  await expect(benPage.getByText("Is two decades precise?")).toBeVisible();
  // Outsiders (anonymous readers here) see neither.
  const anonymous = await browser.newPage();
  await anonymous.goto(`/articles/${slug}/p/p-1`);
  await expect(anonymous.getByText("Is two decades precise?")).toHaveCount(0);
  await anonymous.close();

  // The author reads the panel, resolves Ana's thread, and uploads a revision.
  const authorPage = await pageFor(browser, author);
  await authorPage.goto(`/articles/${slug}/p/p-1`);
  const anaThread = authorPage.locator(".thread").filter({ hasText: "Is two decades precise?" });
  await anaThread.getByRole("button", { name: "Resolve thread" }).click();
  await expect(anaThread.getByText(/Resolved by Ahmad Author/)).toBeVisible();
  await expect(authorPage.getByRole("link", { name: "Open (0)" })).toBeVisible();
  await authorPage.goto(`/articles/${slug}/revisions`);
  await authorPage
    .getByLabel("The revised article (.txt or .md, at most 1 MB)")
    .setInputFiles(articleFile(REVISION, title));
  await authorPage
    .getByLabel("What changed (optional)")
    .fill("Tightened; cut the validation aside.");
  await authorPage.getByRole("button", { name: "Upload the revision" }).click();
  await expect(authorPage.getByText("Revision 2 is now the article’s text.")).toBeVisible();
  await expect(authorPage.getByText(/1 on changed text, 1 orphaned/)).toBeVisible();

  await authorPage.goto(`/articles/${slug}/p/p-1`);
  const changed = authorPage.locator(".thread").filter({ hasText: "Is two decades precise?" });
  await expect(changed.getByText("Text changed since this comment.")).toBeVisible();
  await expect(changed.locator(".origin-quote del")).toHaveText(EDITED_QUOTE);
  await expect(changed.locator(".annotation-quote").first()).toContainText("nearly two decades");
  await changed.getByRole("link", { name: /Read revision 1/ }).click();
  await expect(authorPage.getByText(/Revision 1 of 2/)).toBeVisible();
  await authorPage.goto(`/articles/${slug}`);
  const orphans = authorPage.locator("#orphaned");
  await expect(orphans.getByRole("heading", { name: "Orphaned comments (1)" })).toBeVisible();
  await expect(orphans).toContainText(DELETED_QUOTE);
  await expectAccessible(authorPage);

  // The editor compares the revisions and takes the summary away.
  await page.goto(`/articles/${slug}/compare?from=1&to=2`);
  const p1 = page
    .locator(".compare-list > li")
    .filter({ has: page.getByRole("heading", { name: /^Paragraph 1 — Changed/ }) });
  await expect(p1.locator("ins")).toContainText(["nearly"]);
  await expect(p1.getByText(/resolved/)).toBeVisible();
  await expect(page.getByText(/open\b.*orphaned/)).toBeVisible();
  await expectAccessible(page);
  await page.goto(`/articles/${slug}/review`);
  await expect(page.getByText("Revision 2: 1 open, 1 resolved.")).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download as Markdown" }).click();
  const file = await (await download).path();
  const markdown = readFileSync(file, "utf8");
  expect(markdown).toContain("## Orphaned comments");
  expect(markdown).toContain("Which two messages? This needs a source.");
  expect(markdown).toContain("### Resolved (1)");
  expect(markdown).toContain("Is two decades precise?");
  await page.goto(collectionUrl);
  await expect(page.getByText("2 review threads, 1 open")).toBeVisible();
});

test("without JavaScript, an author resolves, reopens, revises, and reads the comparison", async ({
  browser,
}) => {
  const tag = randomBytes(3).toString("hex");
  const title = `${TITLE} (${tag})`;
  const [editor, author, reviewer] = await Promise.all([
    createUser({ displayName: "Eda Editor" }),
    createUser({ displayName: "Aziz Author" }),
    createUser({ displayName: "Rae Reviewer" }),
  ]);
  // The response as an editor would have added it; the threads as a reviewer would have written them.
  const editorPage = await pageFor(browser, editor, false);
  const collection = `/collections`;
  await editorPage.goto(collection);
  await editorPage.getByLabel("Title").fill(`No-script symposium ${tag}`);
  await editorPage.getByLabel("The question you put to the writers").fill("What now?");
  await editorPage.getByRole("button", { name: /create/i }).click();
  await editorPage.getByText("Upload a new response").click();
  await editorPage.getByLabel("The response's file").setInputFiles(articleFile(SEED, title));
  await editorPage.getByLabel("Byline").fill("Aziz");
  await editorPage.getByLabel("Author's username (optional)").fill(author.username);
  await editorPage.getByRole("button", { name: "Upload and add" }).click();
  const link = editorPage.getByRole("link", { name: title, exact: true });
  const slug =
    new URL((await link.getAttribute("href")) ?? "", "http://x").pathname.split("/")[2] ?? "";
  const kept = addAnnotation({
    slug,
    anchor: "p-1",
    author: reviewer,
    body: "Kept, then changed.",
    quote: EDITED_QUOTE,
    createdAt: LONG_AGO,
  });
  addAnnotation({
    slug,
    anchor: "p-3",
    author: reviewer,
    body: "About to be orphaned.",
    quote: DELETED_QUOTE,
    createdAt: LONG_AGO,
  });

  const page = await pageFor(browser, author, false);
  await page.goto(`/articles/${slug}/p/p-1`);
  const thread = page.locator(`#a-${kept}`);
  await thread.getByRole("button", { name: "Resolve thread" }).click();
  await expect(page.locator(`#a-${kept}`).getByText(/Resolved by Aziz Author/)).toBeVisible();
  await page.getByRole("link", { name: "Resolved (1)" }).click();
  await expect(page.locator(`#a-${kept}`)).toBeVisible();
  await page.getByRole("link", { name: "Open (0)" }).click();
  await expect(page.getByText("No open threads on this paragraph.")).toBeVisible();
  await page.goto(`/articles/${slug}/p/p-1`);
  await page.locator(`#a-${kept}`).getByRole("button", { name: "Reopen thread" }).click();
  await expect(page.locator(`#a-${kept}`).getByText(/Resolved by/)).toHaveCount(0);

  // A refused upload keeps the note typed; then the real one.
  await page.goto(`/articles/${slug}/revisions`);
  await page.getByLabel("What changed (optional)").fill("Second draft.");
  await page.getByRole("button", { name: "Upload the revision" }).click();
  await expect(
    page.getByText("Choose the revised article's file, or paste its text below."),
  ).toBeVisible();
  await expect(page.getByLabel("What changed (optional)")).toHaveValue("Second draft.");
  await page
    .getByLabel("The revised article (.txt or .md, at most 1 MB)")
    .setInputFiles(articleFile(REVISION, title));
  await page.getByRole("button", { name: "Upload the revision" }).click();
  await expect(page.getByText("Revision 2 is now the article’s text.")).toBeVisible();
  await page.goto(`/articles/${slug}`);
  await expect(page.locator("#orphaned")).toContainText(DELETED_QUOTE);
  await page.goto(`/articles/${slug}/discussion?status=open`);
  await expect(page.getByText(/2 threads match/)).toBeVisible();
  await expect(page.getByRole("link", { name: /Orphaned \(was paragraph 3\)/ })).toBeVisible();
  await page.goto(`/articles/${slug}/compare`);
  await expect(page.getByRole("heading", { name: /^Paragraph 1 — Changed/ })).toBeVisible();
  await expect(page.locator("del").first()).toBeVisible();
  // A reviewer who is not the author or an editor is offered no upload.
  const other = await pageFor(browser, reviewer, false);
  await other.goto(`/articles/${slug}/revisions`);
  await expect(other.getByRole("heading", { name: "Upload a revision" })).toHaveCount(0);
});

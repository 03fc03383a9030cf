/**
 * Classroom discussion end to end: an instructor starts a class and assigns an article; students
 * join through the link as newcomers; a classmate's annotation arrives live; an outsider meets none
 * of the class's words on any page; the instructor's counts and CSV match what was posted; a flag
 * leads to a hide that others see as hidden.
 */
import type { Browser, Page } from "@playwright/test";
import { createUser, signIn } from "./auth";
import { createArticle, queryDb } from "./data";
import { expect, expectAccessible, test } from "./fixtures";

const PASSWORD = "correct horse battery staple";

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

/** An instructor's class with one assignment of `slug`; returns the class page and join link. */
async function startClass(
  page: Page,
  slug: string,
  options: { postBeforeSee?: boolean; anonymous?: boolean } = {},
) {
  await page.goto("/groups");
  await page.getByLabel("Name").fill("Civics, period 3");
  await page.getByLabel("Description (optional)").fill("Tuesday seminar.");
  await page.getByRole("button", { name: "Create the class" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Civics, period 3" })).toBeVisible();
  const groupUrl = new URL(page.url()).pathname;
  const groupId = Number(groupUrl.split("/").pop());
  const articleId = queryDb<{ id: number }>("select id from article where slug = ?", slug)[0]?.id;
  await page.getByText("Assign an article").click();
  await page.getByLabel("Article").selectOption(String(articleId));
  await page.getByLabel("Instructions").fill("Respond to two paragraphs; counter one claim.");
  await page.getByLabel("Date").fill("2030-12-04");
  await page.getByLabel("Time (24-hour; 23:59 if empty)").fill("17:00");
  await page.getByLabel("Time zone").fill("Europe/London");
  if (options.postBeforeSee) await page.getByLabel(/Post before you see/).check();
  if (options.anonymous) await page.getByLabel(/Anonymous to peers/).check();
  await page.getByRole("button", { name: "Assign" }).click();
  await expect(page).toHaveURL(/\/assignments\/\d+$/);
  const assignmentUrl = new URL(page.url()).pathname;
  await page.goto(groupUrl);
  const joinUrl = (await page.locator(".join-url").textContent()) ?? "";
  expect(joinUrl).toMatch(/\/join\/[A-Z2-9]{8}$/);
  return { groupId, groupUrl, assignmentUrl, joinUrl: new URL(joinUrl).pathname };
}

/** A newcomer follows the join link, signs up, and lands in the class. */
async function joinAsNewcomer(page: Page, joinPath: string, name: string) {
  await page.goto(joinPath);
  await expect(page.getByRole("heading", { name: /^Join / })).toBeVisible();
  await page.getByLabel("Username").fill(`${name.toLowerCase()}${Date.now().toString(36)}`);
  await page.getByLabel("Display name").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/groups\/\d+$/);
  await expect(
    page.getByRole("heading", { level: 1, name: "Civics, period 3", exact: true }),
  ).toBeVisible();
}

async function post(page: Page, path: string, text: string) {
  await page.goto(path);
  // The form starts closed on a paragraph that already has threads.
  const form = page.locator("details.new-annotation-details");
  if ((await form.getAttribute("open")) === null) await form.locator("summary").click();
  await page.getByLabel("Your text", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Post" }).click();
  await expect(page.locator(".threads").getByText(text, { exact: true }).first()).toBeVisible();
}

test("an instructor's class: join by link, post before you see, anonymity, live updates, and an outsider who sees nothing", async ({
  page,
  signedIn: _instructor,
  browser,
}) => {
  const slug = createArticle();
  const { groupId, joinUrl, assignmentUrl } = await startClass(page, slug, {
    postBeforeSee: true,
    anonymous: true,
  });
  const layer = `?layer=group-${groupId}`;

  const ada = await newPage(browser);
  await joinAsNewcomer(ada, joinUrl, "Ada");
  await expectAccessible(ada);
  // Her library lists the assignment first, with what is due.
  await ada.goto("/");
  await expect(ada.getByRole("heading", { name: "Your assignments" })).toBeVisible();
  await expect(
    ada.getByText(/due Wednesday 4 December 2030 at 17:00 \(Europe\/London time\)/),
  ).toBeVisible();
  // Writing inside the class's layer defaults to the class.
  await ada.goto(`/articles/${slug}/p/p-2${layer}`);
  await expect(ada.getByLabel("Civics, period 3 — its members only")).toBeChecked();
  await post(ada, `/articles/${slug}/p/p-2${layer}`, "Ada's reading of paragraph two.");
  await expectAccessible(ada);

  const bo = await newPage(browser);
  await joinAsNewcomer(bo, joinUrl, "Bo");
  // Post before you see: nothing of Ada's until Bo has posted.
  await bo.goto(`/articles/${slug}/p/p-2${layer}`);
  await expect(bo.getByText("Ada's reading of paragraph two.")).toHaveCount(0);
  await post(bo, `/articles/${slug}/p/p-3${layer}`, "Bo's own first thought.");
  await bo.goto(`/articles/${slug}/p/p-2${layer}`);
  await expect(bo.getByText("Ada's reading of paragraph two.")).toBeVisible();
  // Anonymous to peers: Ada is "Student 1" to Bo, and her name is nowhere on his page.
  await expect(bo.locator(".threads").getByText("Student 1")).toBeVisible();
  await expect(bo.getByText("Ada", { exact: true })).toHaveCount(0);

  // Live: Bo keeps the reading page open; Ada posts; a bar offers it without moving the text.
  await bo.goto(`/articles/${slug}${layer}`);
  await expect(bo.locator("#p-5 .discuss")).toHaveText("Discuss");
  await bo.waitForTimeout(1200); // the stream is open before Ada writes
  await post(ada, `/articles/${slug}/p/p-5${layer}`, "A live annotation on paragraph five.");
  const bar = bo.getByRole("status").filter({ hasText: "1 new annotation" });
  await expect(bar).toBeVisible({ timeout: 10_000 });
  await expect(bo.locator("#p-5 .discuss")).toHaveText("Discuss");
  await bar.getByRole("button", { name: "Show" }).click();
  await expect(bo.locator("#p-5 .discuss")).not.toHaveText("Discuss");

  // The instructor sees names, and the counts match what was posted.
  await page.goto(`/articles/${slug}/p/p-2${layer}`);
  await expect(page.locator(".threads").getByText("Ada", { exact: true })).toBeVisible();
  await page.goto(assignmentUrl);
  const adaRow = page.getByRole("row").filter({ hasText: "Ada" });
  await expect(adaRow).toBeVisible();
  const [adaCount] = queryDb<{ n: number }>(
    "select count(*) as n from annotation a join user u on u.id = a.author_id where u.display_name = 'Ada' and a.group_id = ? and a.deleted_at is null",
    groupId,
  );
  expect(adaCount?.n).toBe(2);

  // An outsider, signed in, and an anonymous reader: none of the class's words anywhere.
  const outsider = await newPage(browser);
  const stranger = await createUser();
  await signIn(outsider.context(), stranger);
  const anonymous = await newPage(browser);
  const adaNote = queryDb<{ id: number }>(
    "select id from annotation where body = ?",
    "Ada's reading of paragraph two.",
  )[0]?.id;
  const adaName = queryDb<{ username: string }>(
    "select username from user where display_name = 'Ada' order by created_at desc limit 1",
  )[0]?.username;
  for (const reader of [outsider, anonymous]) {
    const paths = [
      `/articles/${slug}/p/p-2${layer}`,
      `/articles/${slug}/discussion`,
      `/search?q=reading+paragraph`,
      `/u/${adaName}`,
    ];
    // The signed-in outsider also tries the pages an anonymous reader shares with everyone.
    if (reader === outsider)
      paths.push(`/articles/${slug}${layer}`, `/articles/${slug}/p/p-2`, "/");
    for (const path of paths) {
      await reader.goto(path);
      await expect(reader.getByText("Ada's reading of paragraph two."), path).toHaveCount(0);
      await expect(reader.getByText("A live annotation on paragraph five."), path).toHaveCount(0);
    }
    const permalink = await reader.goto(`/articles/${slug}/annotations/${adaNote}`);
    expect(permalink?.status()).toBe(404);
    const feed = await reader.request.get(`/articles/${slug}/feed.xml`);
    expect(await feed.text()).not.toContain("Ada's reading");
    // The same pages' data as client navigation fetches it (single fetch: `<path>.data`).
    for (const path of [`/articles/${slug}/p/p-2.data`, `/articles/${slug}/discussion.data`]) {
      const data = await reader.request.get(path);
      expect(data.status(), path).toBe(200);
      expect(await data.text(), path).not.toContain("Ada's reading");
    }
    const group = await reader.goto(`/groups/${groupId}`);
    expect(group?.status()).toBe(reader === anonymous ? 200 : 404); // anonymous: the sign-in page
  }
  await outsider.goto(`/articles/${slug}`);
  await expect(outsider.locator("#p-2 .discuss")).toHaveText("Discuss");
  for (const p of [ada, bo, outsider, anonymous]) {
    expect((p as Page & { errors: string[] }).errors).toEqual([]);
  }
});

test("the instructor's CSV neutralises a formula and agrees with the table", async ({
  page,
  signedIn: _instructor,
  browser,
}) => {
  const slug = createArticle();
  const { groupId, joinUrl, assignmentUrl } = await startClass(page, slug);
  const student = await newPage(browser);
  await joinAsNewcomer(student, joinUrl, "Cy");
  await post(
    student,
    `/articles/${slug}/p/p-1?layer=group-${groupId}`,
    '=HYPERLINK("http://evil.example","click")',
  );
  await post(student, `/articles/${slug}/p/p-4?layer=group-${groupId}`, "Second thought on four.");
  await page.goto(assignmentUrl);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: /CSV/ }).click();
  const file = await download;
  const csv = await (await file.createReadStream())?.toArray();
  const text = Buffer.concat((csv ?? []) as Buffer[]).toString("utf8");
  expect(text).toContain("\r\n");
  const cyLine = text.split("\r\n").find((line) => line.includes("Cy"));
  expect(cyLine).toBeTruthy();
  // Nothing in the file starts a cell with a formula character.
  for (const cell of text.split(/[,\r\n]/)) expect(cell).not.toMatch(/^"?[=+@\t\r]/);
  expect(text).not.toContain('=HYPERLINK("http');
});

test("a flag leads to a hide that classmates see as hidden and the author sees marked", async ({
  page,
  signedIn: _instructor,
  browser,
}) => {
  const slug = createArticle();
  const { groupId, joinUrl } = await startClass(page, slug);
  const layer = `?layer=group-${groupId}`;
  const author = await newPage(browser);
  await joinAsNewcomer(author, joinUrl, "Dee");
  await post(author, `/articles/${slug}/p/p-2${layer}`, "Something uncivil here.");
  const peer = await newPage(browser);
  await joinAsNewcomer(peer, joinUrl, "Eli");
  await peer.goto(`/articles/${slug}/p/p-2${layer}`);
  await peer.getByText("Flag", { exact: true }).click();
  await peer.getByLabel("What is wrong with it?").fill("Personal attack on a classmate.");
  await peer.getByRole("button", { name: "Send flag" }).click();
  await expect(peer.getByText("Flag", { exact: true })).toBeVisible();

  await page.goto(`/groups/${groupId}/moderation`);
  await expect(page.getByText("Personal attack on a classmate.").first()).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Why hide it?").first().fill("Breaks the class's norms.");
  await page.getByRole("button", { name: "Hide", exact: true }).first().click();
  await expect(page.getByText("Breaks the class's norms.").first()).toBeVisible(); // in the log

  await peer.goto(`/articles/${slug}/p/p-2${layer}`);
  await expect(peer.getByText("Hidden by a moderator.")).toBeVisible();
  await expect(peer.getByText("Something uncivil here.")).toHaveCount(0);
  await author.goto(`/articles/${slug}/p/p-2${layer}`);
  await expect(author.getByText("Something uncivil here.")).toBeVisible();
  await expect(author.getByText(/Hidden by a moderator/)).toBeVisible();
});

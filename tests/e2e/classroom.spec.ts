/**
 * Classroom discussion end to end: an instructor starts a class and assigns an article; students
 * join through the link as newcomers; a classmate's annotation arrives live; an outsider meets none
 * of the class's words on its pages; the instructor's counts and CSV match what was posted; a flag
 * leads to a hide that others see as hidden.
 *
 * The first test makes its class through the forms and a student joins through the link; the
 * others, whose subject comes after that, make theirs through the models (data.ts, createClass).
 * Which pages an outsider may see a class's words on is settled page by page, for every viewer, in
 * tests/unit/visibility.test.ts (through the loaders, which are also what `.data` returns); here a
 * signed-in outsider and an anonymous reader try the class's pages in a real browser.
 */
import type { Browser, Page } from "@playwright/test";
import { createUser, signIn } from "./auth";
import { addAnnotation, createArticle, createClass, joinClass, queryDb } from "./data";
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

test("an instructor's class: join by link, post before you see, anonymity, live updates, and the counts", async ({
  page,
  signedIn: _instructor,
  browser,
}) => {
  test.slow(); // three browsers, a class made through its forms, and a live stream
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

  // Bo is already a member (joining through the link is Ada's part above).
  const bo = await newPage(browser);
  const boUser = await createUser({ displayName: "Bo" });
  await signIn(bo.context(), boUser);
  const joinCode = joinUrl.split("/").pop() ?? "";
  joinClass(boUser, joinCode);
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
  // The stream's answer carries the position it counts from: whatever Ada writes after it arrives.
  const stream = bo.waitForResponse((r) => new URL(r.url()).pathname.endsWith("/events"));
  await bo.goto(`/articles/${slug}${layer}`);
  await expect(bo.locator("#p-5 .discuss")).toHaveText("Discuss");
  expect((await stream).status()).toBe(200);
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

  for (const p of [ada, bo]) {
    expect((p as Page & { errors: string[] }).errors).toEqual([]);
  }
});

test("an outsider and an anonymous reader meet none of a class's words on its pages", async ({
  browser,
}) => {
  // Every page, for every viewer, is in tests/unit/visibility.test.ts (through the loaders, which
  // are also what `.data` returns); here the class's own pages, in a browser, and the anonymous
  // reading page, which is the stored one (page-cache.spec.ts) served ahead of the loaders.
  const slug = createArticle();
  const [owner, ada] = [await createUser(), await createUser({ displayName: "Ada" })];
  const { groupId } = createClass({
    owner,
    members: [ada],
    slug,
    assignment: { postBeforeSee: "on", anonymous: "on" },
  });
  const layer = `?layer=group-${groupId}`;
  const words = ["Ada's reading of paragraph two.", "A live annotation on paragraph five."];
  const adaNote = addAnnotation({
    slug,
    anchor: "p-2",
    author: ada,
    groupId,
    body: words[0] ?? "",
  });
  addAnnotation({ slug, anchor: "p-5", author: ada, groupId, body: words[1] ?? "" });

  const outsider = await newPage(browser);
  await signIn(outsider.context(), await createUser());
  const anonymous = await newPage(browser);
  for (const reader of [outsider, anonymous]) {
    const paths =
      reader === outsider
        ? [`/articles/${slug}/p/p-2${layer}`, `/articles/${slug}${layer}`, `/articles/${slug}`]
        : [`/articles/${slug}`, `/articles/${slug}/discussion`];
    for (const path of paths) {
      await reader.goto(path);
      if (path === `/articles/${slug}`) {
        await expect(reader.locator("#p-2 .discuss"), path).toHaveText("Discuss");
      }
      for (const text of words) await expect(reader.getByText(text), path).toHaveCount(0);
    }
    const permalink = await reader.goto(`/articles/${slug}/annotations/${adaNote}`);
    expect(permalink?.status()).toBe(404);
    // The same page's data as client navigation fetches it (single fetch: `<path>.data`).
    const dataPath = `/articles/${slug}/p/p-2.data`;
    const data = await reader.request.get(dataPath);
    expect(data.status(), dataPath).toBe(200);
    expect(await data.text(), dataPath).not.toContain("Ada's reading");
    const group = await reader.goto(`/groups/${groupId}`);
    expect(group?.status()).toBe(reader === anonymous ? 200 : 404); // anonymous: the sign-in page
  }
  for (const p of [outsider, anonymous]) {
    expect((p as Page & { errors: string[] }).errors).toEqual([]);
  }
});

test("the instructor's CSV neutralises a formula and agrees with the table", async ({
  page,
  signedIn: instructor,
}) => {
  const slug = createArticle();
  const cy = await createUser({ displayName: "Cy" });
  const { groupId, assignmentId } = createClass({ owner: instructor, members: [cy], slug });
  addAnnotation({
    slug,
    anchor: "p-1",
    author: cy,
    groupId,
    body: '=HYPERLINK("http://evil.example","click")',
  });
  addAnnotation({ slug, anchor: "p-4", author: cy, groupId, body: "Second thought on four." });
  await page.goto(`/groups/${groupId}/assignments/${assignmentId}`);
  await expect(page.getByRole("row").filter({ hasText: "Cy" })).toBeVisible();
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
  signedIn: instructor,
  browser,
}) => {
  const slug = createArticle();
  const [dee, eli] = [
    await createUser({ displayName: "Dee" }),
    await createUser({ displayName: "Eli" }),
  ];
  const { groupId } = createClass({ owner: instructor, members: [dee, eli], slug });
  const layer = `?layer=group-${groupId}`;
  addAnnotation({ slug, anchor: "p-2", author: dee, groupId, body: "Something uncivil here." });
  const author = await newPage(browser);
  await signIn(author.context(), dee);
  const peer = await newPage(browser);
  await signIn(peer.context(), eli);
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
  for (const p of [author, peer]) {
    expect((p as Page & { errors: string[] }).errors).toEqual([]);
  }
});

test.describe("group management", () => {
  test("removing a member and replacing the join link each ask first, and only then happen", async ({
    page,
    signedIn: instructor,
  }) => {
    const slug = createArticle();
    const fay = await createUser({ displayName: "Fay" });
    const { groupId, joinCode } = createClass({ owner: instructor, members: [fay], slug });
    await page.goto(`/groups/${groupId}`);
    const members = page.getByRole("region", { name: /Table of the members/ });

    // The first click only asks.
    await members.locator("summary", { hasText: "Remove" }).click();
    const confirm = members.getByRole("button", { name: "Yes, remove Fay" });
    await expect(confirm).toBeVisible();
    await expect(members.getByText(/Fay will leave/)).toBeVisible();
    await expectAccessible(page);
    expect(queryDb("select 1 from group_member where user_id = ?", fay.id)).toHaveLength(1);
    await confirm.click();
    await expect(page.getByText("The member is removed.")).toBeVisible();
    expect(queryDb("select 1 from group_member where user_id = ?", fay.id)).toHaveLength(0);

    await page.locator("summary", { hasText: "Make a new code" }).click();
    await expect(page.getByText(/will stop working/)).toBeVisible();
    expect(
      queryDb<{ code: string }>('select join_code as code from "group" where id = ?', groupId)[0]
        ?.code,
    ).toBe(joinCode);
    await page.getByRole("button", { name: "Yes, make a new code" }).click();
    await expect(
      page.getByText("There is a new join code; the old one no longer works."),
    ).toBeVisible();
    expect(
      queryDb<{ code: string }>('select join_code as code from "group" where id = ?', groupId)[0]
        ?.code,
    ).not.toBe(joinCode);
  });
});

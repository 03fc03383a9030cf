/**
 * The render-once page cache (ADR 010): an anonymous reader's page is stored and served ahead of
 * the framework, and must never be stale. A public annotation posted through the app shows in the
 * stranger's next load at once, with its counts; a private note never does. The stored page's CSP
 * lists its inline scripts' hashes instead of a nonce, and the page still hydrates under it (the
 * fixture fails the test on any console error, a CSP refusal included).
 */
import type { Page } from "@playwright/test";
import { createUser, signIn } from "./auth";
import { addAnnotation, createArticle, createClass, endorse, joinClass, queryDb } from "./data";
import { expect, expectAccessible, test } from "./fixtures";
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

test("a signed-in reader's stored page is theirs alone, and shows what changes for them at once", async ({
  browser,
}) => {
  // ADR 015: a signed-in reader's page is stored per reader, keyed by what they may see. Writes here
  // go through the models in this process, as another server process sharing the file would.
  const slug = createArticle();
  const [owner, bea, cy, dan] = [
    await createUser(),
    await createUser({ displayName: "Bea" }),
    await createUser({ displayName: "Cy" }),
    await createUser({ displayName: "Dan" }),
  ];
  const { groupId, joinCode } = createClass({ owner, members: [bea, cy], slug });
  const pages = new Map<string, Page>();
  const errors: string[] = [];
  for (const [name, user] of [
    ["bea", bea],
    ["cy", cy],
    ["dan", dan],
  ] as const) {
    const context = await browser.newContext();
    await signIn(context, user);
    const reader = await context.newPage();
    reader.on("console", (m) => {
      if (m.type() === "error") errors.push(`${name}: ${m.text()}`);
    });
    reader.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
    pages.set(name, reader);
  }
  const load = async (name: string) => {
    const reader = pages.get(name) as Page;
    const response = await reader.goto(`/articles/${slug}`);
    return { reader, response, counts: reader.locator("#p-3 .discuss") };
  };

  // Stored: the same bytes again (one ETag), never kept by the browser, under a CSP of hashes.
  const first = await load("bea");
  const again = await load("bea");
  expect(first.response?.headers().etag).toMatch(/^"[^"]+"$/);
  expect(again.response?.headers().etag).toBe(first.response?.headers().etag);
  expect(again.response?.headers()["cache-control"]).toBe("private, no-store");
  expect(again.response?.headers()["content-security-policy"]).not.toContain("'nonce-");
  await expect(again.reader.getByRole("link", { name: "Bea" })).toBeVisible();
  const dansFirst = await load("dan");
  await expect(dansFirst.reader.getByRole("link", { name: "Dan" })).toBeVisible();
  expect(dansFirst.response?.headers().etag).not.toBe(first.response?.headers().etag);
  await load("cy");

  // Cy's class annotation: Bea (a classmate) and Cy see it at once; Dan never does.
  addAnnotation({ slug, anchor: "p-3", author: cy, groupId, body: "For the class only." });
  for (const name of ["bea", "cy"]) {
    await expect((await load(name)).counts, name).toHaveText(/1 annotation/);
  }
  const dan1 = await load("dan");
  expect(dan1.response?.headers().etag).toBe(dansFirst.response?.headers().etag);
  await expect(dan1.counts).toHaveText("Discuss");

  // Bea's private note: hers at once; neither Cy's nor Dan's page changes.
  const cyBefore = (await load("cy")).response?.headers().etag;
  addAnnotation({ slug, anchor: "p-3", author: bea, visibility: "private", body: "Mine alone." });
  await expect((await load("bea")).counts).toHaveText(/2 annotations/);
  expect((await load("cy")).response?.headers().etag).toBe(cyBefore);
  await expect((await load("dan")).counts).toHaveText("Discuss");

  // Dan joins the class: his page shows the class's annotation at once.
  joinClass(dan, joinCode);
  await expect((await load("dan")).counts).toHaveText(/1 annotation/);

  // Hydrated under the stored page's CSP: the selection popover answers a selection.
  const { reader } = await load("bea");
  const paragraph = reader.locator('[data-paragraph="p-3"]');
  await paragraph.scrollIntoViewIfNeeded();
  await selectWithMouse(reader, paragraph, PHRASE);
  await expect(
    reader.getByRole("toolbar", { name: "Respond to the selected passage" }),
  ).toBeVisible();
  expect(errors, "errors in the browsers").toEqual([]);
  for (const p of pages.values()) await p.context().close();
});

test("a reader signed in a moment ago gets a page rendered for the request, re-sending their cookie", async ({
  page,
}) => {
  // In its first minute a session's cookie is re-sent with every page (auth.server.ts): such a
  // page carries Set-Cookie, so it is rendered for the request, with a nonce, and never stored.
  const slug = createArticle();
  const user = await createUser();
  await signIn(page.context(), user, { expiresInSeconds: 30 * 24 * 60 * 60 });
  const response = await page.goto(`/articles/${slug}`);
  expect(response?.headers()["content-security-policy"]).toContain("'nonce-");
  expect(response?.headers().etag).toBeUndefined();
  expect(response?.headers()["cache-control"]).toBe("private, no-store");
  expect((await response?.allHeaders())?.["set-cookie"]).toContain("auth_session=");
  await expect(page.getByRole("link", { name: user.displayName })).toBeVisible();
});

test("threads, the discussion page and search come from the store, and show every change at once", async ({
  page,
  browser,
}) => {
  // ADR 018: these pages are stored too (for strangers, and per reader), checked against the
  // article's thread_version or the site's site_version, which every write they show moves.
  const slug = createArticle();
  const long = new Date("2001-01-01T00:00:00Z");
  const [writer, reader, owner, member] = [
    await createUser({ displayName: "Wren" }),
    await createUser({ displayName: "Rhea" }),
    await createUser(),
    await createUser(),
  ];
  const { groupId } = createClass({ owner, members: [member], slug });
  const readerContext = await browser.newContext();
  await signIn(readerContext, reader);
  const signedIn = await readerContext.newPage();
  const discussion = `/articles/${slug}/discussion?sort=newest`;
  const bodies = (p: Page) => p.locator(".listing .annotation-body");

  // Strangers' and the reader's pages are each stored: the same bytes (one ETag) again.
  for (const p of [page, signedIn]) {
    const first = await p.goto(discussion);
    expect(first?.headers().etag).toMatch(/^"[^"]+"$/);
    expect((await p.goto(discussion))?.headers().etag).toBe(first?.headers().etag);
    await expect(bodies(p)).toHaveCount(0);
  }

  // A public annotation, then its edit and an endorsement: each shows on the next load.
  const word = `zephyr${Date.now().toString(36)}`;
  const id = addAnnotation({
    slug,
    anchor: "p-3",
    author: writer,
    body: `A ${word} claim.`,
    createdAt: long,
  });
  for (const p of [page, signedIn]) {
    await p.goto(discussion);
    await expect(bodies(p)).toHaveText([`A ${word} claim.`]);
  }
  queryDb(
    "update annotation set body = ?, body_html = ? where id = ? returning id",
    `A revised ${word} claim.`,
    `<p>A revised ${word} claim.</p>`,
    id,
  );
  endorse(owner, id);
  for (const p of [page, signedIn]) {
    await p.goto(discussion);
    await expect(bodies(p)).toHaveText([`A revised ${word} claim.`]);
    // A stranger reads the count; a reader sees it on the Endorse button.
    await expect(p.getByRole("article", { name: /^Annotation Wren/ })).toContainText(
      /1 endorsement|Endorse · 1/,
    );
  }

  // A class annotation: never on a stranger's page or an outsider's.
  addAnnotation({
    slug,
    anchor: "p-3",
    author: member,
    groupId,
    body: `Class ${word}.`,
    createdAt: long,
  });
  for (const p of [page, signedIn]) {
    await p.goto(discussion);
    await expect(bodies(p)).toHaveText([`A revised ${word} claim.`]);
  }

  // Search: the reader's stored results take in a new annotation at once.
  const search = `/search?q=${word}`;
  await signedIn.goto(search);
  await expect(signedIn.getByRole("status")).toHaveText(`1 annotation matches “${word}”.`);
  addAnnotation({ slug, anchor: "p-5", author: writer, body: `Another ${word}.`, createdAt: long });
  await signedIn.goto(search);
  await expect(signedIn.getByRole("status")).toHaveText(`2 annotations match “${word}”.`);

  // "Discuss" on the reading page fetches the paragraph's threads as `.data`: from the store (it
  // carries the store's ETag), and fresh after a reply.
  await signedIn.goto(`/articles/${slug}`);
  const panel = signedIn.getByRole("region", { name: "Discussion of paragraph 3" });
  const open = async () => {
    const data = signedIn.waitForResponse((r) => r.url().includes("/p/p-3.data"));
    await signedIn
      .locator("#p-3")
      .getByRole("link", { name: /annotation/ })
      .click();
    return data;
  };
  const first = await open();
  expect(first.headers().etag).toMatch(/^"[^"]+"$/);
  await expect(panel.locator(".annotation-body")).toHaveText([`A revised ${word} claim.`]);
  addAnnotation({ slug, author: reader, parentId: id, body: "Why so?", createdAt: long });
  await signedIn.goto(`/articles/${slug}`);
  const second = await open();
  expect(second.headers().etag).not.toBe(first.headers().etag);
  await expect(panel.locator(".annotation-body")).toHaveText([
    `A revised ${word} claim.`,
    "Why so?",
  ]);
  await expectAccessible(signedIn);
  await readerContext.close();
});

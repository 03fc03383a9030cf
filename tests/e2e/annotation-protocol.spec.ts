/**
 * The W3C Web Annotation Protocol against the production server: a reader makes a read-write
 * token on the account page; a script (Playwright's request context: no cookies, another origin)
 * posts an annotation to the article's container with it; the reader sees it on the reading page
 * and at its IRI (the HTML permalink, by content negotiation); the script reads the container and
 * its page, then deletes the annotation.
 */
import { createArticle, queryDb } from "./data";
import { expect, test } from "./fixtures";

const MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"';
const PHRASE = "no country has recognized the Taliban government";

test("a script with a token creates, reads and deletes an annotation through the container", async ({
  page,
  playwright,
  baseURL,
  signedIn,
}) => {
  const slug = createArticle();
  const container = `/articles/${slug}/annotations/`;

  await page.goto("/account");
  const tokens = page.getByRole("region", { name: "Personal API tokens" });
  await tokens.getByLabel("Token name").fill("Protocol script");
  await tokens.getByRole("radio", { name: "Read and write", exact: true }).check();
  await tokens.getByRole("button", { name: "Create token" }).click();
  const secret = await page.getByLabel(/^Your new token/).inputValue();
  expect(secret).toMatch(/^mrg_/);

  const api = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${secret}`, Origin: "https://tool.example" },
  });
  try {
    const created = await api.post(container, {
      headers: { "Content-Type": MEDIA_TYPE, Accept: MEDIA_TYPE },
      data: JSON.stringify({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        type: "Annotation",
        motivation: "commenting",
        body: { type: "TextualBody", value: "Written by a *script*.", format: "text/markdown" },
        target: {
          source: `${baseURL}/articles/${slug}`,
          selector: {
            type: "FragmentSelector",
            value: "p-3",
            refinedBy: { type: "TextQuoteSelector", exact: PHRASE },
          },
        },
      }),
    });
    expect(created.status()).toBe(201);
    expect(created.headers()["access-control-allow-origin"]).toBe("*");
    const location = created.headers().location as string;
    expect(location).toMatch(new RegExp(`${container}\\d+$`));
    const annotation = (await created.json()) as { id: string; creator: { nickname: string } };
    expect(annotation.id).toBe(location);
    expect(annotation.creator.nickname).toBe(signedIn.username);
    // Dated long ago, like every annotation a browser test writes: specs running beside this one
    // read the library's site-wide "recent discussion" and must find their own there.
    queryDb(
      "update annotation set created_at = 0 where id = ? returning id",
      Number(location.split("/").pop()),
    );

    // The reader sees it on the reading page, highlighted and counted, as a form's.
    await page.goto(`/articles/${slug}`);
    await expect(page.locator("#p-3 mark")).toHaveText(PHRASE);
    await expect(page.locator("#p-3 .paragraph-counts")).toHaveText("1 annotation");
    // Its IRI is its permalink: a browser gets the page there.
    await page.goto(new URL(location).pathname);
    await expect(page.getByRole("heading", { name: "Thread on paragraph 3" })).toBeVisible();
    await expect(page.locator("em", { hasText: "script" })).toBeVisible();

    // The container, minimal, names its pages; the page holds the annotation.
    const minimal = await api.get(container, {
      headers: {
        Accept: MEDIA_TYPE,
        Prefer: 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"',
      },
    });
    expect(minimal.status()).toBe(200);
    expect(minimal.headers()["content-type"]).toBe(MEDIA_TYPE);
    expect(minimal.headers().link).toContain(
      '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"',
    );
    expect(minimal.headers()["preference-applied"]).toBe("return=representation");
    const body = (await minimal.json()) as { type: string[]; total: number; first: string };
    expect(body.type).toEqual(["BasicContainer", "AnnotationCollection"]);
    expect(body.total).toBe(1);
    const pageOne = await api.get(body.first, { headers: { Accept: MEDIA_TYPE } });
    const items = ((await pageOne.json()) as { items: { id: string }[] }).items;
    expect(items.map((item) => item.id)).toEqual([location]);

    // Read at its IRI with its ETag, then deleted on that condition: gone afterwards.
    const read = await api.get(location, { headers: { Accept: MEDIA_TYPE } });
    expect(read.status()).toBe(200);
    const etag = read.headers().etag as string;
    expect(etag).toBeTruthy();
    const deleted = await api.delete(location, { headers: { "If-Match": etag } });
    expect(deleted.status()).toBe(204);
    expect((await api.get(location, { headers: { Accept: MEDIA_TYPE } })).status()).toBe(404);
    const after = await api.get(container, { headers: { Accept: MEDIA_TYPE } });
    expect(((await after.json()) as { total: number }).total).toBe(0);
    await page.goto(`/articles/${slug}`);
    await expect(page.locator("#p-3 mark")).toHaveCount(0);
  } finally {
    await api.dispose();
  }
});

/**
 * The W3C export in a real browser against the production server: the reading page's download
 * link gives one JSON-LD file that parses and holds the annotation just written; the article's own
 * address answers `Accept: application/ld+json` with the same collection, paged, even while the
 * render-once page cache holds its HTML, and goes on serving the page to browsers.
 */
import { readFile } from "node:fs/promises";
import { createUser } from "./auth";
import { addAnnotation, createArticle } from "./data";
import { expect, test } from "./fixtures";

const JSON_LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"';

test("an article's annotations download from the reading page, and negotiate on its address", async ({
  page,
  request,
}) => {
  const slug = createArticle();
  const ada = await createUser({ displayName: "Ada Exporter" });
  const id = addAnnotation({
    slug,
    anchor: "p-5",
    author: ada,
    kind: "counterargument",
    body: "One strike does not make a strategy.",
    quote: "a huge success",
  });

  await page.goto(`/articles/${slug}`);
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download annotations (W3C JSON-LD)" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${slug}-annotations.jsonld`);
  const path = await download.path();
  const collection = JSON.parse(await readFile(path, "utf8"));
  expect(collection).toMatchObject({
    type: "AnnotationCollection",
    total: 1,
    first: { type: "AnnotationPage", items: [expect.anything()] },
  });
  const [item] = collection.first.items;
  expect(item).toMatchObject({
    id: expect.stringMatching(new RegExp(`/articles/${slug}/annotations/${id}$`)),
    type: "Annotation",
    motivation: "assessing",
    "mrg:kind": "counterargument",
    creator: { name: "Ada Exporter", nickname: ada.username },
    body: { value: "One strike does not make a strategy." },
    target: {
      selector: expect.arrayContaining([
        expect.objectContaining({ type: "TextQuoteSelector", exact: "a huge success" }),
      ]),
    },
  });

  // The page above was stored by the render-once cache; a client asking for JSON-LD still gets
  // the collection, paged: its first page embedded, holding what the file holds.
  const negotiated = await request.get(`/articles/${slug}`, { headers: { Accept: JSON_LD } });
  expect(negotiated.status()).toBe(200);
  expect(negotiated.headers()["content-type"]).toBe(JSON_LD);
  expect(negotiated.headers()["content-disposition"]).toBeUndefined();
  expect(negotiated.headers().vary).toMatch(/Accept/);
  const paged = await negotiated.json();
  expect(paged).toMatchObject({
    type: "AnnotationCollection",
    id: collection.id,
    total: collection.total,
    first: { type: "AnnotationPage", id: `${collection.id}?page=1` },
  });
  expect(paged.first.items).toEqual(collection.first.items);

  const html = await request.get(`/articles/${slug}`, { headers: { Accept: "text/html" } });
  expect(html.headers()["content-type"]).toMatch(/^text\/html/);
  expect(html.headers().vary).toMatch(/\bAccept\b/);
});

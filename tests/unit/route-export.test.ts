/**
 * The W3C exports' routes: an article's annotations (`/articles/:slug/annotations.jsonld`), "my
 * annotations" (`/account/annotations.jsonld`) and a group's (`/groups/:id/annotations.jsonld`).
 * Each holds what its reader may see and nothing more — private notes for their writer, a class's
 * annotations for its members, placeholders for deleted and hidden ones, "Student n" in anonymous
 * assignments — and every document, page and annotation meets the W3C musts. Each check that
 * something is absent is paired with one that it is present for someone, so none passes by
 * exporting nothing.
 */
import { and, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { codePointSlice } from "#app/anchoring/selectors";
import { readAnnotationFile } from "#app/interop/document.server";
import { ANNO_CONTEXT, ANNOTATION_MEDIA_TYPE } from "#app/interop/vocabulary";
import { fromW3C } from "#app/interop/w3c.server";
import { createAnnotation, deleteAnnotation } from "#app/models/annotation.server";
import { createAssignment } from "#app/models/assignment.server";
import { getPortableAnnotation } from "#app/models/export.server";
import { importArticle, parseArticle } from "#app/models/importer.server";
import { hideAnnotation } from "#app/models/moderation.server";
import { loader as mineLoader } from "#app/routes/account_.annotations[.jsonld]";
import { loader as articleLoader } from "#app/routes/articles.$slug_.annotations[.jsonld]";
import { loader as groupLoader } from "#app/routes/groups.$groupId.annotations[.jsonld]";
import { block } from "#db/schema";
import {
  call,
  createThread,
  createThreadReply,
  db,
  getRequest,
  ORIGIN,
  paragraph,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  seededArticle,
  signedInUser,
} from "./factories";
import { createGroupWith } from "./group-factories";
import { loadMusts, mustFailures } from "./w3c-schemas";

// The schemas compile once, before any test, however busy the machine.
beforeAll(loadMusts, 60_000);

type Json = Record<string, unknown>;
type Item = Json & { id: string };

const ARTICLE_EXPORT = `/articles/${SEED_ARTICLE_SLUG}/annotations.jsonld`;
const permalink = (id: number, slug = SEED_ARTICLE_SLUG) =>
  `${ORIGIN}/articles/${slug}/annotations/${id}`;

async function get(
  loader: typeof articleLoader,
  path: string,
  params: Record<string, string>,
  as: SignedIn | null,
  headers: Record<string, string> = {},
) {
  const answer = await call(loader, getRequest(path, { as, headers }), params);
  const text = typeof answer.body === "string" ? answer.body : "";
  const json = answer.headers.get("Content-Type")?.startsWith("application/ld+json")
    ? (JSON.parse(text) as Json)
    : null;
  return { ...answer, json };
}

/** The items of a whole-collection document, after checking it and them against the musts. */
function itemsOf(collection: Json | null): Item[] {
  expect(collection).not.toBeNull();
  expect(mustFailures("collection", collection)).toEqual([]);
  if ((collection as { total: number }).total === 0) return [];
  expect(mustFailures("page", collection)).toEqual([]);
  const items = ((collection as { first: { items: Item[] } }).first.items ?? []) as Item[];
  for (const item of items) {
    const standalone = { "@context": (collection as Json)["@context"], ...item };
    expect(mustFailures("annotation", standalone), item.id).toEqual([]);
    // Whatever is exported reads back.
    expect(fromW3C(standalone).status, item.id).toBe("ok");
  }
  return items;
}

function exportArticle(as: SignedIn | null, slug = SEED_ARTICLE_SLUG) {
  return get(articleLoader, `/articles/${slug}/annotations.jsonld`, { slug }, as);
}

const ids = (items: Item[]) => items.map((item) => item.id);

let author: SignedIn;
let stranger: SignedIn;
let owner: SignedIn;
let member: SignedIn;
let groupId: number;
let publicId: number;
let privateId: number;
let groupNoteId: number;

beforeEach(async () => {
  author = await signedInUser({ displayName: "Ada Exporter" });
  stranger = await signedInUser();
  owner = await signedInUser();
  member = await signedInUser();
  groupId = createGroupWith(db, { owner, members: [member, author] });
  const text = paragraph("p-2").text;
  publicId = createThread(author, {
    anchor: "p-2",
    kind: "counterargument",
    body: "Public words.",
    quote: text.slice(4, 30),
    quoteStart: 4,
  });
  privateId = createThread(author, {
    anchor: "p-2",
    body: "A private note.",
    visibility: "private",
  });
  groupNoteId = createThread(author, {
    anchor: "p-3",
    body: "For the class.",
    visibility: "group",
    groupId,
  });
});

describe("an article's annotations", () => {
  it("downloads as one schema-valid collection of what a stranger may see", async () => {
    const answer = await exportArticle(null);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("Content-Type")).toBe(ANNOTATION_MEDIA_TYPE);
    expect(answer.headers.get("Content-Disposition")).toBe(
      `attachment; filename="${SEED_ARTICLE_SLUG}-annotations.jsonld"`,
    );
    expect(answer.headers.get("Cache-Control")).toBe("private, no-store");
    expect(answer.headers.get("Vary")).toBe("Accept, Cookie");
    const items = itemsOf(answer.json);
    expect(ids(items)).toContain(permalink(publicId));
    expect(ids(items)).not.toContain(permalink(privateId));
    expect(ids(items)).not.toContain(permalink(groupNoteId));
    const exported = items.find((item) => item.id === permalink(publicId));
    const revision = `${ORIGIN}/articles/${SEED_ARTICLE_SLUG}/revisions/1`;
    expect(exported).toMatchObject({
      motivation: "assessing",
      "mrg:kind": "counterargument",
      "mrg:visibility": "public",
      creator: { id: `${ORIGIN}/u/${author.username}`, name: "Ada Exporter" },
      body: { type: "TextualBody", value: "Public words.", format: "text/markdown" },
      target: { type: "SpecificResource", source: revision },
    });
  });

  it("gives the writer their private note, and nobody else", async () => {
    expect(ids(itemsOf((await exportArticle(author)).json))).toContain(permalink(privateId));
    expect(ids(itemsOf((await exportArticle(stranger)).json))).not.toContain(permalink(privateId));
    expect(ids(itemsOf((await exportArticle(owner)).json))).not.toContain(permalink(privateId));
  });

  it("gives a class's annotations to its members, and not to outsiders", async () => {
    const forMember = itemsOf((await exportArticle(member)).json);
    expect(forMember.find((item) => item.id === permalink(groupNoteId))).toMatchObject({
      "mrg:visibility": "group",
      "mrg:group": { id: `${ORIGIN}/groups/${groupId}` },
    });
    expect(ids(itemsOf((await exportArticle(stranger)).json))).not.toContain(
      permalink(groupNoteId),
    );
    expect(ids(itemsOf((await exportArticle(null)).json))).not.toContain(permalink(groupNoteId));
  });

  it("keeps a deleted root as a placeholder, so its replies still reach their passage", async () => {
    const root = createThread(author, { anchor: "p-4", body: "Soon gone." });
    const answer = createThreadReply(stranger, root, { body: "An answer that stays." });
    const answerToAnswer = createThreadReply(author, answer, { kind: "question", body: "Why?" });
    deleteAnnotation({ db, viewer: author, id: root });
    const items = itemsOf((await exportArticle(null)).json);
    const placeholder = items.find((item) => item.id === permalink(root));
    expect(placeholder).toMatchObject({
      "mrg:withheld": "deleted",
      target: { source: expect.any(String) },
    });
    expect(placeholder).not.toHaveProperty("body");
    expect(placeholder).not.toHaveProperty("creator");
    expect(items.find((item) => item.id === permalink(answer))).toMatchObject({
      motivation: "replying",
      target: permalink(root),
      body: { value: "An answer that stays." },
    });
    expect(items.find((item) => item.id === permalink(answerToAnswer))).toMatchObject({
      target: permalink(answer),
      "mrg:kind": "question",
    });
  });

  it("shows what a moderator hid as a placeholder, except to its writer", async () => {
    const admin = await signedInUser({ role: "admin" });
    const hidden = createThread(author, { anchor: "p-5", body: "Rude words." });
    hideAnnotation({ db, viewer: admin, id: hidden, reason: "Not civil." });
    const forStranger = itemsOf((await exportArticle(stranger)).json);
    const placeholder = forStranger.find((item) => item.id === permalink(hidden));
    expect(placeholder).toMatchObject({ "mrg:withheld": "hidden" });
    expect(JSON.stringify(placeholder)).not.toContain("Rude words.");
    const forAuthor = itemsOf((await exportArticle(author)).json);
    expect(forAuthor.find((item) => item.id === permalink(hidden))).toMatchObject({
      body: { value: "Rude words." },
    });
  });

  it("names classmates as Student n in an anonymous assignment; owners see names", async () => {
    const classmate = await signedInUser();
    const anonymousGroup = createGroupWith(db, { owner, members: [member, classmate] });
    createAssignment({
      db,
      viewer: owner,
      groupId: anonymousGroup,
      input: {
        articleId: seededArticle().id,
        instructions: "",
        dueAt: null,
        timeZone: "UTC",
        postBeforeSee: false,
        anonymous: true,
      },
    });
    const note = createThread(classmate, {
      anchor: "p-6",
      body: "Anonymous thought.",
      visibility: "group",
      groupId: anonymousGroup,
    });
    const forMember = itemsOf((await exportArticle(member)).json);
    const aliased = forMember.find((item) => item.id === permalink(note));
    expect(aliased?.creator).toEqual({ type: "Person", name: "Student 1" });
    expect(JSON.stringify(aliased)).not.toContain(classmate.username);
    const forOwner = itemsOf((await exportArticle(owner)).json);
    expect(forOwner.find((item) => item.id === permalink(note))?.creator).toMatchObject({
      nickname: classmate.username,
    });
  });

  it("answers a client that asked for JSON-LD with the collection and its first page, not a download", async () => {
    const answer = await get(articleLoader, ARTICLE_EXPORT, { slug: SEED_ARTICLE_SLUG }, null, {
      Accept: `application/ld+json; profile="${ANNO_CONTEXT}"`,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("Content-Disposition")).toBeNull();
    expect(mustFailures("collection", answer.json)).toEqual([]);
    // Paged, as for any client: the first page embedded, the rest at their addresses.
    expect(answer.json).toMatchObject({
      type: "AnnotationCollection",
      first: { type: "AnnotationPage", id: `${ORIGIN}${ARTICLE_EXPORT}?page=1`, startIndex: 0 },
      last: expect.stringMatching(/\?page=\d+$/),
    });
    const whole = itemsOf((await exportArticle(null)).json);
    const first = (answer.json as { first: { items: Item[] } }).first.items;
    expect(ids(first)).toEqual(ids(whole).slice(0, 200));
    // Everything in one answer, inline, is `?page=all`.
    const all = await get(
      articleLoader,
      `${ARTICLE_EXPORT}?page=all`,
      { slug: SEED_ARTICLE_SLUG },
      null,
      { Accept: "application/ld+json" },
    );
    expect(all.headers.get("Content-Disposition")).toBeNull();
    expect(ids((all.json as { items: Item[] }).items)).toEqual(ids(whole));
  });

  it("pages of 200 on request, each meeting the musts; nothing past the last", async () => {
    const page = await get(
      articleLoader,
      `${ARTICLE_EXPORT}?page=1`,
      { slug: SEED_ARTICLE_SLUG },
      null,
    );
    expect(page.status).toBe(200);
    expect(mustFailures("page", page.json)).toEqual([]);
    expect(page.json).toMatchObject({
      type: "AnnotationPage",
      id: `${ORIGIN}${ARTICLE_EXPORT}?page=1`,
      partOf: { id: `${ORIGIN}${ARTICLE_EXPORT}` },
      startIndex: 0,
    });
    const all = await get(
      articleLoader,
      `${ARTICLE_EXPORT}?page=all`,
      { slug: SEED_ARTICLE_SLUG },
      null,
    );
    expect(mustFailures("page", all.json)).toEqual([]);
    const beyond = await get(
      articleLoader,
      `${ARTICLE_EXPORT}?page=99999`,
      { slug: SEED_ARTICLE_SLUG },
      null,
    );
    expect(beyond.status).toBe(404);
    const junk = await get(
      articleLoader,
      `${ARTICLE_EXPORT}?page=two`,
      { slug: SEED_ARTICLE_SLUG },
      null,
    );
    expect(junk.status).toBe(400);
  });

  it("404 for an article that does not exist", async () => {
    expect((await exportArticle(null, "no-such-article")).status).toBe(404);
  });

  it("counts positions in code points after astral characters, and reads back the same", async () => {
    const slug = `emoji-${Date.now()}`;
    const { articleId } = importArticle(
      db,
      parseArticle(
        "Emoji Essay\n\nA dek of one sentence.\n\nThe 🦊 fox and the 𝒶 letter come first. Then the quoted words here.\n\nAnother paragraph. Of two sentences.",
      ),
      { slug },
    );
    const target = db
      .select()
      .from(block)
      .where(and(eq(block.articleId, articleId), eq(block.anchor, "p-1")))
      .get();
    if (!target) throw new Error("no paragraph");
    const id = createAnnotation({
      db,
      author,
      articleId,
      blockId: target.id,
      input: {
        kind: "source",
        body: "Where this comes from.",
        source: { url: "https://example.org/fox", title: "Foxes", stance: "supports" },
        quote: "the quoted words",
        quoteStart: null,
        visibility: "public",
      },
    });
    const collection = (await exportArticle(null, slug)).json;
    const [item] = itemsOf(collection);
    expect(item?.id).toBe(permalink(id, slug));
    const read = readAnnotationFile(JSON.stringify(collection));
    expect(read.errors).toEqual([]);
    const [annotation] = read.annotations;
    const position = annotation?.target?.position;
    // 🦊 and 𝒶 are two UTF-16 units each: the position counts each as one.
    expect(target.text.indexOf("the quoted words")).toBe(position ? position.start + 2 : -1);
    expect(position && codePointSlice(target.text, position.start, position.end)).toBe(
      "the quoted words",
    );
    expect(annotation).toMatchObject({
      kind: "source",
      source: { url: "https://example.org/fox", title: "Foxes", stance: "supports" },
      target: { paragraph: "p-1", quote: { exact: "the quoted words" } },
    });
  });
});

describe("one annotation at its IRI", () => {
  it("is what the viewer may see of it, and NotFound otherwise", () => {
    const forAuthor = getPortableAnnotation({ db, viewer: author, id: privateId, origin: ORIGIN });
    expect(forAuthor).toMatchObject({ id: permalink(privateId), visibility: "private" });
    expect(() =>
      getPortableAnnotation({ db, viewer: stranger, id: privateId, origin: ORIGIN }),
    ).toThrow(/not visible to you/);
    expect(getPortableAnnotation({ db, viewer: null, id: publicId, origin: ORIGIN })).toMatchObject(
      {
        kind: "counterargument",
        body: "Public words.",
      },
    );
  });
});

describe("my annotations", () => {
  it("are everything the reader wrote, private notes included, and nothing of others'", async () => {
    const othersId = createThread(stranger, { anchor: "p-2", body: "Someone else's." });
    const answer = await get(mineLoader, "/account/annotations.jsonld", {}, author);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("Content-Disposition")).toBe(
      `attachment; filename="marginalia-${author.username.toLowerCase().replace(/_/g, "-")}-annotations.jsonld"`,
    );
    const items = itemsOf(answer.json);
    expect(ids(items)).toEqual(
      expect.arrayContaining([permalink(publicId), permalink(privateId), permalink(groupNoteId)]),
    );
    expect(ids(items)).not.toContain(permalink(othersId));
    const strangers = itemsOf(
      (await get(mineLoader, "/account/annotations.jsonld", {}, stranger)).json,
    );
    expect(ids(strangers)).toEqual([permalink(othersId)]);
  });

  it("send a signed-out reader to sign in", async () => {
    const answer = await get(mineLoader, "/account/annotations.jsonld", {}, null);
    expect(answer.status).toBe(302);
    expect(answer.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });
});

describe("a group's annotations", () => {
  const path = () => `/groups/${groupId}/annotations.jsonld`;
  const exportGroup = (as: SignedIn | null) =>
    get(groupLoader, path(), { groupId: String(groupId) }, as);

  it("are its owners' to download: every member's, by name", async () => {
    const answer = await exportGroup(owner);
    expect(answer.status).toBe(200);
    const items = itemsOf(answer.json);
    expect(ids(items)).toEqual([permalink(groupNoteId)]);
    expect(items[0]?.creator).toMatchObject({ nickname: author.username });
  });

  it("are refused to members (403), outsiders (404) and the signed-out (sign in)", async () => {
    expect((await exportGroup(member)).status).toBe(403);
    expect((await exportGroup(author)).status).toBe(403);
    expect((await exportGroup(stranger)).status).toBe(404);
    expect((await exportGroup(null)).status).toBe(302);
    const junk = await get(groupLoader, "/groups/x/annotations.jsonld", { groupId: "x" }, owner);
    expect(junk.status).toBe(404);
  });
});

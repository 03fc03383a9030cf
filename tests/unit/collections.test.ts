/**
 * Collections (symposia) through their routes, as Remix would call them: /collections (the list
 * and the create form), /collections/:slug (the page and its editor's forms: edit, add an article,
 * upload a response, move, remove, link an author), the library's listing, the seeded demo
 * collection, and the review panels the group pages now start.
 *
 * Every refusal is checked to write nothing (the whole database is compared before and after).
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_COLLECTION_SLUG,
  seedDemoCollection,
  splitEditorsNote,
} from "#app/models/collection.server";
import { MAX_IMPORT_BYTES } from "#app/models/importer.server";
import { SEED_ARTICLE_SLUG as SEEDED_SLUG, seedDatabase } from "#app/models/seed.server";
import { loader as libraryLoader } from "#app/routes/_index";
import { action as listAction, loader as listLoader } from "#app/routes/collections._index";
import {
  action as collectionAction,
  loader as collectionLoader,
} from "#app/routes/collections.$slug";
import { action as groupsAction } from "#app/routes/groups._index";
import { COLLECTION_INTENTS, GROUP_INTENTS } from "#app/utils/intents";
import { annotation, article, collection, collectionItem, group } from "#db/schema";
import {
  type Answer,
  call,
  createThread,
  db,
  getRequest,
  locationOf,
  loginRedirect,
  ORIGIN,
  postRequest,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  seededArticle,
  signedInUser,
  snapshot,
} from "./factories";

let editor: SignedIn;
let stranger: SignedIn;
let admin: SignedIn;
let author: SignedIn;

beforeAll(async () => {
  editor = await signedInUser({ displayName: "Eda Editor" });
  stranger = await signedInUser({ displayName: "Stan Stranger" });
  admin = await signedInUser({ role: "admin", displayName: "Ada Admin" });
  author = await signedInUser({ displayName: "Aurelia Author" });
});

const ARTICLE_TXT = (title: string) =>
  `${title}\n\nA one-sentence dek for the response.\n\nThe first paragraph of the response, which argues a point at some length.\n\nThe second paragraph, which concludes it.\n`;
const ARTICLE_MD = (title: string) =>
  `# ${title}\n\nThe first paragraph, in Markdown with *emphasis*.\n\n## A section\n\nThe second paragraph.\n`;

function create(as: SignedIn | null, fields: Record<string, string>) {
  return call(
    listAction,
    postRequest("/collections", { intent: COLLECTION_INTENTS.create, ...fields }, { as }),
  );
}

/** A new collection by `as`; returns its slug. */
async function newCollection(as: SignedIn, title = "Symposium on tests"): Promise<string> {
  const answer = await create(as, {
    title,
    question: "What should a test prove?",
    introduction: "We asked.\n\nThey answered.",
  });
  return locationOf(answer).replace("/collections/", "");
}

function post(slug: string, as: SignedIn | null, fields: Record<string, string>) {
  const path = `/collections/${slug}`;
  return call(collectionAction, postRequest(path, fields, { as, referer: path }), { slug });
}

type File = { name: string; content: string | Uint8Array<ArrayBuffer>; type?: string };

/** The upload form as a browser sends it: multipart, with the file (or an empty file field). */
function upload(
  slug: string,
  as: SignedIn | null,
  file: File | null,
  fields: Record<string, string> = {},
) {
  const path = `/collections/${slug}`;
  const form = new FormData();
  form.append("intent", COLLECTION_INTENTS.upload);
  form.append("byline", "By A. Writer");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  // A browser sends an empty, nameless file when none was chosen.
  form.append(
    "file",
    file
      ? new Blob([file.content], { type: file.type ?? "text/plain" })
      : new Blob([], { type: "application/octet-stream" }),
    file?.name ?? "",
  );
  const headers = new Headers({ Origin: ORIGIN, Referer: `${ORIGIN}${path}` });
  if (as) headers.set("Cookie", as.cookie);
  return call(
    collectionAction,
    new Request(new URL(path, ORIGIN), { method: "POST", body: form, headers }),
    { slug },
  );
}

type PageData = Awaited<ReturnType<typeof collectionLoader>>;

async function page(slug: string, as: SignedIn | null = null): Promise<PageData> {
  const answer = await call(collectionLoader, getRequest(`/collections/${slug}`, { as }), { slug });
  expect(answer.status).toBe(200);
  return answer.body as PageData;
}

const order = async (slug: string) => (await page(slug)).collection.responses.map((r) => r.slug);

function errorsOf(answer: Answer) {
  return (answer.body as { errors: Record<string, string> }).errors;
}

function articleBySlug(slug: string) {
  return db.select().from(article).where(eq(article.slug, slug)).get();
}

/** Runs `write` and expects it refused with `status` and the database left exactly as it was. */
async function refusedWithoutWriting(status: number, write: () => Promise<Answer>) {
  const before = snapshot();
  const answer = await write();
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(snapshot()).toEqual(before);
  return answer;
}

describe("the seeded demo collection", () => {
  it("exists with the question taken from the seed article's editor's note", async () => {
    const data = await page(DEMO_COLLECTION_SLUG);
    expect(data.collection.title).toBe("Afghanistan, one year after the withdrawal");
    expect(data.collection.question).toBe(
      "How should the Biden administration approach Afghanistan and the Taliban government?",
    );
    expect(data.collection.introduction).toMatch(/^In August, The National Interest organized/);
    expect(data.collection.introduction).not.toContain("How should");
    expect(data.collection.editor).toBeNull();
    expect(data.collection.canEdit).toBe(false);
    expect(data.collection.responses.map((r) => r.slug)).toEqual([SEED_ARTICLE_SLUG]);
    expect(data.collection.responses[0]?.paragraphCount).toBeGreaterThan(10);
  });

  it("is made once, however often seeding runs", () => {
    expect(SEEDED_SLUG).toBe(SEED_ARTICLE_SLUG);
    seedDatabase(db);
    seedDemoCollection(db, SEED_ARTICLE_SLUG);
    const rows = db
      .select()
      .from(collection)
      .where(eq(collection.slug, DEMO_COLLECTION_SLUG))
      .all();
    expect(rows).toHaveLength(1);
  });

  it("reads a note without a quoted question as all question", () => {
    expect(splitEditorsNote("What now for the region?")).toEqual({
      question: "What now for the region?",
      introduction: "",
    });
    expect(splitEditorsNote('We asked: "Why?" Then we listened.')).toEqual({
      question: "Why?",
      introduction: "We asked. Then we listened.",
    });
  });

  it("appears in the library above the articles, and the seed article says it is in it", async () => {
    const answer = await call(libraryLoader, getRequest("/"));
    const data = answer.body as Awaited<ReturnType<typeof libraryLoader>>;
    const demo = data.collections.find((c) => c.slug === DEMO_COLLECTION_SLUG);
    expect(demo).toMatchObject({ title: "Afghanistan, one year after the withdrawal" });
    expect(demo?.responseCount).toBe(1);
    const seed = data.articles.find((a) => a.slug === SEED_ARTICLE_SLUG);
    expect(seed?.collection).toEqual({
      slug: DEMO_COLLECTION_SLUG,
      title: "Afghanistan, one year after the withdrawal",
    });
  });
});

describe("creating a collection", () => {
  it("sends an anonymous reader to sign in, and writes nothing", async () => {
    const answer = await refusedWithoutWriting(302, () =>
      create(null, { title: "T", question: "Q?" }),
    );
    expect(locationOf(answer)).toBe(loginRedirect("/collections"));
  });

  it("refuses a missing title and question beside their fields, keeping what was typed", async () => {
    const answer = await refusedWithoutWriting(400, () =>
      create(editor, { title: "  ", question: "", introduction: "Kept." }),
    );
    expect(errorsOf(answer)).toMatchObject({
      title: "Give the collection a title.",
      question: "Write the question the responses answer.",
    });
    expect((answer.body as { values: Record<string, string> }).values.introduction).toBe("Kept.");
  });

  it("makes the signed-in creator its editor, with a unique slug", async () => {
    const first = await newCollection(editor, "Grand Symposium");
    const second = await newCollection(stranger, "Grand Symposium");
    expect(first).toBe("grand-symposium");
    expect(second).toBe("grand-symposium-2");
    const data = await page(first, editor);
    expect(data.collection.canEdit).toBe(true);
    expect(data.collection.editor?.displayName).toBe("Eda Editor");
    expect((await page(first, stranger)).collection.canEdit).toBe(false);
    expect((await page(first, admin)).collection.canEdit).toBe(true);
    const list = await call(listLoader, getRequest("/collections"));
    const slugs = (list.body as Awaited<ReturnType<typeof listLoader>>).collections.map(
      (c) => c.slug,
    );
    expect(slugs).toEqual(expect.arrayContaining([first, second, DEMO_COLLECTION_SLUG]));
  });

  it("answers a missing collection with 404", async () => {
    const answer = await call(collectionLoader, getRequest("/collections/nope"), { slug: "nope" });
    expect(answer.status).toBe(404);
    await refusedWithoutWriting(404, () =>
      post("nope", editor, { intent: COLLECTION_INTENTS.edit, title: "T", question: "Q" }),
    );
  });
});

describe("the editor's forms", () => {
  let slug: string;
  beforeAll(async () => {
    slug = await newCollection(editor, "Editors at work");
  });

  it("edits the title, question and introduction; the slug stays", async () => {
    const answer = await post(slug, editor, {
      intent: COLLECTION_INTENTS.edit,
      title: "Editors at work, revised",
      question: "What is an editor for?",
      introduction: "First paragraph.\n\nSecond paragraph.",
    });
    expect(locationOf(answer)).toBe(`/collections/${slug}?saved=${COLLECTION_INTENTS.edit}`);
    const data = await page(slug);
    expect(data.collection).toMatchObject({
      title: "Editors at work, revised",
      question: "What is an editor for?",
      introduction: "First paragraph.\n\nSecond paragraph.",
    });
  });

  it("adds an existing article once, and refuses a second time or an unknown one", async () => {
    const answer = await post(slug, editor, {
      intent: COLLECTION_INTENTS.addArticle,
      articleId: String(seededArticle().id),
    });
    expect(answer.status).toBe(302);
    expect(await order(slug)).toEqual([SEED_ARTICLE_SLUG]);
    const again = await refusedWithoutWriting(400, () =>
      post(slug, editor, {
        intent: COLLECTION_INTENTS.addArticle,
        articleId: String(seededArticle().id),
      }),
    );
    expect(errorsOf(again).articleId).toBe("That article is already in this collection.");
    const unknown = await refusedWithoutWriting(400, () =>
      post(slug, editor, { intent: COLLECTION_INTENTS.addArticle, articleId: "999999" }),
    );
    expect(errorsOf(unknown).articleId).toBe("There is no such article.");
    const none = await refusedWithoutWriting(400, () =>
      post(slug, editor, { intent: COLLECTION_INTENTS.addArticle, articleId: "" }),
    );
    expect(errorsOf(none).articleId).toBe("Choose an article to add.");
  });

  it("uploads a .txt response: a new article the editor added, with its byline and author", async () => {
    const answer = await upload(
      slug,
      editor,
      { name: "reply.txt", content: ARTICLE_TXT("A Reply to the Question") },
      { byline: "By Aurelia Author", authorUsername: `@${author.username}` },
    );
    expect(locationOf(answer)).toBe(
      `/collections/${slug}?saved=${COLLECTION_INTENTS.upload}#responses`,
    );
    const created = articleBySlug("a-reply-to-the-question");
    expect(created).toMatchObject({
      title: "A Reply to the Question",
      byline: "By Aurelia Author",
      editorId: editor.id,
      authorId: author.id,
    });
    expect(created?.currentRevisionId).not.toBeNull();
    const response = (await page(slug, editor)).collection.responses.at(-1);
    expect(response).toMatchObject({
      slug: "a-reply-to-the-question",
      byline: "By Aurelia Author",
      author: { username: author.username, displayName: "Aurelia Author" },
      paragraphCount: 2,
      canLinkAuthor: true,
    });
  });

  it("gives a second upload with the same title a slug of its own, and reads Markdown", async () => {
    await upload(slug, editor, {
      name: "again.txt",
      content: ARTICLE_TXT("A Reply to the Question"),
    });
    expect(articleBySlug("a-reply-to-the-question-2")?.title).toBe("A Reply to the Question");
    await upload(slug, editor, { name: "md.md", content: ARTICLE_MD("Marked Down") });
    const md = articleBySlug("marked-down");
    expect(md?.editorId).toBe(editor.id);
    expect(md?.authorId).toBeNull();
    expect(await order(slug)).toEqual([
      SEED_ARTICLE_SLUG,
      "a-reply-to-the-question",
      "a-reply-to-the-question-2",
      "marked-down",
    ]);
  });

  it.each([
    ["no file chosen", null, "Choose a file to upload."],
    ["an empty file", { name: "empty.txt", content: "" }, "The file is empty."],
    ["a blank file", { name: "blank.txt", content: " \n\n " }, "The file is empty."],
    [
      "a binary file",
      { name: "image.txt", content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]) },
      /binary/,
    ],
    [
      "a file that is not UTF-8",
      { name: "latin1.txt", content: new Uint8Array([0x54, 0x69, 0x74, 0x6c, 0xe9, 0x0a]) },
      /UTF-8/,
    ],
    [
      "a file too big",
      { name: "big.txt", content: `Big\n\n${"word ".repeat(MAX_IMPORT_BYTES / 5 + 10)}` },
      /larger than 1 MB/,
    ],
    ["a PDF", { name: "paper.pdf", content: "%PDF-1.4" }, /\.txt file/],
    [
      "a title and nothing else",
      { name: "title.txt", content: "Only a Title\n" },
      /not an article/,
    ],
    [
      "Markdown without a title heading",
      { name: "notitle.md", content: "Just a paragraph.\n\nAnd another." },
      /# Title/,
    ],
  ] as const)(
    "refuses %s with an error on the file field, and writes nothing",
    async (_what, file, message) => {
      const answer = await refusedWithoutWriting(400, () => upload(slug, editor, file));
      const errors = errorsOf(answer);
      expect(errors.file).toMatch(message);
      expect((answer.body as { values: Record<string, string> }).values.byline).toBe(
        "By A. Writer",
      );
    },
  );

  it("refuses an unknown author username beside its field (with a bad file's error too), and writes nothing", async () => {
    const answer = await refusedWithoutWriting(400, () =>
      upload(
        slug,
        editor,
        { name: "fine.txt", content: ARTICLE_TXT("Unwritten Reply") },
        { authorUsername: "nobody_has_this_name" },
      ),
    );
    expect(errorsOf(answer)).toEqual({ authorUsername: "No account has this username." });
    const both = await refusedWithoutWriting(400, () =>
      upload(slug, editor, { name: "x.txt", content: "" }, { authorUsername: "nobody_at_all" }),
    );
    expect(Object.keys(errorsOf(both)).sort()).toEqual(["authorUsername", "file"]);
    expect(articleBySlug("unwritten-reply")).toBeUndefined();
  });

  it("refuses an upload without a byline", async () => {
    const answer = await refusedWithoutWriting(400, () =>
      upload(slug, editor, { name: "f.txt", content: ARTICLE_TXT("No Byline") }, { byline: "" }),
    );
    expect(errorsOf(answer).byline).toMatch(/byline/);
  });

  it("moves responses up and down, stably, and does nothing past either end", async () => {
    const before = await order(slug);
    const id = async (s: string) => (articleBySlug(s) as { id: number }).id;
    const move = async (s: string, direction: "up" | "down") =>
      post(slug, editor, {
        intent: COLLECTION_INTENTS.move,
        articleId: String(await id(s)),
        direction,
      });
    expect((await move("marked-down", "up")).status).toBe(302);
    expect(await order(slug)).toEqual([before[0], before[1], before[3], before[2]]);
    await move("marked-down", "down");
    expect(await order(slug)).toEqual(before);
    // At the ends: no change, and still a success (the button is simply not shown there).
    const snap = snapshot();
    expect((await move(before[0] as string, "up")).status).toBe(302);
    expect((await move(before[3] as string, "down")).status).toBe(302);
    expect(snapshot()).toEqual(snap);
    // Loading twice gives the same order.
    expect(await order(slug)).toEqual(await order(slug));
    await move(before[0] as string, "down");
    await move(before[0] as string, "down");
    expect(await order(slug)).toEqual([before[1], before[2], before[0], before[3]]);
    await move(before[0] as string, "up");
    await move(before[0] as string, "up");
    expect(await order(slug)).toEqual(before);
  });

  it("removes a response from the collection without deleting the article", async () => {
    const target = articleBySlug("a-reply-to-the-question-2") as { id: number };
    const answer = await post(slug, editor, {
      intent: COLLECTION_INTENTS.remove,
      articleId: String(target.id),
    });
    expect(answer.status).toBe(302);
    expect(await order(slug)).not.toContain("a-reply-to-the-question-2");
    expect(articleBySlug("a-reply-to-the-question-2")).toBeDefined();
    await refusedWithoutWriting(404, () =>
      post(slug, editor, { intent: COLLECTION_INTENTS.remove, articleId: String(target.id) }),
    );
    // Moving after a removal still works from whatever positions are left.
    const now = await order(slug);
    await post(slug, editor, {
      intent: COLLECTION_INTENTS.move,
      articleId: String((articleBySlug(now[2] as string) as { id: number }).id),
      direction: "up",
    });
    expect(await order(slug)).toEqual([now[0], now[2], now[1]]);
  });

  it("links, changes and unlinks the author of an article the editor added", async () => {
    const target = articleBySlug("marked-down") as { id: number };
    const link = (username: string) =>
      post(slug, editor, {
        intent: COLLECTION_INTENTS.linkAuthor,
        articleId: String(target.id),
        authorUsername: username,
      });
    expect((await link(author.username)).status).toBe(302);
    expect(articleBySlug("marked-down")?.authorId).toBe(author.id);
    await link(stranger.username.toUpperCase());
    expect(articleBySlug("marked-down")?.authorId).toBe(stranger.id);
    const unknown = await refusedWithoutWriting(400, () => link("nobody_has_this_name"));
    expect(errorsOf(unknown).authorUsername).toBe("No account has this username.");
    expect((unknown.body as { targetId?: number }).targetId).toBe(target.id);
    await link("");
    expect(articleBySlug("marked-down")?.authorId).toBeNull();
  });

  it("never lets the editor link the author of an article someone else added (the seed's)", async () => {
    const data = await page(slug, editor);
    const seed = data.collection.responses.find((r) => r.slug === SEED_ARTICLE_SLUG);
    expect(seed?.canLinkAuthor).toBe(false);
    await refusedWithoutWriting(403, () =>
      post(slug, editor, {
        intent: COLLECTION_INTENTS.linkAuthor,
        articleId: String(seededArticle().id),
        authorUsername: editor.username,
      }),
    );
  });

  it("refuses every editor action to anyone but the editor (403) and sends the anonymous to sign in", async () => {
    const seedId = String(seededArticle().id);
    const mine = String((articleBySlug("marked-down") as { id: number }).id);
    const forms: Record<string, string>[] = [
      { intent: COLLECTION_INTENTS.edit, title: "Hijacked", question: "Whose?" },
      {
        intent: COLLECTION_INTENTS.addArticle,
        articleId: String(articleBySlug("a-reply-to-the-question-2")?.id),
      },
      { intent: COLLECTION_INTENTS.move, articleId: mine, direction: "up" },
      { intent: COLLECTION_INTENTS.remove, articleId: seedId },
      { intent: COLLECTION_INTENTS.linkAuthor, articleId: mine, authorUsername: stranger.username },
      {
        intent: COLLECTION_INTENTS.linkAuthor,
        articleId: seedId,
        authorUsername: stranger.username,
      },
    ];
    for (const fields of forms) {
      const answer = await refusedWithoutWriting(403, () => post(slug, stranger, fields));
      expect(errorsOf(answer).form, fields.intent).toMatch(/editor/);
      const anonymous = await refusedWithoutWriting(302, () => post(slug, null, fields));
      expect(locationOf(anonymous)).toMatch(/^\/login\?/);
    }
    await refusedWithoutWriting(403, () =>
      upload(slug, stranger, { name: "mine.txt", content: ARTICLE_TXT("A Stranger's Reply") }),
    );
  });

  it("lets a site admin edit it, and link the author of any article, the seed's included", async () => {
    const answer = await post(slug, admin, {
      intent: COLLECTION_INTENTS.linkAuthor,
      articleId: String(seededArticle().id),
      authorUsername: author.username,
    });
    expect(answer.status).toBe(302);
    expect(articleBySlug(SEED_ARTICLE_SLUG)?.authorId).toBe(author.id);
    expect((await page(slug, admin)).collection.responses[0]?.canLinkAuthor).toBe(true);
    await post(slug, admin, {
      intent: COLLECTION_INTENTS.linkAuthor,
      articleId: String(seededArticle().id),
      authorUsername: "",
    });
    expect(articleBySlug(SEED_ARTICLE_SLUG)?.authorId).toBeNull();
  });

  it("refuses an unknown intent", async () => {
    await refusedWithoutWriting(400, () => post(slug, editor, { intent: "frobnicate" }));
  });
});

describe("an outsider's own collection", () => {
  it("cannot make them the author of the seed article or of another editor's article", async () => {
    const theirs = await newCollection(stranger, "Stranger Things Said");
    const editorsArticle = articleBySlug("a-reply-to-the-question") as { id: number };
    for (const articleId of [seededArticle().id, editorsArticle.id]) {
      const added = await post(theirs, stranger, {
        intent: COLLECTION_INTENTS.addArticle,
        articleId: String(articleId),
      });
      expect(added.status).toBe(302);
      const answer = await refusedWithoutWriting(403, () =>
        post(theirs, stranger, {
          intent: COLLECTION_INTENTS.linkAuthor,
          articleId: String(articleId),
          authorUsername: stranger.username,
        }),
      );
      expect(errorsOf(answer).form).toMatch(/editor who added this article/);
    }
    const data = await page(theirs, stranger);
    expect(data.collection.responses.every((r) => !r.canLinkAuthor)).toBe(true);
    expect(articleBySlug(SEED_ARTICLE_SLUG)?.authorId).toBeNull();
  });
});

describe("how much review a response drew", () => {
  it("counts the threads the viewer may see, and the open ones", async () => {
    const slug = await newCollection(editor, "Counting review");
    await post(slug, editor, {
      intent: COLLECTION_INTENTS.addArticle,
      articleId: String(seededArticle().id),
    });
    const counts = async (as: SignedIn | null) => {
      const r = (await page(slug, as)).collection.responses[0];
      return { threads: r?.threads, open: r?.openThreads };
    };
    const before = await counts(null);
    const open = createThread(author, { anchor: "p-2", body: "Open question." });
    const resolved = createThread(author, { anchor: "p-2", body: "Settled." });
    createThread(author, { anchor: "p-2", body: "Mine only.", visibility: "private" });
    db.update(annotation)
      .set({ resolvedAt: new Date(), resolvedBy: author.id })
      .where(eq(annotation.id, resolved))
      .run();
    expect(open).toBeGreaterThan(0);
    const threads = before.threads ?? 0;
    const opened = before.open ?? 0;
    expect(await counts(null)).toEqual({ threads: threads + 2, open: opened + 1 });
    expect(await counts(stranger)).toEqual({ threads: threads + 2, open: opened + 1 });
    // The author also sees their private note.
    expect(await counts(author)).toEqual({ threads: threads + 3, open: opened + 2 });
  });
});

describe("review panels on the group pages", () => {
  const start = (fields: Record<string, string>) =>
    call(
      groupsAction,
      postRequest(
        "/groups",
        { intent: GROUP_INTENTS.create, description: "", ...fields },
        {
          as: editor,
        },
      ),
    );
  const kindOf = (answer: Answer) => {
    const id = Number(locationOf(answer).replace("/groups/", ""));
    return db.select({ kind: group.kind }).from(group).where(eq(group.id, id)).get()?.kind;
  };

  it("starts a class by default and a review panel when asked", async () => {
    expect(kindOf(await start({ name: "A class" }))).toBe("class");
    expect(kindOf(await start({ name: "Another class", kind: "class" }))).toBe("class");
    expect(kindOf(await start({ name: "The panel", kind: "panel" }))).toBe("panel");
  });

  it("refuses a kind it does not know, beside the field", async () => {
    const answer = await refusedWithoutWriting(400, () => start({ name: "X", kind: "cabal" }));
    expect(errorsOf(answer).kind).toBe("Choose a class or a review panel.");
  });
});

describe("collection items stay consistent", () => {
  it("never lists an article twice in one collection", () => {
    const rows = db.select().from(collectionItem).all();
    const keys = rows.map((r) => `${r.collectionId}:${r.articleId}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

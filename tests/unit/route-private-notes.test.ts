/**
 * A private note is its author's alone: no loader hands it (its text, its passage, its count) to an
 * anonymous reader or another signed-in reader — the reading page, the paragraph panel, the
 * permalink, the discussion, search, the author's profile, the library's recent list and the feed.
 * Each check also loads the same page as the author (or looks for a public annotation written beside
 * the note), so it cannot pass by showing nothing at all.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loader as libraryLoader } from "#app/routes/_index";
import { loader as readingLoader } from "#app/routes/articles.$slug";
import { loader as feedLoader } from "#app/routes/articles.$slug.feed[.xml]";
import { loader as paragraphLoader } from "#app/routes/articles.$slug.p.$anchor";
import { loader as permalinkLoader } from "#app/routes/articles.$slug_.annotations.$id";
import { loader as discussionLoader } from "#app/routes/articles.$slug_.discussion";
import { loader as searchLoader } from "#app/routes/search";
import { loader as profileLoader } from "#app/routes/u.$username";
import {
  type Answer,
  call,
  createThread,
  createThreadReply,
  getRequest,
  paragraph,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  signedInUser,
} from "./factories";

/** Words that occur in nothing but the private note and its private reply. */
const SECRET = "zanzibarquokka";
const SECRET_REPLY = "xylophonewombat";
/** Words of the author's public annotation beside it: the positive control. */
const PUBLIC = "marmaladepelican";

/** Only the private note is on this paragraph, so its count and highlight are its alone. */
const PRIVATE_ANCHOR = "p-6";
const PUBLIC_ANCHOR = "p-7";

let author: SignedIn;
let stranger: SignedIn;
let privateId: number;
let privateReplyId: number;
let publicId: number;
let quote: string;

beforeAll(async () => {
  author = await signedInUser({ displayName: "Note Keeper" });
  stranger = await signedInUser();
  quote = paragraph(PRIVATE_ANCHOR).text.slice(0, 30);
  privateId = createThread(author, {
    anchor: PRIVATE_ANCHOR,
    kind: "question",
    body: `Only for me: ${SECRET}.`,
    quote,
    quoteStart: 0,
    visibility: "private",
  });
  privateReplyId = createThreadReply(author, privateId, { body: `Also mine: ${SECRET_REPLY}.` });
  publicId = createThread(author, { anchor: PUBLIC_ANCHOR, body: `For everyone: ${PUBLIC}.` });
});

/**
 * Who else might look, by name: the users are made in beforeAll, after the tests are collected, so
 * each is looked up when its test runs.
 */
const OTHERS: [name: string, viewer: () => SignedIn | null][] = [
  ["an anonymous reader", () => null],
  ["another signed-in reader", () => stranger],
];

function text(answer: Answer): string {
  return typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
}

/** No word of the note or its reply anywhere in the answer (or in `part` of it, when it echoes the query). */
function expectNoSecret(answer: Answer, part?: string) {
  const shown = part
    ? JSON.stringify((answer.body as Record<string, unknown>)[part])
    : text(answer);
  expect(shown).not.toContain(SECRET);
  expect(shown).not.toContain(SECRET_REPLY);
}

describe("the reading page", () => {
  const load = (as: SignedIn | null) =>
    call(readingLoader, getRequest(`/articles/${SEED_ARTICLE_SLUG}`, { as }), {
      slug: SEED_ARTICLE_SLUG,
    });

  function summaryOf(answer: Answer, anchor: string) {
    const body = answer.body as {
      article: { blocks: { anchor: string; summary: { total: number; ranges: unknown[] } }[] };
    };
    const found = body.article.blocks.find((b) => b.anchor === anchor);
    if (!found) throw new Error(`no block ${anchor}`);
    return found.summary;
  }

  for (const [name, viewer] of OTHERS) {
    it(`shows ${name} no count or highlight for the note`, async () => {
      const as = viewer();
      const answer = await load(as);
      expect(answer.status).toBe(200);
      expectNoSecret(answer);
      expect(summaryOf(answer, PRIVATE_ANCHOR)).toEqual({ counts: {}, total: 0, ranges: [] });
      expect(summaryOf(answer, PUBLIC_ANCHOR).total).toBe(1);
    });
  }

  it("counts and highlights it for its author", async () => {
    const answer = await load(author);
    // The note and its reply.
    expect(summaryOf(answer, PRIVATE_ANCHOR)).toMatchObject({
      total: 2,
      ranges: [{ start: 0, end: 30, kind: "question" }],
    });
  });
});

describe("the paragraph panel", () => {
  const load = (anchor: string, as: SignedIn | null) =>
    call(paragraphLoader, getRequest(`/articles/${SEED_ARTICLE_SLUG}/p/${anchor}`, { as }), {
      slug: SEED_ARTICLE_SLUG,
      anchor,
    });

  for (const [name, viewer] of OTHERS) {
    it(`lists no thread for ${name}`, async () => {
      const as = viewer();
      const answer = await load(PRIVATE_ANCHOR, as);
      expect(answer.status).toBe(200);
      expectNoSecret(answer);
      expect(answer.body).toMatchObject({ threads: [], counts: { all: 0 }, signedIn: as !== null });
      expect(text(await load(PUBLIC_ANCHOR, as))).toContain(PUBLIC);
    });
  }

  it("lists the note and its reply for its author", async () => {
    const answer = await load(PRIVATE_ANCHOR, author);
    expect(answer.body).toMatchObject({ threads: [{ id: privateId }], counts: { all: 1 } });
    expect(text(answer)).toContain(SECRET);
    expect(text(answer)).toContain(SECRET_REPLY);
  });
});

describe("the permalink", () => {
  const load = (id: number, as: SignedIn | null) =>
    call(permalinkLoader, getRequest(`/articles/${SEED_ARTICLE_SLUG}/annotations/${id}`, { as }), {
      slug: SEED_ARTICLE_SLUG,
      id: String(id),
    });

  for (const [name, viewer] of OTHERS) {
    it(`is 404 for ${name}, for the note and for its reply`, async () => {
      const as = viewer();
      for (const id of [privateId, privateReplyId]) {
        const answer = await load(id, as);
        expect(answer).toMatchObject({ status: 404, thrown: true });
        expectNoSecret(answer);
      }
      expect((await load(publicId, as)).status).toBe(200);
    });
  }

  it("shows the thread to its author", async () => {
    const answer = await load(privateReplyId, author);
    expect(answer.status).toBe(200);
    expect(text(answer)).toContain(SECRET_REPLY);
  });
});

describe("the discussion", () => {
  const load = (query: string, as: SignedIn | null) =>
    call(
      discussionLoader,
      getRequest(`/articles/${SEED_ARTICLE_SLUG}/discussion${query}`, { as }),
      { slug: SEED_ARTICLE_SLUG },
    );

  for (const [name, viewer] of OTHERS) {
    it(`lists no trace of the note for ${name}, in any view`, async () => {
      const as = viewer();
      for (const query of [
        "",
        "?sort=newest",
        "?sort=replied",
        "?kind=question",
        `?author=${author.username}`,
        `?q=${SECRET}`,
      ]) {
        const answer = await load(query, as);
        expect(answer.status, query).toBe(200);
        // The page repeats the query it was asked; what it lists must not come from the note.
        expectNoSecret(answer, query.startsWith("?q=") ? "threads" : undefined);
      }
      expect(text(await load("", as))).toContain(PUBLIC);
      expect((await load(`?q=${SECRET}`, as)).body).toMatchObject({ total: 0, threads: [] });
    });
  }

  it("lists it for its author", async () => {
    const answer = await load(`?q=${SECRET}`, author);
    expect(answer.body).toMatchObject({ total: 1, threads: [{ root: { id: privateId } }] });
  });
});

describe("search", () => {
  const load = (q: string, as: SignedIn | null) =>
    call(searchLoader, getRequest(`/search?q=${encodeURIComponent(q)}`, { as }));

  for (const [name, viewer] of OTHERS) {
    it(`finds nothing of the note for ${name}`, async () => {
      const as = viewer();
      for (const q of [SECRET, SECRET_REPLY, quote.split(" ").slice(0, 3).join(" ")]) {
        const answer = await load(q, as);
        expect(answer.status).toBe(200);
        expectNoSecret(answer, "results");
      }
      expect((await load(SECRET, as)).body).toMatchObject({ total: 0, results: [] });
      expect((await load(PUBLIC, as)).body).toMatchObject({ total: 1 });
    });
  }

  it("finds it for its author", async () => {
    expect((await load(SECRET, author)).body).toMatchObject({
      total: 1,
      results: [{ id: privateId }],
    });
    expect((await load(SECRET_REPLY, author)).body).toMatchObject({ total: 1 });
  });
});

describe("the author's profile", () => {
  const load = (as: SignedIn | null) =>
    call(profileLoader, getRequest(`/u/${author.username}`, { as }), { username: author.username });

  for (const [name, viewer] of OTHERS) {
    it(`lists only the public annotation for ${name}`, async () => {
      const as = viewer();
      const answer = await load(as);
      expect(answer.status).toBe(200);
      expectNoSecret(answer);
      expect(answer.body).toMatchObject({ isSelf: false, total: 1, items: [{ id: publicId }] });
    });
  }

  it("lists the note for its author", async () => {
    const answer = await load(author);
    expect(answer.body).toMatchObject({ isSelf: true, total: 3 });
    expect(text(answer)).toContain(SECRET);
  });
});

describe("the library's recent annotations", () => {
  for (const [name, viewer] of OTHERS) {
    it(`leave the note out for ${name}`, async () => {
      const as = viewer();
      const answer = await call(libraryLoader, getRequest("/", { as }));
      expect(answer.status).toBe(200);
      expectNoSecret(answer);
      expect(text(answer)).toContain(PUBLIC);
    });
  }
});

describe("the article's feed", () => {
  const viewers: typeof OTHERS = [...OTHERS, ["the note's own author", () => author]];

  for (const [name, viewer] of viewers) {
    it(`never carries the note, even for ${name}`, async () => {
      const answer = await call(
        feedLoader,
        getRequest(`/articles/${SEED_ARTICLE_SLUG}/feed.xml`, { as: viewer() }),
        { slug: SEED_ARTICLE_SLUG },
      );
      expect(answer.status).toBe(200);
      expect(answer.headers.get("Content-Type")).toContain("atom+xml");
      expectNoSecret(answer);
      expect(text(answer)).toContain(PUBLIC);
      expect(text(answer)).not.toContain(`/annotations/${privateId}<`);
    });
  }
});

/**
 * The paragraph discussion's action (app/routes/articles.$slug.p.$anchor.tsx), called as Remix
 * would, against the worker's own database: every intent (create, reply, edit, delete) for a
 * signed-out reader (sent to sign in), a signed-in stranger (refused, nothing written) and the
 * author (written), and the 400 answers to invalid forms with what was typed.
 */
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { action, loader } from "#app/routes/articles.$slug.p.$anchor";
import { annotation, sourceLink } from "#db/schema";
import {
  type Answer,
  call,
  createThread,
  createThreadReply,
  db,
  getRequest,
  locationOf,
  loginRedirect,
  paragraph,
  postRequest,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  signedInUser,
  snapshot,
  writtenAt,
} from "./factories";

const ANCHOR = "p-2";
const HERE = `/articles/${SEED_ARTICLE_SLUG}/p/${ANCHOR}`;
const PARAMS = { slug: SEED_ARTICLE_SLUG, anchor: ANCHOR };

function post(fields: Record<string, string>, as: SignedIn | null, referer: string | null = HERE) {
  return call(action, postRequest(HERE, fields, { as, referer: referer ?? undefined }), PARAMS);
}

function row(id: number) {
  return db.select().from(annotation).where(eq(annotation.id, id)).get();
}

/** The form result of a refused write: the errors and what was typed. */
function formResult(answer: Answer) {
  return answer.body as {
    intent: string;
    targetId?: number;
    errors: Record<string, string>;
    values: Record<string, string>;
  };
}

let author: SignedIn;
let stranger: SignedIn;
let publicId: number;
let privateId: number;

beforeEach(async () => {
  author = await signedInUser();
  stranger = await signedInUser();
  publicId = createThread(author, { anchor: ANCHOR, body: "The author's public remark." });
  privateId = createThread(author, {
    anchor: ANCHOR,
    body: "The author's private note.",
    visibility: "private",
  });
});

/** Every write, with a form that would succeed for the annotation's author. */
function writes(): { intent: string; fields: () => Record<string, string> }[] {
  return [
    {
      intent: "create",
      fields: () => ({ intent: "create", kind: "question", body: "Why is that so?" }),
    },
    {
      intent: "reply",
      fields: () => ({
        intent: "reply",
        id: String(publicId),
        kind: "annotation",
        body: "Agreed.",
      }),
    },
    {
      intent: "edit",
      fields: () => ({ intent: "edit", id: String(publicId), body: "Changed my mind." }),
    },
    { intent: "delete", fields: () => ({ intent: "delete", id: String(publicId) }) },
  ];
}

describe("paragraph action, signed out", () => {
  for (const { intent, fields } of writes()) {
    it(`${intent}: 302 to sign in, back to the paragraph, nothing written`, async () => {
      const before = snapshot();
      const answer = await post(fields(), null);
      expect(answer.status).toBe(302);
      expect(locationOf(answer)).toBe(loginRedirect(HERE));
      expect(snapshot()).toEqual(before);
    });
  }

  it("without a Referer, returns to the address posted to", async () => {
    const answer = await post({ intent: "create", kind: "annotation", body: "Hi" }, null, null);
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe(loginRedirect(HERE));
  });

  it("a session that no longer exists counts as signed out", async () => {
    const gone = { ...stranger, cookie: "auth_session=no-such-session" };
    const before = snapshot();
    const answer = await post({ intent: "create", kind: "annotation", body: "Hi" }, gone);
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe(loginRedirect(HERE));
    expect(snapshot()).toEqual(before);
  });
});

describe("paragraph action, a signed-in stranger", () => {
  it("edit of someone else's public annotation: 403, nothing written", async () => {
    const before = snapshot();
    const answer = await post(
      { intent: "edit", id: String(publicId), body: "Mine now." },
      stranger,
    );
    expect(answer.status).toBe(403);
    expect(formResult(answer)).toMatchObject({
      intent: "edit",
      targetId: publicId,
      errors: { form: expect.any(String) },
      values: { body: "Mine now." },
    });
    expect(snapshot()).toEqual(before);
  });

  it("delete of someone else's public annotation: 403, nothing written", async () => {
    const before = snapshot();
    const answer = await post({ intent: "delete", id: String(publicId) }, stranger);
    expect(answer.status).toBe(403);
    expect(formResult(answer).errors.form).toEqual(expect.any(String));
    expect(snapshot()).toEqual(before);
  });

  for (const intent of ["reply", "edit", "delete"]) {
    it(`${intent} on someone else's private note: 404 (its existence is not told), nothing written`, async () => {
      const before = snapshot();
      const answer = await post(
        { intent, id: String(privateId), kind: "annotation", body: "Peek." },
        stranger,
      );
      expect(answer.status).toBe(404);
      expect(formResult(answer).errors.form).toEqual(expect.any(String));
      expect(snapshot()).toEqual(before);
    });
  }

  it("reply to someone else's public annotation is allowed (anyone signed in may answer)", async () => {
    const answer = await post(
      { intent: "reply", id: String(publicId), kind: "question", body: "Source?" },
      stranger,
    );
    expect(answer.status).toBe(302);
    const id = writtenAt(answer, HERE);
    expect(row(id)).toMatchObject({
      authorId: stranger.id,
      parentId: publicId,
      rootId: publicId,
      kind: "question",
      body: "Source?",
      visibility: "public",
    });
  });
});

describe("paragraph action, the author", () => {
  it("create: 302 to the new annotation, written on this paragraph by the author", async () => {
    const answer = await post(
      { intent: "create", kind: "counterargument", body: "Not so.", visibility: "private" },
      author,
    );
    expect(answer.status).toBe(302);
    const id = writtenAt(answer, HERE);
    expect(row(id)).toMatchObject({
      authorId: author.id,
      blockId: paragraph(ANCHOR).id,
      parentId: null,
      rootId: id,
      kind: "counterargument",
      body: "Not so.",
      visibility: "private",
    });
  });

  it("create with a quoted passage and a source", async () => {
    const text = paragraph(ANCHOR).text;
    const quote = text.slice(0, 20);
    const answer = await post(
      {
        intent: "create",
        kind: "source",
        body: "See this report.",
        quote,
        quoteStart: "0",
        sourceUrl: "https://example.org/report",
        sourceTitle: "A report",
        sourceStance: "supports",
      },
      author,
    );
    expect(answer.status).toBe(302);
    const id = writtenAt(answer, HERE);
    expect(row(id)).toMatchObject({ quoteExact: quote, positionStart: 0, positionEnd: 20 });
    expect(db.select().from(sourceLink).where(eq(sourceLink.annotationId, id)).get()).toEqual({
      annotationId: id,
      url: "https://example.org/report",
      title: "A report",
      stance: "supports",
    });
  });

  it("reply to their own private note: 302, the reply is private too", async () => {
    const answer = await post(
      { intent: "reply", id: String(privateId), kind: "annotation", body: "And another thing." },
      author,
    );
    expect(answer.status).toBe(302);
    const id = writtenAt(answer, HERE);
    expect(row(id)).toMatchObject({
      authorId: author.id,
      parentId: privateId,
      visibility: "private",
    });
  });

  it("edit: 302 back to it, the text changed and marked edited", async () => {
    const answer = await post(
      { intent: "edit", id: String(publicId), body: "Better words." },
      author,
    );
    expect(answer.status).toBe(302);
    expect(writtenAt(answer, HERE)).toBe(publicId);
    expect(row(publicId)).toMatchObject({ body: "Better words.", editedAt: expect.any(Date) });
    expect(row(publicId)?.bodyHtml).toContain("Better words.");
  });

  it("delete: 302 to the paragraph (scrolled to it), the annotation gone", async () => {
    const answer = await post({ intent: "delete", id: String(publicId) }, author);
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe(`${HERE}#${ANCHOR}`);
    expect(row(publicId)).toBeUndefined();
  });

  it("delete of an annotation with replies leaves a placeholder holding them", async () => {
    const replyId = createThreadReply(stranger, publicId);
    const answer = await post({ intent: "delete", id: String(publicId) }, author);
    expect(answer.status).toBe(302);
    expect(row(publicId)).toMatchObject({ body: "", deletedAt: expect.any(Date) });
    expect(row(replyId)).toMatchObject({ parentId: publicId, deletedAt: null });
  });

  it("edit or reply to a deleted annotation: 404, nothing written", async () => {
    createThreadReply(stranger, publicId);
    await post({ intent: "delete", id: String(publicId) }, author);
    for (const intent of ["edit", "reply", "delete"]) {
      const before = snapshot();
      const answer = await post(
        { intent, id: String(publicId), kind: "annotation", body: "Again." },
        author,
      );
      expect(answer.status, intent).toBe(404);
      expect(snapshot()).toEqual(before);
    }
  });
});

describe("paragraph action, invalid forms", () => {
  it("create without a body: 400 with the errors and what was typed, nothing written", async () => {
    const before = snapshot();
    const answer = await post(
      { intent: "create", kind: "question", body: "   ", quote: "some words" },
      author,
    );
    expect(answer.status).toBe(400);
    expect(formResult(answer)).toMatchObject({
      intent: "create",
      errors: { body: expect.any(String) },
      values: { kind: "question", body: "   ", quote: "some words" },
    });
    expect(snapshot()).toEqual(before);
  });

  it("create with an unknown kind, and a source without its link: 400 per field", async () => {
    const badKind = await post({ intent: "create", kind: "rant", body: "Hm." }, author);
    expect(badKind.status).toBe(400);
    expect(formResult(badKind).errors.kind).toEqual(expect.any(String));
    const noLink = await post({ intent: "create", kind: "source", body: "Look." }, author);
    expect(noLink.status).toBe(400);
    expect(formResult(noLink).errors).toMatchObject({
      sourceUrl: expect.any(String),
      sourceTitle: expect.any(String),
    });
    expect(formResult(noLink).values).toMatchObject({ kind: "source", body: "Look." });
  });

  it("create quoting words that are not in the paragraph: 400 on the quote, nothing written", async () => {
    const before = snapshot();
    const answer = await post(
      {
        intent: "create",
        kind: "annotation",
        body: "Hm.",
        quote: "words that are not there at all",
      },
      author,
    );
    expect(answer.status).toBe(400);
    expect(formResult(answer)).toMatchObject({
      errors: { quote: expect.any(String) },
      values: { quote: "words that are not there at all", body: "Hm." },
    });
    expect(snapshot()).toEqual(before);
  });

  it("reply and edit without a body: 400 naming the annotation, nothing written", async () => {
    for (const intent of ["reply", "edit"]) {
      const before = snapshot();
      const answer = await post(
        { intent, id: String(publicId), kind: "annotation", body: "" },
        author,
      );
      expect(answer.status, intent).toBe(400);
      expect(formResult(answer)).toMatchObject({
        intent,
        targetId: publicId,
        errors: { body: expect.any(String) },
        values: { body: "" },
      });
      expect(snapshot()).toEqual(before);
    }
  });

  it("reply, edit or delete without an annotation id: 400, nothing written", async () => {
    for (const intent of ["reply", "edit", "delete"]) {
      const before = snapshot();
      const answer = await post({ intent, kind: "annotation", body: "Which?" }, author);
      expect(answer.status, intent).toBe(400);
      expect(snapshot()).toEqual(before);
    }
  });

  it("an unknown intent: 400 on the form, nothing written", async () => {
    const before = snapshot();
    const answer = await post({ intent: "publish", body: "x" }, author);
    expect(answer.status).toBe(400);
    expect(formResult(answer).errors.form).toEqual(expect.any(String));
    expect(snapshot()).toEqual(before);
  });

  it("a paragraph that does not exist: 404, even signed out", async () => {
    for (const as of [null, author]) {
      const answer = await call(
        action,
        postRequest(`/articles/${SEED_ARTICLE_SLUG}/p/p-999`, { intent: "create" }, { as }),
        { slug: SEED_ARTICLE_SLUG, anchor: "p-999" },
      );
      expect(answer.status).toBe(404);
      expect(answer.thrown).toBe(true);
    }
  });
});

describe("paragraph loader", () => {
  it("a missing paragraph or article is 404", async () => {
    for (const params of [
      { slug: SEED_ARTICLE_SLUG, anchor: "p-999" },
      { slug: "no-such-article", anchor: "p-1" },
    ]) {
      const answer = await call(
        loader,
        getRequest(`/articles/${params.slug}/p/${params.anchor}`),
        params,
      );
      expect(answer.status).toBe(404);
      expect(answer.thrown).toBe(true);
    }
  });
});

/**
 * The permalink page's action (app/routes/articles.$slug_.annotations.$id.tsx): reply, edit and
 * delete for a signed-out reader, a signed-in stranger and the author, invalid forms, and what its
 * loader answers for a thread the viewer may or may not see.
 */
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { action, loader } from "#app/routes/articles.$slug_.annotations.$id";
import { annotation } from "#db/schema";
import {
  type Answer,
  call,
  createThread,
  createThreadReply,
  db,
  getRequest,
  locationOf,
  loginRedirect,
  postRequest,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  signedInUser,
  snapshot,
  writtenAt,
} from "./factories";

const DISCUSSION = `/articles/${SEED_ARTICLE_SLUG}/discussion`;

let author: SignedIn;
let stranger: SignedIn;
let publicId: number;
let privateId: number;

beforeEach(async () => {
  author = await signedInUser();
  stranger = await signedInUser();
  publicId = createThread(author, { anchor: "p-4", body: "A public thought." });
  privateId = createThread(author, {
    anchor: "p-4",
    body: "A private thought.",
    visibility: "private",
  });
});

function here(id: number): string {
  return `/articles/${SEED_ARTICLE_SLUG}/annotations/${id}`;
}

/** A form posted on the permalink page of `pageId`. */
function post(pageId: number, fields: Record<string, string>, as: SignedIn | null) {
  return call(action, postRequest(here(pageId), fields, { as, referer: here(pageId) }), {
    slug: SEED_ARTICLE_SLUG,
    id: String(pageId),
  });
}

function row(id: number) {
  return db.select().from(annotation).where(eq(annotation.id, id)).get();
}

function formResult(answer: Answer) {
  return answer.body as {
    intent: string;
    targetId?: number;
    errors: Record<string, string>;
    values: Record<string, string>;
  };
}

describe("permalink action, signed out", () => {
  for (const intent of ["reply", "edit", "delete"]) {
    it(`${intent}: 302 to sign in, back to the permalink, nothing written`, async () => {
      const before = snapshot();
      const answer = await post(
        publicId,
        { intent, id: String(publicId), kind: "annotation", body: "Hello." },
        null,
      );
      expect(answer.status).toBe(302);
      expect(locationOf(answer)).toBe(loginRedirect(here(publicId)));
      expect(snapshot()).toEqual(before);
    });
  }
});

describe("permalink action, a signed-in stranger", () => {
  for (const intent of ["edit", "delete"]) {
    it(`${intent} of someone else's public annotation: 403, nothing written`, async () => {
      const before = snapshot();
      const answer = await post(
        publicId,
        { intent, id: String(publicId), body: "Mine." },
        stranger,
      );
      expect(answer.status).toBe(403);
      expect(formResult(answer)).toMatchObject({ intent, targetId: publicId });
      expect(formResult(answer).errors.form).toEqual(expect.any(String));
      expect(snapshot()).toEqual(before);
    });
  }

  for (const intent of ["reply", "edit", "delete"]) {
    it(`${intent} on someone else's private note: 404, nothing written`, async () => {
      const before = snapshot();
      const answer = await post(
        privateId,
        { intent, id: String(privateId), kind: "annotation", body: "Peek." },
        stranger,
      );
      expect(answer.status).toBe(404);
      expect(snapshot()).toEqual(before);
    });
  }

  it("reply to a public annotation: 302 to the reply on this permalink", async () => {
    const answer = await post(
      publicId,
      { intent: "reply", id: String(publicId), kind: "annotation", body: "Indeed." },
      stranger,
    );
    expect(answer.status).toBe(302);
    const id = writtenAt(answer, here(publicId));
    expect(row(id)).toMatchObject({ authorId: stranger.id, parentId: publicId, body: "Indeed." });
  });
});

describe("permalink action, the author", () => {
  it("reply to their own reply: 302, nested in the thread", async () => {
    const first = createThreadReply(stranger, publicId);
    const answer = await post(
      publicId,
      { intent: "reply", id: String(first), kind: "question", body: "Why?" },
      author,
    );
    expect(answer.status).toBe(302);
    const id = writtenAt(answer, here(publicId));
    expect(row(id)).toMatchObject({
      parentId: first,
      rootId: publicId,
      depth: 2,
      kind: "question",
    });
  });

  it("edit: 302 back to it on the permalink, text changed", async () => {
    const answer = await post(
      publicId,
      { intent: "edit", id: String(publicId), body: "Second thoughts." },
      author,
    );
    expect(answer.status).toBe(302);
    expect(writtenAt(answer, here(publicId))).toBe(publicId);
    expect(row(publicId)).toMatchObject({ body: "Second thoughts.", editedAt: expect.any(Date) });
  });

  it("edit of their private note: 302, text changed", async () => {
    const answer = await post(
      privateId,
      { intent: "edit", id: String(privateId), body: "Private, revised." },
      author,
    );
    expect(answer.status).toBe(302);
    expect(row(privateId)?.body).toBe("Private, revised.");
  });

  it("delete: 302 to the article's discussion, the annotation gone", async () => {
    const answer = await post(publicId, { intent: "delete", id: String(publicId) }, author);
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe(DISCUSSION);
    expect(row(publicId)).toBeUndefined();
  });
});

describe("permalink action, invalid forms", () => {
  it("reply without a body: 400 with the errors and what was typed, nothing written", async () => {
    const before = snapshot();
    const answer = await post(
      publicId,
      { intent: "reply", id: String(publicId), kind: "question", body: " " },
      author,
    );
    expect(answer.status).toBe(400);
    expect(formResult(answer)).toMatchObject({
      intent: "reply",
      targetId: publicId,
      errors: { body: expect.any(String) },
      values: { kind: "question", body: " " },
    });
    expect(snapshot()).toEqual(before);
  });

  it("edit with a body over the limit: 400, nothing written", async () => {
    const before = snapshot();
    const long = "x".repeat(10_001);
    const answer = await post(
      publicId,
      { intent: "edit", id: String(publicId), body: long },
      author,
    );
    expect(answer.status).toBe(400);
    expect(formResult(answer)).toMatchObject({
      errors: { body: expect.any(String) },
      values: { body: long },
    });
    expect(snapshot()).toEqual(before);
  });

  it("create: 400, new threads start on a paragraph", async () => {
    const before = snapshot();
    const answer = await post(
      publicId,
      { intent: "create", kind: "annotation", body: "A new thread?" },
      author,
    );
    expect(answer.status).toBe(400);
    expect(formResult(answer)).toMatchObject({
      intent: "create",
      errors: { form: expect.any(String) },
      values: { body: "A new thread?" },
    });
    expect(snapshot()).toEqual(before);
  });

  it("an unknown article or a malformed id: 404", async () => {
    const answers = [
      await call(
        action,
        postRequest("/articles/nope/annotations/1", { intent: "delete" }, { as: author }),
        {
          slug: "nope",
          id: String(publicId),
        },
      ),
      await call(
        action,
        postRequest(
          `/articles/${SEED_ARTICLE_SLUG}/annotations/x`,
          { intent: "delete" },
          { as: author },
        ),
        { slug: SEED_ARTICLE_SLUG, id: "x" },
      ),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.thrown).toBe(true);
    }
  });
});

describe("permalink loader", () => {
  function load(id: number | string, as: SignedIn | null) {
    return call(loader, getRequest(here(Number(id)), { as }), {
      slug: SEED_ARTICLE_SLUG,
      id: String(id),
    });
  }

  it("a public thread, to anyone", async () => {
    const answer = await load(publicId, null);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: publicId, root: { id: publicId }, signedIn: false });
  });

  it("a private note: 404 to an anonymous reader and a stranger, the thread to its author", async () => {
    for (const viewer of [null, stranger]) {
      const answer = await load(privateId, viewer);
      expect(answer.status).toBe(404);
      expect(answer.thrown).toBe(true);
      expect(JSON.stringify(answer.body ?? "")).not.toContain("A private thought.");
    }
    const own = await load(privateId, author);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ root: { id: privateId }, signedIn: true });
  });

  it("an id that is not a number, or no such annotation: 404", async () => {
    for (const id of ["abc", "999999"]) {
      const answer = await load(id, author);
      expect(answer.status).toBe(404);
    }
  });
});

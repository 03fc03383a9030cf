/**
 * Endorsing (app/routes/annotations.$id.endorse.tsx): a signed-out reader is sent to sign in, the
 * author may not endorse their own annotation, nobody can endorse a private note they cannot see,
 * and any other reader toggles their endorsement, by plain form post or by fetcher.
 */
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { deleteAnnotation } from "#app/models/annotation.server";
import { action, loader } from "#app/routes/annotations.$id.endorse";
import { annotation, endorsement } from "#db/schema";
import {
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
} from "./factories";

const PAGE = `/articles/${SEED_ARTICLE_SLUG}/p/p-5`;

let author: SignedIn;
let reader: SignedIn;
let publicId: number;
let privateId: number;

beforeEach(async () => {
  author = await signedInUser();
  reader = await signedInUser();
  publicId = createThread(author, { anchor: "p-5", body: "Worth endorsing." });
  privateId = createThread(author, { anchor: "p-5", body: "Mine alone.", visibility: "private" });
});

function endorse(id: number | string, as: SignedIn | null, fields: Record<string, string> = {}) {
  const path = `/annotations/${id}/endorse`;
  return call(action, postRequest(path, { redirectTo: PAGE, ...fields }, { as, referer: PAGE }), {
    id: String(id),
  });
}

function endorsedBy(userId: string, annotationId: number): boolean {
  return (
    db
      .select()
      .from(endorsement)
      .where(and(eq(endorsement.userId, userId), eq(endorsement.annotationId, annotationId)))
      .get() !== undefined
  );
}

function endorsementCount(id: number): number | undefined {
  return db.select().from(annotation).where(eq(annotation.id, id)).get()?.endorsementCount;
}

describe("endorse action", () => {
  it("signed out: 302 to sign in, back to the page the form was on, nothing written", async () => {
    const before = snapshot();
    const answer = await endorse(publicId, null);
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe(loginRedirect(PAGE));
    expect(snapshot()).toEqual(before);
  });

  it("the author, of their own annotation: 403, nothing written", async () => {
    const before = snapshot();
    const answer = await endorse(publicId, author);
    expect(answer.status).toBe(403);
    expect(answer.thrown).toBe(true);
    expect(snapshot()).toEqual(before);
  });

  it("the author, by fetcher: 403 with the reason to show by the button", async () => {
    const before = snapshot();
    const answer = await endorse(publicId, author, { via: "fetcher" });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({ error: expect.any(String) });
    expect(snapshot()).toEqual(before);
  });

  it("a stranger, of someone's private note: 404 either way, nothing written", async () => {
    const before = snapshot();
    const plain = await endorse(privateId, reader);
    expect(plain.status).toBe(404);
    const fetcher = await endorse(privateId, reader, { via: "fetcher" });
    expect(fetcher.status).toBe(404);
    expect(fetcher.body).toEqual({ error: expect.any(String) });
    expect(snapshot()).toEqual(before);
  });

  it("another reader: 302 back to the page, endorsed; again: taken back", async () => {
    const first = await endorse(publicId, reader);
    expect(first.status).toBe(302);
    expect(locationOf(first)).toBe(PAGE);
    expect(endorsedBy(reader.id, publicId)).toBe(true);
    expect(endorsementCount(publicId)).toBe(1);

    const second = await endorse(publicId, reader);
    expect(second.status).toBe(302);
    expect(endorsedBy(reader.id, publicId)).toBe(false);
    expect(endorsementCount(publicId)).toBe(0);
  });

  it("another reader, by fetcher: the new state, no redirect", async () => {
    const on = await endorse(publicId, reader, { via: "fetcher" });
    expect(on).toMatchObject({ status: 200, body: { endorsed: true } });
    const off = await endorse(publicId, reader, { via: "fetcher" });
    expect(off).toMatchObject({ status: 200, body: { endorsed: false } });
  });

  it("never redirects off the site", async () => {
    const answer = await endorse(publicId, reader, { redirectTo: "//evil.example/" });
    expect(locationOf(answer)).toBe("/");
  });

  it("a deleted annotation, a missing one or a malformed id: 404, nothing written", async () => {
    // With a reply, the deleted annotation stays as a placeholder, which cannot be endorsed.
    createThreadReply(reader, publicId);
    deleteAnnotation({ db, viewer: author, id: publicId });
    const before = snapshot();
    for (const id of [publicId, 999_999, "abc"]) {
      const answer = await endorse(id, reader);
      expect(answer.status, String(id)).toBe(404);
    }
    expect(snapshot()).toEqual(before);
  });
});

describe("endorse loader", () => {
  it("a GET is 404", async () => {
    const answer = await call(loader, getRequest(`/annotations/${publicId}/endorse`), {
      id: String(publicId),
    });
    expect(answer).toMatchObject({ status: 404, thrown: true });
  });
});

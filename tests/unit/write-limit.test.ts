/**
 * Per-user write limits: an account posting faster than a person writes gets a clear 429 with
 * Retry-After, keeps what it typed, and writes nothing more; refused forms do not use the budget.
 */

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createAnnotation } from "#app/models/annotation.server";
import { chargeWrite, reserveWrite, WRITE_LIMITS } from "#app/models/write-limit.server";
import { action as endorseAction } from "#app/routes/annotations.$id.endorse";
import { action } from "#app/routes/articles.$slug.p.$anchor";
import { RateLimitedError } from "#app/utils/errors";
import { writeEvent } from "#db/schema";
import {
  call,
  createThread,
  db,
  paragraph,
  postRequest,
  SEED_ARTICLE_SLUG,
  signedInUser,
  snapshot,
} from "./factories";

const HERE = `/articles/${SEED_ARTICLE_SLUG}/p/p-6`;
const PARAMS = { slug: SEED_ARTICLE_SLUG, anchor: "p-6" };
const burst = WRITE_LIMITS.annotation[0] as { max: number; windowMs: number };

describe("reserveWrite", () => {
  it("allows the budget, then refuses until the oldest write leaves the window", async () => {
    const { id: userId } = await signedInUser();
    const t0 = new Date("2026-01-01T10:00:00Z");
    for (let i = 0; i < burst.max; i++) {
      reserveWrite({ db, userId, kind: "annotation", now: new Date(t0.getTime() + i * 1000) });
    }
    const late = new Date(t0.getTime() + burst.max * 1000);
    let refusal: unknown;
    try {
      reserveWrite({ db, userId, kind: "annotation", now: late });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect((refusal as RateLimitedError).retryAt).toEqual(new Date(t0.getTime() + burst.windowMs));
    expect((refusal as RateLimitedError).message).toMatch(/try again in \d+ minutes?\.$/);
    // Another person, and another kind of write, have budgets of their own.
    const other = await signedInUser();
    expect(() =>
      reserveWrite({ db, userId: other.id, kind: "annotation", now: late }),
    ).not.toThrow();
    expect(() => reserveWrite({ db, userId, kind: "endorsement", now: late })).not.toThrow();
    expect(() =>
      reserveWrite({
        db,
        userId,
        kind: "annotation",
        now: new Date(t0.getTime() + burst.windowMs + 1),
      }),
    ).not.toThrow();
  });
});

describe("counting inside the write's own transaction", () => {
  const countOf = (userId: string) =>
    db.select().from(writeEvent).where(eq(writeEvent.userId, userId)).all().length;

  it("counts an accepted write with it, and a refused one not at all", async () => {
    const writer = await signedInUser();
    const target = paragraph("p-6");
    const write = (quote: string | null) =>
      createAnnotation({
        db,
        author: writer,
        articleId: target.articleId,
        blockId: target.id,
        input: {
          kind: "annotation",
          body: "Counted.",
          source: null,
          quote,
          quoteStart: null,
          visibility: "public",
        },
        limited: true,
      });
    write(null);
    expect(countOf(writer.id)).toBe(1);
    // Refused before the transaction (the quote is not in the paragraph): nothing counted.
    expect(() => write("words that are nowhere in it")).toThrow();
    expect(countOf(writer.id)).toBe(1);
    // Unlimited writes (scripts, imports) are not counted.
    createThread(writer, { anchor: "p-6" });
    expect(countOf(writer.id)).toBe(1);
  });

  it("rolls the count back with a write refused inside the transaction", async () => {
    const writer = await signedInUser();
    const answer = await call(
      action,
      postRequest(
        HERE,
        { intent: "reply", id: "999999999", kind: "annotation", body: "To nothing." },
        { as: writer },
      ),
      PARAMS,
    );
    expect(answer.status).toBe(404);
    expect(countOf(writer.id)).toBe(0);
  });

  it("refuses to count outside a transaction", async () => {
    const { id: userId } = await signedInUser();
    expect(() => chargeWrite(db, { userId, kind: "annotation" })).toThrow(/inside/);
    expect(countOf(userId)).toBe(0);
  });
});

describe("posting past the budget", () => {
  it("answers 429 with Retry-After and the typed text, and writes nothing", async () => {
    const writer = await signedInUser();
    const post = (body: string) =>
      call(
        action,
        postRequest(HERE, { intent: "create", kind: "annotation", body }, { as: writer }),
        PARAMS,
      );
    // Refused forms do not count.
    for (let i = 0; i < 5; i++) expect((await post("")).status).toBe(400);
    for (let i = 0; i < burst.max; i++) expect((await post(`Note ${i}`)).status).toBe(302);
    const before = snapshot();
    const answer = await post("One too many");
    expect(answer.status).toBe(429);
    expect(answer.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(answer.body).toMatchObject({
      intent: "create",
      values: { body: "One too many" },
      errors: { form: expect.stringMatching(/posted a lot/) },
    });
    expect(snapshot()).toEqual(before);
  });

  it("limits endorsements too", async () => {
    const author = await signedInUser();
    const fan = await signedInUser();
    const target = createThread(author, { anchor: "p-6" });
    const endorse = () =>
      call(
        endorseAction,
        postRequest(`/annotations/${target}/endorse`, { via: "fetcher" }, { as: fan }),
        { id: String(target) },
      );
    const budget = WRITE_LIMITS.endorsement[0]?.max ?? 0;
    for (let i = 0; i < budget; i++) expect((await endorse()).status).toBe(200);
    const answer = await endorse();
    expect(answer.status).toBe(429);
    expect(answer.body).toMatchObject({ error: expect.stringMatching(/endorsed a lot/) });
  });
});

/**
 * Per-user write limits: an account posting faster than a person writes gets a clear 429 with
 * Retry-After, keeps what it typed, and writes nothing more; refused forms do not use the budget.
 */
import { describe, expect, it } from "vitest";
import { reserveWrite, WRITE_LIMITS } from "#app/models/write-limit.server";
import { action as endorseAction } from "#app/routes/annotations.$id.endorse";
import { action } from "#app/routes/articles.$slug.p.$anchor";
import { RateLimitedError } from "#app/utils/errors";
import {
  call,
  createThread,
  db,
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

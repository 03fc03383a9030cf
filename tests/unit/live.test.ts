/**
 * Live updates (app/models/live.server.ts): each listener hears only about others' writes it may
 * see, in its layer; an article nobody has open has no watcher and no timer; a reconnecting browser
 * hears what it missed.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { toggleEndorsement } from "#app/models/endorsement.server";
import {
  changeFor,
  currentCursor,
  type LiveChange,
  listen,
  parseCursor,
  readSince,
  watchedArticleCount,
} from "#app/models/live.server";
import { createThread, createThreadReply, createUser, db, seededArticle } from "./factories";
import { createGroupWith } from "./group-factories";

afterEach(() => {
  vi.useRealTimers();
});

describe("what a listener is told", () => {
  it("filters by visibility and layer, and leaves out the listener's own writes", async () => {
    const [ada, bo, outsider] = [await createUser(), await createUser(), await createUser()];
    const groupId = createGroupWith(db, { owner: ada, members: [bo] });
    const { id: articleId } = seededArticle();
    const from = currentCursor(db);
    const pub = createThread(ada, { body: "Live public." });
    createThread(ada, { visibility: "private", body: "Live private." });
    const cls = createThread(ada, { visibility: "group", groupId, body: "Live class." });
    createThreadReply(bo, cls, { body: "Live class reply." });
    toggleEndorsement({ db, viewer: bo, annotationId: pub });
    const batch = readSince(db, articleId, from);
    const all = { kind: "all" } as const;

    expect(changeFor(db, { viewer: null, layer: all }, batch)).toMatchObject({
      annotations: 1,
      replies: 0,
      endorsements: 1,
    });
    expect(changeFor(db, { viewer: outsider, layer: all }, batch)).toMatchObject({
      annotations: 1,
      replies: 0,
      endorsements: 1,
    });
    // Bo: Ada's public and class annotations; not his own reply or endorsement.
    expect(changeFor(db, { viewer: bo, layer: all }, batch)).toMatchObject({
      annotations: 2,
      replies: 0,
      endorsements: 0,
    });
    expect(changeFor(db, { viewer: bo, layer: { kind: "group", groupId } }, batch)).toMatchObject({
      annotations: 1,
      replies: 0,
      endorsements: 0,
    });
    // Ada: Bo's reply in the class and his endorsement, nothing of her own.
    expect(changeFor(db, { viewer: ada, layer: all }, batch)).toMatchObject({
      annotations: 0,
      replies: 1,
      endorsements: 1,
    });
    expect(changeFor(db, { viewer: ada, layer: { kind: "public" } }, batch)).toMatchObject({
      annotations: 0,
      replies: 0,
      endorsements: 1,
    });
  });

  it("reads a reconnecting browser's Last-Event-ID, and nothing odd", () => {
    expect(parseCursor("12.7")).toEqual({ annotation: 12, endorsement: 7 });
    for (const odd of [null, "", "12", "a.b", "1.2.3", "-1.2"]) expect(parseCursor(odd)).toBeNull();
  });
});

describe("watchers", () => {
  it("start with the first listener, stop with the last, and deliver what was missed", async () => {
    vi.useFakeTimers();
    const ada = await createUser();
    const { id: articleId } = seededArticle();
    const missedFrom = currentCursor(db);
    createThread(ada, { body: "Written while the browser was away." });
    const heard: LiveChange[] = [];
    const before = watchedArticleCount();
    const stop = listen(db, articleId, missedFrom, {
      viewer: null,
      layer: { kind: "all" },
      send: (change) => heard.push(change),
    });
    expect(watchedArticleCount()).toBe(before + 1);
    expect(heard).toHaveLength(1); // what it missed, at once
    createThread(ada, { body: "Written while listening." });
    vi.advanceTimersByTime(1100);
    expect(heard).toHaveLength(2);
    vi.advanceTimersByTime(5000); // nothing new: nothing sent
    expect(heard).toHaveLength(2);
    stop();
    expect(watchedArticleCount()).toBe(before);
    createThread(ada, { body: "Written after everyone left." });
    vi.advanceTimersByTime(5000);
    expect(heard).toHaveLength(2);
  });
});

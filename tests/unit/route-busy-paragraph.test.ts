/**
 * On a paragraph with more threads than the panel shows at once (50), a post must still land where
 * its writer sees it: the redirect names the new annotation, and the panel includes its thread.
 */
import { describe, expect, it } from "vitest";
import { action, loader } from "#app/routes/articles.$slug.p.$anchor";
import {
  call,
  createThread,
  createThreadReply,
  getRequest,
  locationOf,
  postRequest,
  SEED_ARTICLE_SLUG,
  signedInUser,
} from "./factories";

const ANCHOR = "p-5";
const HERE = `/articles/${SEED_ARTICLE_SLUG}/p/${ANCHOR}`;
const PARAMS = { slug: SEED_ARTICLE_SLUG, anchor: ANCHOR };

type Panel = {
  threads: { id: number; replies: { id: number }[] }[];
  counts: { all: number; open: number; resolved: number };
};

async function panelAt(location: string, as: Awaited<ReturnType<typeof signedInUser>>) {
  const answer = await call(loader, getRequest(location, { as }), PARAMS);
  expect(answer.status).toBe(200);
  return answer.body as Panel;
}

describe("a paragraph with more than 50 threads", () => {
  it("shows a new thread after posting, beyond the first 50", async () => {
    const crowd = await signedInUser();
    const firstIds = Array.from({ length: 55 }, () => createThread(crowd, { anchor: ANCHOR }));
    const writer = await signedInUser();
    const posted = await call(
      action,
      postRequest(
        HERE,
        { intent: "create", kind: "question", body: "Late to this?" },
        { as: writer },
      ),
      PARAMS,
    );
    const location = locationOf(posted);
    const id = Number(/#a-(\d+)$/.exec(location)?.[1]);
    expect(firstIds).not.toContain(id);

    const panel = await panelAt(location, writer);
    expect(panel.counts.all).toBe(56);
    expect(panel.threads.map((t) => t.id)).toContain(id);
    // The first 50 are still there: the new one is added, not swapped in.
    expect(panel.threads.map((t) => t.id).slice(0, 50)).toEqual(firstIds.slice(0, 50));
  });

  it("shows a reply in a thread beyond the first 50", async () => {
    const crowd = await signedInUser();
    const ids = Array.from({ length: 52 }, () => createThread(crowd, { anchor: ANCHOR }));
    const lastThread = ids.at(-1) as number;
    const replier = await signedInUser();
    const posted = await call(
      action,
      postRequest(
        HERE,
        { intent: "reply", id: String(lastThread), kind: "annotation", body: "An answer." },
        { as: replier },
      ),
      PARAMS,
    );
    const location = locationOf(posted);
    const replyId = Number(/#a-(\d+)$/.exec(location)?.[1]);
    const panel = await panelAt(location, replier);
    const thread = panel.threads.find((t) => t.id === lastThread);
    expect(thread?.replies.map((r) => r.id)).toContain(replyId);
  });

  it("does not let ?show= reveal a thread of another paragraph or a private note", async () => {
    const author = await signedInUser();
    const elsewhere = createThread(author, { anchor: "p-1" });
    const privateNote = createThread(author, { anchor: ANCHOR, visibility: "private" });
    createThreadReply(author, privateNote);
    const stranger = await signedInUser();
    for (const id of [elsewhere, privateNote]) {
      const panel = await panelAt(`${HERE}?show=${id}`, stranger);
      expect(panel.threads.map((t) => t.id)).not.toContain(id);
    }
  });
});

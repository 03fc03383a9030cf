/**
 * On a paragraph with more threads than the panel shows at once (20), a post must still land where
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
const P6 = `/articles/${SEED_ARTICLE_SLUG}/p/p-6`;
const P6_PARAMS = { slug: SEED_ARTICLE_SLUG, anchor: "p-6" };

type Panel = {
  threads: { id: number; replies: { id: number }[] }[];
  counts: { all: number; open: number; resolved: number };
};

async function panelAt(location: string, as: Awaited<ReturnType<typeof signedInUser>>) {
  const answer = await call(loader, getRequest(location, { as }), PARAMS);
  expect(answer.status).toBe(200);
  return answer.body as Panel;
}

describe("a paragraph with more than 20 threads", () => {
  it("shows a new thread after posting, beyond the first 20", async () => {
    const crowd = await signedInUser();
    const firstIds = Array.from({ length: 25 }, () => createThread(crowd, { anchor: ANCHOR }));
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
    expect(panel.counts.all).toBe(26);
    expect(panel.threads.map((t) => t.id)).toContain(id);
    // The first 20 are still there: the new one is added, not swapped in.
    expect(panel.threads.map((t) => t.id).slice(0, 20)).toEqual(firstIds.slice(0, 20));
  });

  it("shows a reply in a thread beyond the first 20", async () => {
    const crowd = await signedInUser();
    const ids = Array.from({ length: 22 }, () => createThread(crowd, { anchor: ANCHOR }));
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

  it("adds 20 threads a batch, and stops at 500 however many batches a link asks for", async () => {
    // A paragraph of its own: the tests above leave threads on theirs.
    const crowd = await signedInUser();
    for (let i = 0; i < 505; i++) createThread(crowd, { anchor: "p-6" });
    const reader = await signedInUser();
    const second = (await call(loader, getRequest(`${P6}?more=2`, { as: reader }), P6_PARAMS))
      .body as Panel & { moreHref: string | null };
    expect(second.threads).toHaveLength(40);
    expect(second.moreHref).toBe("?more=3");
    const greedy = (await call(loader, getRequest(`${P6}?more=1000`, { as: reader }), P6_PARAMS))
      .body as Panel & { moreHref: string | null };
    expect(greedy.threads).toHaveLength(500);
    expect(greedy.counts.all).toBe(505);
    // The rest are read a page at a time on the discussion page.
    expect(greedy.moreHref).toBeNull();
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

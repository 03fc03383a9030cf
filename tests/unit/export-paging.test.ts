/**
 * How an article's annotations are read in order without sorting them all: the container's pages
 * and the whole file's chunks each hold every annotation the reader may see exactly once, oldest
 * first, whoever reads; the whole file is written out as it is read, parses, and
 * stays whole when rows vanish meanwhile; a signed-out reader's whole file is bounded.
 */
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { handleProtocolRequest } from "#app/interop/protocol.server";
import { ANNOTATION_MEDIA_TYPE } from "#app/interop/vocabulary";
import { deleteAnnotation } from "#app/models/annotation.server";
import { createToken } from "#app/models/api-token.server";
import {
  type ExportDocument,
  type ExportPart,
  exportArticleAnnotations,
  type StreamedDocument,
} from "#app/models/export.server";
import { type Viewer, visibleTo } from "#app/models/visibility.server";
import { ForbiddenError } from "#app/utils/errors";
import { streamDocument } from "#app/utils/export-response.server";
import { annotation } from "#db/schema";
import {
  createThread,
  createThreadReply,
  db,
  ORIGIN,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  seededArticle,
  signedInUser,
} from "./factories";
import { createGroupWith } from "./group-factories";

type Json = Record<string, unknown>;

let writer: SignedIn;
let stranger: SignedIn;
let member: SignedIn;
let articleId: number;

beforeAll(async () => {
  writer = await signedInUser();
  stranger = await signedInUser();
  member = await signedInUser();
  articleId = seededArticle().id;
  const groupId = createGroupWith(db, { owner: writer, members: [member] });
  // Interleaved, so that every page and chunk mixes what some may see with what they may not.
  for (let i = 0; i < 4; i++) {
    const root = createThread(writer, { anchor: "p-2", body: `Public ${i}` });
    createThread(writer, { anchor: "p-2", body: `Private ${i}`, visibility: "private" });
    createThread(writer, { anchor: "p-3", body: `Group ${i}`, visibility: "group", groupId });
    createThread(stranger, { anchor: "p-3", body: `Stranger's own ${i}`, visibility: "private" });
    createThreadReply(member, root, { body: `Reply ${i}` });
  }
  // A deleted root that holds a reply stays as a placeholder.
  const deleted = createThread(stranger, { anchor: "p-4", body: "Soon gone." });
  createThreadReply(writer, deleted, { body: "Still here." });
  deleteAnnotation({ db, viewer: stranger, id: deleted });
});

/** What the viewer may see, in id order: the oracle, read without paging. */
function expectedIds(viewer: Viewer): string[] {
  return db
    .select({ id: annotation.id })
    .from(annotation)
    .where(and(eq(annotation.articleId, articleId), visibleTo(viewer)))
    .all()
    .map((row) => row.id)
    .sort((a, b) => a - b)
    .map((id) => `${ORIGIN}/articles/${SEED_ARTICLE_SLUG}/annotations/${id}`);
}

function exported(viewer: Viewer, part: ExportPart, chunkSize = 2): ExportDocument["document"] {
  return exportArticleAnnotations({
    db,
    viewer,
    slug: SEED_ARTICLE_SLUG,
    origin: ORIGIN,
    part,
    limits: { chunkSize },
  }).document;
}

async function streamed(document: ExportDocument["document"]): Promise<string> {
  expect(document).toHaveProperty("head");
  return new Response(streamDocument(document as StreamedDocument)).text();
}

const viewers = (): [string, Viewer, string | null][] => [
  ["a signed-out reader", null, null],
  ["the writer", writer, createToken(db, writer.id, { name: "w", scope: "read" }).secret],
  ["a stranger", stranger, createToken(db, stranger.id, { name: "s", scope: "read" }).secret],
  ["a group member", member, createToken(db, member.id, { name: "m", scope: "read" }).secret],
];

describe("every visible annotation exactly once, in order", () => {
  it("across the container's pages, for every reader", async () => {
    for (const [who, viewer, token] of viewers()) {
      const expected = expectedIds(viewer);
      expect(expected.length, who).toBeGreaterThan(5);
      const seen: string[] = [];
      let address: string | undefined =
        `${ORIGIN}/articles/${SEED_ARTICLE_SLUG}/annotations/?iris=1&page=1`;
      while (address) {
        const headers: Record<string, string> = { Accept: ANNOTATION_MEDIA_TYPE };
        if (token) headers.Authorization = `Bearer ${token}`;
        const response = await handleProtocolRequest(new Request(address, { headers }), {
          pageSize: 3,
        });
        expect(response.status, who).toBe(200);
        const page = (await response.json()) as Json;
        expect((page.partOf as Json).total, who).toBe(expected.length);
        seen.push(...(page.items as string[]));
        address = page.next as string | undefined;
      }
      expect(seen, who).toEqual(expected);
    }
  });

  it("across the whole file's chunks, which parse as one collection", async () => {
    for (const [who, viewer] of viewers()) {
      const expected = expectedIds(viewer);
      const collection = JSON.parse(await streamed(exported(viewer, { page: null }))) as Json;
      expect(collection, who).toMatchObject({
        type: "AnnotationCollection",
        total: expected.length,
      });
      const first = collection.first as { items: { id: string }[] };
      expect(
        first.items.map((item) => item.id),
        who,
      ).toEqual(expected);
      // `?page=all`: the same items, as one page.
      const page = JSON.parse(await streamed(exported(viewer, { page: "all" }))) as Json;
      expect(page.type).toBe("AnnotationPage");
      expect((page.items as { id: string }[]).map((item) => item.id)).toEqual(expected);
    }
  });
});

describe("the whole file, written out as it is read", () => {
  it("reads its rows chunk by chunk, and stays one document when rows vanish meanwhile", async () => {
    const gone = createThread(writer, { anchor: "p-5", body: "Deleted while it streams." });
    const document = exported(writer, { page: null }, 1) as StreamedDocument;
    const total = expectedIds(writer).length;
    const reader = streamDocument(document).getReader();
    const decoder = new TextDecoder();
    let text = "";
    let parts = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      parts += 1;
      // After the head and the first row, the row is deleted before its chunk is read.
      if (parts === 2) deleteAnnotation({ db, viewer: writer, id: gone });
    }
    // Head, one part per row read, tail: nothing was read ahead all at once.
    expect(parts).toBeGreaterThanOrEqual(total);
    const collection = JSON.parse(text) as { total: number; first: { items: { id: string }[] } };
    expect(collection.total).toBe(total);
    const ids = collection.first.items.map((item) => item.id);
    expect(ids).toHaveLength(total - 1);
    expect(ids).not.toContain(`${ORIGIN}/articles/${SEED_ARTICLE_SLUG}/annotations/${gone}`);
  });

  it("is a signed-out reader's only up to a limit: beyond it, sign in or read the pages", async () => {
    const total = expectedIds(null).length;
    const read = (viewer: Viewer, part: ExportPart) =>
      exportArticleAnnotations({
        db,
        viewer,
        slug: SEED_ARTICLE_SLUG,
        origin: ORIGIN,
        part,
        limits: { anonymousLimit: total - 1 },
      });
    expect(() => read(null, { page: null })).toThrow(ForbiddenError);
    expect(() => read(null, { page: "all" })).toThrow(/sign in to download them in one file/);
    // The pages and the described collection stay open to everyone; the file, to the signed-in.
    expect(read(null, { page: 1 }).document).toMatchObject({ type: "AnnotationPage" });
    expect(read(null, { page: "paged" }).document).toMatchObject({ total });
    const whole = JSON.parse(await streamed(read(stranger, { page: null }).document)) as Json;
    expect(whole.total).toBe(expectedIds(stranger).length);
  });
});

/**
 * The round trip: an article with every kind, every stance, threads three replies deep, a deleted
 * annotation holding its replies, a resolved thread and every visibility, exported with the W3C
 * exporter (app/models/export.server.ts) and imported into a fresh database holding the same seed
 * article, gives back the same threads, kinds, stances, links, selectors, anchoring and resolution.
 *
 * Authorship is mapped, not copied: nobody may write in another's name, so every imported
 * annotation's writer is the importer, and who first wrote it (their profile IRI and display name
 * from the file) and when are kept beside it and shown (`imported`). The test checks exactly that
 * mapping: original writer and date per annotation, importer as author. Visibility is the
 * importer's choice (private by default), so it is not carried over.
 */
import { eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  createAnnotation,
  createReply,
  deleteAnnotation,
  setThreadResolved,
} from "#app/models/annotation.server";
import { runImport } from "#app/models/annotation-import.server";
import { readImportDocument } from "#app/models/annotation-import-input.server";
import { exportArticleAnnotations, type StreamedDocument } from "#app/models/export.server";
import { loadThreads, type ThreadNode } from "#app/models/thread.server";
import { streamDocument } from "#app/utils/export-response.server";
import type { Db } from "#db/client";
import { annotation, block, user } from "#db/schema";
import { createGroupWith } from "./group-factories";
import { ADA, BOB, blockAt, createSeededDb, newInput } from "./test-db";

const ORIGIN = "https://marginalia.example";

/** The source: Ada and Bob discuss the seed article in every way the site allows. */
function buildSource() {
  const { db, articleId } = createSeededDb();
  const groupId = createGroupWith(db, { owner: ADA, members: [BOB], name: "Seminar" });
  const on = (anchor: string) => blockAt(db, articleId, anchor).id;
  const root = (author: { id: string }, anchor: string, input: Parameters<typeof newInput>[0]) =>
    createAnnotation({ db, author, articleId, blockId: on(anchor), input: newInput(input) });
  const reply = (author: { id: string }, parentId: number, input: object = {}) =>
    createReply({
      db,
      author,
      parentId,
      input: { kind: "annotation", body: "A reply.", source: null, ...input },
    });

  const a = root(ADA, "p-1", {
    body: "**Dates** matter here.",
    quote: "returned to power after two decades of fighting",
  });
  const a1 = reply(BOB, a, { body: "Which date?", kind: "question" });
  const a2 = reply(ADA, a1, { body: "August 2021.", kind: "annotation" });
  reply(BOB, a2, {
    body: "The UN's account.",
    kind: "source",
    source: { url: "https://www.un.org/en/report", title: "UN report", stance: "supports" },
  });
  reply(ADA, a, { body: "A second branch.", kind: "counterargument" });
  root(BOB, "p-3", { kind: "question", body: "Still true?", quote: "no country has recognized" });
  root(ADA, "p-4", {
    kind: "counterargument",
    body: "Safe havens predate the takeover.",
    quote: "provided a safe haven for their reorganization",
  });
  for (const [stance, anchor] of [
    ["supports", "p-5"],
    ["refutes", "p-6"],
    ["context", "p-7"],
  ] as const) {
    root(ADA, anchor, {
      kind: "source",
      body: `A source that ${stance}.`,
      source: { url: `https://example.org/${stance}`, title: `On ${stance}`, stance },
    });
  }
  root(ADA, "p-8", { body: "A private note.", visibility: "private" });
  root(BOB, "p-9", { body: "For the seminar.", visibility: "group", groupId });
  // A thread whose root was deleted: the placeholder holds the reply to the passage.
  const gone = root(BOB, "p-10", { body: "Soon deleted.", quote: "a new political process" });
  reply(ADA, gone, { body: "An answer that stays." });
  deleteAnnotation({ db, viewer: BOB, id: gone });
  const resolved = root(ADA, "p-11", { body: "Resolved later.", quote: "conditional engagement" });
  setThreadResolved({ db, viewer: ADA, id: resolved, resolved: true });
  return { db, articleId };
}

/** A thread as the comparison sees it: everything but database ids, dates and authorship. */
type Shape = {
  kind: string;
  body: string;
  deleted: boolean;
  source: ThreadNode["source"];
  quote: string | null;
  anchorStatus: string;
  resolved: boolean;
  replies: Shape[];
};

function shape(node: ThreadNode): Shape {
  return {
    kind: node.kind,
    body: node.body,
    deleted: node.deleted,
    source: node.source,
    quote: node.quote,
    anchorStatus: node.anchorStatus,
    resolved: node.resolved !== null,
    replies: node.replies.map(shape),
  };
}

/** Every root's full selector and paragraph, in order. */
function selectors(db: Db) {
  return db
    .select({
      anchor: block.anchor,
      exact: annotation.quoteExact,
      prefix: annotation.quotePrefix,
      suffix: annotation.quoteSuffix,
      start: annotation.positionStart,
      end: annotation.positionEnd,
    })
    .from(annotation)
    .innerJoin(block, eq(block.id, annotation.blockId))
    .where(isNull(annotation.parentId))
    .orderBy(annotation.id)
    .all();
}

/** Every annotation in reading order of the threads, depth first, with its original writer. */
function flatten(nodes: ThreadNode[]): ThreadNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.replies)]);
}

describe("export, then import into a fresh database", () => {
  it("gives back the same threads, kinds, stances, selectors and (mapped) authorship", async () => {
    const source = buildSource();
    const exported = exportArticleAnnotations({
      db: source.db,
      viewer: ADA,
      slug: "seed",
      origin: ORIGIN,
      part: { page: null },
    });
    // The file as it is downloaded: written out as it is read.
    const file = await new Response(streamDocument(exported.document as StreamedDocument)).text();
    const read = readImportDocument(file);
    if (!read.ok) throw new Error(read.message);
    expect(read.document.format).toBe("w3c");

    const target = createSeededDb();
    const carol = { id: "u-carol" };
    target.db
      .insert(user)
      .values({ id: carol.id, username: "carol", displayName: "Carol", passwordHash: "x" })
      .run();
    const report = await runImport(target.db, {
      article: { id: target.articleId },
      document: read.document,
      importer: carol,
      visibility: { visibility: "private" },
    });
    expect(report.counts).toMatchObject({ orphaned: 0, approximate: 0, refused: 0 });

    const before = loadThreads(source.db, ADA, undefined);
    const after = loadThreads(target.db, carol, undefined);
    // 10 threads, 15 annotations: nothing was lost on the way out either.
    expect(before).toHaveLength(10);
    expect(flatten(before)).toHaveLength(15);
    expect(after.map(shape)).toEqual(before.map(shape));
    expect(selectors(target.db)).toEqual(selectors(source.db));

    // Authorship, mapped: the importer writes; the original writer and date are kept and shown.
    const names = new Map([
      [ADA.id, "Ada Lovelace (https://marginalia.example/u/ada)"],
      [BOB.id, "Bob Builder (https://marginalia.example/u/bob)"],
    ]);
    const originals = flatten(before);
    const imported = flatten(after);
    expect(imported).toHaveLength(originals.length);
    imported.forEach((node, i) => {
      const original = originals[i] as ThreadNode;
      expect(node.author?.username ?? null).toBe(node.deleted ? null : "carol");
      if (original.deleted) {
        expect(node.imported).toBeNull();
        return;
      }
      const writer = source.db
        .select({ authorId: annotation.authorId })
        .from(annotation)
        .where(eq(annotation.id, original.id))
        .get()?.authorId;
      expect(node.imported).toEqual({
        from: "w3c",
        by: names.get(writer ?? ""),
        at: original.createdAt,
      });
    });
    // Visibility is the importer's choice: all private, whatever the file said.
    expect(
      target.db
        .select({ v: annotation.visibility })
        .from(annotation)
        .all()
        .every((r) => r.v === "private"),
    ).toBe(true);
  });
});

/**
 * A Hypothesis client export (tests/data/hypothesis-export.json: `{ export_date, export_userid,
 * client_version, annotations: [...] }`, rows in Hypothesis's API format with RangeSelector,
 * TextPositionSelector and TextQuoteSelector) imported onto the seed article: the expected
 * anchored, approximate and orphaned counts; replies back in their threads; a highlight and a reply
 * to someone else's annotation refused with their reasons; the preview equal to the report.
 */
import { readFileSync } from "node:fs";
import { eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { previewImport, runImport } from "#app/models/annotation-import.server";
import { readImportDocument } from "#app/models/annotation-import-input.server";
import { getThreadOf } from "#app/models/thread.server";
import { annotation } from "#db/schema";
import { ADA, blockAt, createSeededDb } from "./test-db";

const FILE = readFileSync(new URL("../data/hypothesis-export.json", import.meta.url));

function read() {
  const result = readImportDocument(new Uint8Array(FILE));
  if (!result.ok) throw new Error(result.message);
  return result.document;
}

describe("a Hypothesis export onto the seed article", () => {
  it("reads as Hypothesis, leaving the highlight out with its reason", () => {
    const document = read();
    expect(document.format).toBe("hypothesis");
    expect(document.drafts).toHaveLength(16);
    expect(document.refused).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/highlight/) }),
    ]);
  });

  it("imports with the expected counts, and the preview is the report", async () => {
    const { db, articleId } = createSeededDb();
    const input = {
      article: { id: articleId },
      document: read(),
      importer: ADA,
      visibility: { visibility: "private" } as const,
    };
    const preview = previewImport(db, input);
    expect(preview.counts).toEqual({
      anchored: 7,
      approximate: 2,
      orphaned: 3,
      replies: 3,
      threadsWithReplies: 2,
      refused: 2,
    });
    expect(preview.refused.map((r) => r.message)).toEqual([
      expect.stringMatching(/highlight/),
      expect.stringMatching(/not in this file/),
    ]);
    const report = await runImport(db, input);
    const { importId, ...written } = report;
    expect(written).toEqual(preview);

    const roots = db
      .select()
      .from(annotation)
      .where(isNull(annotation.parentId))
      .orderBy(annotation.id)
      .all();
    expect(roots).toHaveLength(12);
    // The quote as the page had it, found on the paragraph that holds it.
    const first = roots[0];
    expect(first).toMatchObject({
      blockId: blockAt(db, articleId, "p-1").id,
      quoteExact: "returned to power after two decades of fighting the United States",
      anchorStatus: "anchored",
    });
    // Found approximately: the article's words now, the quote as written kept beside them.
    const changed = roots.filter((r) => r.anchorStatus === "changed");
    expect(changed.map((r) => [r.quoteExact, r.originQuote])).toEqual([
      [
        "the Taliban touted their hard-won victory and replaced a newly installed democratic system",
        "the Taliban touted their hard won victory and replaced the newly installed democratic system",
      ],
      [
        "Zawahiri provided strategic guidance and cohesion to the Al Qaeda network",
        "Zawahiri gave strategic guidance and cohesion to the al-Qaeda network",
      ],
    ]);

    // The reply to a reply came before its parent in the file; it is in its place now.
    const thread = getThreadOf({ db, id: first?.id ?? 0, viewer: ADA }).root;
    expect(thread.replies).toHaveLength(1);
    expect(thread.replies[0]?.imported).toMatchObject({
      from: "hypothesis",
      by: "Bob Reads (acct:bob_reads@hypothes.is)",
    });
    expect(thread.replies[0]?.replies[0]?.body).toMatch(/Doha Agreement was the only lever/);
    // Everything is the importer's, with who first wrote it and when shown beside it.
    expect(thread.author?.username).toBe("ada");
    expect(thread.imported).toEqual({
      from: "hypothesis",
      by: "Alice Liddell (acct:alice@hypothes.is)",
      at: "2024-03-01T10:15:22.481Z",
    });
    expect(
      db.select({ n: annotation.id }).from(annotation).where(eq(annotation.authorId, ADA.id)).all(),
    ).toHaveLength(15);
  });
});

/**
 * Markdown is rendered once, when an annotation is written, and reads use the stored HTML: one
 * account posting expensive bodies cannot make every reader of a paragraph pay for rendering them.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  createAnnotation,
  renderMissingBodies,
  updateAnnotation,
} from "#app/models/annotation.server";
import { getParagraphThreads } from "#app/models/thread.server";
import { annotation } from "#db/schema";
import { ADA, blockAt, createSeededDb, newInput } from "./test-db";

describe("stored HTML", () => {
  it("is rendered when written and when edited, and read as stored", () => {
    const { db, articleId } = createSeededDb();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput({ body: "Recognition is *not* the point." }),
    });
    const stored = () =>
      db.select({ html: annotation.bodyHtml }).from(annotation).where(eq(annotation.id, id)).get()
        ?.html;
    expect(stored()).toBe("<p>Recognition is <em>not</em> the point.</p>");

    updateAnnotation({ db, viewer: ADA, id, input: { body: "**Edited**", source: null } });
    expect(stored()).toBe("<p><strong>Edited</strong></p>");

    // Reads never render: whatever is stored is what a reader gets.
    db.update(annotation).set({ bodyHtml: "<p>stored</p>" }).where(eq(annotation.id, id)).run();
    const [thread] = getParagraphThreads({ db, blockId: p3.id, viewer: null });
    expect(thread?.bodyHtml).toBe("<p>stored</p>");
  });

  it("renders, at start, the bodies written before HTML was stored", () => {
    const { db, articleId } = createSeededDb();
    const p3 = blockAt(db, articleId, "p-3");
    const id = createAnnotation({
      db,
      author: ADA,
      articleId,
      blockId: p3.id,
      input: newInput({ body: "An _old_ one." }),
    });
    db.update(annotation).set({ bodyHtml: "" }).where(eq(annotation.id, id)).run();
    expect(renderMissingBodies(db)).toBe(1);
    expect(renderMissingBodies(db)).toBe(0);
    const [thread] = getParagraphThreads({ db, blockId: p3.id, viewer: null });
    expect(thread?.bodyHtml).toBe("<p>An <em>old</em> one.</p>");
  });
});

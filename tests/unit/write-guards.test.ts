/**
 * Each write keeps its own condition in its `where` (the author for edit and delete, not-own for
 * endorse), so even if the permission rule were wrong — mocked here to allow everything — no write
 * reaches a row it should not.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import {
  createAnnotation,
  deleteAnnotation,
  updateAnnotation,
} from "#app/models/annotation.server";
import { toggleEndorsement } from "#app/models/endorsement.server";
import { annotation, endorsement } from "#db/schema";
import { ADA, BOB, blockAt, createSeededDb, newInput } from "./test-db";

vi.mock("#app/permissions", async (importOriginal) => ({
  ...(await importOriginal<typeof import("#app/permissions")>()),
  can: () => true,
}));

function setUp() {
  const { db, articleId } = createSeededDb();
  const p3 = blockAt(db, articleId, "p-3");
  const id = createAnnotation({ db, author: ADA, articleId, blockId: p3.id, input: newInput() });
  const rowOf = () => db.select().from(annotation).where(eq(annotation.id, id)).get();
  return { db, id, rowOf };
}

describe("with a permission rule that allows everything", () => {
  it("a stranger's edit still changes nothing", () => {
    const { db, id, rowOf } = setUp();
    const before = rowOf();
    expect(() =>
      updateAnnotation({ db, viewer: BOB, id, input: { body: "Hijacked", source: null } }),
    ).toThrow();
    expect(rowOf()).toEqual(before);
  });

  it("a stranger's delete still removes nothing", () => {
    const { db, id, rowOf } = setUp();
    const before = rowOf();
    expect(() => deleteAnnotation({ db, viewer: BOB, id })).toThrow();
    expect(rowOf()).toEqual(before);
  });

  it("an author still cannot endorse their own annotation", () => {
    const { db, id } = setUp();
    expect(() => toggleEndorsement({ db, viewer: ADA, annotationId: id })).toThrow();
    expect(db.select().from(endorsement).all()).toEqual([]);
  });
});

/**
 * Endorsements: one per reader and annotation, never of one's own (the permission rule decides),
 * counted on the annotation by triggers (migration 0003).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { getAnnotationFor } from "#app/models/annotation.server";
import { chargeWrite } from "#app/models/write-limit.server";
import type { Db } from "#app/utils/db.server";
import { NotFoundError } from "#app/utils/errors";
import { IMMEDIATE } from "#db/client";
import { annotation, endorsement } from "#db/schema";

/**
 * Endorses an annotation, or takes the endorsement back. Deleted annotations cannot be endorsed.
 * Returns whether the viewer now endorses it. `limited`: count it against the viewer's endorsement
 * budget inside this transaction (write-limit.server.ts), as routes do.
 */
export function toggleEndorsement({
  db,
  viewer,
  annotationId,
  limited,
}: {
  db: Db;
  viewer: { id: string };
  annotationId: number;
  limited?: boolean;
}): boolean {
  getAnnotationFor(db, viewer, "endorse", annotationId);
  return db.transaction((tx) => {
    if (limited) chargeWrite(db, { userId: viewer.id, kind: "endorsement" });
    const removed = tx
      .delete(endorsement)
      .where(and(eq(endorsement.userId, viewer.id), eq(endorsement.annotationId, annotationId)))
      .run();
    if (removed.changes > 0) return false;
    // The rule's condition again inside the write: live, and not the viewer's own.
    const added = tx
      .insert(endorsement)
      .select(
        tx
          .select({
            userId: sql<string>`${viewer.id}`.as("user_id"),
            annotationId: annotation.id,
            createdAt: sql<Date>`${Date.now()}`.as("created_at"),
          })
          .from(annotation)
          .where(
            and(
              eq(annotation.id, annotationId),
              isNull(annotation.deletedAt),
              sql`${annotation.authorId} is not ${viewer.id}`,
            ),
          ),
      )
      .run();
    if (added.changes !== 1) throw new NotFoundError("That annotation was changed meanwhile.");
    return true;
  }, IMMEDIATE);
}

/**
 * The one answer to "which annotations may this viewer see?". Every read of annotations — the
 * reading page's counts and highlights, threads, permalinks, discussion, search, feeds — filters with
 * `visibleTo`, so a new kind of visibility (groups, review panels) is added here once.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { annotation } from "#db/schema";

/** The annotation table, or an alias of it: only the columns visibility depends on. */
type AnnotationColumns = { visibility: SQLiteColumn; authorId: SQLiteColumn };

/** Who is looking: a signed-in user's id, or null for an anonymous reader. */
export type Viewer = { id: string } | null;

/**
 * Everything the viewer may see: public annotations, and their own private notes. `table` is for
 * queries that read annotations under an alias (a thread's root beside its replies).
 */
export function visibleTo(viewer: Viewer, table: AnnotationColumns = annotation): SQL {
  return sql`(${eq(table.visibility, "public")} or ${beyondPublic(viewer, table)})`;
}

/**
 * What the viewer may see besides public annotations. The reading page takes public figures from
 * tallies kept by triggers and adds these, which it counts directly.
 */
export function beyondPublic(viewer: Viewer, table: AnnotationColumns = annotation): SQL {
  if (!viewer) return sql`0`;
  return and(eq(table.visibility, "private"), eq(table.authorId, viewer.id)) as SQL;
}

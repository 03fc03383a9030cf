/**
 * The one answer to "which annotations may this viewer see?". Every read of annotations — the
 * reading page's counts and highlights, threads, permalinks, discussion, search, feeds, profiles,
 * exports, live updates — filters with `visibleTo`, so a new kind of visibility is added here once.
 *
 * Three visibilities: `public` (everyone), `private` (its author), `group` (the members of its
 * group: a class or a review panel; and, for a panel, the linked author of the reviewed article). A group's assignment can add "post before you see": a plain
 * member sees classmates' annotations on the assigned article only once they have posted one there
 * themselves; owners and moderators always see everything. Authors always see their own.
 *
 * Besides the predicate, the other facts about a row that depend on who is looking are computed
 * here too, in SQL beside it: the viewer's role in the row's group (for the permission rule),
 * whether a moderator's hiding applies to this viewer, and the "Student n" a classmate appears as.
 */
import { and, eq, ne, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { annotation } from "#db/schema";

/** The annotation table, or an alias of it: the columns visibility depends on. */
type AnnotationColumns = {
  visibility: SQLiteColumn;
  authorId: SQLiteColumn;
  groupId: SQLiteColumn;
  articleId: SQLiteColumn;
  hiddenAt: SQLiteColumn;
};

/** Who is looking: a signed-in user (with their site role), or null for an anonymous reader. */
export type Viewer = { id: string; role?: "user" | "admin" } | null;

/**
 * A signed-in viewer whose id is bound when a statement prepared once per connection runs (pass
 * `{ viewerId }`), so the same predicates serve the hot writes' kept statements. Its site role is
 * not bound: use it with `visibleTo`, `viewerRoleIn` and `articleRoleOf`, which do not read it.
 */
export const BOUND_VIEWER: NonNullable<Viewer> = {
  id: sql.placeholder("viewerId") as unknown as string,
};

/**
 * Everything the viewer may see: public annotations, their own, and their groups' (subject to
 * post-before-you-see). `table` is for queries that read annotations under an alias.
 */
export function visibleTo(viewer: Viewer, table: AnnotationColumns = annotation): SQL {
  if (!viewer) return sql`(${table.visibility} = 'public')`;
  return sql`(${table.visibility} = 'public' or ${table.authorId} = ${viewer.id} or (${table.visibility} = 'group' and (${memberMaySee(viewer, table)} or ${reviewedAuthor(viewer, table)})))`;
}

/**
 * The viewer is the linked author of the row's article and the row's group is a review panel the
 * article is set to: an author reads (and answers) their reviewers. Only an article's editor or a
 * site admin links an author, so nobody can make themselves the author of someone else's text.
 */
function reviewedAuthor(viewer: NonNullable<Viewer>, table: AnnotationColumns): SQL {
  return sql`exists (select 1 from "assignment" s join "group" g on g.id = s.group_id and g.kind = 'panel'
    join "article" a on a.id = s.article_id and a.author_id = ${viewer.id}
    where s.group_id = ${table.groupId} and s.article_id = ${table.articleId})`;
}

/**
 * 1 when the row belongs to a group the viewer still takes part in: they are a member of it (any
 * role), or it is a review panel and they are the reviewed article's linked author. The permission
 * rule asks it before a reply or an edit in a group: a removed member still sees their own words
 * there (`visibleTo`), but no longer writes where the group reads.
 */
export function takesPartIn(viewer: Viewer, table: AnnotationColumns = annotation): SQL<number> {
  if (!viewer) return sql<number>`0`;
  return sql<number>`(${table.groupId} is not null and (exists (select 1 from "group_member" m where m.group_id = ${table.groupId} and m.user_id = ${viewer.id}) or ${reviewedAuthor(viewer, table)}))`;
}

/**
 * The viewer's standing toward the row's article: its linked author, the editor who added it, or
 * neither (null). The permission rule lets both resolve threads on it.
 */
export function articleRoleOf(viewer: Viewer, table: AnnotationColumns = annotation) {
  if (!viewer) return sql<"author" | "editor" | null>`null`;
  return sql<
    "author" | "editor" | null
  >`(select case when a.author_id = ${viewer.id} then 'author' when a.editor_id = ${viewer.id} then 'editor' end from "article" a where a.id = ${table.articleId})`;
}

/**
 * The viewer belongs to the row's group, and either runs it, or no assignment of the row's article
 * to that group holds posts back, or they have posted there themselves.
 */
function memberMaySee(viewer: NonNullable<Viewer>, table: AnnotationColumns): SQL {
  return sql`exists (select 1 from "group_member" m where m.group_id = ${table.groupId} and m.user_id = ${viewer.id} and (m.role <> 'member'
    or not exists (select 1 from "assignment" s where s.group_id = ${table.groupId} and s.article_id = ${table.articleId} and s.post_before_see = 1)
    or exists (select 1 from "annotation" mine where mine.group_id = ${table.groupId} and mine.article_id = ${table.articleId} and mine.author_id = ${viewer.id})))`;
}

/**
 * What the viewer may see besides public annotations. The reading page takes public figures from
 * tallies kept by triggers and adds these, which it counts directly.
 */
export function beyondPublic(viewer: Viewer, table: AnnotationColumns = annotation): SQL {
  if (!viewer) return sql`0`;
  return and(ne(table.visibility, "public"), visibleTo(viewer, table)) as SQL;
}

/**
 * The ids of an article's annotations that `beyondPublic` could admit, found by index: the viewer's
 * own, and those of the groups they belong to or of the review panels set to an article they wrote.
 * A superset, never a decision (it ignores post-before-see and roles): a count starts from it
 * (`from ids cross join annotation`) and still filters with `beyondPublic`. Without it SQLite
 * reads every annotation of the article to find the viewer's few (35 ms at 45,000 threads).
 */
export function beyondPublicIds(viewer: NonNullable<Viewer>, articleId: number): SQL {
  return sql`(select id from "annotation" where author_id = ${viewer.id} and article_id = ${articleId}
    union select id from "annotation" where article_id = ${articleId} and group_id in (
      select group_id from "group_member" where user_id = ${viewer.id}
      union select s.group_id from "assignment" s join "article" a on a.id = s.article_id where a.author_id = ${viewer.id}))`;
}

/**
 * Which annotations a reader has chosen to look at: everything they may see (`all`), the public
 * layer, one of their groups, or their private notes. A layer narrows `visibleTo`; it never widens it.
 */
export type Layer =
  | { kind: "all" }
  | { kind: "public" }
  | { kind: "private" }
  | { kind: "group"; groupId: number };

export function inLayer(layer: Layer, table: AnnotationColumns = annotation): SQL | undefined {
  switch (layer.kind) {
    case "all":
      return undefined;
    case "public":
      return eq(table.visibility, "public");
    case "private":
      return eq(table.visibility, "private");
    case "group":
      return eq(table.groupId, layer.groupId);
  }
}

/** `?layer=` as links write it: `public`, `me`, `group-<id>`; anything else is everything. */
export function parseLayer(value: string | null | undefined): Layer {
  if (value === "public") return { kind: "public" };
  if (value === "me") return { kind: "private" };
  const group = value?.match(/^group-([1-9]\d{0,9})$/);
  if (group) return { kind: "group", groupId: Number(group[1]) };
  return { kind: "all" };
}

export function layerParam(layer: Layer): string | null {
  switch (layer.kind) {
    case "all":
      return null;
    case "public":
      return "public";
    case "private":
      return "me";
    case "group":
      return `group-${layer.groupId}`;
  }
}

/** The viewer's role in the row's group (null outside it, or for a row with no group). */
export function viewerRoleIn(viewer: Viewer, table: AnnotationColumns = annotation) {
  if (!viewer) return sql<string | null>`null`;
  return sql<
    "owner" | "moderator" | "member" | null
  >`(select m.role from "group_member" m where m.group_id = ${table.groupId} and m.user_id = ${viewer.id})`;
}

/**
 * 1 when a moderator hid the row and this viewer is not its author or one of its moderators (the
 * group's owners and moderators; site admins for public annotations): they see a placeholder.
 */
export function hiddenFrom(viewer: Viewer, table: AnnotationColumns = annotation): SQL<number> {
  if (!viewer) return sql<number>`(${table.hiddenAt} is not null)`;
  const admin = viewer.role === "admin" ? 1 : 0;
  return sql<number>`(${table.hiddenAt} is not null and coalesce(${table.authorId} <> ${viewer.id}, 1) and not (
    (${table.visibility} = 'group' and exists (select 1 from "group_member" m where m.group_id = ${table.groupId} and m.user_id = ${viewer.id} and m.role in ('owner', 'moderator')))
    or (${table.visibility} = 'public' and ${admin})))`;
}

/** Rows whose words the viewer may read: what lists (search, profiles, feeds) show. */
export function readableBy(viewer: Viewer, table: AnnotationColumns = annotation): SQL {
  return sql`(${visibleTo(viewer, table)} and not ${hiddenFrom(viewer, table)})`;
}

/**
 * The number a classmate appears as ("Student 3"; "Reviewer 3" on a review panel) when the row's
 * article is an anonymous assignment of its group and the viewer is a plain member who did not
 * write it; null when the viewer sees the name. 0 means "a student" (a member not yet numbered).
 * A panel's numbers are stored as -(n + 1), so one integer carries both (see `aliasLabel`).
 * Owners' and moderators' own annotations, and the reviewed article's author's, carry names.
 */
export function peerAlias(viewer: Viewer, table: AnnotationColumns = annotation) {
  if (!viewer) return sql<number | null>`null`;
  return sql<
    number | null
  >`(case when ${table.visibility} = 'group' and ${table.authorId} is not null and ${table.authorId} <> ${viewer.id}
    and exists (select 1 from "assignment" s where s.group_id = ${table.groupId} and s.article_id = ${table.articleId} and s.anonymous = 1)
    and not exists (select 1 from "group_member" m where m.group_id = ${table.groupId} and m.role in ('owner', 'moderator') and m.user_id in (${viewer.id}, ${table.authorId}))
    and not exists (select 1 from "article" a where a.id = ${table.articleId} and a.author_id = ${table.authorId})
    then coalesce((select al.number from "assignment" s join "assignment_alias" al on al.assignment_id = s.id
      where s.group_id = ${table.groupId} and s.article_id = ${table.articleId} and al.user_id = ${table.authorId}), 0)
      * (case when exists (select 1 from "group" g where g.id = ${table.groupId} and g.kind = 'panel') then -1 else 1 end)
      - (case when exists (select 1 from "group" g where g.id = ${table.groupId} and g.kind = 'panel') then 1 else 0 end)
    end)`;
}

/**
 * How an author appears to a viewer: their name (null here), or "Student n" in a class's anonymous
 * assignment, "Reviewer n" on an anonymous review panel (negative numbers: see `peerAlias`).
 */
export function aliasLabel(alias: number | null): string | null {
  if (alias === null) return null;
  // A panel's: -(n + 1), so that an unnumbered reviewer (-1) is told from a student (0).
  if (alias < 0) return alias === -1 ? "A reviewer" : `Reviewer ${-alias - 1}`;
  return alias > 0 ? `Student ${alias}` : "A student";
}

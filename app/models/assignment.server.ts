/**
 * Assignments: an article set to a group by its owner, with instructions, an optional due date
 * and two options that the visibility rule reads (visibility.server.ts): "post before you see" and
 * "anonymous to peers". Members find theirs first on the library page.
 */
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { numberMember } from "#app/models/annotation.server";
import { requireGroupRole } from "#app/models/group.server";
import type { Db } from "#app/utils/db.server";
import { FieldValidationError, NotFoundError } from "#app/utils/errors";
import { IMMEDIATE } from "#db/client";
import type { GroupKind } from "#db/enums";
import { annotation, article, assignment, group, groupMember } from "#db/schema";

export type AssignmentInput = {
  articleId: number;
  instructions: string;
  dueAt: Date | null;
  timeZone: string;
  postBeforeSee: boolean;
  anonymous: boolean;
};

const ALREADY_ASSIGNED = "This article is already assigned to this group. Edit that assignment.";

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "SQLITE_CONSTRAINT_UNIQUE";
}

export function createAssignment({
  db,
  viewer,
  groupId,
  input,
}: {
  db: Db;
  viewer: { id: string };
  groupId: number;
  input: AssignmentInput;
}): number {
  try {
    return db.transaction((tx) => {
      requireGroupRole(tx, viewer, groupId, "manage");
      return tx
        .insert(assignment)
        .values({ groupId, ...input })
        .returning({ id: assignment.id })
        .get().id;
    }, IMMEDIATE);
  } catch (error) {
    if (isUniqueViolation(error)) throw new FieldValidationError({ articleId: ALREADY_ASSIGNED });
    throw error;
  }
}

/** Changes an assignment; its article stays. Turning anonymity on numbers everyone who posted. */
export function updateAssignment({
  db,
  viewer,
  assignmentId,
  input,
}: {
  db: Db;
  viewer: { id: string };
  assignmentId: number;
  input: Omit<AssignmentInput, "articleId">;
}): void {
  db.transaction((tx) => {
    const found = tx.select().from(assignment).where(eq(assignment.id, assignmentId)).get();
    if (!found) throw new NotFoundError("There is no such assignment.");
    requireGroupRole(tx, viewer, found.groupId, "manage");
    tx.update(assignment).set(input).where(eq(assignment.id, assignmentId)).run();
    if (input.anonymous) {
      const posters = tx
        .selectDistinct({ authorId: annotation.authorId })
        .from(annotation)
        .where(
          and(eq(annotation.groupId, found.groupId), eq(annotation.articleId, found.articleId)),
        )
        .orderBy(asc(annotation.authorId))
        .all();
      for (const { authorId } of posters) {
        if (authorId) numberMember(tx, assignmentId, authorId);
      }
    }
  }, IMMEDIATE);
}

export type AssignmentView = {
  id: number;
  groupId: number;
  groupName: string;
  /** A class's assignment, or a panel's response under review. */
  groupKind: GroupKind;
  article: { id: number; slug: string; title: string };
  instructions: string;
  dueAt: string | null;
  timeZone: string;
  postBeforeSee: boolean;
  anonymous: boolean;
  weights: string;
};

function assignmentColumns() {
  return {
    id: assignment.id,
    groupId: assignment.groupId,
    groupName: group.name,
    groupKind: group.kind,
    articleId: article.id,
    articleSlug: article.slug,
    articleTitle: article.title,
    instructions: assignment.instructions,
    dueAt: assignment.dueAt,
    timeZone: assignment.timeZone,
    postBeforeSee: assignment.postBeforeSee,
    anonymous: assignment.anonymous,
    weights: assignment.weights,
  };
}

type AssignmentRow = {
  id: number;
  groupId: number;
  groupName: string;
  groupKind: GroupKind;
  articleId: number;
  articleSlug: string;
  articleTitle: string;
  instructions: string;
  dueAt: Date | null;
  timeZone: string;
  postBeforeSee: boolean;
  anonymous: boolean;
  weights: string;
};

function toView(row: AssignmentRow): AssignmentView {
  return {
    id: row.id,
    groupId: row.groupId,
    groupName: row.groupName,
    groupKind: row.groupKind,
    article: { id: row.articleId, slug: row.articleSlug, title: row.articleTitle },
    instructions: row.instructions,
    dueAt: row.dueAt ? row.dueAt.toISOString() : null,
    timeZone: row.timeZone,
    postBeforeSee: row.postBeforeSee,
    anonymous: row.anonymous,
    weights: row.weights,
  };
}

/** One assignment, for a member of its group (NotFound for anyone else), with their role. */
export function getAssignment({
  db,
  viewer,
  assignmentId,
}: {
  db: Db;
  viewer: { id: string };
  assignmentId: number;
}) {
  const row = db
    .select(assignmentColumns())
    .from(assignment)
    .innerJoin(group, eq(group.id, assignment.groupId))
    .innerJoin(article, eq(article.id, assignment.articleId))
    .where(eq(assignment.id, assignmentId))
    .get();
  if (!row) throw new NotFoundError("There is no such assignment.");
  const role = requireGroupRole(db, viewer, row.groupId, "post");
  return { assignment: toView(row), role };
}

/** A group's assignments, soonest due first (undated last); for its members. */
export function listGroupAssignments({
  db,
  viewer,
  groupId,
}: {
  db: Db;
  viewer: { id: string };
  groupId: number;
}): AssignmentView[] {
  requireGroupRole(db, viewer, groupId, "post");
  return db
    .select(assignmentColumns())
    .from(assignment)
    .innerJoin(group, eq(group.id, assignment.groupId))
    .innerJoin(article, eq(article.id, assignment.articleId))
    .where(eq(assignment.groupId, groupId))
    .orderBy(sql`${assignment.dueAt} is null`, asc(assignment.dueAt), desc(assignment.id))
    .all()
    .map(toView);
}

export type MyAssignment = AssignmentView & {
  role: "owner" | "moderator" | "member";
  /** How many annotations the viewer has written in the group on the article. */
  posted: number;
};

/** Every assignment in the viewer's groups, soonest due first, with what they have posted. */
export function listMyAssignments({
  db,
  viewer,
}: {
  db: Db;
  viewer: { id: string };
}): MyAssignment[] {
  const rows = db
    .select({
      ...assignmentColumns(),
      role: groupMember.role,
      posted: sql<number>`(select count(*) from "annotation" a where a.group_id = ${assignment.groupId} and a.article_id = ${assignment.articleId} and a.author_id = ${viewer.id} and a.deleted_at is null)`,
    })
    .from(groupMember)
    .innerJoin(assignment, eq(assignment.groupId, groupMember.groupId))
    .innerJoin(group, eq(group.id, assignment.groupId))
    .innerJoin(article, eq(article.id, assignment.articleId))
    .where(eq(groupMember.userId, viewer.id))
    .orderBy(sql`${assignment.dueAt} is null`, asc(assignment.dueAt), desc(assignment.id))
    .all();
  return rows.map((row) => ({ ...toView(row), role: row.role, posted: row.posted }));
}

/** Articles a group owner can assign: all of them, by title. */
export function listAssignableArticles(db: Db) {
  return db
    .select({ id: article.id, slug: article.slug, title: article.title })
    .from(article)
    .orderBy(asc(sql`lower(${article.title})`))
    .all();
}

/** The assignments of these groups on one article (the reading page's notes for members). */
export function findAssignmentsOnArticle(
  db: Db,
  viewer: { id: string },
  articleId: number,
): AssignmentView[] {
  const mine = db
    .select({ groupId: groupMember.groupId })
    .from(groupMember)
    .where(eq(groupMember.userId, viewer.id));
  return db
    .select(assignmentColumns())
    .from(assignment)
    .innerJoin(group, eq(group.id, assignment.groupId))
    .innerJoin(article, eq(article.id, assignment.articleId))
    .where(and(eq(assignment.articleId, articleId), inArray(assignment.groupId, mine)))
    .all()
    .map(toView);
}

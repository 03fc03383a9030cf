/**
 * A small class for the instructor's-view tests, built through the real models: an owner, a
 * moderator, some students and an outsider, a group they joined with its code, and an assignment
 * of the demo article. Each call makes a new group (an article is assigned to a group once), so
 * tests in one file do not see each other's annotations.
 */
import { eq } from "drizzle-orm";
import type { SourceInput } from "#app/models/annotation-input.server";
import { createAssignment } from "#app/models/assignment.server";
import { createGroup, joinGroup, setMemberRole } from "#app/models/group.server";
import type { AnnotationKind } from "#app/rules";
import { annotation, group } from "#db/schema";
import {
  createThread,
  createThreadReply,
  db,
  type SignedIn,
  seededArticle,
  signedInUser,
} from "./factories";

export type ClassWorld = {
  owner: SignedIn;
  moderator: SignedIn;
  students: SignedIn[];
  outsider: SignedIn;
  groupId: number;
  assignmentId: number;
  articleId: number;
  slug: string;
};

/** A group with its join code, joined by `people` (as members). */
export function newGroup(owner: { id: string }, people: { id: string }[], name = "Civics 101") {
  const groupId = createGroup({ db, owner, input: { name, description: "" } });
  const code = db.select({ code: group.joinCode }).from(group).where(eq(group.id, groupId)).get();
  if (!code?.code) throw new Error("a new group has a join code");
  for (const person of people) joinGroup({ db, userId: person.id, code: code.code });
  return groupId;
}

export async function classWorld(
  options: {
    students?: number;
    dueAt?: Date | null;
    timeZone?: string;
    studentNames?: string[];
  } = {},
): Promise<ClassWorld> {
  const owner = await signedInUser({ displayName: "Ms Owner" });
  const moderator = await signedInUser({ displayName: "Mr Moderator" });
  const names = options.studentNames ?? [];
  const students: SignedIn[] = [];
  for (let i = 0; i < (options.students ?? 3); i++) {
    students.push(await signedInUser({ displayName: names[i] ?? `Student ${"ABCDEFGH"[i]}` }));
  }
  const outsider = await signedInUser({ displayName: "Outsider" });
  const groupId = newGroup(owner, [moderator, ...students]);
  setMemberRole({ db, viewer: owner, groupId, userId: moderator.id, role: "moderator" });
  const { id: articleId, slug } = seededArticle();
  const assignmentId = createAssignment({
    db,
    viewer: owner,
    groupId,
    input: {
      articleId,
      instructions: "Read closely.\n\n  Then argue.",
      dueAt: options.dueAt ?? null,
      timeZone: options.timeZone ?? "Europe/London",
      postBeforeSee: false,
      anonymous: false,
    },
  });
  return { owner, moderator, students, outsider, groupId, assignmentId, articleId, slug };
}

/** A thread in the world's group on a paragraph of the demo article. */
export function postInGroup(
  author: { id: string },
  groupId: number,
  options: { kind?: AnnotationKind; body?: string; anchor?: string; source?: SourceInput } = {},
): number {
  const kind = options.kind ?? "annotation";
  return createThread(author, {
    anchor: options.anchor ?? "p-1",
    kind,
    body: options.body ?? "A thought about this.",
    source: options.source ?? (kind === "source" ? sourceLink("supports") : null),
    visibility: "group",
    groupId,
  });
}

/** A reply in the parent's thread (and so in its group). */
export function replyTo(
  author: { id: string },
  parentId: number,
  options: { kind?: AnnotationKind; body?: string; source?: SourceInput } = {},
): number {
  const kind = options.kind ?? "annotation";
  return createThreadReply(author, parentId, {
    kind,
    body: options.body ?? "A reply.",
    source: options.source ?? (kind === "source" ? sourceLink("supports") : null),
  });
}

export function sourceLink(stance: SourceInput["stance"]): SourceInput {
  return { url: "https://example.org/evidence", title: "Evidence", stance };
}

/** Moves an annotation's creation time (time travel for late and on-time tests). */
export function setCreatedAt(id: number, at: Date): void {
  db.update(annotation).set({ createdAt: at }).where(eq(annotation.id, id)).run();
}

/**
 * Groups with roles: a class (an instructor and students) and, with the same mechanism, a review
 * panel. An owner creates a group and runs it; newcomers join with its join code (or the link that
 * carries it); owners make members moderators, remove members, cap the size and rotate or turn off
 * the code. What each role may do is the one table in app/permissions.ts (`canInGroup`); who sees a
 * group's annotations is the one predicate in visibility.server.ts.
 *
 * A non-member asking about a group gets NotFound, never Forbidden: a group's existence is not
 * told to outsiders, except through its join code.
 */
import { randomInt } from "node:crypto";
import { and, asc, count, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "#app/models/annotation.server";
import { canInGroup, GROUP_REFUSALS, type GroupAction, type GroupRole } from "#app/permissions";
import { DEFAULT_SIZE_CAP } from "#app/rules";
import type { Db } from "#app/utils/db.server";
import { FieldValidationError, ForbiddenError, NotFoundError } from "#app/utils/errors";
import { IMMEDIATE } from "#db/client";
import type { GroupKind } from "#db/enums";
import { assignment, group, groupMember, moderationLog, user } from "#db/schema";

/**
 * Join codes are read aloud in a classroom and typed from a board: capital letters and digits
 * without the look-alikes (0/O, 1/I/L), eight of them (31^8 ≈ 8.5e11), shown as two groups of four.
 */
export const JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const JOIN_CODE_LENGTH = 8;

export function newJoinCode(): string {
  let code = "";
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) {
    code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  }
  return code;
}

/** What a person typed or followed, as stored: upper case, without spaces or dashes. */
export function normalizeJoinCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, "");
}

/** "ABCD-EFGH", for reading aloud. */
export function formatJoinCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export type GroupSummary = {
  id: number;
  kind: GroupKind;
  name: string;
  description: string;
  role: GroupRole;
  memberCount: number;
};

export type GroupInput = { name: string; description: string };

export function createGroup({
  db,
  owner,
  input,
  kind = "class",
}: {
  db: Db;
  owner: { id: string };
  input: GroupInput;
  kind?: GroupKind;
}): number {
  return db.transaction((tx) => {
    const created = tx
      .insert(group)
      .values({ kind, name: input.name, description: input.description, joinCode: newJoinCode() })
      .returning({ id: group.id })
      .get();
    tx.insert(groupMember).values({ groupId: created.id, userId: owner.id, role: "owner" }).run();
    return created.id;
  }, IMMEDIATE);
}

/** The viewer's role in a group, or null when they do not belong to it. */
export function findRole(db: DbOrTx, groupId: number, userId: string): GroupRole | null {
  return (
    db
      .select({ role: groupMember.role })
      .from(groupMember)
      .where(and(eq(groupMember.groupId, groupId), eq(groupMember.userId, userId)))
      .get()?.role ?? null
  );
}

const NO_SUCH_GROUP = "There is no such group, or you are not in it.";

/**
 * The viewer's role, when the table in permissions.ts lets them do `action` in the group;
 * NotFound for outsiders, Forbidden for members whose role does not reach.
 */
export function requireGroupRole(
  db: DbOrTx,
  viewer: { id: string },
  groupId: number,
  action: GroupAction,
): GroupRole {
  const role = findRole(db, groupId, viewer.id);
  if (role === null) throw new NotFoundError(NO_SUCH_GROUP);
  if (!canInGroup(role, action)) throw new ForbiddenError(GROUP_REFUSALS[action]);
  return role;
}

/** A group as its members see it; owners also get the join code and the cap. */
export function getGroupFor({
  db,
  viewer,
  groupId,
}: {
  db: Db;
  viewer: { id: string };
  groupId: number;
}) {
  const role = requireGroupRole(db, viewer, groupId, "post");
  const row = db.select().from(group).where(eq(group.id, groupId)).get();
  if (!row) throw new NotFoundError(NO_SUCH_GROUP);
  const manages = canInGroup(role, "manage");
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    description: row.description,
    role,
    joinCode: manages ? row.joinCode : null,
    sizeCap: manages ? row.sizeCap : null,
    memberCount: memberCount(db, groupId),
  };
}

function memberCount(db: DbOrTx, groupId: number): number {
  return (
    db.select({ n: count() }).from(groupMember).where(eq(groupMember.groupId, groupId)).get()?.n ??
    0
  );
}

/** The viewer's groups, classes first, then by name. */
export function listMyGroups({ db, viewer }: { db: Db; viewer: { id: string } }): GroupSummary[] {
  return db
    .select({
      id: group.id,
      kind: group.kind,
      name: group.name,
      description: group.description,
      role: groupMember.role,
      memberCount: sql<number>`(select count(*) from "group_member" c where c.group_id = ${group.id})`,
    })
    .from(groupMember)
    .innerJoin(group, eq(group.id, groupMember.groupId))
    .where(eq(groupMember.userId, viewer.id))
    .orderBy(asc(group.kind), asc(sql`lower(${group.name})`), asc(group.id))
    .all();
}

/**
 * The review panels the viewer belongs to that have this article under review: reviewers write
 * with the first one's visibility by default.
 */
export function panelsReviewing({
  db,
  viewer,
  articleId,
}: {
  db: Db;
  viewer: { id: string };
  articleId: number;
}): number[] {
  return db
    .select({ id: group.id })
    .from(groupMember)
    .innerJoin(group, and(eq(group.id, groupMember.groupId), eq(group.kind, "panel")))
    .innerJoin(
      assignment,
      and(eq(assignment.groupId, group.id), eq(assignment.articleId, articleId)),
    )
    .where(eq(groupMember.userId, viewer.id))
    .orderBy(asc(group.id))
    .all()
    .map((g) => g.id);
}

export type Member = {
  userId: string;
  username: string;
  displayName: string;
  role: GroupRole;
  joinedAt: string;
};

/** Everyone in a group, owners first; for its members. */
export function listMembers({
  db,
  viewer,
  groupId,
}: {
  db: Db;
  viewer: { id: string };
  groupId: number;
}): Member[] {
  requireGroupRole(db, viewer, groupId, "post");
  return db
    .select({
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      role: groupMember.role,
      joinedAt: groupMember.joinedAt,
    })
    .from(groupMember)
    .innerJoin(user, eq(user.id, groupMember.userId))
    .where(eq(groupMember.groupId, groupId))
    .orderBy(
      sql`case ${groupMember.role} when 'owner' then 0 when 'moderator' then 1 else 2 end`,
      asc(sql`lower(${user.displayName})`),
      asc(user.username),
    )
    .all()
    .map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }));
}

export function updateGroup({
  db,
  viewer,
  groupId,
  input,
  sizeCap,
}: {
  db: Db;
  viewer: { id: string };
  groupId: number;
  input: GroupInput;
  sizeCap: number | null;
}): void {
  db.transaction((tx) => {
    requireGroupRole(tx, viewer, groupId, "manage");
    tx.update(group)
      .set({ name: input.name, description: input.description, sizeCap })
      .where(eq(group.id, groupId))
      .run();
  }, IMMEDIATE);
}

/** A new code (the old one stops working at once), or none: nobody can join until one is made. */
export function setJoinCode({
  db,
  viewer,
  groupId,
  enabled,
}: {
  db: Db;
  viewer: { id: string };
  groupId: number;
  enabled: boolean;
}): string | null {
  return db.transaction((tx) => {
    requireGroupRole(tx, viewer, groupId, "manage");
    const joinCode = enabled ? newJoinCode() : null;
    tx.update(group).set({ joinCode }).where(eq(group.id, groupId)).run();
    return joinCode;
  }, IMMEDIATE);
}

/** What a join link shows before joining: the group's name and whether it has room. */
export function findGroupByJoinCode({ db, code }: { db: Db; code: string }) {
  const normalized = normalizeJoinCode(code);
  if (normalized.length !== JOIN_CODE_LENGTH) return null;
  const row = db
    .select({
      id: group.id,
      kind: group.kind,
      name: group.name,
      description: group.description,
      sizeCap: group.sizeCap,
    })
    .from(group)
    .where(eq(group.joinCode, normalized))
    .get();
  if (!row) return null;
  const members = memberCount(db, row.id);
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    description: row.description,
    full: members >= (row.sizeCap ?? DEFAULT_SIZE_CAP),
  };
}

export const GROUP_FULL = "This group is full. Ask its owner to raise the size limit.";
export const NO_SUCH_CODE = "No group has this join code. Check it, or ask for a new one.";

/**
 * Adds a user to the group whose code this is, as a member; joining twice changes nothing.
 * Runs inside the caller's transaction (sign-up through a join link creates the account and the
 * membership together), or in its own.
 */
export function joinGroupWithCode(tx: DbOrTx, userId: string, code: string): number {
  const normalized = normalizeJoinCode(code);
  const found = tx
    .select({ id: group.id, sizeCap: group.sizeCap })
    .from(group)
    .where(eq(group.joinCode, normalized))
    .get();
  if (!found) throw new FieldValidationError({ code: NO_SUCH_CODE });
  if (findRole(tx, found.id, userId) !== null) return found.id;
  if (memberCount(tx, found.id) >= (found.sizeCap ?? DEFAULT_SIZE_CAP)) {
    throw new FieldValidationError({ code: GROUP_FULL });
  }
  tx.insert(groupMember).values({ groupId: found.id, userId, role: "member" }).run();
  return found.id;
}

export function joinGroup({ db, userId, code }: { db: Db; userId: string; code: string }): number {
  return db.transaction((tx) => joinGroupWithCode(tx, userId, code), IMMEDIATE);
}

function owners(tx: DbOrTx, groupId: number): number {
  return (
    tx
      .select({ n: count() })
      .from(groupMember)
      .where(and(eq(groupMember.groupId, groupId), eq(groupMember.role, "owner")))
      .get()?.n ?? 0
  );
}

const LAST_OWNER = "A group needs an owner: make someone else an owner first.";

/** An owner makes a member a moderator (or an owner), or back; the group keeps at least one owner. */
export function setMemberRole({
  db,
  viewer,
  groupId,
  userId,
  role,
}: {
  db: Db;
  viewer: { id: string };
  groupId: number;
  userId: string;
  role: GroupRole;
}): void {
  db.transaction((tx) => {
    requireGroupRole(tx, viewer, groupId, "manage");
    const current = findRole(tx, groupId, userId);
    if (current === null) throw new NotFoundError("That person is not in this group.");
    if (current === role) return;
    if (current === "owner" && owners(tx, groupId) <= 1) throw new ForbiddenError(LAST_OWNER);
    tx.update(groupMember)
      .set({ role })
      .where(and(eq(groupMember.groupId, groupId), eq(groupMember.userId, userId)))
      .run();
    tx.insert(moderationLog)
      .values({
        groupId,
        actorId: viewer.id,
        action: "set_role",
        subjectUserId: userId,
        reason: `${current} → ${role}`,
      })
      .run();
  }, IMMEDIATE);
}

/**
 * An owner removes someone, or (`leaving`) a member leaves. Their annotations stay with the group;
 * they keep seeing their own. Removing is the owner's even when they name themselves.
 */
export function removeMember({
  db,
  viewer,
  groupId,
  userId,
  reason = "",
  leaving = false,
}: {
  db: Db;
  viewer: { id: string };
  groupId: number;
  userId: string;
  reason?: string;
  leaving?: boolean;
}): void {
  if (leaving && userId !== viewer.id) throw new ForbiddenError("You can only leave for yourself.");
  db.transaction((tx) => {
    if (leaving) requireGroupRole(tx, viewer, groupId, "post");
    else requireGroupRole(tx, viewer, groupId, "manage");
    const current = findRole(tx, groupId, userId);
    if (current === null) throw new NotFoundError("That person is not in this group.");
    if (current === "owner" && owners(tx, groupId) <= 1) throw new ForbiddenError(LAST_OWNER);
    tx.delete(groupMember)
      .where(and(eq(groupMember.groupId, groupId), eq(groupMember.userId, userId)))
      .run();
    if (!leaving) {
      tx.insert(moderationLog)
        .values({
          groupId,
          actorId: viewer.id,
          action: "remove_member",
          subjectUserId: userId,
          reason,
        })
        .run();
    }
  }, IMMEDIATE);
}

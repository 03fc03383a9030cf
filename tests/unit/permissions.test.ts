/**
 * The permission rules (app/permissions.ts) as tables: every action on an annotation for every kind
 * of viewer, visibility, group role and state; and every group action for every role.
 */
import { describe, expect, it } from "vitest";
import {
  type Actor,
  type AnnotationAction,
  annotationActions,
  can,
  canInGroup,
  type GroupAction,
  type GroupRole,
  groupActions,
  type PermissionSubject,
  permissionsOf,
} from "#app/permissions";

const AUTHOR = { id: "u-author" };
const STRANGER = { id: "u-stranger" };
const ADMIN = { id: "u-admin", role: "admin" as const };
const live: PermissionSubject = { authorId: AUTHOR.id, deleted: false, visibility: "public" };
const deleted = { ...live, deleted: true };
const orphan = { ...live, authorId: null }; // its author deleted their account
const hidden = { ...live, hidden: true };
const privateNote: PermissionSubject = { ...live, visibility: "private" };
/** A group's annotation; the actor takes part in the group when they have a role in it. */
const inGroup = (actorRole: GroupRole | null, extra: Partial<PermissionSubject> = {}) => ({
  ...live,
  visibility: "group" as const,
  actorRole,
  inGroup: actorRole !== null,
  ...extra,
});

const TABLE: [string, Actor, PermissionSubject, AnnotationAction[]][] = [
  ["anonymous reader", null, live, []],
  ["author", AUTHOR, live, ["edit", "delete", "reply"]],
  ["stranger", STRANGER, live, ["endorse", "reply", "flag"]],
  ["author, deleted annotation", AUTHOR, deleted, []],
  ["stranger, deleted annotation", STRANGER, deleted, []],
  ["admin, deleted annotation", ADMIN, deleted, []],
  ["stranger, annotation by a deleted account", STRANGER, orphan, ["endorse", "reply", "flag"]],
  ["author, own private note", AUTHOR, privateNote, ["edit", "delete", "reply"]],
  ["admin, someone's private note", ADMIN, privateNote, ["endorse", "reply"]],
  ["site admin, public annotation", ADMIN, live, ["endorse", "reply", "flag", "moderate"]],
  ["author, own hidden annotation", AUTHOR, hidden, ["delete"]],
  ["stranger, hidden annotation", STRANGER, hidden, []],
  ["site admin, hidden public annotation", ADMIN, hidden, ["moderate"]],
  [
    "group member, classmate's annotation",
    STRANGER,
    inGroup("member"),
    ["endorse", "reply", "flag"],
  ],
  [
    "group moderator, member's annotation",
    STRANGER,
    inGroup("moderator"),
    ["endorse", "reply", "flag", "moderate"],
  ],
  [
    "group owner, member's annotation",
    STRANGER,
    inGroup("owner"),
    ["endorse", "reply", "flag", "moderate"],
  ],
  ["group owner, hidden annotation", STRANGER, inGroup("owner", { hidden: true }), ["moderate"]],
  ["group member, hidden annotation", STRANGER, inGroup("member", { hidden: true }), []],
  ["site admin outside the group", ADMIN, inGroup(null), ["flag"]],
  // Removed from the class: their own annotations stay theirs to see and take back, no more.
  ["removed member, own group annotation", AUTHOR, inGroup(null), ["delete"]],
  ["removed member, own group thread", AUTHOR, inGroup(null, { root: true }), ["delete"]],
  [
    "reviewed article's author, a panel's annotation",
    STRANGER,
    inGroup(null, { inGroup: true, articleRole: "author", root: true }),
    ["endorse", "reply", "flag", "resolve"],
  ],
  ["author, own group annotation", AUTHOR, inGroup("member"), ["edit", "delete", "reply"]],
  [
    "owner, own group annotation",
    AUTHOR,
    inGroup("owner"),
    ["edit", "delete", "reply", "moderate"],
  ],
];

describe("can", () => {
  it.each(TABLE)("%s may do exactly what the table says", (_, actor, subject, allowed) => {
    for (const action of annotationActions) {
      expect(can(actor, action, subject), action).toBe(allowed.includes(action));
    }
  });

  it("gives the UI the same answers as the guards", () => {
    for (const [, actor, subject, allowed] of TABLE) {
      expect(permissionsOf(actor, subject)).toEqual(
        Object.fromEntries(annotationActions.map((a) => [a, allowed.includes(a)])),
      );
    }
  });
});

const GROUP_TABLE: [GroupRole | null, GroupAction[]][] = [
  [null, []],
  ["member", ["post"]],
  ["moderator", ["moderate", "viewParticipation", "post"]],
  ["owner", ["manage", "moderate", "viewParticipation", "post", "export"]],
];

describe("canInGroup", () => {
  it.each(GROUP_TABLE)("%s may do exactly what the table says", (role, allowed) => {
    for (const action of groupActions) {
      expect(canInGroup(role, action), action).toBe(allowed.includes(action));
    }
  });
});

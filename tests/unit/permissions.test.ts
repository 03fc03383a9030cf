/** The write-permission rule (app/permissions.ts) as a table: every action, every kind of viewer. */
import { describe, expect, it } from "vitest";
import { type AnnotationAction, annotationActions, can, permissionsOf } from "#app/permissions";

const AUTHOR = { id: "u-author" };
const STRANGER = { id: "u-stranger" };
const live = { authorId: AUTHOR.id, deleted: false };
const deleted = { authorId: AUTHOR.id, deleted: true };
const orphan = { authorId: null, deleted: false }; // its author deleted their account

const TABLE: [string, Parameters<typeof can>[0], Parameters<typeof can>[2], AnnotationAction[]][] =
  [
    ["anonymous reader", null, live, []],
    ["author", AUTHOR, live, ["edit", "delete", "reply"]],
    ["stranger", STRANGER, live, ["endorse", "reply"]],
    ["author, deleted annotation", AUTHOR, deleted, []],
    ["stranger, deleted annotation", STRANGER, deleted, []],
    ["stranger, annotation by a deleted account", STRANGER, orphan, ["endorse", "reply"]],
  ];

describe("can", () => {
  it.each(TABLE)("%s may do exactly what the table says", (_, actor, subject, allowed) => {
    for (const action of annotationActions) {
      expect(can(actor, action, subject), action).toBe(allowed.includes(action));
    }
  });

  it("gives the UI the same answers as the guards", () => {
    for (const [, actor, subject, allowed] of TABLE) {
      expect(permissionsOf(actor, subject)).toEqual({
        edit: allowed.includes("edit"),
        delete: allowed.includes("delete"),
        endorse: allowed.includes("endorse"),
        reply: allowed.includes("reply"),
      });
    }
  });
});

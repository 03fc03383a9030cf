/**
 * Groups for tests, made through the group model (createGroup, then joinGroup with the group's
 * own code, then setMemberRole for moderators) so that they are what the app itself makes. Every
 * helper takes the database: domain tests pass their own (test-db.ts), route tests the app's.
 */
import { createGroup, getGroupFor, joinGroup, setMemberRole } from "#app/models/group.server";
import type { Db } from "#db/client";
import { user } from "#db/schema";

/** A user row (no password), with the site role given. */
export function addUser(
  db: Db,
  id: string,
  role: "user" | "admin" = "user",
): { id: string; role: "user" | "admin" } {
  db.insert(user)
    .values({
      id,
      username: id.replace(/[^a-z0-9_]/gi, "_"),
      displayName: `User ${id}`,
      role,
      passwordHash: "x",
    })
    .run();
  return { id, role };
}

/**
 * A group owned by `owner`, with `moderators` (joined, then made moderators by the owner: each
 * leaves a set_role row in the moderation log) and `members`.
 */
export function createGroupWith(
  db: Db,
  {
    owner,
    moderators = [],
    members = [],
    name = "Period 3",
  }: {
    owner: { id: string };
    moderators?: { id: string }[];
    members?: { id: string }[];
    name?: string;
  },
): number {
  const groupId = createGroup({ db, owner, input: { name, description: "" } });
  const code = getGroupFor({ db, viewer: owner, groupId }).joinCode;
  if (!code) throw new Error("a new group has a join code");
  for (const person of [...moderators, ...members]) joinGroup({ db, userId: person.id, code });
  for (const person of moderators) {
    setMemberRole({ db, viewer: owner, groupId, userId: person.id, role: "moderator" });
  }
  return groupId;
}

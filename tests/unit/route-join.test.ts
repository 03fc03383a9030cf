/**
 * A class's join link (app/routes/join.$code.tsx): thirty newcomers from one school address sign up
 * through it in one lesson, each in the class as the account exists; the per-link limit, the size
 * cap and a rotated code stop joins and write nothing; a signed-in reader joins with one button.
 * Then the class of thirty works through the seed article and nobody sees what they should not.
 */
import { and, count, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createAssignment } from "#app/models/assignment.server";
import { createGroup, getGroupFor, setJoinCode, updateGroup } from "#app/models/group.server";
import { JOIN_SIGN_UP_LIMIT_PER_GROUP } from "#app/models/login-attempt.server";
import { visibleTo } from "#app/models/visibility.server";
import { annotation, groupMember, loginAttempt, user } from "#db/schema";
import {
  call,
  createThread,
  createUser,
  db,
  getRequest,
  loadContext,
  postRequest,
  seededArticle,
  signIn,
  snapshot,
  uniqueUsername,
} from "./factories";

const route = () => import("#app/routes/join.$code");
const SCHOOL = "198.51.100.20";
const PASSWORD = "correct horse battery staple";

async function newGroup(sizeCap: number | null = null) {
  const owner = signIn(await createUser({ displayName: "Instructor" }));
  const groupId = createGroup({ db, owner, input: { name: "Period 4", description: "" } });
  if (sizeCap !== null) {
    updateGroup({
      db,
      viewer: owner,
      groupId,
      input: { name: "Period 4", description: "" },
      sizeCap,
    });
  }
  const code = getGroupFor({ db, viewer: owner, groupId }).joinCode as string;
  return { owner, groupId, code };
}

async function signUpThrough(code: string, username: string, address = SCHOOL) {
  const { action } = await route();
  return call(
    action,
    postRequest(`/join/${code}`, {
      username,
      displayName: `Student ${username}`,
      password: PASSWORD,
    }),
    { code },
    loadContext(address),
  );
}

function members(groupId: number): number {
  return (
    db.select({ n: count() }).from(groupMember).where(eq(groupMember.groupId, groupId)).get()?.n ??
    0
  );
}

describe("a class of thirty through one join link", () => {
  let groupId: number;
  let owner: Awaited<ReturnType<typeof newGroup>>["owner"];
  const students: { id: string; username: string }[] = [];

  beforeAll(async () => {
    const made = await newGroup();
    groupId = made.groupId;
    owner = made.owner;
    createAssignment({
      db,
      viewer: owner,
      groupId,
      input: {
        articleId: seededArticle().id,
        instructions: "Read and respond.",
        dueAt: null,
        timeZone: "UTC",
        postBeforeSee: true,
        anonymous: true,
      },
    });
    for (let i = 0; i < 30; i++) {
      const username = uniqueUsername("pupil");
      const answer = await signUpThrough(made.code, username);
      expect(answer.status, `student ${i + 1}`).toBe(302);
      expect(answer.headers.get("Location")).toBe(`/groups/${groupId}`);
      expect(answer.headers.get("Set-Cookie")).toMatch(/auth_session=/);
      const row = db.select({ id: user.id }).from(user).where(eq(user.username, username)).get();
      students.push({ id: row?.id as string, username });
    }
  }, 60_000);

  it("lets all thirty in from one address within minutes", () => {
    expect(members(groupId)).toBe(31);
  });

  it("works through the seed article with nobody seeing what they should not", () => {
    // Half the class posts in the class; everyone keeps a private note; one posts publicly.
    const classNotes = new Map<string, number>();
    const privateNotes = new Map<string, number>();
    students.forEach((s, i) => {
      privateNotes.set(
        s.id,
        createThread(s, { visibility: "private", body: `Note to self ${i}.` }),
      );
      if (i % 2 === 0) {
        classNotes.set(
          s.id,
          createThread(s, {
            visibility: "group",
            groupId,
            anchor: `p-${(i % 9) + 1}`,
            body: `Class post ${i}.`,
          }),
        );
      }
    });
    const visibleIds = (viewer: { id: string }) =>
      new Set(
        db
          .select({ id: annotation.id })
          .from(annotation)
          .where(
            and(
              visibleTo(viewer),
              sql`(${annotation.body} like 'Class post %' or ${annotation.body} like 'Note to self %')`,
            ),
          )
          .all()
          .map((r) => r.id),
      );
    for (const s of students) {
      const seen = visibleIds(s);
      const posted = classNotes.has(s.id);
      for (const [author, id] of classNotes) {
        // Post before you see: a student who has not posted sees only their own class posts.
        expect(seen.has(id), `${s.username} and ${author}'s class post`).toBe(
          posted || author === s.id,
        );
      }
      for (const [author, id] of privateNotes) {
        expect(seen.has(id), `${s.username} and ${author}'s private note`).toBe(author === s.id);
      }
    }
    // The instructor sees every class post and no private note.
    const instructor = visibleIds(owner);
    for (const id of classNotes.values()) expect(instructor.has(id)).toBe(true);
    for (const id of privateNotes.values()) expect(instructor.has(id)).toBe(false);
  });
});

describe("the join link's limits", () => {
  it("refuses sign-ups beyond the per-link limit and writes nothing", async () => {
    const { code, groupId } = await newGroup();
    const now = Date.now();
    for (let i = 0; i < JOIN_SIGN_UP_LIMIT_PER_GROUP.max; i++) {
      db.insert(loginAttempt)
        .values({
          kind: "join_sign_up",
          usernameKey: `group:${groupId}`,
          clientAddress: `10.0.0.${i}`,
          createdAt: new Date(now - 1000),
        })
        .run();
    }
    const before = snapshot();
    const answer = await signUpThrough(code, uniqueUsername("late"), "192.0.2.99");
    expect(answer.status).toBe(429);
    expect(answer.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(snapshot()).toEqual(before);
  });

  it("refuses a full class, with the reason by the form", async () => {
    const { code, groupId } = await newGroup(2);
    expect((await signUpThrough(code, uniqueUsername("first"))).status).toBe(302);
    const before = snapshot();
    const answer = await signUpThrough(code, uniqueUsername("second"));
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain("full");
    expect(snapshot()).toEqual(before);
    expect(members(groupId)).toBe(2);
  });

  it("keeps what was typed (but never the password) when a field is wrong", async () => {
    const { code } = await newGroup();
    const { action } = await route();
    const answer = await call(
      action,
      postRequest(`/join/${code}`, { username: "x", displayName: "Kept Name", password: PASSWORD }),
      { code },
      loadContext(SCHOOL),
    );
    expect(answer.status).toBe(400);
    const body = answer.body as { errors: Record<string, string>; values: Record<string, string> };
    expect(body.errors.username).toBeTruthy();
    expect(body.values).toEqual({ username: "x", displayName: "Kept Name" });
  });

  it("stops working once the owner makes a new code", async () => {
    const { code, owner, groupId } = await newGroup();
    setJoinCode({ db, viewer: owner, groupId, enabled: true });
    const { loader } = await route();
    expect((await call(loader, getRequest(`/join/${code}`), { code })).status).toBe(404);
    setJoinCode({ db, viewer: owner, groupId, enabled: false });
    expect(getGroupFor({ db, viewer: owner, groupId }).joinCode).toBeNull();
  });

  it("lets a signed-in reader join with one button, once", async () => {
    const { code, groupId } = await newGroup();
    const reader = signIn(await createUser());
    const { action } = await route();
    for (let i = 0; i < 2; i++) {
      const answer = await call(
        action,
        postRequest(`/join/${code}`, { intent: "join" }, { as: reader }),
        { code },
      );
      expect(answer.status).toBe(302);
      expect(answer.headers.get("Location")).toBe(`/groups/${groupId}`);
    }
    expect(members(groupId)).toBe(2);
  });
});

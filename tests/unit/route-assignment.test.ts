/**
 * The assignment page (app/routes/groups.$groupId.assignments.$assignmentId.tsx) and its CSV
 * (…$assignmentId[.csv].tsx), called as Remix would: members see the assignment, owners and
 * moderators the instructor's view and the CSV, owners set weights and edit; outsiders get 404,
 * other members 403, and an assignment at another group's address 404.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { action, loader } from "#app/routes/groups.$groupId.assignments.$assignmentId";
import { loader as csvLoader } from "#app/routes/groups.$groupId.assignments.$assignmentId[.csv]";
import { assignment, user } from "#db/schema";
import {
  type Answer,
  call,
  db,
  getRequest,
  locationOf,
  loginRedirect,
  postRequest,
  type SignedIn,
  snapshot,
} from "./factories";
import { type ClassWorld, classWorld, newGroup, postInGroup } from "./participation-world";

let world: ClassWorld;
let student: SignedIn;
let page: string;
let params: Record<string, string>;

const DUE = new Date("2026-12-04T17:00:00Z");

beforeAll(async () => {
  world = await classWorld({ students: 2, dueAt: DUE, timeZone: "Europe/London" });
  student = world.students[0] as SignedIn;
  page = `/groups/${world.groupId}/assignments/${world.assignmentId}`;
  params = { groupId: String(world.groupId), assignmentId: String(world.assignmentId) };
  // A display name that a spreadsheet would run, and a body, for the CSV.
  db.update(user)
    .set({ displayName: '=HYPERLINK("http://x","y")' })
    .where(eq(user.id, (world.students[1] as SignedIn).id))
    .run();
  postInGroup(student, world.groupId, { kind: "counterargument", body: "I disagree, strongly." });
  postInGroup(world.students[1] as SignedIn, world.groupId, { body: "=1+1 is two" });
});

type PageData = Awaited<ReturnType<typeof loader>>;

function view(as: SignedIn | null, at = params, path = page) {
  return call(loader, getRequest(path, { as }), at);
}

function csv(as: SignedIn | null, at = params) {
  return call(csvLoader, getRequest(`${page}.csv`, { as }), at);
}

function post(as: SignedIn, fields: Record<string, string>) {
  return call(action, postRequest(page, fields, { as, referer: page }), params);
}

const DEFAULT_FORM = {
  intent: "weights",
  annotation: "1",
  question: "1",
  counterargument: "3",
  source: "1",
  reply: "1",
  sourceCited: "1",
  per100Words: "0",
  endorsement: "0.5",
};

describe("assignment page loader", () => {
  it("a member sees the assignment, its due date in its zone, and no instructor's view", async () => {
    const answer = await view(student);
    expect(answer.status).toBe(200);
    const data = answer.body as PageData;
    expect(data.assignment.instructions).toBe("Read closely.\n\n  Then argue.");
    expect(data.due).toEqual({
      iso: DUE.toISOString(),
      label: "Friday 4 December 2026 at 17:00 (Europe/London time)",
    });
    expect(data.editValues).toBeNull();
    expect(data.readHref).toBe(`/articles/${world.slug}?layer=group-${world.groupId}`);
    expect(data.instructor).toBeNull();
    expect(data.owner).toBe(false);
  });

  it("the owner gets the table, the heat strip, the weights and the CSV link", async () => {
    const data = (await view(world.owner)).body as PageData;
    expect(data.owner).toBe(true);
    expect(data.instructor?.rows.map((r) => r.userId)).toContain(student.id);
    const row = data.instructor?.rows.find((r) => r.userId === student.id);
    expect(row?.kinds.counterargument).toBe(1);
    expect(row?.firstActivityLabel).toMatch(/^\d{1,2} \w{3} \d{4}, \d\d:\d\d$/);
    expect(data.instructor?.heat.paragraphs.length).toBeGreaterThan(0);
    expect(data.instructor?.csvHref).toBe(`${page}.csv`);
    expect(data.instructor?.weightFields.map((f) => f.key)).toContain("per100Words");
  });

  it("a moderator gets the instructor's view but not the owner's forms", async () => {
    const data = (await view(world.moderator)).body as PageData;
    expect(data.instructor).not.toBeNull();
    expect(data.owner).toBe(false);
  });

  it("an outsider: 404", async () => {
    const answer = await view(world.outsider);
    expect(answer.status).toBe(404);
    expect(answer.thrown).toBe(true);
  });

  it("at another group's address: 404, even for the owner of both", async () => {
    const other = newGroup(world.owner, []);
    const answer = await view(world.owner, { ...params, groupId: String(other) });
    expect(answer.status).toBe(404);
  });

  it("ids that are not plain digits: 404", async () => {
    expect((await view(world.owner, { ...params, assignmentId: "1e2" })).status).toBe(404);
  });

  it("signed out: sent to sign in", async () => {
    const answer = await view(null);
    expect(locationOf(answer)).toBe(loginRedirect(page));
  });
});

describe("assignment page actions", () => {
  function storedWeights() {
    return db
      .select({ weights: assignment.weights })
      .from(assignment)
      .where(eq(assignment.id, world.assignmentId))
      .get()?.weights;
  }

  it("the owner saves weights and is sent back with a confirmation", async () => {
    const answer = await post(world.owner, DEFAULT_FORM);
    expect(locationOf(answer)).toBe(`${page}?saved=weights#weights-heading`);
    expect(JSON.parse(storedWeights() ?? "")).toMatchObject({ counterargument: 3, per100Words: 0 });
    const data = (await view(world.owner, params, `${page}?saved=weights`)).body as PageData;
    expect(data.saved).toMatch(/weights are saved/);
    expect(data.instructor?.formula).not.toContain("words");
  });

  it("invalid weights: 400, a message by each field, what was typed kept", async () => {
    const before = snapshot();
    const answer = await post(world.owner, { ...DEFAULT_FORM, question: "-2", reply: "0.125" });
    expect(answer.status).toBe(400);
    const body = answer.body as { intent: string; errors: Record<string, string>; values: object };
    expect(body.intent).toBe("weights");
    expect(Object.keys(body.errors).sort()).toEqual(["question", "reply"]);
    expect(body.values).toMatchObject({ question: "-2", reply: "0.125", counterargument: "3" });
    expect(snapshot()).toEqual(before);
  });

  it.each(["moderator", "member"] as const)("a %s may not set weights: 403", async (who) => {
    const as = who === "moderator" ? world.moderator : student;
    const before = snapshot();
    const answer = await post(as, DEFAULT_FORM);
    expect(answer.status).toBe(403);
    expect(snapshot()).toEqual(before);
  });

  it("the owner edits the assignment; the due date is read in the zone given", async () => {
    const answer = await post(world.owner, {
      intent: "edit-assignment",
      instructions: "New instructions",
      dueDate: "2026-07-01",
      dueTime: "09:30",
      timeZone: "America/New_York",
      postBeforeSee: "on",
    });
    expect(locationOf(answer)).toBe(`${page}?saved=edit-assignment`);
    const row = db.select().from(assignment).where(eq(assignment.id, world.assignmentId)).get();
    expect(row?.dueAt?.toISOString()).toBe("2026-07-01T13:30:00.000Z");
    expect(row?.postBeforeSee).toBe(true);
    expect(row?.anonymous).toBe(false);
    const data = (await view(world.owner)).body as PageData;
    expect(data.editValues).toMatchObject({
      dueDate: "2026-07-01",
      dueTime: "09:30",
      timeZone: "America/New_York",
      postBeforeSee: "on",
      anonymous: "",
    });
  });

  it("an edit with a bad time zone: 400 by that field, values kept", async () => {
    const answer = await post(world.owner, {
      intent: "edit-assignment",
      instructions: "x",
      dueDate: "2026-07-01",
      dueTime: "09:30",
      timeZone: "Mars/Olympus",
    });
    expect(answer.status).toBe(400);
    const body = answer.body as { errors: Record<string, string>; values: Record<string, string> };
    expect(Object.keys(body.errors)).toEqual(["timeZone"]);
    expect(body.values.timeZone).toBe("Mars/Olympus");
  });

  it("a member may not edit: 403", async () => {
    const answer = await post(student, { intent: "edit-assignment", instructions: "Mine now" });
    expect(answer.status).toBe(403);
  });

  it("an outsider posting: 404", async () => {
    const answer = await post(world.outsider, DEFAULT_FORM);
    expect(answer.status).toBe(404);
  });
});

describe("participation CSV", () => {
  function lines(answer: Answer): string[] {
    return String(answer.body).split("\r\n");
  }

  it("owners get the table as CSV, as an attachment with a safe name", async () => {
    const answer = await csv(world.owner);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("Content-Disposition")).toBe(
      `attachment; filename="civics-101-${world.slug}-participation.csv"`,
    );
    expect(answer.headers.get("Cache-Control")).toBe("private, no-store");
    const [header, ...rows] = lines(answer);
    expect(header).toBe(
      "Name,Username,Role,Annotations,Questions,Counterarguments,Sources,Replies to others,Sources cited: supports,Sources cited: refutes,Sources cited: context,Words,Endorsements received,First activity (UTC),Last activity (UTC),On time,Score,Score breakdown",
    );
    expect(rows.at(-1)).toBe("");
    const mine = rows.find((r) => r.includes(student.username));
    expect(mine?.split(",").slice(1, 8)).toEqual([
      student.username,
      "member",
      "0",
      "0",
      "1",
      "0",
      "0",
    ]);
  });

  it("neutralises a display name a spreadsheet would run", async () => {
    const body = String((await csv(world.owner)).body);
    expect(body).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(body).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it("every student has a row, also with no activity; staff who did not post have none", async () => {
    const rows = lines(await csv(world.moderator)).slice(1, -1);
    expect(rows).toHaveLength(2);
  });

  it("a member: 403; an outsider: 404; another group's address: 404", async () => {
    expect((await csv(student)).status).toBe(403);
    expect((await csv(world.outsider)).status).toBe(404);
    const other = newGroup(world.owner, []);
    expect((await csv(world.owner, { ...params, groupId: String(other) })).status).toBe(404);
  });

  it("signed out: sent to sign in", async () => {
    const answer = await csv(null);
    expect(locationOf(answer)).toBe(loginRedirect(`${page}.csv`));
  });
});

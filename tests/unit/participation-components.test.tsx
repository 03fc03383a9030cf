// @vitest-environment happy-dom
/**
 * The instructor's view components as markup: the heat strip's text alternative (not colour
 * alone) and links, and the participation table's structure (caption, header scopes, the score's
 * breakdown in the row).
 */
import { createRemixStub } from "@remix-run/testing";
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import { describeHeat, HeatStrip, type HeatStripParagraph } from "#app/components/heat-strip";
import {
  ParticipationTable,
  type ParticipationTableRow,
} from "#app/components/participation-table";
import AssignmentPage, { loader } from "#app/routes/groups.$groupId.assignments.$assignmentId";
import { call, ORIGIN, type SignedIn } from "./factories";
import { classWorld, postInGroup } from "./participation-world";

// React's act() outside a test renderer.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** What the stub's one route shows (components need the Remix context that the stub gives). */
let shown: React.ReactNode = null;
function Shown() {
  return <>{shown}</>;
}

async function render(element: React.ReactNode): Promise<HTMLElement> {
  shown = element;
  const Stub = createRemixStub([{ path: "/", Component: Shown }]);
  const container = document.createElement("div");
  document.body.append(container);
  await act(async () => {
    createRoot(container).render(<Stub initialEntries={["/"]} />);
  });
  return container;
}

/** What assistive technology reads of an element: its text without aria-hidden parts. */
function spokenText(element: Element): string {
  const copy = element.cloneNode(true) as Element;
  for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
  return copy.textContent ?? "";
}

afterEach(() => {
  document.body.innerHTML = "";
});

const zero = { annotation: 0, question: 0, counterargument: 0, source: 0 };

describe("HeatStrip", () => {
  const paragraphs: HeatStripParagraph[] = [
    { number: 1, anchor: "p-1", counts: zero, total: 0 },
    { number: 4, anchor: "p-4", counts: { ...zero, counterargument: 3, question: 1 }, total: 4 },
  ];

  it("says each paragraph's counts in words, busiest kind first", () => {
    expect(describeHeat(paragraphs[1]?.counts ?? zero)).toBe("3 counterarguments, 1 question");
    expect(describeHeat(zero)).toBe("no discussion");
  });

  it("links each paragraph to its discussion, named by its text; the bar is hidden", async () => {
    const root = await render(
      <HeatStrip
        paragraphs={paragraphs}
        max={4}
        hrefFor={(a) => `/articles/x/p/${a}?layer=group-7`}
      />,
    );
    const links = [...root.querySelectorAll("ol a")];
    expect(links.map(spokenText)).toEqual([
      "Paragraph 1: no discussion",
      "Paragraph 4: 3 counterarguments, 1 question",
    ]);
    expect(links[1]?.getAttribute("href")).toBe("/articles/x/p/p-4?layer=group-7");
    const bar = links[1]?.querySelector('[aria-hidden="true"]');
    // Letters as well as colour: C for counterarguments, Q for questions.
    expect(bar?.textContent).toBe("QC");
    expect(root.textContent).toContain("Most counterarguments: paragraph 4 (3).");
  });
});

describe("ParticipationTable", () => {
  const row: ParticipationTableRow = {
    userId: "u1",
    username: "ada",
    displayName: "Ada",
    role: "member",
    kinds: { ...zero, annotation: 3 },
    replies: 1,
    sources: { supports: 1, refutes: 0, context: 0 },
    sourcesCited: 1,
    words: 120,
    endorsements: 2,
    firstActivity: "2026-12-01T10:00:00.000Z",
    lastActivity: "2026-12-05T10:00:00.000Z",
    firstActivityLabel: "1 Dec 2026, 10:00",
    lastActivityLabel: "5 Dec 2026, 10:00",
    timing: "late",
    lateCount: 1,
    score: {
      total: 6.2,
      lines: [
        { key: "annotation", points: 3, text: "3 annotations × 1 = 3" },
        { key: "per100Words", points: 1.2, text: "120 words ÷ 100 × 1 = 1.2" },
        { key: "endorsement", points: 2, text: "2 endorsements received × 1 = 2" },
      ],
    },
  };

  it("is a captioned table with header scopes and the breakdown in each row", async () => {
    const root = await render(
      <ParticipationTable rows={[row]} caption="Participation" timeZone="Europe/London" />,
    );
    expect(root.querySelector("caption")?.textContent).toBe(
      "Participation (times in Europe/London)",
    );
    // The score beside the name: what an instructor reads first stays in view.
    expect([...root.querySelectorAll('thead th[scope="col"]')].map((th) => th.textContent)).toEqual(
      [
        "Member",
        "Score",
        "Annotations",
        "Questions",
        "Counterarguments",
        "Sources",
        "Replies to others",
        "Sources cited",
        "Words",
        "Endorsements received",
        "First activity",
        "Last activity",
        "On time?",
      ],
    );
    expect(root.querySelector('tbody th[scope="row"]')?.textContent).toContain("Ada");
    const details = root.querySelector("tbody details");
    expect(details?.querySelector("summary")?.textContent).toContain("6.2");
    expect([...(details?.querySelectorAll("li") ?? [])].map((li) => li.textContent)).toEqual([
      "3 annotations × 1 = 3",
      "120 words ÷ 100 × 1 = 1.2",
      "2 endorsements received × 1 = 2",
      "Total 6.2",
    ]);
    expect(root.querySelector("time")?.getAttribute("dateTime")).toBe(row.firstActivity);
    expect(root.textContent).toContain("Late (1 after the due date)");
  });
});

/**
 * A GET as the loader reads it. happy-dom's Request drops the Cookie header (a browser may not
 * set it), so this file, which needs a DOM to render into, hands the loader the few members it uses.
 */
function signedInRequest(path: string, cookie: string): Request {
  const url = new URL(path, ORIGIN).href;
  const headers = { get: (name: string) => (name.toLowerCase() === "cookie" ? cookie : null) };
  return { url, method: "GET", headers } as unknown as Request;
}

describe("the assignment page, rendered with its real loader", () => {
  async function renderPage(as: "owner" | "student") {
    const world = await classWorld({ students: 1, dueAt: new Date("2026-12-04T17:00:00Z") });
    postInGroup(world.students[0] as SignedIn, world.groupId, { kind: "question", body: "Why?" });
    const viewer = as === "owner" ? world.owner : (world.students[0] as SignedIn);
    const path = `/groups/${world.groupId}/assignments/${world.assignmentId}`;
    const params = { groupId: String(world.groupId), assignmentId: String(world.assignmentId) };
    const answer = await call(loader, signedInRequest(path, viewer.cookie), params);
    expect(answer.status).toBe(200);
    const Stub = createRemixStub([
      {
        path: "/groups/:groupId/assignments/:assignmentId",
        Component: AssignmentPage,
        loader: () => answer.body,
      },
    ]);
    const container = document.createElement("div");
    document.body.append(container);
    await act(async () => {
      createRoot(container).render(<Stub initialEntries={[path]} />);
    });
    await act(async () => {});
    return container;
  }

  it("a student sees the due date with its zone, the instructions as typed, the options", async () => {
    const root = await renderPage("student");
    expect(root.querySelector("time")?.getAttribute("dateTime")).toBe("2026-12-04T17:00:00.000Z");
    expect(root.textContent).toContain("Due Friday 4 December 2026 at 17:00 (Europe/London time)");
    expect(root.textContent).toContain("Read closely.\n\n  Then argue.");
    expect(root.textContent).toContain("Post before you see: off.");
    expect(root.querySelector("table")).toBeNull();
    expect(root.querySelector("form")).toBeNull();
  });

  it("the owner sees the table, the heat strip, the CSV link and both forms", async () => {
    const root = await renderPage("owner");
    expect(root.querySelector("table caption")?.textContent).toContain("Participation in");
    expect(root.textContent).toContain("1 question");
    expect(root.querySelector('a[href$=".csv"]')).not.toBeNull();
    expect(root.querySelectorAll("form")).toHaveLength(2);
    expect(root.querySelector<HTMLInputElement>("#weight-counterargument")?.value).toBe("2");
    expect(root.querySelector<HTMLInputElement>("#edit-dueDate")?.value).toBe("2026-12-04");
    expect(root.querySelector<HTMLInputElement>("#edit-dueTime")?.value).toBe("17:00");
  });
});

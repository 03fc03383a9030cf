// @vitest-environment happy-dom
/**
 * The collection pages and the group pages as markup, rendered with their loaders' data: the
 * question as a blockquote, the introduction in paragraphs, the editor's forms (labelled, the
 * upload multipart) only for the editor; and a review panel's page in a panel's words while a
 * class's keeps its own.
 */
import { createRemixStub } from "@remix-run/testing";
import { act } from "react";
import { createRoot } from "react-dom/client";
import { beforeAll, describe, expect, it } from "vitest";
import { createCollection, DEMO_COLLECTION_SLUG } from "#app/models/collection.server";
import { createGroup } from "#app/models/group.server";
import CollectionPage, { loader as collectionLoader } from "#app/routes/collections.$slug";
import GroupsPage, { loader as groupsLoader } from "#app/routes/groups._index";
import GroupPage, { loader as groupLoader } from "#app/routes/groups.$groupId._index";
import { call, db, getRequest, ORIGIN, type SignedIn, signedInUser } from "./factories";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Loader = Parameters<typeof call>[0];

/** The page at `path` (matching `pattern`), with what its loader answers `as`. */
async function render(
  pattern: string,
  path: string,
  Component: () => React.ReactNode,
  loader: Loader,
  params: Record<string, string>,
  as: SignedIn | null,
): Promise<HTMLElement> {
  const answer = await call(
    loader,
    as ? signedInRequest(path, as.cookie) : getRequest(path),
    params,
  );
  expect(answer.status).toBe(200);
  const Stub = createRemixStub([{ path: pattern, Component, loader: () => answer.body }]);
  const container = document.createElement("div");
  document.body.append(container);
  await act(async () => {
    createRoot(container).render(<Stub initialEntries={[path]} />);
  });
  await act(async () => {});
  return container;
}

/**
 * A GET as the loader reads it. happy-dom's Request drops the Cookie header (a browser may not set
 * it), so, as in participation-components.test.tsx, the loader gets the few members it uses.
 */
function signedInRequest(path: string, cookie: string): Request {
  const url = new URL(path, ORIGIN).href;
  const headers = { get: (name: string) => (name.toLowerCase() === "cookie" ? cookie : null) };
  return { url, method: "GET", headers } as unknown as Request;
}

let editor: SignedIn;

beforeAll(async () => {
  editor = await signedInUser();
});

describe("a collection's page", () => {
  const show = (slug: string, as: SignedIn | null) =>
    render(
      "/collections/:slug",
      `/collections/${slug}`,
      CollectionPage,
      collectionLoader as Loader,
      { slug },
      as,
    );

  it("shows the demo collection's question as a blockquote and its response, without forms", async () => {
    const page = await show(DEMO_COLLECTION_SLUG, null);
    expect(page.querySelector("h1")?.textContent).toBe(
      "Afghanistan, one year after the withdrawal",
    );
    expect(page.querySelector("blockquote")?.textContent).toMatch(/^How should the Biden/);
    const response = page.querySelector(".response-list li");
    expect(response?.querySelector("h3 a")?.getAttribute("href")).toBe(
      "/articles/do-not-engage-the-taliban-for-free",
    );
    expect(response?.textContent).toMatch(/paragraphs/);
    const links = [...(response?.querySelectorAll("a") ?? [])].map((a) => a.getAttribute("href"));
    expect(links).toContain("/articles/do-not-engage-the-taliban-for-free/review");
    expect(links).toContain("/articles/do-not-engage-the-taliban-for-free/revisions");
    expect(page.querySelectorAll("form")).toHaveLength(0);
  });

  it("gives its editor labelled forms, the upload one multipart", async () => {
    const slug = createCollection({
      db,
      editor,
      input: { title: "Rendered", question: "Does it render?", introduction: "One.\n\nTwo." },
    });
    const page = await show(slug, editor);
    expect(
      [...page.querySelectorAll(".collection-introduction p")].map((p) => p.textContent),
    ).toEqual(["One.", "Two."]);
    const upload = page.querySelector('input[type="file"]')?.closest("form");
    expect(upload?.getAttribute("enctype")).toBe("multipart/form-data");
    expect(upload?.getAttribute("method")).toBe("post");
    for (const input of page.querySelectorAll("input:not([type=hidden]), textarea, select")) {
      const id = input.getAttribute("id");
      expect(id, input.outerHTML).toBeTruthy();
      expect(page.querySelector(`label[for="${id}"]`), input.outerHTML).not.toBeNull();
    }
    expect(page.querySelectorAll("details").length).toBeGreaterThanOrEqual(3);
  });
});

describe("the group pages", () => {
  it("calls the list 'Your classes and review panels' and offers both kinds", async () => {
    const page = await render("/groups", "/groups", GroupsPage, groupsLoader as Loader, {}, editor);
    expect(page.querySelector("h1")?.textContent).toBe("Your classes and review panels");
    const legend = page.querySelector("fieldset legend");
    expect(legend?.textContent).toBe("What kind of group");
    const radios = [...page.querySelectorAll('input[type="radio"][name="kind"]')];
    expect(radios.map((r) => r.getAttribute("value"))).toEqual(["class", "panel"]);
    expect(page.textContent).toContain("Create the class");
  });

  const groupPage = (groupId: number) =>
    render(
      "/groups/:groupId",
      `/groups/${groupId}`,
      GroupPage,
      groupLoader as Loader,
      { groupId: String(groupId) },
      editor,
    );

  it("speaks of a panel's responses under review and blind reviewing", async () => {
    const groupId = createGroup({
      db,
      owner: editor,
      input: { name: "Panel A", description: "" },
      kind: "panel",
    });
    const page = await groupPage(groupId);
    expect(page.querySelector("#assignments-heading")?.textContent).toBe("Responses under review");
    expect(page.textContent).toContain("Put a response under review");
    expect(page.textContent).toContain("Blind until posted");
    expect(page.textContent).toContain("in the review panel in one step");
    expect(page.textContent).not.toContain("Post before you see");
  });

  it("keeps a class's words", async () => {
    const groupId = createGroup({ db, owner: editor, input: { name: "Class B", description: "" } });
    const page = await groupPage(groupId);
    expect(page.querySelector("#assignments-heading")?.textContent).toBe("Assignments");
    expect(page.textContent).toContain("Assign an article");
    expect(page.textContent).toContain(
      "Post before you see: members see classmates' annotations only after posting one of their own",
    );
    expect(page.textContent).toContain("in the class in one step");
  });
});

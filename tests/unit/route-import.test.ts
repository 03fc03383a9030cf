/**
 * The import page (app/routes/articles.$slug_.import.tsx): signed-in only; a multipart upload (or
 * pasted JSON) gives a preview and writes nothing; "Import these" imports once and redirects to the
 * report; bad files (not JSON, a wrong shape, too many items, hostile text, too large) are refused
 * beside their field with a 4xx and write nothing; a group import only into the importer's group.
 */
import { readdirSync, readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { action, loader } from "#app/routes/articles.$slug_.import";
import { MAX_IMPORT_PREVIEWS_PER_HOUR } from "#app/rules";
import { annotation, writeEvent } from "#db/schema";
import {
  type Answer,
  call,
  db,
  getRequest,
  locationOf,
  loginRedirect,
  ORIGIN,
  postRequest,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  signedInUser,
  snapshot,
} from "./factories";
import { createGroupWith } from "./group-factories";

const HERE = `/articles/${SEED_ARTICLE_SLUG}/import`;
const PARAMS = { slug: SEED_ARTICLE_SLUG };
const HYPOTHESIS = readFileSync(new URL("../data/hypothesis-export.json", import.meta.url), "utf8");

let reader: SignedIn;

beforeEach(async () => {
  reader = await signedInUser();
});

/** A multipart upload of `content` as a file, as the form sends it. */
function upload(
  content: string | null,
  fields: Record<string, string> = {},
  as: SignedIn | null = reader,
  headers: Record<string, string> = {},
) {
  const form = new FormData();
  form.set("intent", "preview");
  if (content !== null) {
    form.set("file", new File([content], "annotations.json", { type: "application/json" }));
  }
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  const requestHeaders = new Headers({ Origin: ORIGIN, ...headers });
  if (as) requestHeaders.set("Cookie", as.cookie);
  return call(
    action,
    new Request(new URL(HERE, ORIGIN), { method: "POST", body: form, headers: requestHeaders }),
    PARAMS,
  );
}

type Body = {
  errors: Record<string, string>;
  preview?: { counts: Record<string, number> };
  token?: string;
};

function body(answer: Answer): Body {
  return answer.body as Body;
}

/**
 * The database without the uploads waiting for confirmation (a preview keeps one) and the count of
 * previews (each preview is counted against the hourly limit).
 */
function written() {
  const { pending_import: _pending, write_event: events = [], ...rest } = snapshot();
  return { ...rest, write_event: events.filter((e) => !e.includes('"importPreview"')) };
}

function mine(person: SignedIn) {
  return db.select().from(annotation).where(eq(annotation.authorId, person.id)).all();
}

describe("signed out", () => {
  it("is sent to sign in, for the page and for an upload, and nothing is written", async () => {
    const page = await call(loader, getRequest(HERE), PARAMS);
    expect(locationOf(page)).toBe(loginRedirect(HERE));
    const before = snapshot();
    const answer = await upload(HYPOTHESIS, {}, null);
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toBe(loginRedirect(HERE));
    expect(snapshot()).toEqual(before);
  });
});

describe("upload, preview, confirm, report", () => {
  it("previews without writing, imports once on confirmation, then reports", async () => {
    const before = written();
    const previewed = await upload(HYPOTHESIS);
    expect(previewed.status).toBe(200);
    expect(body(previewed).preview?.counts).toMatchObject({
      anchored: 7,
      approximate: 2,
      orphaned: 3,
      replies: 3,
      refused: 2,
    });
    expect(written()).toEqual(before);

    const token = body(previewed).token ?? "";
    // Another reader cannot use the token.
    const stranger = await signedInUser();
    const stolen = await call(
      action,
      postRequest(HERE, { intent: "confirm", token }, { as: stranger }),
      PARAMS,
    );
    expect(stolen.status).toBe(404);
    expect(mine(stranger)).toHaveLength(0);

    const confirmed = await call(
      action,
      postRequest(HERE, { intent: "confirm", token }, { as: reader }),
      PARAMS,
    );
    const report = new URL(locationOf(confirmed), ORIGIN);
    expect(report.pathname).toBe(HERE);
    expect(mine(reader)).toHaveLength(15);
    expect(mine(reader).every((r) => r.visibility === "private")).toBe(true);

    const again = await call(
      action,
      postRequest(HERE, { intent: "confirm", token }, { as: reader }),
      PARAMS,
    );
    expect(again.status).toBe(404);
    expect(body(again).errors.form).toMatch(/expired or was already imported/);
    expect(mine(reader)).toHaveLength(15);

    const page = await call(
      loader,
      getRequest(report.pathname + report.search, { as: reader }),
      PARAMS,
    );
    const shown = page.body as {
      report: { report: { counts: Record<string, number> }; threads: { anchorStatus: string }[] };
    };
    expect(shown.report.report.counts).toEqual(body(previewed).preview?.counts);
    expect(shown.report.threads.filter((t) => t.anchorStatus === "orphaned")).toHaveLength(3);
    // Nobody else reads that report.
    const theirs = await call(
      loader,
      getRequest(report.pathname + report.search, { as: stranger }),
      PARAMS,
    );
    expect((theirs.body as { report: unknown }).report).toBeNull();
  });

  it("takes pasted JSON as well as a file", async () => {
    const answer = await upload(null, { json: HYPOTHESIS });
    expect(answer.status).toBe(200);
    expect(body(answer).preview?.counts.anchored).toBe(7);
  });
});

/** `count` Hypothesis rows, each valid on its own. */
function manyRows(count: number): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      id: `row${i}`,
      uri: "https://example.org/a",
      user: "acct:eve@hypothes.is",
      text: "Hello.",
      target: [{ source: "https://example.org/a" }],
    })),
  );
}

describe("bad files are refused beside their field, writing nothing", () => {
  const hugeText = JSON.stringify([
    {
      id: "Qm7aFz9PEe6xkAPu0xhJZw",
      uri: "https://example.org/a",
      user: "acct:eve@hypothes.is",
      text: "x".repeat(10_001),
      target: [{ source: "https://example.org/a" }],
    },
  ]);
  const scriptLink = JSON.stringify({
    "@context": "http://www.w3.org/ns/anno.jsonld",
    id: "https://elsewhere.example/anno/1",
    type: "Annotation",
    motivation: "linking",
    body: [{ id: "javascript:alert(document.cookie)", title: "Click me" }],
    target: "https://elsewhere.example/article",
  });
  const cases: [string, string, number, RegExp][] = [
    ["not JSON", "<html>not json</html>", 400, /not valid JSON/],
    ["a JSON string", '"just a string"', 400, /not a JSON object or array/],
    ["an empty collection", "[]", 400, /holds no annotations/],
    ["a wrong shape", '{"annotations": [42]}', 400, /cannot be imported/],
    ["too many items", manyRows(5001), 400, /at most 5,000/],
    [
      "100,000 items",
      JSON.stringify(Array.from({ length: 100_001 }, () => 0)),
      400,
      /at most 5,000/,
    ],
    ["a body over 10,000 characters", hugeText, 400, /longer than 10,000/],
    ["a javascript: link", scriptLink, 400, /http:\/\/ or https:\/\//],
  ];
  for (const [name, content, status, message] of cases) {
    it(name, async () => {
      const before = written();
      const answer = await upload(content);
      expect(answer.status).toBe(status);
      expect(body(answer).errors.file).toMatch(message);
      expect(written()).toEqual(before);
    });
  }

  it("a file over 10 MB, refused from its length before it is read", async () => {
    const before = snapshot();
    const headers = new Headers({
      Origin: ORIGIN,
      Cookie: reader.cookie,
      "Content-Type": "multipart/form-data; boundary=x",
      "Content-Length": String(50 * 1024 * 1024),
    });
    let read = false;
    // Nothing is buffered ahead (highWaterMark 0): a pull means someone read the body.
    const stream = new ReadableStream(
      {
        pull() {
          read = true;
          throw new Error("the body was read");
        },
      },
      { highWaterMark: 0 },
    );
    const answer = await call(
      action,
      new Request(new URL(HERE, ORIGIN), {
        method: "POST",
        body: stream,
        headers,
        duplex: "half",
      } as RequestInit),
      PARAMS,
    );
    expect(answer.status).toBe(413);
    expect(body(answer).errors.file).toMatch(/larger than 10 MB/);
    expect(read).toBe(false);
    expect(snapshot()).toEqual(before);
  });

  it("a file over 10 MB that slipped under the declared length", async () => {
    const answer = await upload(`[${" ".repeat(10 * 1024 * 1024)}]`);
    expect(answer.status).toBe(413);
    expect(body(answer).errors.file).toMatch(/larger than 10 MB/);
  });
});

describe("the W3C working group's incorrect samples", () => {
  const folder = new URL("../data/w3c/samples/incorrect/", import.meta.url);
  const names = readdirSync(folder).filter((name) => name.endsWith(".json"));
  it.each(names)("%s is refused with a message, writing nothing", async (name) => {
    const before = written();
    const answer = await upload(readFileSync(new URL(name, folder), "utf8"));
    expect(answer.status).toBe(400);
    expect(body(answer).errors.file).toMatch(/\w/);
    expect(written()).toEqual(before);
  });
});

describe("previews are limited", () => {
  it("refuses a preview past the hourly limit beside the file field, 429 with Retry-After", async () => {
    // The hour's previews, spent ten minutes ago.
    const spent = new Date(Date.now() - 10 * 60_000);
    db.insert(writeEvent)
      .values(
        Array.from({ length: MAX_IMPORT_PREVIEWS_PER_HOUR }, () => ({
          kind: "importPreview" as const,
          userId: reader.id,
          createdAt: spent,
        })),
      )
      .run();
    const before = snapshot();
    const answer = await upload(HYPOTHESIS);
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get("Retry-After"))).toBeGreaterThan(49 * 60);
    expect(body(answer).errors.file).toMatch(/previewed 20 imports in the last hour/);
    expect(body(answer).preview).toBeUndefined();
    expect(snapshot()).toEqual(before);
    // Another reader's previews are their own.
    expect((await upload(HYPOTHESIS, {}, await signedInUser())).status).toBe(200);
  });
});

describe("visibility", () => {
  it("imports into a group only for its members", async () => {
    const owner = await signedInUser();
    const groupId = createGroupWith(db, { owner });
    const refused = await upload(HYPOTHESIS, { visibility: `group-${groupId}` });
    expect(refused.status).toBe(400);
    expect(body(refused).errors.visibility).toMatch(/only import into a group you are in/);
    const ok = await upload(HYPOTHESIS, { visibility: `group-${groupId}` }, owner);
    expect(ok.status).toBe(200);
  });

  it("refuses a visibility that is none of the choices", async () => {
    const answer = await upload(HYPOTHESIS, { visibility: "everyone-ever" });
    expect(answer.status).toBe(400);
    expect(body(answer).errors.visibility).toBeDefined();
  });
});

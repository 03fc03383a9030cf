/**
 * The W3C Web Annotation mapping at the pure level (app/interop): the working group's schemas and
 * samples (is the validator set up right?), every kind, stance, thread depth and target written as
 * an annotation that meets the musts and read back exactly, collections and pages, Hypothesis's
 * export format, hostile files, and content negotiation's choice of representation.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  parseAnnotationDocument,
  readAnnotationFile,
  toCollection,
  toPage,
} from "#app/interop/document.server";
import { fromHypothesis } from "#app/interop/hypothesis.server";
import { negotiatedPath, prefersJsonLd } from "#app/interop/negotiate";
import type { PortableAnnotation } from "#app/interop/portable.server";
import {
  ANNO_CONTEXT,
  annotationIri,
  articleCollectionIri,
  MAX_DOCUMENT_ITEMS,
  parseLocalIri,
  profileIri,
  revisionIri,
} from "#app/interop/vocabulary";
import { fromW3C, toW3C } from "#app/interop/w3c.server";
import { annotationKinds, stances } from "#app/rules";
import { cacheablePath } from "#app/utils/page-cache.server";
import { loadMusts, mustFailures, mustKindOf, samples } from "./w3c-schemas";

// The schemas compile once, before any test, however busy the machine.
beforeAll(loadMusts, 60_000);

const ORIGIN = "https://marginalia.test";
const SLUG = "an-article";

/** A public root annotation on a passage of p-3, by Ada; anything overridden. */
function portable(overrides: Partial<PortableAnnotation> = {}): PortableAnnotation {
  return {
    id: annotationIri(ORIGIN, SLUG, 7),
    kind: "annotation",
    body: "A *thought* about this.",
    source: null,
    target: {
      source: revisionIri(ORIGIN, SLUG, 2),
      paragraph: "p-3",
      quote: { exact: "the words", prefix: "before ", suffix: " after" },
      position: { start: 7, end: 16 },
    },
    parent: null,
    creator: { id: profileIri(ORIGIN, "ada"), name: "Ada Lovelace", nickname: "ada" },
    created: "2026-11-30T10:00:00.000Z",
    modified: "2026-11-30T10:05:00.000Z",
    visibility: "public",
    group: null,
    anchorStatus: "anchored",
    originalQuote: null,
    resolved: null,
    withheld: null,
    tags: [],
    ...overrides,
  };
}

const reply = (depth: number, overrides: Partial<PortableAnnotation> = {}) =>
  portable({
    id: annotationIri(ORIGIN, SLUG, 100 + depth),
    parent: annotationIri(ORIGIN, SLUG, 100 + depth - 1),
    target: null,
    body: `A reply at depth ${depth}.`,
    ...overrides,
  });

/** Every shape the exporter writes, by name. */
const CASES: [string, PortableAnnotation][] = [
  ...annotationKinds
    .filter((kind) => kind !== "source")
    .map((kind): [string, PortableAnnotation] => [`a ${kind} on a passage`, portable({ kind })]),
  ...stances.map((stance): [string, PortableAnnotation] => [
    `a source that ${stance}`,
    portable({
      kind: "source",
      source: { url: "https://example.org/report?id=3&x=y", title: "A report", stance },
    }),
  ]),
  [
    "a whole paragraph",
    portable({
      target: {
        source: revisionIri(ORIGIN, SLUG, 2),
        paragraph: "p-3",
        quote: null,
        position: null,
      },
    }),
  ],
  [
    "a passage after astral characters (code points, not UTF-16 units)",
    portable({
      target: {
        source: revisionIri(ORIGIN, SLUG, 1),
        paragraph: "p-12",
        quote: { exact: "fox 🦊 runs", prefix: "🦊🦊 the ", suffix: " 𝒶𝒻𝓉ℯ𝓇" },
        position: { start: 6, end: 15 },
      },
    }),
  ],
  ...[1, 2, 5].map((depth): [string, PortableAnnotation] => [
    `a reply at depth ${depth}`,
    reply(depth),
  ]),
  ["a question as a reply", reply(1, { kind: "question" })],
  ["a counterargument as a reply", reply(2, { kind: "counterargument" })],
  [
    "a source as a reply",
    reply(1, {
      kind: "source",
      source: { url: "http://example.com/", title: "Context", stance: "refutes" },
    }),
  ],
  ["a private note", portable({ visibility: "private" })],
  [
    "a class's annotation",
    portable({ visibility: "group", group: { id: `${ORIGIN}/groups/4`, name: "Period 3" } }),
  ],
  [
    "by a classmate shown as Student 3",
    portable({ creator: { id: null, name: "Student 3", nickname: null } }),
  ],
  ["by a deleted account", portable({ creator: null })],
  ["never edited", portable({ modified: "2026-11-30T10:00:00.000Z" })],
  [
    "moved onto changed words by a revision, and resolved",
    portable({
      anchorStatus: "changed",
      originalQuote: "the old words",
      resolved: "2026-12-01T09:00:00.000Z",
    }),
  ],
  ["orphaned by a revision", portable({ anchorStatus: "orphaned" })],
  [
    "a deleted root kept as a placeholder for its replies",
    portable({ body: "", creator: null, withheld: "deleted" }),
  ],
  [
    "a hidden reply shown as a placeholder",
    reply(1, { body: "", creator: null, withheld: "hidden", kind: "question" }),
  ],
  [
    "a Hypothesis-like annotation on a whole document",
    portable({
      id: "https://hypothes.is/a/abc123",
      target: {
        source: "https://example.org/page",
        paragraph: null,
        quote: { exact: "x", prefix: "", suffix: "" },
        position: { start: 100, end: 101 },
      },
      visibility: null,
      tags: ["one", "two"],
    }),
  ],
];

describe("the W3C schemas and samples (is the validator right?)", () => {
  // The schemas date from the Candidate Recommendation: they know Choice and Set but not the later
  // Composite, List and Independents, and they check a page's partOf as an object, so the
  // Recommendation's own examples with partOf given as an IRI fail them.
  const SCHEMA_LAGS = [
    "anno11.json",
    "anno12.json",
    "anno13.json",
    "example42.json",
    "example43.json",
  ];

  it.each(samples("correct"))("correct sample $name meets the musts", ({ name, text }) => {
    const document = JSON.parse(text);
    const failures = mustFailures(mustKindOf(document), document);
    if (SCHEMA_LAGS.includes(name)) expect(failures).not.toEqual([]);
    else expect(failures).toEqual([]);
  });

  it.each(samples("incorrect"))("incorrect sample $name fails the musts", ({ text }) => {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      return; // not even JSON
    }
    expect(mustFailures(mustKindOf(document), document)).not.toEqual([]);
  });
});

describe("reading the samples", () => {
  it.each(samples("correct"))(
    "correct sample $name is read, or left out with a reason",
    ({ name, text }) => {
      const read = readAnnotationFile(text);
      if (name === "example41.json") {
        // A collection whose pages are only addresses: nothing to read in the file itself.
        expect(read.errors).toEqual([
          expect.stringMatching(/pages given only by address.*not fetched/),
        ]);
        return;
      }
      expect(read.errors).toEqual([]);
      expect(read.annotations.length + read.skipped.length).toBeGreaterThan(0);
      for (const skipped of read.skipped) expect(skipped.reason).toMatch(/\w+.*\./);
    },
  );

  it.each(samples("incorrect"))("incorrect sample $name is refused with a message", ({ text }) => {
    const read = readAnnotationFile(text);
    expect(read.annotations).toEqual([]);
    expect(read.errors.length).toBeGreaterThan(0);
    for (const message of read.errors) expect(message).toMatch(/^[A-Z].*\.$/s);
  });

  it("fromW3C names what is wrong with each parsable incorrect sample", () => {
    for (const { name, text } of samples("incorrect")) {
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        continue;
      }
      const result = fromW3C(document);
      expect(result.status, name).toBe("invalid");
      if (result.status === "invalid") expect(result.errors.join(" "), name).toMatch(/Its|It |A /);
    }
  });

  it("reads a plain W3C comment on a quoted passage", () => {
    const result = fromW3C({
      "@context": ANNO_CONTEXT,
      id: "urn:uuid:6a2c5b5e-1b55-4b6c-8d44-0f0c6b3e4a11",
      type: "Annotation",
      motivation: ["oa:commenting"],
      bodyValue: "Plain text body.",
      target: {
        source: "https://example.org/essay",
        selector: [
          { type: "TextQuoteSelector", exact: "essay" },
          { type: "RangeSelector", startSelector: {}, endSelector: {} },
        ],
      },
    });
    expect(result).toMatchObject({
      status: "ok",
      annotation: {
        kind: "annotation",
        body: "Plain text body.",
        target: {
          source: "https://example.org/essay",
          paragraph: null,
          quote: { exact: "essay", prefix: "", suffix: "" },
          position: null,
        },
        creator: null,
        visibility: null,
      },
    });
  });

  it("turns an HTML body into text and questioning into a question", () => {
    const result = fromW3C({
      "@context": [ANNO_CONTEXT],
      id: "http://example.org/anno",
      type: ["Annotation"],
      motivation: "questioning",
      body: {
        type: "TextualBody",
        format: "text/html",
        value: "<p>Why <b>here</b> &amp; now?</p>",
      },
      target: "http://example.org/page#p-4",
    });
    expect(result).toMatchObject({
      status: "ok",
      annotation: {
        kind: "question",
        body: "Why here & now?",
        target: { source: "http://example.org/page", paragraph: "p-4", quote: null },
      },
    });
  });
});

describe("writing annotations", () => {
  it.each(CASES)("%s meets the musts of an annotation", (_name, annotation) => {
    expect(mustFailures("annotation", toW3C(annotation))).toEqual([]);
  });

  it("says what it is to a reader that knows no extension", () => {
    const written = toW3C(
      portable({
        kind: "source",
        source: { url: "https://example.org/", title: "Report", stance: "supports" },
      }),
    );
    expect(written).toMatchObject({
      "@context": [ANNO_CONTEXT, { mrg: "https://marginalia.example/ns#" }],
      id: `${ORIGIN}/articles/${SLUG}/annotations/7`,
      type: "Annotation",
      motivation: "linking",
      creator: { id: `${ORIGIN}/u/ada`, type: "Person", name: "Ada Lovelace", nickname: "ada" },
      body: [
        { id: "https://example.org/", title: "Report" },
        { type: "TextualBody", format: "text/markdown", purpose: "describing" },
      ],
      target: {
        type: "SpecificResource",
        source: `${ORIGIN}/articles/${SLUG}/revisions/2`,
        selector: [
          {
            type: "FragmentSelector",
            value: "p-3",
            refinedBy: { type: "TextQuoteSelector", exact: "the words" },
          },
          { type: "FragmentSelector", value: "p-3", refinedBy: { type: "TextPositionSelector" } },
          { type: "TextQuoteSelector", exact: "the words" },
        ],
      },
      "mrg:kind": "source",
      "mrg:stance": "supports",
    });
    expect(toW3C(portable({ kind: "counterargument" })).motivation).toBe("assessing");
    expect(toW3C(reply(1)).motivation).toBe("replying");
    expect(toW3C(reply(1)).target).toBe(annotationIri(ORIGIN, SLUG, 100));
  });
});

describe("the round trip: fromW3C(toW3C(x)) is x", () => {
  it.each(CASES)("%s", (_name, annotation) => {
    expect(fromW3C(toW3C(annotation))).toEqual({ status: "ok", annotation });
  });

  it("also through a page, whose items inherit its context", () => {
    const items = CASES.map(([, annotation], i) => ({
      ...annotation,
      id: annotationIri(ORIGIN, SLUG, 1000 + i),
    }));
    const info = {
      id: articleCollectionIri(ORIGIN, SLUG),
      label: "Annotations",
      total: items.length,
      pageSize: items.length,
      pageIri: () => `${articleCollectionIri(ORIGIN, SLUG)}?page=all`,
    };
    const collection = toCollection(info, toPage(info, 0, items, { embedded: true }));
    const read = parseAnnotationDocument(JSON.parse(JSON.stringify(collection)));
    expect(read.errors).toEqual([]);
    expect(read.format).toBe("w3c");
    expect(read.annotations).toEqual(items);
  });
});

describe("collections and pages", () => {
  const items = Array.from({ length: 5 }, (_, i) =>
    portable({ id: annotationIri(ORIGIN, SLUG, i + 1) }),
  );
  const info = {
    id: articleCollectionIri(ORIGIN, SLUG),
    label: "Annotations on “An article”",
    total: 5,
    pageSize: 2,
    pageIri: (n: number) => `${articleCollectionIri(ORIGIN, SLUG)}?page=${n + 1}`,
  };

  it("pages in order, each linked to the next and the previous, meet the musts", () => {
    const pages = [0, 1, 2].map((n) => toPage(info, n, items.slice(n * 2, n * 2 + 2)));
    for (const page of pages) {
      expect(mustFailures("page", page)).toEqual([]);
      for (const item of page.items) {
        expect(mustFailures("annotation", { "@context": ANNO_CONTEXT, ...item })).toEqual([]);
      }
    }
    expect(pages.map((p) => [p.startIndex, p.prev ?? null, p.next ?? null])).toEqual([
      [0, null, `${info.id}?page=2`],
      [2, `${info.id}?page=1`, `${info.id}?page=3`],
      [4, `${info.id}?page=2`, null],
    ]);
  });

  it("a collection names its first and last page, or embeds its first; an empty one has none", () => {
    const byAddress = toCollection(info);
    expect(byAddress).toMatchObject({ first: `${info.id}?page=1`, last: `${info.id}?page=3` });
    const embedded = toCollection(info, toPage(info, 0, items.slice(0, 2), { embedded: true }));
    const empty = toCollection({ ...info, total: 0 });
    for (const collection of [byAddress, embedded, empty]) {
      expect(mustFailures("collection", collection)).toEqual([]);
    }
    expect(mustFailures("page", embedded)).toEqual([]);
    expect(empty).not.toHaveProperty("first");
  });

  it("a file with only the first of several pages is refused, saying why", () => {
    const embedded = toCollection(info, toPage(info, 0, items.slice(0, 2), { embedded: true }));
    const read = parseAnnotationDocument(embedded);
    expect(read.annotations).toEqual([]);
    expect(read.errors[0]).toMatch(/holds 2 of the collection's 5 annotations.*not fetched/);
  });
});

/** A Hypothesis client export, in the format its "Export annotations" writes. */
function hypothesisExport() {
  const target = (selector: unknown[]) => [{ source: "https://example.org/essay", selector }];
  return {
    export_date: "2026-11-30T12:00:00.000Z",
    export_userid: "acct:ada@hypothes.is",
    client_version: "1.1500.0",
    annotations: [
      {
        id: "AbC123xyz_-",
        created: "2026-11-29T08:00:00.000000+00:00",
        updated: "2026-11-29T08:30:00.000000+00:00",
        user: "acct:ada@hypothes.is",
        user_info: { display_name: "Ada L." },
        uri: "https://example.org/essay",
        text: "Is this **so**?",
        tags: ["doubt", " method "],
        group: "__world__",
        permissions: { read: ["group:__world__"], update: ["acct:ada@hypothes.is"] },
        target: target([
          {
            type: "RangeSelector",
            startContainer: "/main[1]/p[3]",
            startOffset: 0,
            endContainer: "/main[1]/p[3]",
            endOffset: 9,
          },
          { type: "TextPositionSelector", start: 1205, end: 1214 },
          { type: "TextQuoteSelector", exact: "the words", prefix: "before ", suffix: " after" },
        ]),
        document: { title: ["An essay"] },
        references: [],
      },
      {
        id: "Reply1",
        created: "2026-11-29T09:00:00Z",
        updated: "2026-11-29T09:00:00Z",
        user: "acct:bob@hypothes.is",
        uri: "https://example.org/essay",
        text: "Yes.",
        tags: [],
        permissions: { read: ["acct:bob@hypothes.is"] },
        target: [{ source: "https://example.org/essay" }],
        references: ["AbC123xyz_-"],
      },
      {
        id: "Highlight1",
        created: "2026-11-29T10:00:00Z",
        updated: "2026-11-29T10:00:00Z",
        user: "acct:ada@hypothes.is",
        uri: "https://example.org/essay",
        text: "",
        tags: [],
        target: target([{ type: "TextQuoteSelector", exact: "marked" }]),
      },
    ],
  };
}

describe("Hypothesis exports", () => {
  it("reads annotations and replies, and leaves highlights out with a reason", () => {
    const read = readAnnotationFile(JSON.stringify(hypothesisExport()));
    expect(read.format).toBe("hypothesis");
    expect(read.errors).toEqual([]);
    expect(read.skipped).toEqual([
      { index: 2, id: "Highlight1", reason: expect.stringMatching(/highlight without words/) },
    ]);
    expect(read.annotations).toEqual([
      {
        id: "https://hypothes.is/a/AbC123xyz_-",
        kind: "annotation",
        body: "Is this **so**?",
        source: null,
        target: {
          source: "https://example.org/essay",
          paragraph: null,
          quote: { exact: "the words", prefix: "before ", suffix: " after" },
          position: { start: 1205, end: 1214 },
        },
        parent: null,
        creator: { id: "acct:ada@hypothes.is", name: "Ada L.", nickname: "ada" },
        created: "2026-11-29T08:00:00.000Z",
        modified: "2026-11-29T08:30:00.000Z",
        visibility: "public",
        group: null,
        anchorStatus: "anchored",
        originalQuote: null,
        resolved: null,
        withheld: null,
        tags: ["doubt", "method"],
      },
      expect.objectContaining({
        id: "https://hypothes.is/a/Reply1",
        parent: "https://hypothes.is/a/AbC123xyz_-",
        target: null,
        body: "Yes.",
        visibility: "private",
        creator: { id: "acct:bob@hypothes.is", name: "bob", nickname: "bob" },
      }),
    ]);
  });

  it("reads a bare array of API rows and an API search result alike", () => {
    const rows = hypothesisExport().annotations;
    expect(parseAnnotationDocument(rows).annotations).toHaveLength(2);
    expect(parseAnnotationDocument({ total: 3, rows }).annotations).toHaveLength(2);
  });

  it("what it reads writes as W3C annotations that meet the musts", () => {
    for (const annotation of readAnnotationFile(JSON.stringify(hypothesisExport())).annotations) {
      expect(mustFailures("annotation", toW3C(annotation))).toEqual([]);
      expect(fromW3C(toW3C(annotation))).toEqual({ status: "ok", annotation });
    }
  });

  it("refuses a row that is not one, saying what is wrong", () => {
    expect(fromHypothesis({ id: "a b", text: 3, uri: "not an address" })).toEqual({
      status: "invalid",
      errors: [
        "Its id is not a Hypothesis annotation id.",
        "Its text is not text.",
        "Its uri is not an address.",
      ],
    });
  });
});

/** A resource whose `items` hold one resource, `depth` times over. */
function nested(depth: number): unknown {
  let resource: unknown = "https://example.org/x";
  for (let i = 0; i < depth; i++) resource = { type: "List", items: [resource] };
  return resource;
}

describe("hostile and broken files", () => {
  const w3c = (overrides: Record<string, unknown>) => ({
    ...toW3C(portable()),
    ...overrides,
  });

  it("reads lists of resources nested a few deep, and refuses a file nested 20,000 deep", () => {
    expect(
      fromW3C(w3c({ body: [nested(3), { type: "TextualBody", value: "Words." }] })).status,
    ).toBe("ok");
    // Written by hand: JSON.stringify itself recurses.
    const depth = 20_000;
    const around = JSON.stringify(w3c({ body: "BODY" }));
    const body = `${'{"type":"List","items":['.repeat(depth)}"https://example.org/x"${"]}".repeat(depth)}`;
    const read = readAnnotationFile(around.replace('"BODY"', body));
    expect(read.annotations).toEqual([]);
    expect(read.errors).toEqual([expect.stringMatching(/Annotation 1 .*too deeply/)]);
  });

  it.each([
    ["not JSON", "{ nope", /not valid JSON/],
    ["empty", "", /empty/],
    ["a number", "42", /not a JSON object or array/],
    ["no annotations", "[]", /holds no annotations/],
  ])("%s is refused in one sentence", (_name, text, message) => {
    const read = readAnnotationFile(text);
    expect(read.annotations).toEqual([]);
    expect(read.errors).toEqual([expect.stringMatching(message)]);
  });

  it("refuses bytes that are not UTF-8, and a file over 50 MB before reading it", () => {
    expect(readAnnotationFile(new Uint8Array([0x5b, 0xff, 0xfe, 0x5d])).errors[0]).toMatch(
      /not UTF-8/,
    );
    const big = new Uint8Array(50 * 1024 * 1024 + 1);
    expect(readAnnotationFile(big).errors[0]).toMatch(/larger than 50 MB/);
  });

  it("refuses more than 100,000 annotations", () => {
    const many = new Array(MAX_DOCUMENT_ITEMS + 1).fill({});
    expect(parseAnnotationDocument(many).errors).toEqual([
      expect.stringMatching(/more than 100,000 annotations/),
    ]);
  });

  it.each([
    [
      "a javascript: link",
      w3c({
        "mrg:kind": "source",
        motivation: "linking",
        body: [
          { id: "javascript:alert(1)", title: "x" },
          { type: "TextualBody", value: "Note" },
        ],
      }),
      /not a full web address/,
    ],
    [
      "a body over 10,000 characters",
      w3c({ body: { type: "TextualBody", value: "x".repeat(10_001) } }),
      /longer than 10,000/,
    ],
    [
      "a quote over 5,000 characters",
      w3c({
        target: {
          source: "https://example.org/",
          selector: { type: "TextQuoteSelector", exact: "q".repeat(5001) },
        },
      }),
      /quote is longer than 5,000/,
    ],
    ["an unknown kind", w3c({ "mrg:kind": "manifesto" }), /mrg:kind is not one of/],
    ["a stance that is none", w3c({ "mrg:stance": "maybe" }), /mrg:stance is not one of/],
    ["an id with a space", w3c({ id: "http://example.org/a b" }), /id is not an IRI/],
    [
      "two creation dates",
      w3c({ created: ["2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"] }),
      /created is not one date/,
    ],
    [
      "a reply to nothing",
      w3c({ motivation: "replying", target: { type: "TextualBody", value: "x" } }),
      /target is embedded text/,
    ],
    [
      "selectors nested without end",
      w3c({
        target: {
          source: "https://example.org/",
          selector: JSON.parse(
            `${'{"type":"FragmentSelector","value":"p-1","refinedBy":'.repeat(8)}{"type":"TextQuoteSelector","exact":"x"}${"}".repeat(8)}`,
          ),
        },
      }),
      /too deeply/,
    ],
    [
      // Refused by its length before any HTML is read: turning it into text is not free.
      "an HTML body of 60,000 '<'",
      w3c({ body: { type: "TextualBody", format: "text/html", value: "<".repeat(60_000) } }),
      /longer than 10,000 characters \(one textual body holds 60,000\)/,
    ],
    [
      // Short enough to be read as HTML: a '<' that never closes must not rescan the rest, or
      // these take seconds (quadratic) where they take a millisecond.
      "an HTML body of 40,000 '<' that never close",
      w3c({ body: { type: "TextualBody", format: "text/html", value: "<".repeat(40_000) } }),
      /Its text is longer than 10,000 characters\./,
    ],
    [
      "an HTML body of 13,000 '<br' that never close",
      w3c({ body: { type: "TextualBody", format: "text/html", value: "<br".repeat(13_000) } }),
      /Its text is longer than 10,000 characters\./,
    ],
    [
      // Recursion without a limit would overflow the stack: a 500, not a message.
      "bodies nested 20,000 deep",
      w3c({ body: nested(20_000) }),
      /body nests lists of resources too deeply/,
    ],
    ["targets nested 20,000 deep", w3c({ target: nested(20_000) }), /target nests .* too deeply/],
  ])("refuses %s", (_name, json, message) => {
    const result = fromW3C(json);
    expect(result.status).toBe("invalid");
    if (result.status === "invalid") expect(result.errors.join(" ")).toMatch(message);
  });

  it("strips control characters and keeps own properties only", () => {
    const json = JSON.parse(
      `{"@context":"${ANNO_CONTEXT}","type":"Annotation","__proto__":{"polluted":1},"bodyValue":"Bell\\u0007 and escape\\u001b[31m","target":"https://example.org/"}`,
    );
    const result = fromW3C(json);
    expect(result).toMatchObject({ status: "ok", annotation: { body: "Bell and escape[31m" } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names each bad item, with its position and id, and reads nothing of a bad file", () => {
    const good = toW3C(portable());
    const read = parseAnnotationDocument([good, { ...good, id: "x y" }, good]);
    expect(read.errors).toEqual([
      expect.stringMatching(/^Annotation 2 \(x y\): Its id is not an IRI\.$/),
      expect.stringMatching(/^Annotation 3 \(.*\): it has the same id as annotation 1\.$/),
    ]);
  });
});

describe("the site's own IRIs", () => {
  it("are told from anyone else's", () => {
    expect(parseLocalIri(ORIGIN, annotationIri(ORIGIN, "a slug", 12))).toEqual({
      type: "annotation",
      slug: "a slug",
      id: 12,
    });
    expect(parseLocalIri(ORIGIN, revisionIri(ORIGIN, SLUG, 3))).toEqual({
      type: "revision",
      slug: SLUG,
      revision: 3,
    });
    expect(parseLocalIri(ORIGIN, profileIri(ORIGIN, "ada"))).toEqual({
      type: "person",
      username: "ada",
    });
    expect(parseLocalIri(ORIGIN, "https://elsewhere.test/u/ada")).toBeNull();
  });
});

describe("content negotiation on an article's address", () => {
  it("chooses JSON-LD only when the client prefers it to HTML", () => {
    const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    expect(prefersJsonLd(browser)).toBe(false);
    expect(prefersJsonLd("*/*")).toBe(false);
    expect(prefersJsonLd(undefined)).toBe(false);
    expect(prefersJsonLd(`application/ld+json; profile="${ANNO_CONTEXT}"`)).toBe(true);
    expect(prefersJsonLd("application/ld+json, text/html;q=0.5")).toBe(true);
    expect(prefersJsonLd("text/html, application/ld+json")).toBe(false);
    expect(prefersJsonLd("application/ld+json;q=0")).toBe(false);
  });

  it("sends such a request to the export, query and all; nothing else", () => {
    const ld = "application/ld+json";
    expect(negotiatedPath("GET", "/articles/x", ld)).toBe("/articles/x/annotations.jsonld");
    expect(negotiatedPath("HEAD", "/articles/x?page=2", ld)).toBe(
      "/articles/x/annotations.jsonld?page=2",
    );
    expect(negotiatedPath("GET", "/articles/x", "text/html")).toBeNull();
    expect(negotiatedPath("POST", "/articles/x", ld)).toBeNull();
    expect(negotiatedPath("GET", "/articles/x/discussion", ld)).toBeNull();
    expect(negotiatedPath("GET", "/articles/x.data", ld)).toBeNull();
  });

  it("keeps the render-once page cache from answering it with the stored page", () => {
    const request = (accept?: string) =>
      cacheablePath({ method: "GET", url: "/articles/x", headers: accept ? { accept } : {} });
    expect(request()).toBe("/articles/x");
    expect(request("text/html")).toBe("/articles/x");
    expect(request(`application/ld+json; profile="${ANNO_CONTEXT}"`)).toBeNull();
  });
});

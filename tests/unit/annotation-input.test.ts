/** Unit tests for the annotation form schemas: new annotations, replies and edits. */
import { describe, expect, it } from "vitest";
import { parseEdit, parseNewAnnotation, parseReply } from "#app/models/annotation-input.server";
import { MAX_BODY_LENGTH } from "#app/rules";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
}

const SOURCE_FIELDS = {
  kind: "source",
  body: "This report backs it up.",
  sourceUrl: "https://example.org/report",
  sourceTitle: "The report",
  sourceStance: "supports",
};

const parsers = [
  ["parseNewAnnotation", parseNewAnnotation],
  ["parseReply", parseReply],
] as const;

describe.each(parsers)("%s: content", (_, parse) => {
  it.each([
    ["an empty body", "", "Write something first."],
    ["a whitespace-only body", " \n\t  ", "Write something first."],
    [
      "a 10,001-character body",
      "x".repeat(MAX_BODY_LENGTH + 1),
      "Keep it under 10,000 characters.",
    ],
  ])("refuses %s", (_, body, message) => {
    const result = parse(form({ kind: "annotation", body }));
    expect(result).toEqual({ ok: false, errors: { body: message } });
  });

  it("refuses a missing body", () => {
    const result = parse(form({ kind: "question" }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.body).toBe("Write something first.");
  });

  it("accepts a 10,000-character body and trims it", () => {
    const body = "y".repeat(MAX_BODY_LENGTH);
    const result = parse(form({ kind: "annotation", body: `  ${body}\n` }));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.body).toBe(body);
  });

  it.each(["", "comment", "Annotation", "source "])("refuses the kind %j", (kind) => {
    const result = parse(form({ kind, body: "Fine." }));
    expect(result).toEqual({
      ok: false,
      errors: { kind: "Choose annotation, question, counterargument or source." },
    });
  });

  it.each(["annotation", "question", "counterargument"] as const)(
    "accepts a %s without link fields, with no source",
    (kind) => {
      const result = parse(
        form({ kind, body: "Fine.", sourceUrl: "javascript:alert(1)", sourceTitle: "" }),
      );
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.value).toMatchObject({ kind, body: "Fine.", source: null });
    },
  );

  it.each([
    ["javascript:", "javascript:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["relative", "/articles/seed"],
    ["protocol-relative", "//evil.example/x"],
    ["ftp:", "ftp://example.org/file"],
    ["scheme without slashes", "https:example.org"],
    ["credentials", "https://trusted.example@evil.example/"],
    ["an embedded tab", "java\tscript:alert(1)"],
  ])("refuses a source with a %s URL", (_, sourceUrl) => {
    const result = parse(form({ ...SOURCE_FIELDS, sourceUrl }));
    expect(result).toEqual({
      ok: false,
      errors: { sourceUrl: "Use a full web address starting with http:// or https://." },
    });
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["blank", "   "],
  ])("refuses a source whose title is %s", (_, sourceTitle) => {
    const fields: Record<string, string> = { ...SOURCE_FIELDS };
    if (sourceTitle === undefined) delete fields.sourceTitle;
    else fields.sourceTitle = sourceTitle;
    expect(parse(form(fields))).toEqual({
      ok: false,
      errors: { sourceTitle: "Give the source a title." },
    });
  });

  it("refuses a source without a URL", () => {
    const { sourceUrl: _, ...fields } = SOURCE_FIELDS;
    expect(parse(form(fields))).toEqual({
      ok: false,
      errors: { sourceUrl: "Give the source's web address." },
    });
  });

  it.each(["", "agrees", "Supports"])("refuses the stance %j", (sourceStance) => {
    expect(parse(form({ ...SOURCE_FIELDS, sourceStance }))).toEqual({
      ok: false,
      errors: { sourceStance: "Say whether the source supports, refutes or gives context." },
    });
  });

  it("reports body and source problems together", () => {
    const result = parse(form({ kind: "source", body: "", sourceUrl: "/x", sourceStance: "no" }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.errors).sort()).toEqual([
        "body",
        "sourceStance",
        "sourceTitle",
        "sourceUrl",
      ]);
    }
  });

  it.each(["supports", "refutes", "context"] as const)(
    "accepts a source that %s the passage",
    (stance) => {
      const result = parse(
        form({ ...SOURCE_FIELDS, sourceStance: stance, sourceTitle: "  The report " }),
      );
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.value.source).toEqual({
          url: "https://example.org/report",
          title: "The report",
          stance,
        });
      }
    },
  );
});

describe("parseNewAnnotation", () => {
  it("defaults the visibility to public and the quote to none", () => {
    const result = parseNewAnnotation(form({ kind: "annotation", body: "Hello" }));
    expect(result).toEqual({
      ok: true,
      value: {
        kind: "annotation",
        body: "Hello",
        source: null,
        quote: null,
        quoteStart: null,
        visibility: "public",
        groupId: null,
      },
    });
  });

  it.each(["public", "private"] as const)("accepts the visibility %s", (visibility) => {
    const result = parseNewAnnotation(form({ kind: "question", body: "Why?", visibility }));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toMatchObject({ visibility, groupId: null });
  });

  it("reads a group's visibility with its id", () => {
    const result = parseNewAnnotation(
      form({ kind: "question", body: "Why?", visibility: "group-12" }),
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toMatchObject({ visibility: "group", groupId: 12 });
  });

  it.each(["secret", "Private", "group", "group-", "group-0", "group-x", "group-1-2"])(
    "refuses the visibility %j",
    (visibility) => {
      expect(parseNewAnnotation(form({ kind: "question", body: "Why?", visibility }))).toEqual({
        ok: false,
        errors: { visibility: "Choose who can see this." },
      });
    },
  );

  it.each([
    ["absent", undefined, null],
    ["empty", "", null],
    ["zero", "0", 0],
    ["a whole number", "169", 169],
    ["negative", "-1", null],
    ["a fraction", "1.5", null],
    ["words", "abc", null],
    ["a number with trailing text", "12px", null],
  ])("reads quoteStart when %s", (_, quoteStart, expected) => {
    const fields: Record<string, string> = { kind: "annotation", body: "Hi", quote: "words" };
    if (quoteStart !== undefined) fields.quoteStart = quoteStart;
    const result = parseNewAnnotation(form(fields));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.quoteStart).toBe(expected);
  });

  it.each([
    ["absent", undefined, null],
    ["empty", "", null],
    ["blank", "  \n ", null],
    ["words", "the Taliban", "the Taliban"],
  ])("reads the quote when %s", (_, quote, expected) => {
    const fields: Record<string, string> = { kind: "annotation", body: "Hi" };
    if (quote !== undefined) fields.quote = quote;
    const result = parseNewAnnotation(form(fields));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.quote).toBe(expected);
  });

  it("refuses a quote over 5,000 characters", () => {
    const result = parseNewAnnotation(
      form({ kind: "annotation", body: "Hi", quote: "q".repeat(5_001) }),
    );
    expect(result).toEqual({ ok: false, errors: { quote: "That passage is too long to quote." } });
  });

  it("reports content and extra-field problems together", () => {
    const result = parseNewAnnotation(form({ kind: "nope", body: "", visibility: "all" }));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(Object.keys(result.errors).sort()).toEqual(["body", "kind", "visibility"]);
  });

  it("accepts a private source with a quote", () => {
    const result = parseNewAnnotation(
      form({ ...SOURCE_FIELDS, visibility: "private", quote: "pause", quoteStart: "3" }),
    );
    expect(result).toEqual({
      ok: true,
      value: {
        kind: "source",
        body: "This report backs it up.",
        source: { url: "https://example.org/report", title: "The report", stance: "supports" },
        quote: "pause",
        quoteStart: 3,
        visibility: "private",
        groupId: null,
      },
    });
  });
});

describe("parseReply", () => {
  it("returns content only: replies inherit visibility and passage", () => {
    const result = parseReply(
      form({ kind: "question", body: "Really?", visibility: "private", quote: "x" }),
    );
    expect(result).toEqual({
      ok: true,
      value: { kind: "question", body: "Really?", source: null },
    });
  });
});

describe("parseEdit", () => {
  it("checks a commentary edit's body and ignores a submitted kind", () => {
    expect(parseEdit(form({ body: "  Better words. ", kind: "source" }))).toEqual({
      ok: true,
      value: { body: "Better words.", source: null },
    });
  });

  it.each([
    ["empty", "", "Write something first."],
    ["blank", "   ", "Write something first."],
    ["too long", "z".repeat(MAX_BODY_LENGTH + 1), "Keep it under 10,000 characters."],
  ])("refuses an %s body", (_, body, message) => {
    expect(parseEdit(form({ body }))).toEqual({ ok: false, errors: { body: message } });
  });

  it("checks a source edit's link when the link fields are present", () => {
    const { kind: _, ...fields } = SOURCE_FIELDS;
    expect(parseEdit(form({ ...fields, sourceStance: "refutes" }))).toEqual({
      ok: true,
      value: {
        body: "This report backs it up.",
        source: { url: "https://example.org/report", title: "The report", stance: "refutes" },
      },
    });
  });

  it.each([
    ["javascript:", { sourceUrl: "javascript:alert(1)" }, "sourceUrl"],
    ["data:", { sourceUrl: "data:text/plain,hi" }, "sourceUrl"],
    ["relative", { sourceUrl: "report.html" }, "sourceUrl"],
    ["protocol-relative", { sourceUrl: "//example.org" }, "sourceUrl"],
    ["empty title", { sourceTitle: "" }, "sourceTitle"],
    ["bad stance", { sourceStance: "maybe" }, "sourceStance"],
  ])("refuses a source edit with a %s", (_, change, field) => {
    const { kind: _kind, ...fields } = SOURCE_FIELDS;
    const result = parseEdit(form({ ...fields, ...change }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual([field]);
  });
});

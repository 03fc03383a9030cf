import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ImportError,
  importArticle,
  MAX_IMPORT_BYTES,
  MAX_PARAGRAPHS,
  normaliseWhitespace,
  parseArticle,
  readArticleFile,
} from "#app/models/importer.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import { article, articleRevision, block } from "#db/schema";
import { createTestDb } from "./test-db";

const seedSource = readFileSync(SEED_ARTICLE_PATH, "utf8");

/** The seed's blocks as a person would split them by eye: blank-line separated, whitespace collapsed. */
const sourceBlocks = seedSource
  .split(/\n\s*\n/)
  .map((b) => normaliseWhitespace(b))
  .filter(Boolean);

describe("parsing the seed article", () => {
  const parsed = parseArticle(seedSource, { markdown: false });
  const paragraphs = parsed.blocks.filter((b) => b.kind === "paragraph");
  const headings = parsed.blocks.filter((b) => b.kind === "heading");

  it("finds the title, the dek and the editor's note", () => {
    expect(parsed.title).toBe("Do Not Engage the Taliban for Free");
    expect(parsed.dek).toBe(
      "If the United States continues to engage with the Taliban without asking for anything in return, it will empower the current totalitarian system and allow transnational terror threats to grow.",
    );
    expect(parsed.editorsNote).toMatch(/^In August, The National Interest organized a symposium/);
    expect(parsed.editorsNote).toContain(
      "“How should the Biden administration approach Afghanistan",
    );
    expect(parsed.editorsNote).toMatch(/one of their responses:$/);
  });

  it("has exactly 14 paragraphs and 2 section headings, in order", () => {
    expect(paragraphs).toHaveLength(14);
    expect(headings.map((h) => h.text)).toEqual([
      "The Political Process",
      "Conditional Engagement",
    ]);
    expect(parsed.blocks.map((b) => b.kind).join(",")).toBe(
      [
        ...Array(8).fill("paragraph"),
        "heading",
        "paragraph",
        "paragraph",
        "heading",
        ...Array(4).fill("paragraph"),
      ].join(","),
    );
  });

  it("keeps each paragraph's text identical to the source (typographic quotes and all)", () => {
    const expected = sourceBlocks.slice(4); // title, repeated title, dek, editor's note
    expect(parsed.blocks.map((b) => b.text)).toEqual(expected);
    expect(paragraphs[2]?.text).toContain("Taliban’s track record");
    expect(paragraphs[6]?.text).toContain("jihadist ideologies—backed");
    // The non-breaking space before "was a huge success" is whitespace and is normalised.
    expect(paragraphs[4]?.text).toContain("last month was a huge success");
  });

  it("numbers paragraphs and gives every block a stable anchor", () => {
    expect(paragraphs.map((p) => p.anchor)).toEqual(
      Array.from({ length: 14 }, (_, i) => `p-${i + 1}`),
    );
    expect(paragraphs.map((p) => p.number)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(headings.map((h) => h.anchor)).toEqual([
      "s-the-political-process",
      "s-conditional-engagement",
    ]);
    expect(parseArticle(seedSource, { markdown: false })).toEqual(parsed);
  });
});

describe("parsing Markdown", () => {
  it("reads # title, ## headings and paragraphs, dropping inline markup", () => {
    const parsed = parseArticle(
      "# A *Title*\n\nOne sentence dek.\n\nFirst paragraph with **bold** and a [link](https://x.example).\nSecond line.\n\n## Part two\nSecond paragraph.\n",
      { markdown: true },
    );
    expect(parsed.title).toBe("A Title");
    expect(parsed.dek).toBe("One sentence dek.");
    expect(parsed.blocks).toEqual([
      {
        kind: "paragraph",
        text: "First paragraph with bold and a link. Second line.",
        anchor: "p-1",
        number: 1,
      },
      { kind: "heading", text: "Part two", anchor: "s-part-two", number: null },
      { kind: "paragraph", text: "Second paragraph.", anchor: "p-2", number: 2 },
    ]);
  });

  /** The blocks of a Markdown article whose body (after a title and a dek) is `body`. */
  const bodyBlocks = (body: string) =>
    parseArticle(`# Title\n\nThe dek.\n\n${body}\n`, { markdown: true }).blocks;

  it.each([
    [
      "nested emphasis",
      "***Bold italic*** and *em with **strong** inside* and _under *mixed*_.",
      "Bold italic and em with strong inside and under mixed.",
    ],
    [
      "a link with brackets in its text and title",
      '[the [draft] report](https://x.example/a_(b) "Title [with] brackets (and parens)") is out.',
      "the [draft] report is out.",
    ],
    [
      "code spans containing asterisks",
      "Pass `*args` and `**kwargs`, or ``a `*` b``; *this* is emphasis.",
      "Pass *args and **kwargs, or a `*` b; this is emphasis.",
    ],
    [
      "escaped characters and entities",
      "\\*not emphasis\\*, 2 \\* 3, \\[not a link\\](x), \\_kept\\_ &amp; &copy;",
      "*not emphasis*, 2 * 3, [not a link](x), _kept_ & ©",
    ],
    [
      "an image as its alt text",
      "![A *chart* of votes](https://x.example/c.png) shows it.",
      "A chart of votes shows it.",
    ],
    ["raw HTML as literal text", "<b>Bold?</b> stays, <br> too.", "<b>Bold?</b> stays, <br> too."],
    ["strikethrough dropped", "It was ~~not~~ fine.", "It was not fine."],
    ["hard and soft breaks as spaces", "One line  \ntwo line\nthree.", "One line two line three."],
  ])("reduces %s to its text", (_name, markdown, expected) => {
    expect(bodyBlocks(markdown)).toEqual([
      { kind: "paragraph", text: expected, anchor: "p-1", number: 1 },
    ]);
  });

  it("reads a heading containing a link", () => {
    expect(
      bodyBlocks("First.\n\n## See [the *source*](https://x.example/s) now\n\nSecond."),
    ).toEqual([
      { kind: "paragraph", text: "First.", anchor: "p-1", number: 1 },
      { kind: "heading", text: "See the source now", anchor: "s-see-the-source-now", number: null },
      { kind: "paragraph", text: "Second.", anchor: "p-2", number: 2 },
    ]);
  });

  it("reads block quotes, list items, setext headings and code blocks as blocks", () => {
    expect(
      bodyBlocks(
        "> Quoted *text*\n> continues.\n\n1. First item.\n2. Second item.\n\n- A bullet.\n\n" +
          "Part three\n----------\n\n```\nlet x = 1;\n```\n\n* * *\n\nLast.",
      ).map((b) => [b.kind, b.text]),
    ).toEqual([
      ["paragraph", "Quoted text continues."],
      ["paragraph", "1. First item."],
      ["paragraph", "2. Second item."],
      ["paragraph", "A bullet."],
      ["heading", "Part three"],
      ["paragraph", "let x = 1;"],
      ["paragraph", "Last."],
    ]);
  });

  it("separates Markdown blocks by lines of no-break spaces too", () => {
    expect(bodyBlocks("One.\n\u00a0\u00a0\nTwo.").map((b) => b.text)).toEqual(["One.", "Two."]);
  });

  it("refuses Markdown without a title heading", () => {
    expect(() => parseArticle("Just text.\n\nMore text.", { markdown: true })).toThrow(ImportError);
  });
});

describe("reading files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "marginalia-import-"));
  });
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it.each([
    ["a missing file", () => join(dir, "nope.txt"), /no such file/],
    ["an empty file", () => file("empty.txt", ""), /is empty/],
    ["a file of blank lines", () => file("blank.txt", "\n \n\t\n"), /is empty/],
    [
      "a binary file",
      () => file("image.txt", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01])),
      /binary/,
    ],
    [
      "invalid UTF-8",
      () => file("latin1.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])),
      /UTF-8/,
    ],
    ["a file over 1 MB", () => file("big.txt", "a".repeat(MAX_IMPORT_BYTES + 1)), /limit is 1 MB/],
    ["a directory", () => dir, /not a file/],
  ])("rejects %s with a one-line message", (_name, makePath, message) => {
    let error: unknown;
    try {
      readArticleFile(makePath());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("rejects a text with no paragraphs", () => {
    const { source, markdown } = readArticleFile(
      file("title-only.txt", "Only a Title\n\nA Heading\n"),
    );
    expect(() => parseArticle(source, { markdown })).toThrow(/no paragraphs/);
  });

  it("detects Markdown by extension", () => {
    expect(readArticleFile(file("a.md", "# T\n\nText.")).markdown).toBe(true);
    expect(readArticleFile(file("a.txt", "# T\n\nText.")).markdown).toBe(false);
  });
});

describe("importing into the database", () => {
  const parsed = parseArticle(seedSource, { markdown: false });

  it("writes the article and its blocks", () => {
    const db = createTestDb();
    const result = importArticle(db, parsed, { slug: "seed" });
    expect(result).toMatchObject({ status: "created", slug: "seed", paragraphs: 14, headings: 2 });
    expect(db.select().from(block).all()).toHaveLength(16);
    expect(db.select().from(article).get()?.dek).toBe(parsed.dek);
  });

  it("treats re-importing the same text as a no-op", () => {
    const db = createTestDb();
    const first = importArticle(db, parsed);
    const again = importArticle(db, parseArticle(seedSource, { markdown: false }));
    expect(again).toEqual({ status: "unchanged", articleId: first.articleId, slug: first.slug });
    expect(db.select().from(block).all()).toHaveLength(16);
  });

  it("makes a changed text for an existing slug its next revision, keeping the first", () => {
    const db = createTestDb();
    importArticle(db, parsed, { slug: "seed" });
    const before = db.select().from(block).all();
    const changed = parseArticle(seedSource.replace("huge success", "modest success"), {
      markdown: false,
    });
    expect(importArticle(db, changed, { slug: "seed" }, { note: "Tempered." })).toMatchObject({
      status: "revised",
      slug: "seed",
      revision: 2,
      paragraphs: 14,
    });
    // The first revision's blocks are all still there, unchanged; the second has its own.
    const after = db.select().from(block).all();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length * 2);
    expect(db.select().from(article).all()).toHaveLength(1);
  });

  it("writes nothing when a revision cannot be written", () => {
    const db = createTestDb();
    importArticle(db, parsed, { slug: "seed" });
    const before = db.select().from(block).all();
    // Two headings with one anchor: the second block insert fails, after the revision row.
    const heading = parsed.blocks.find(
      (b) => b.kind === "heading",
    ) as (typeof parsed.blocks)[number];
    const broken = { ...parsed, blocks: [...parsed.blocks, { ...heading }] };
    expect(() => importArticle(db, broken, { slug: "seed" })).toThrow();
    expect(db.select().from(block).all()).toEqual(before);
    expect(db.select().from(articleRevision).all()).toHaveLength(1);
  });

  it("writes nothing when a block cannot be written", () => {
    const db = createTestDb();
    const duplicateAnchor = parsed.blocks[0] as (typeof parsed.blocks)[number];
    const broken = { ...parsed, blocks: [...parsed.blocks, { ...duplicateAnchor }] };
    expect(() => importArticle(db, broken, { slug: "broken" })).toThrow();
    expect(db.select().from(article).all()).toHaveLength(0);
    expect(db.select().from(block).all()).toHaveLength(0);
  });

  it("refuses an article of more than MAX_PARAGRAPHS paragraphs (revisions match them pairwise)", () => {
    // The first block after the title is read as the dek: MAX_PARAGRAPHS + 2 blocks make one too many.
    const many = Array.from({ length: MAX_PARAGRAPHS + 2 }, (_, i) => `Paragraph ${i} is here.`);
    expect(() => parseArticle(`Too long\n\n${many.join("\n\n")}`)).toThrow(/at most 1500/);
    expect(() => parseArticle(`Long enough\n\n${many.slice(1).join("\n\n")}`)).not.toThrow();
  });

  it("refuses a malformed slug", () => {
    const db = createTestDb();
    expect(() => importArticle(db, parsed, { slug: "Bad Slug!" })).toThrow(/not a valid slug/);
  });
});

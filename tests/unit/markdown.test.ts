/**
 * Unit tests for comment Markdown rendering (XSS payloads and formatting), Markdown reduced to
 * plain text (excerpts, article import), and URL checks.
 */
import { describe, expect, it } from "vitest";
import { LINK_REL, markdownTextBlocks, markdownToText, renderMarkdown } from "#app/markdown.server";
import { isHttpUrl } from "#app/utils/url";

const ALLOWED_TAGS = new Set([
  "p",
  "br",
  "em",
  "strong",
  "a",
  "ul",
  "ol",
  "li",
  "blockquote",
  "code",
  "pre",
  "del",
  "s",
]);

/** Real tags only: markdown-it escapes every literal "<" in text, so "<" starts a tag. */
function tagsOf(html: string): string[] {
  return html.match(/<[^>]*>/g) ?? [];
}

function hrefsOf(html: string): string[] {
  return tagsOf(html).flatMap((tag) =>
    [...tag.matchAll(/\shref\s*=\s*"([^"]*)"/gi)].map((m) => (m[1] ?? "").replaceAll("&amp;", "&")),
  );
}

function expectSafe(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<(img|iframe|svg|style|object|embed|form|math|details|input)\b/i);
  for (const tag of tagsOf(html)) {
    expect(tag).not.toMatch(/\son\w+\s*=/i);
    expect(tag).not.toMatch(/\s(style|src|target|srcdoc|formaction|xlink:href)\s*=/i);
    const name = /^<\/?([a-z0-9]+)/i.exec(tag)?.[1]?.toLowerCase() ?? "";
    expect(ALLOWED_TAGS.has(name), `unexpected tag ${tag}`).toBe(true);
  }
  expect(html).not.toMatch(/href\s*=\s*["']?\s*(javascript|data|vbscript|file):/i);
  for (const href of hrefsOf(html)) {
    expect(href).toMatch(/^(https?:\/\/[^/\s]|mailto:)/);
  }
}

const XSS_PAYLOADS = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
  "<<script>script>alert(1)<</script>/script>",
  "<img src=x onerror=alert(1)>",
  "<IMG SRC=JaVaScRiPt:alert('XSS')>",
  "<svg onload=alert(1)><circle r=1 /></svg>",
  '<iframe src="javascript:alert(1)"></iframe>',
  "<style>body { display: none }</style>",
  '<a href="javascript:alert(1)">raw html link</a>',
  '<div onclick="alert(1)">click</div>',
  "<details open ontoggle=alert(1)>x</details>",
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<object data="javascript:alert(1)"></object>',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  "[click](javascript:alert(1))",
  "[click](JaVaScRiPt:alert(1))",
  "[click](  javascript:alert(1)  )",
  "[click](<javascript:alert(1)>)",
  "[click](&#106;avascript:alert(1))",
  "[click](&#x6A;avascript:alert(1))",
  "[click](javascript&#58;alert(1))",
  "[click](&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112" +
    "&#0000116&#0000058alert(1))",
  "[click](java\u0000script:alert(1))",
  "[click](\u0001javascript:alert(1))",
  "[click](<java\tscript:alert(1)>)",
  "[click](%6A%61%76%61script:alert(1))",
  "[click](javascript://example.com/%0Aalert(1))",
  "[click](vbscript:msgbox(1))",
  "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "[click](file:///etc/passwd)",
  "[click](//evil.example/x)",
  "[click](/relative/path)",
  '[click](https://example.com" onmouseover="alert(1))',
  '[click](https://example.com/"><script>alert(1)</script>)',
  "<javascript:alert(1)>",
  "<JAVASCRIPT:alert(1)>",
  "<vbscript:msgbox(1)>",
  "<data:text/html,<script>alert(1)</script>>",
  '<https://example.com/"onmouseover="alert(1)>',
  "[reference][x]\n\n[x]: javascript:alert(1)",
  "[reference]\n\n[reference]: vbscript:msgbox(1)",
  '[reference][x]\n\n[x]: data:text/html,<script>alert(1)</script> "title"',
  "![img](javascript:alert(1))",
  "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+)",
  '![x" onerror="alert(1)](https://example.com/a.png)',
  "![x](https://example.com/a.png)",
  "```html\n<script>alert(1)</script>\n```",
  "`<img src=x onerror=alert(1)>`",
  "# <script>alert(1)</script>",
  "> <iframe src=//evil.example></iframe>",
  "javascript:alert(1)",
  "[**bold** link](javascript:alert(1)) and *em*",
];

describe("renderMarkdown: XSS payloads", () => {
  it("has a substantial payload list", () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(XSS_PAYLOADS.map((payload) => [payload]))("neutralises %j", (payload) => {
    expectSafe(renderMarkdown(payload));
  });

  it.each([
    ["[click](javascript:alert(1))", "<p>click</p>"],
    ["[click](&#106;avascript:alert(1))", "<p>click</p>"],
    ["[a](//evil.example/x) [b](/rel) [c](ftp://x.org)", "<p>a b c</p>"],
    ["[reference][x]\n\n[x]: javascript:alert(1)", "<p>reference</p>"],
    ["[**bold** link](data:text/html,x)", "<p><strong>bold</strong> link</p>"],
  ])("drops the unsafe link but keeps its text: %j", (input, expected) => {
    expect(renderMarkdown(input)).toBe(expected);
  });

  it("shows raw HTML as text", () => {
    expect(renderMarkdown("<b>bold?</b> <script>alert(1)</script>")).toBe(
      "<p>&lt;b&gt;bold?&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>",
    );
  });

  it("escapes attribute-breaking quotes in an allowed link", () => {
    const html = renderMarkdown('[x](https://example.com/a"b)');
    expectSafe(html);
    expect(html).toBe(`<p><a href="https://example.com/a%22b" rel="${LINK_REL}">x</a></p>`);
  });
});

describe("renderMarkdown: formatting", () => {
  it.each([
    [
      "emphasis",
      "*em* _em_ **strong** __strong__",
      "<p><em>em</em> <em>em</em> <strong>strong</strong> <strong>strong</strong></p>",
    ],
    ["strikethrough", "~~gone~~", "<p><s>gone</s></p>"],
    ["inline code escapes HTML", "use `<b>` here", "<p>use <code>&lt;b&gt;</code> here</p>"],
    ["hard break", "line one  \nline two", "<p>line one<br />\nline two</p>"],
    ["soft break stays a newline", "line one\nline two", "<p>line one\nline two</p>"],
    ["unordered list", "- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"],
    ["ordered list", "1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"],
    [
      "ordered list start",
      "3. three\n4. four",
      '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>',
    ],
    ["blockquote", "> quoted *text*", "<blockquote>\n<p>quoted <em>text</em></p>\n</blockquote>"],
    ["fenced code", "```js\nlet a = 1 < 2;\n```", "<pre><code>let a = 1 &lt; 2;\n</code></pre>"],
    ["ATX heading", "# Title", "<p><strong>Title</strong></p>"],
    ["setext heading", "Title\n=====", "<p><strong>Title</strong></p>"],
    ["thematic break stays text", "---", "<p>---</p>"],
    ["typographer off", '"quotes" -- dashes...', "<p>&quot;quotes&quot; -- dashes...</p>"],
    [
      "table syntax is not a table",
      "| a | b |\n|---|---|\n| 1 | 2 |",
      "<p>| a | b |\n|---|---|\n| 1 | 2 |</p>",
    ],
    ["empty body", "", ""],
  ])("%s", (_name, input, expected) => {
    const html = renderMarkdown(input);
    expect(html).toBe(expected);
    expectSafe(html);
  });

  it.each([
    [
      "inline link",
      "[site](https://example.com/a?b=1&c=2)",
      "https://example.com/a?b=1&amp;c=2",
      "site",
    ],
    ["http link", "[site](http://example.com)", "http://example.com", "site"],
    ["autolink", "<https://example.com/x>", "https://example.com/x", "https://example.com/x"],
    [
      "linkified URL",
      "see https://example.com/x",
      "https://example.com/x",
      "https://example.com/x",
    ],
    ["mailto link", "[mail](mailto:someone@example.com)", "mailto:someone@example.com", "mail"],
    [
      "email autolink",
      "<someone@example.com>",
      "mailto:someone@example.com",
      "someone@example.com",
    ],
    ["reference link", "[ref][r]\n\n[r]: https://example.com/r", "https://example.com/r", "ref"],
    [
      "image becomes a link",
      "![a chart](https://example.com/c.png)",
      "https://example.com/c.png",
      "a chart",
    ],
  ])("%s gets the exact rel and no target", (_name, input, href, text) => {
    const html = renderMarkdown(input);
    expectSafe(html);
    expect(html).toContain(`<a href="${href}" rel="noopener noreferrer nofollow ugc">${text}</a>`);
    expect(html).not.toContain("target=");
    expect(html).not.toContain("<img");
  });

  it("uses the documented rel value", () => {
    expect(LINK_REL).toBe("noopener noreferrer nofollow ugc");
  });

  it("shows an image with an unsafe source as its alt text", () => {
    expect(renderMarkdown("![alt text](javascript:alert(1))")).toBe("<p>alt text</p>");
  });
});

describe("isHttpUrl", () => {
  it.each([
    "https://example.com",
    "http://example.com/path?x=1#frag",
    "HTTPS://EXAMPLE.COM/",
    "https://例え.jp/",
    "http://127.0.0.1:8080/",
    "https://[::1]/",
    "https://example.com/a%20b",
    `https://example.com/${"a".repeat(2000 - "https://example.com/".length)}`,
  ])("accepts %j", (value) => {
    expect(isHttpUrl(value)).toBe(true);
  });

  it.each([
    "",
    "example.com",
    "www.example.com",
    "//example.com",
    "/relative/path",
    "relative/path",
    "ftp://example.com",
    "mailto:a@example.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "javascript://example.com/%0Aalert(1)",
    "data:text/html,hi",
    "vbscript:msgbox(1)",
    " https://example.com",
    "https://example.com ",
    "https://example.com\n",
    "ht\ttps://example.com",
    "https://exa mple.com",
    "https://example.com/a b",
    "\u0000https://example.com",
    "https://example.com/\u007f",
    "java\nscript:alert(1)",
    "http:example.com",
    "http:/example.com",
    "https:\\\\example.com",
    "http://",
    "https://",
    "https://user:pass@example.com",
    "https://trusted.example@evil.example",
    "https://exa[mple.com",
    `https://example.com/${"a".repeat(2001 - "https://example.com/".length)}`,
  ])("rejects %j", (value) => {
    expect(isHttpUrl(value)).toBe(false);
  });

  it("rejects non-strings passed through untyped code", () => {
    expect(isHttpUrl(undefined as unknown as string)).toBe(false);
    expect(isHttpUrl({ toString: () => "https://example.com" } as unknown as string)).toBe(false);
  });
});

describe("images inside links", () => {
  it("render as the link's text, never as a nested link", () => {
    const html = renderMarkdown(
      "[![the chart](https://img.example/c.png)](https://example.org/report)",
    );
    expect(html).toBe(
      '<p><a href="https://example.org/report" rel="noopener noreferrer nofollow ugc">the chart</a></p>',
    );
  });
});

describe("markdownToText", () => {
  it.each([
    ["plain text", "Just words.", "Just words."],
    ["emphasis, nested", "***all*** of *it **is** here*", "all of it is here"],
    [
      "link to its text",
      '[the [draft] report](https://example.com "a [title]")',
      "the [draft] report",
    ],
    ["unsafe link to its text", "[click](javascript:alert(1))", "click"],
    ["code span keeps asterisks", "run `a * b` and `**kw`", "run a * b and **kw"],
    ["escapes resolved", "\\*literal\\* \\# \\[x\\]", "*literal* # [x]"],
    ["entities decoded", "&lt;b&gt; &amp; &copy;", "<b> & ©"],
    [
      "raw HTML stays text",
      "<b>bold?</b> <script>alert(1)</script>",
      "<b>bold?</b> <script>alert(1)</script>",
    ],
    ["image to alt text", "![a *chart*](https://example.com/c.png)", "a chart"],
    ["heading with a link", "# See [the source](https://example.com)", "See the source"],
    ["blocks on lines", "Para one.\n\n> quoted\n\n- item", "Para one.\nquoted\nitem"],
    ["breaks as newlines", "one  \ntwo\nthree", "one\ntwo\nthree"],
    ["thematic break stays text, as rendered", "---", "---"],
    ["fenced code keeps its content", "```\nx = *y*\n```", "x = *y*\n"],
    ["empty body", "", ""],
  ])("%s", (_name, input, expected) => {
    expect(markdownToText(input)).toBe(expected);
  });

  it("shows the same words as the rendered HTML", () => {
    const body = "**Bold** claim with [a link](https://example.com) and `code*`.";
    const html = renderMarkdown(body);
    expect(html.replace(/<[^>]*>/g, "")).toBe(markdownToText(body));
  });
});

describe("markdownTextBlocks (articles)", () => {
  it("keeps headings with their level, and paragraphs", () => {
    expect(
      markdownTextBlocks(
        "# Title *here*\n\nText with **bold**.\n\n## Part [two](https://x.example)\nMore.",
      ),
    ).toEqual([
      { kind: "heading", level: 1, text: "Title here" },
      { kind: "paragraph", text: "Text with bold." },
      { kind: "heading", level: 2, text: "Part two" },
      { kind: "paragraph", text: "More." },
    ]);
  });

  it("leaves bare URLs, quotes and pipes as typed, and drops thematic breaks", () => {
    expect(
      markdownTextBlocks('see https://example.com/a%20b -- "so"\n\n***\n\n| a | b |\n|---|---|'),
    ).toEqual([
      { kind: "paragraph", text: 'see https://example.com/a%20b -- "so"' },
      { kind: "paragraph", text: "| a | b |\n|---|---|" },
    ]);
  });
});

/**
 * Property-based tests of the comment Markdown renderer (app/markdown.server.ts): whatever a reader
 * writes, `renderMarkdown` returns, and what it returns carries no script — no `<script`, no
 * `on…=` attribute, no `javascript:` (or any other link but http(s) and mailto) — only the allowed
 * tags and attributes. (The words may still appear as escaped text or inside a quoted http URL,
 * e.g. `https://x.example/%22onmouseover=%22`: harmless, so they are looked for in tags, outside
 * attribute values.) Inputs are built from fragments that attackers combine (tags, link syntax, entity
 * tricks, schemes with control characters) mixed with arbitrary Unicode, and the public XSS payload
 * collection in tests/e2e/data/xss is rendered line by line as well.
 *
 * Runs are bounded and seeded: a failure prints the seed and the path to replay it
 * (FUZZ_SEED=<seed> reruns the same inputs; FUZZ_RUNS=<n> runs more).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { Window } from "happy-dom";
import { describe, expect, it } from "vitest";
import { markdownToText, renderMarkdown } from "#app/markdown.server";

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Generous: the runs are bounded, but a loaded machine should not turn a pass into a timeout. */
const TIMEOUT = 60_000;

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
const ALLOWED_ATTRIBUTES: Record<string, readonly string[]> = { a: ["href", "rel"], ol: ["start"] };

/** Pieces an attacker strings together; the fuzzer joins them in any order with random text. */
const FRAGMENTS = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=//x.example/x.js>",
  "<img src=x onerror=alert(1)>",
  "<svg/onload=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  "<iframe srcdoc='<script>alert(1)</script>'>",
  "<style>*{}</style>",
  "<!--",
  "-->",
  "<",
  ">",
  "&",
  '"',
  "'",
  "`",
  "```",
  "``",
  "\\",
  "\n",
  "\n\n",
  "    ",
  "\t",
  "*",
  "**",
  "_",
  "~~",
  "# ",
  "> ",
  "- ",
  "1. ",
  "[",
  "]",
  "(",
  ")",
  "](",
  "![",
  "[x](javascript:alert(1))",
  "[x](JaVaScRiPt:alert(1))",
  "[x](java\tscript:alert(1))",
  "[x](java&#x09;script:alert(1))",
  "[x](&#106;avascript:alert(1))",
  "[x](javascript&colon;alert(1))",
  "[x](data:text/html,<script>alert(1)</script>)",
  "[x](vbscript:msgbox(1))",
  '[x](https://example.com "title" onmouseover=alert(1))',
  '[x](https://example.com/"onmouseover="alert(1))',
  "![x](javascript:alert(1))",
  "![x](https://example.com/a.png)",
  "[a]: javascript:alert(1)\n",
  "[a]: https://example.com\n",
  "[a]",
  "<javascript:alert(1)>",
  "<https://example.com>",
  "<mailto:a@b.example>",
  "mailto:a@b.example",
  "https://example.com/?a=1&b=2",
  "http://example.com/<script>",
  "www.example.com",
  "javascript:",
  "onerror=",
  "onclick=",
  '" onfocus="alert(1)" autofocus="',
  "&lt;script&gt;",
  "&#60;script&#62;",
  "&#x3C;",
  "%3Cscript%3E",
  "\u0000",
  "\u2028",
  "\u00a0",
  "\ufeff",
  "\u202e",
  "😀",
] as const;

const markdownish = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...FRAGMENTS) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 10 }) },
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

/** Decodes the entities an attribute value in our output can hold. */
function decodeAttribute(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    )
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** A link target a browser would run or open as something other than an http(s) or mail link. */
function isDangerousHref(raw: string): boolean {
  // Browsers drop tabs and newlines inside schemes and leading control characters and spaces.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const value = decodeAttribute(raw).replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  return !/^(https?:\/\/|mailto:)/i.test(value);
}

/**
 * Every problem with the renderer's output, as text: script, event handlers, unsafe links, tags or
 * attributes off the allow-list, and any "<" that does not start one of those tags.
 */
function problemsIn(html: string): string[] {
  const problems: string[] = [];
  if (/<script/i.test(html)) problems.push("contains <script");
  const tagPattern = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+="[^"<>]*")*)\s*(\/?)>/g;
  for (const match of html.matchAll(tagPattern)) {
    const [tag, , nameRaw = "", attributes = ""] = match;
    const name = nameRaw.toLowerCase();
    if (!ALLOWED_TAGS.has(name)) problems.push(`tag not allowed: ${tag}`);
    // Outside the (quoted, escaped) attribute values, a tag holds no handler and no script URL.
    const bare = tag.replace(/="[^"]*"/g, '=""');
    if (/on\w+=/i.test(bare)) problems.push(`event handler in ${tag}`);
    if (/javascript:/i.test(bare)) problems.push(`javascript: in ${tag}`);
    for (const [, attr = "", value = ""] of attributes.matchAll(/\s+([a-zA-Z-]+)="([^"]*)"/g)) {
      if (!(ALLOWED_ATTRIBUTES[name] ?? []).includes(attr.toLowerCase())) {
        problems.push(`attribute not allowed: ${attr} in ${tag}`);
      }
      if (attr.toLowerCase() === "href" && isDangerousHref(value)) {
        problems.push(`unsafe link: ${value}`);
      }
    }
  }
  // Outside the tags above, every "<" must have been escaped: nothing else can open an element.
  const rest = html.replace(tagPattern, "");
  if (rest.includes("<"))
    problems.push(`unescaped "<" in text: ${rest.slice(rest.indexOf("<"), 60)}`);
  return problems;
}

/** The same checks on the DOM a browser builds from the output (happy-dom's HTML parser). */
function domProblemsIn(html: string, window: Window): string[] {
  const { document } = window;
  const host = document.createElement("div");
  host.innerHTML = html;
  const problems: string[] = [];
  for (const element of host.querySelectorAll("*")) {
    const name = element.tagName.toLowerCase();
    if (!ALLOWED_TAGS.has(name)) problems.push(`element not allowed: ${name}`);
    for (const attr of element.getAttributeNames()) {
      if (/^on/i.test(attr)) problems.push(`event handler attribute ${attr} on ${name}`);
      if (!(ALLOWED_ATTRIBUTES[name] ?? []).includes(attr)) {
        problems.push(`attribute not allowed: ${attr} on ${name}`);
      }
    }
    const href = element.getAttribute("href");
    if (href !== null && isDangerousHref(href)) problems.push(`unsafe link: ${href}`);
  }
  return problems;
}

const PAYLOAD_DIR = fileURLToPath(new URL("../e2e/data/xss/", import.meta.url));
const PAYLOADS = [
  ...new Set(
    readdirSync(PAYLOAD_DIR)
      .filter((f) => f.endsWith(".txt") && f !== "LICENSE.txt")
      .flatMap((f) => readFileSync(join(PAYLOAD_DIR, f), "utf8").split("\n"))
      .filter((line) => line.trim() !== ""),
  ),
];

describe("renderMarkdown on arbitrary input", () => {
  it(
    "never throws and never lets script, handlers or unsafe links through",
    () => {
      fc.assert(
        fc.property(markdownish, (source) => {
          const html = renderMarkdown(source);
          expect(problemsIn(html), html).toEqual([]);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "gives a browser's parser nothing unsafe to build either",
    () => {
      const window = new Window();
      try {
        fc.assert(
          fc.property(markdownish, (source) => {
            const html = renderMarkdown(source);
            expect(domProblemsIn(html, window), html).toEqual([]);
          }),
          { seed: SEED, numRuns: Math.ceil(RUNS / 2) },
        );
      } finally {
        window.close();
      }
    },
    TIMEOUT,
  );

  it(
    "renders arbitrary Unicode (astral, controls, lone surrogates) without throwing",
    () => {
      const unicode = fc.string({
        unit: fc.oneof(
          fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
          fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)),
        ),
        maxLength: 200,
      });
      fc.assert(
        fc.property(unicode, (source) => {
          expect(problemsIn(renderMarkdown(source))).toEqual([]);
          expect(typeof markdownToText(source)).toBe("string");
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "reduces arbitrary input to text without throwing (excerpts, article import)",
    () => {
      fc.assert(
        fc.property(markdownish, (source) => {
          const text = markdownToText(source);
          expect(typeof text).toBe("string");
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe("renderMarkdown on the public XSS payload collection", () => {
  it("has the collection to read", () => {
    expect(PAYLOADS.length).toBeGreaterThan(300);
  });

  it(
    "renders every payload, alone and all together, safely",
    () => {
      const window = new Window();
      try {
        const problems: string[] = [];
        for (const payload of [...PAYLOADS, PAYLOADS.join("\n"), PAYLOADS.join("\n\n")]) {
          const html = renderMarkdown(payload);
          for (const p of [...problemsIn(html), ...domProblemsIn(html, window)]) {
            problems.push(`${JSON.stringify(payload.slice(0, 80))}: ${p}`);
          }
        }
        expect(problems).toEqual([]);
      } finally {
        window.close();
      }
    },
    TIMEOUT,
  );
});

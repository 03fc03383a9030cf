/**
 * Renders the Markdown that readers write in annotations and replies into HTML that is safe to
 * inject. markdown-it does the rendering with raw HTML off and a strict link policy;
 * sanitize-html then re-checks the result against an allow-list, so a bug in either alone
 * cannot let script through. Also reduces Markdown to the plain text a reader sees, from
 * markdown-it's tokens: for excerpts of annotations and for importing Markdown articles.
 */
import MarkdownIt, {
  type Env,
  type MarkdownIt as MarkdownItInstance,
  type Token,
} from "markdown-it";
import sanitizeHtml from "sanitize-html";
import { MAX_URL_LENGTH } from "#app/rules";
import { hasUnsafeCharacter, isHttpUrl } from "#app/utils/url";

/** Every rendered link carries this: user content is neither trusted nor endorsed. */
export const LINK_REL = "noopener noreferrer nofollow ugc";

const ALLOWED_TAGS = [
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
];

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ["href", "rel"], ol: ["start"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  // sanitize-html re-serialises text without escaping quotes; escape them as markdown-it does,
  // so text such as `href="javascript:..."` never even looks like an attribute.
  textFilter: (text) => text.replaceAll('"', "&quot;"),
};

function isMailtoUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH || hasUnsafeCharacter(value)) return false;
  if (!/^mailto:[^/]/i.test(value)) return false;
  try {
    return new URL(value).protocol === "mailto:";
  } catch {
    return false;
  }
}

/** The only link targets allowed to survive: absolute http(s) URLs and mailto addresses. */
function isAllowedHref(href: string): boolean {
  return isHttpUrl(href) || isMailtoUrl(href);
}

/**
 * Per-render record of whether each open link was kept, so its closing tag can match. It lives
 * in the render env rather than module state so that concurrent renders cannot interfere.
 */
function keptLinks(env: Env | undefined): boolean[] {
  const existing = env?.keptLinks;
  if (Array.isArray(existing)) return existing as boolean[];
  const fresh: boolean[] = [];
  if (env) env.keptLinks = fresh;
  return fresh;
}

function attribute(value: string | number | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

function createRenderer(): MarkdownItInstance {
  const md = new MarkdownIt({
    html: false,
    linkify: true,
    breaks: false,
    typographer: false,
  });
  // Tables are not part of comment Markdown; thematic breaks would be stripped by the
  // sanitizer anyway, so "---" stays visible as text instead of vanishing.
  md.disable(["table", "hr"]);
  // Accept every destination while parsing so a rejected link still yields its text; the
  // link renderer below decides whether the <a> is emitted.
  md.validateLink = () => true;

  const rules = md.renderer.rules;
  rules.heading_open = () => "<p><strong>";
  rules.heading_close = () => "</strong></p>\n";

  rules.link_open = (tokens, idx, _options, env) => {
    const href = attribute(tokens[idx]?.attrGet("href"));
    const kept = isAllowedHref(href);
    keptLinks(env).push(kept);
    if (!kept) return "";
    return `<a href="${md.utils.escapeHtml(href)}" rel="${LINK_REL}">`;
  };
  rules.link_close = (_tokens, _idx, _options, env) => (keptLinks(env).pop() ? "</a>" : "");

  // Images in comments would load third-party content on every reader's page: show a link.
  rules.image = (tokens, idx, options, env) => {
    const token = tokens[idx];
    if (!token) return "";
    const src = attribute(token.attrGet("src"));
    const alt = md.renderer.renderInlineAsText(token.children ?? [], options, env);
    // Inside a kept link an image is its alt text: links must not nest.
    if (!isAllowedHref(src) || keptLinks(env).includes(true)) return md.utils.escapeHtml(alt);
    const label = md.utils.escapeHtml(alt || src);
    return `<a href="${md.utils.escapeHtml(src)}" rel="${LINK_REL}">${label}</a>`;
  };
  return md;
}

const md = createRenderer();

/** Renders user Markdown to sanitized HTML: no raw HTML, images, headings or unsafe links. */
export function renderMarkdown(body: string): string {
  const env: Env = { keptLinks: [] };
  const html = md.render(body, env);
  return sanitizeHtml(html, SANITIZE_OPTIONS).trim();
}

/**
 * The text that inline tokens show a reader: links become their text, code spans their
 * content, images their alt text; emphasis, strikethrough and link markers carry no text.
 * Backslash escapes and entities are already resolved in markdown-it's text tokens.
 */
function inlineText(tokens: readonly Token[]): string {
  let text = "";
  for (const token of tokens) {
    switch (token.type) {
      case "text":
      case "text_special":
      case "code_inline":
      case "html_inline":
        text += token.content;
        break;
      case "image":
        text += inlineText(token.children ?? []);
        break;
      case "softbreak":
      case "hardbreak":
        text += "\n";
        break;
    }
  }
  return text;
}

/** One block of Markdown reduced to its text; a heading's level is 1 for `#`, 2 for `##`… */
export type TextBlock =
  | { kind: "heading"; level: number; text: string }
  | { kind: "paragraph"; text: string };

/**
 * The headings and paragraphs of parsed Markdown, in order, as plain text. Paragraphs inside
 * block quotes and list items are paragraphs too (an ordered item keeps its number, "2. ");
 * code blocks are paragraphs of their code; thematic breaks and link definitions vanish.
 */
function textBlocks(tokens: readonly Token[]): TextBlock[] {
  const blocks: TextBlock[] = [];
  let itemNumber = "";
  tokens.forEach((token, i) => {
    switch (token.type) {
      case "list_item_open":
        itemNumber = token.info ? `${token.info}${token.markup} ` : "";
        break;
      case "list_item_close":
        itemNumber = "";
        break;
      case "inline": {
        const opener = tokens[i - 1];
        const text = inlineText(token.children ?? []);
        if (opener?.type === "heading_open") {
          blocks.push({ kind: "heading", level: Number(opener.tag.slice(1)), text });
        } else {
          blocks.push({ kind: "paragraph", text: `${itemNumber}${text}` });
          itemNumber = "";
        }
        break;
      }
      case "fence":
      case "code_block":
        blocks.push({ kind: "paragraph", text: `${itemNumber}${token.content}` });
        itemNumber = "";
        break;
    }
  });
  return blocks;
}

/**
 * The plain text a reader sees in an annotation's rendered Markdown (parsed as
 * {@link renderMarkdown} parses it), one line per block; soft and hard breaks are newlines too.
 */
export function markdownToText(body: string): string {
  return textBlocks(md.parse(body, {}))
    .map((b) => b.text)
    .join("\n");
}

/**
 * Article Markdown: CommonMark plus strikethrough. Raw HTML stays literal text, bare URLs stay
 * as typed (no linkify), quotes and dashes are not rewritten, and pipe tables stay text since
 * an article is headings and paragraphs only.
 */
function createArticleParser(): MarkdownItInstance {
  const parser = new MarkdownIt({ html: false, linkify: false, typographer: false });
  parser.disable(["table"]);
  // A link with a scheme markdown-it distrusts is still a link whose text the reader sees.
  parser.validateLink = () => true;
  return parser;
}

const articleParser = createArticleParser();

/** An article's Markdown as headings and paragraphs of plain text (see {@link TextBlock}). */
export function markdownTextBlocks(source: string): TextBlock[] {
  return textBlocks(articleParser.parse(source, {}));
}

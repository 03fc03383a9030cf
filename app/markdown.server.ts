/**
 * Renders the Markdown that readers write in annotations and replies into HTML that is safe to
 * inject. markdown-it does the rendering with raw HTML off and a strict link policy;
 * sanitize-html then re-checks the result against an allow-list, so a bug in either alone
 * cannot let script through.
 */
import MarkdownIt, { type Env, type MarkdownIt as MarkdownItInstance } from "markdown-it";
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

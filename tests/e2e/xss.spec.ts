/**
 * Stored and reflected XSS, in Chromium: a public collection of a few hundred XSS payloads (see
 * tests/e2e/data/xss/SOURCE.md: PayloadsAllTheThings, MIT) goes through every field a person
 * writes, and every page that shows those fields is checked in the browser.
 *
 * Written (in bulk, straight into the e2e database, through the forms' own schemas — see
 * data/xss-world.ts): annotation bodies, quoted passages, source URLs and titles, reply bodies and
 * display names, one account per payload. Submitted through the forms and shown again with the
 * value kept: the new-annotation, reply and edit forms, sign-up (username, display name), sign-in
 * (username) and the account's display name. Reflected from the URL: `?q=` of search, `?q=`,
 * `?author=`, `?kind=`, `?sort=` of the discussion, the panel's `?quote=&kind=&start=`, and
 * `?redirectTo=` of sign-in and sign-up, and the address itself of a page or person not found.
 * (Usernames allow only letters, digits, _ and -: payloads reach them only as refused sign-ups.)
 *
 * Shown: the reading page (highlights), the paragraph panel, the permalink, the discussion, search
 * results, a person's page, the library's recent activity, the account page, the Atom feed, and the
 * sign-in and sign-up pages re-rendered after an error. Many payloads share each page, so each page
 * is loaded a bounded number of times.
 *
 * Two ways of checking. Pages opened for real (`visit`, `submit`), hydrated: no dialog opened and
 * no `alert`, `confirm`, `prompt` or `print` was called (recorders replace them before any page
 * script runs); no page or console error; no request left the site, and none was made for an
 * image, frame, media or object (an injected `<img src=x>`). Then, on those pages, and on the many
 * more whose markup is fetched and parsed by the browser's own HTML parser (`checkMarkup`: fast,
 * but nothing runs there), the DOM scan: no element has an `on…` attribute, no URL attribute holds
 * a `javascript:`/`data:`/`vbscript:` URL, no element of a kind the app never renders (img, svg,
 * iframe, object, …) exists, every `<script>` is the app's own (a /build/ module, or an inline
 * script Remix or React writes, with the page's nonce and no markup inside), and the payloads are
 * on the page as text. The first test checks that these checks do catch an injection.
 *
 * The Content-Security-Policy would stop most injected script from running; this spec tests the
 * layer beneath it (escaping and sanitizing) on its own, so its contexts bypass the CSP. It uses
 * Playwright's own `test` rather than fixtures.ts, whose axe scan of every page visited would take
 * minutes on pages this size; it records page and console errors itself.
 */
import {
  type Browser,
  type BrowserContext,
  expect,
  type Page,
  type Response,
  test,
} from "@playwright/test";
import { createUser, signIn, type TestUser } from "./auth";
import { queryDb } from "./data";
import {
  buildXssCollectionWorld,
  buildXssGroupWorld,
  buildXssRevisionWorld,
  buildXssWorld,
  SUMMARY_WORD,
  smallArticle,
  THREAD_WORD,
  type XssWorld,
} from "./data/xss-world";

test.describe.configure({ mode: "default" });

// --- What is recorded in the page, before any of its own scripts run ---------------------------

/** Replaces the dialogs with recorders and listens for CSP reports (if the policy applied). */
function installHooks() {
  const calls: string[] = [];
  Object.defineProperty(window, "__xss", { value: calls, writable: false });
  for (const name of ["alert", "confirm", "prompt", "print"] as const) {
    Object.defineProperty(window, name, {
      value: (...args: unknown[]) => {
        calls.push(`${name}(${args.map(String).join(", ")})`);
        return name === "confirm" ? false : name === "prompt" ? null : undefined;
      },
      writable: false,
      configurable: false,
    });
  }
  document.addEventListener("securitypolicyviolation", (event) => {
    calls.push(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
  });
}

/**
 * Everything in a document that only an injection could have put there, one line per problem.
 * Runs in the page: on the page's own document (`sources` null), or on each of `sources`, markup
 * the server sent, parsed by the browser's HTML parser (DOMParser) — then also whether the text
 * of each shows the payloads it must (proof they are there, and as text).
 */
function scanDocuments(sources: { html: string; shows: readonly string[] }[] | null): string[][] {
  const parser = new DOMParser();
  const docs = sources
    ? sources.map((s) => ({ doc: parser.parseFromString(s.html, "text/html"), shows: s.shows }))
    : [{ doc: document, shows: [] as readonly string[] }];
  return docs.map(({ doc, shows }) => scanOne(doc, shows));

  function scanOne(doc: Document, shows: readonly string[]): string[] {
    const problems: string[] = [];
    const show = (el: Element) => el.outerHTML.slice(0, 160);
    // Elements the app never renders and payloads love.
    const FOREIGN = new Set([
      "iframe",
      "frame",
      "frameset",
      "object",
      "embed",
      "applet",
      "base",
      "img",
      "image",
      "picture",
      "svg",
      "math",
      "video",
      "audio",
      "source",
      "track",
      "marquee",
      "isindex",
      "keygen",
      "bgsound",
      "xml",
      "style",
      "plaintext",
      "xmp",
      "portal",
      "animate",
      "set",
      "canvas",
    ]);
    const URL_ATTRIBUTES = new Set([
      "href",
      "xlink:href",
      "src",
      "srcset",
      "action",
      "formaction",
      "data",
      "poster",
      "background",
      "codebase",
      "cite",
      "longdesc",
      "lowsrc",
      "dynsrc",
      "ping",
      "manifest",
      "from",
      "to",
      "values",
      "by",
    ]);
    // What a browser ignores at the start of a URL and inside its scheme.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: those are what browsers strip
    const stripped = (value: string) => value.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
    for (const el of doc.querySelectorAll("*")) {
      const tag = el.localName.toLowerCase();
      if (FOREIGN.has(tag)) problems.push(`a <${tag}> element: ${show(el)}`);
      if (tag === "meta" && el.hasAttribute("http-equiv"))
        problems.push(`a <meta http-equiv>: ${show(el)}`);
      if (
        tag === "link" &&
        !/^(stylesheet|icon|modulepreload|preload|alternate)$/i.test(el.getAttribute("rel") ?? "")
      )
        problems.push(`a <link> of an unexpected kind: ${show(el)}`);
      for (const name of el.getAttributeNames()) {
        const lower = name.toLowerCase();
        const value = el.getAttribute(name) ?? "";
        if (lower.startsWith("on"))
          problems.push(`an event handler attribute ${name}: ${show(el)}`);
        if (lower === "srcdoc") problems.push(`a srcdoc attribute: ${show(el)}`);
        if (
          (URL_ATTRIBUTES.has(lower) || lower.endsWith(":href")) &&
          /^(javascript|vbscript|data):/i.test(stripped(value))
        ) {
          problems.push(`a ${stripped(value).split(":")[0]}: URL in ${name}: ${show(el)}`);
        }
        if (lower === "style" && /expression|javascript:|url\s*\(|behavior/i.test(value))
          problems.push(`a scripted style attribute: ${show(el)}`);
      }
    }
    // Scripts: the build's modules, and the inline scripts Remix and React write, which carry the
    // page's CSP nonce (an injected script cannot know it) and are recognisable besides.
    const scripts = [...doc.querySelectorAll("script")];
    const nonces = new Set(scripts.map((s) => s.nonce).filter(Boolean));
    if (nonces.size > 1) problems.push(`scripts with ${nonces.size} different nonces`);
    for (const script of scripts) {
      const src = script.getAttribute("src");
      if (src !== null) {
        const url = new URL(src, location.href);
        if (url.origin !== location.origin || !url.pathname.startsWith("/build/"))
          problems.push(`a script from elsewhere: ${show(script)}`);
        continue;
      }
      const code = script.textContent ?? "";
      const remix =
        /^\s*window\.__remix(Context|Manifest|RouteModules)\b/.test(code) ||
        /^\s*;?\s*import\s/.test(code) ||
        /^\s*\$R[CSX]\s*[(=]/.test(code) ||
        /^\s*function\s+\$R[CSX]\b/.test(code) ||
        /^\s*\(\s*\(\s*STORAGE_KEY/.test(code) ||
        /^\s*\(function\s*\(/.test(code);
      if (!remix) problems.push(`an inline script that is not Remix's: ${show(script)}`);
      if (nonces.size > 0 && !script.nonce)
        problems.push(`an inline script without the nonce: ${show(script)}`);
      // Data in Remix's scripts is JSON with "<" escaped: a raw one means something broke out.
      if (/<\/?[a-z!]/i.test(code))
        problems.push(`markup inside an inline script: ${show(script)}`);
    }
    if (doc.querySelector("parsererror")) problems.push("the document did not parse");
    if (shows.length > 0) {
      const text = (doc.body?.textContent ?? "").replace(/\s+/g, " ");
      const missing = shows.filter((p) => !text.includes(p.replace(/\s+/g, " ").trim()));
      if (missing.length > 0) {
        problems.push(
          `${missing.length} of ${shows.length} payloads not shown as text, e.g. ${JSON.stringify(missing[0])}`,
        );
      }
    }
    return problems;
  }
}

/**
 * The Atom feed, read in the page as a feed reader would: well-formed, nothing but Atom elements,
 * each entry's content HTML (escaped text in the XML) free of script when parsed as HTML. Returns
 * the problems, the number of entries and the text of the entries' content.
 */
async function checkFeed(): Promise<{ problems: string[]; entries: number; contentText: string }> {
  const ATOM = "http://www.w3.org/2005/Atom";
  const ALLOWED = new Set([
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
  const problems: string[] = [];
  const source = await (await fetch(location.href)).text();
  const xml = new DOMParser().parseFromString(source, "application/xml");
  if (xml.getElementsByTagName("parsererror").length > 0)
    problems.push("the feed is not well-formed");
  const root = xml.documentElement;
  if (root.namespaceURI !== ATOM || root.localName !== "feed")
    problems.push(`the root is ${root.localName}`);
  for (const el of xml.getElementsByTagName("*")) {
    if (el.namespaceURI !== ATOM) problems.push(`a foreign element in the feed: ${el.localName}`);
    for (const name of el.getAttributeNames()) {
      if (/^on/i.test(name)) problems.push(`an event handler attribute in the feed: ${name}`);
    }
  }
  let contentText = "";
  const contents = xml.getElementsByTagNameNS(ATOM, "content");
  for (const content of contents) {
    if (content.getAttribute("type") !== "html") problems.push("content that is not type=html");
    const html = new DOMParser().parseFromString(content.textContent ?? "", "text/html");
    contentText += ` ${html.body.textContent ?? ""}`;
    for (const el of html.body.querySelectorAll("*")) {
      const tag = el.localName;
      if (!ALLOWED.has(tag)) problems.push(`a <${tag}> in an entry's content`);
      for (const name of el.getAttributeNames()) {
        if (/^on/i.test(name)) problems.push(`an event handler in an entry's content: ${name}`);
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers strip them from URLs
      const href = (el.getAttribute("href") ?? "https://").replace(/[\u0000-\u0020]/g, "");
      if (!/^(https?:\/\/|mailto:)/i.test(href))
        problems.push(`a link to ${href.slice(0, 60)} in an entry`);
    }
  }
  return { problems, entries: contents.length, contentText: contentText.replace(/\s+/g, " ") };
}

// --- Watching a browser context -----------------------------------------------------------------

type Watcher = {
  problems: string[];
  context: BrowserContext;
  /** The context's pages: the first for the steps that go in order, all of them for `visitAll`. */
  pages: Page[];
  javaScript: boolean;
  /** Pages opened, the time they took (load, hydration, checks), and the slowest. */
  visits: number;
  ms: number;
  slowest: { label: string; ms: number }[];
  /** Documents fetched and checked as markup (`checkMarkup`), and the time that took. */
  documents: number;
  documentMs: number;
};

/** Records dialogs, page errors and console errors of `page` as problems. */
function listen(page: Page, problems: string[]): void {
  page.on("dialog", (dialog) => {
    problems.push(
      `${page.url().slice(0, 80)}: a ${dialog.type()} dialog: ${dialog.message().slice(0, 80)}`,
    );
    void dialog.dismiss().catch(() => undefined);
  });
  page.on("pageerror", (error) =>
    problems.push(`${page.url().slice(0, 80)}: a page error: ${error.message.slice(0, 200)}`),
  );
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    // A stylesheet gone because another run rebuilt public/build meanwhile: not this spec's concern.
    if (/^Refused to apply style from .* MIME type/.test(text)) return;
    problems.push(`${page.url().slice(0, 80)}: a console error: ${text.slice(0, 200)}`);
  });
}

/** A context (CSP bypassed) whose pages record everything a payload could make happen. */
async function watchedContext(
  browser: Browser,
  baseURL: string,
  options: { javaScriptEnabled?: boolean; signedIn?: TestUser } = {},
): Promise<Watcher> {
  const javaScript = options.javaScriptEnabled ?? true;
  const context = await browser.newContext({
    baseURL,
    bypassCSP: true,
    javaScriptEnabled: javaScript,
  });
  if (options.signedIn) await signIn(context, options.signedIn);
  const origin = new URL(baseURL).origin;
  const problems: string[] = [];
  await context.addInitScript(installHooks);
  // Watched, not intercepted (interception costs a round trip per request): there is no network
  // beyond this machine, so a request elsewhere fails anyway; that it was made is the finding.
  context.on("request", (request) => {
    const url = new URL(request.url());
    const type = request.resourceType();
    if (url.origin !== origin) {
      problems.push(`a request to another site: ${type} ${url.href.slice(0, 120)}`);
      return;
    }
    const own =
      (type === "document" && request.frame().parentFrame() === null) ||
      (["script", "stylesheet"].includes(type) && url.pathname.startsWith("/build/")) ||
      ["fetch", "xhr"].includes(type) ||
      // The reading page's live updates (components/live-updates.tsx), and only those.
      (type === "eventsource" && /^\/articles\/[^/]+\/events$/.test(url.pathname)) ||
      url.pathname === "/favicon.ico";
    if (!own) problems.push(`a request the app never makes: ${type} ${url.pathname.slice(0, 120)}`);
  });
  context.on("page", (page) => listen(page, problems));
  const page = await context.newPage();
  return {
    problems,
    context,
    pages: [page],
    javaScript,
    visits: 0,
    ms: 0,
    slowest: [],
    documents: 0,
    documentMs: 0,
  };
}

/** Waits until React has hydrated the page (its props are on the nodes); false if it never did. */
async function hydrated(page: Page): Promise<boolean> {
  return page
    .waitForFunction(
      () =>
        "__remixRouter" in window &&
        Object.keys(document.querySelector(".skip-link") ?? {}).some((key) =>
          key.startsWith("__reactProps"),
        ),
      null,
      { timeout: 20_000 },
    )
    .then(() => true)
    .catch(() => false);
}

type VisitOptions = {
  /** Payloads whose text (whitespace collapsed) the page must show: proof they are on it, as text. */
  shows?: readonly string[];
  /** Form fields whose value must hold every payload (a refused form shown again). */
  keeps?: readonly string[];
  /** "none" for a document that is not one of the app's pages (the feed in the XML viewer). */
  scan?: "page" | "none";
};

/** Checks the page as it is now: recorded calls, the DOM, and the payloads it must show. */
async function check(w: Watcher, page: Page, label: string, options: VisitOptions = {}) {
  const scanned =
    options.scan === "none" ? [] : ((await page.evaluate(scanDocuments, null))[0] ?? []);
  const found = await page.evaluate(
    ({ shows, keeps, payloads }) => {
      const problems: string[] = [];
      const calls = (window as unknown as { __xss?: string[] }).__xss ?? [];
      problems.push(...calls.map((c) => `ran ${c}`));
      if (shows.length > 0) {
        const text = (document.body.textContent ?? "").replace(/\s+/g, " ");
        const missing = shows.filter((p) => !text.includes(p.replace(/\s+/g, " ").trim()));
        if (missing.length > 0) {
          problems.push(
            `${missing.length} of ${shows.length} payloads not shown as text, e.g. ${JSON.stringify(missing[0])}`,
          );
        }
      }
      for (const field of keeps) {
        // Some field of that name (the form that was refused) holds every payload. An <input>
        // drops line breaks from its value; a <textarea> keeps them.
        const values = [...document.querySelectorAll(`form [name="${field}"]`)].map((el) =>
          el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement
            ? el.value.replace(/[\r\n]/g, "")
            : "",
        );
        const lost = Math.min(
          ...values.map(
            (v) => payloads.filter((p) => !v.includes(p.replace(/[\r\n]/g, ""))).length,
          ),
          payloads.length,
        );
        if (lost > 0) problems.push(`the ${field} field lost ${lost} payloads`);
      }
      return problems;
    },
    {
      shows: options.shows ?? [],
      keeps: options.keeps ?? [],
      payloads: options.keeps?.length ? world.payloads : [],
    },
  );
  for (const p of [...scanned, ...found]) w.problems.push(`${label}: ${p}`);
}

function timed(w: Watcher, label: string, started: number) {
  const ms = Date.now() - started;
  w.visits += 1;
  w.ms += ms;
  w.slowest.push({ label, ms });
}

/** Opens `path` in `page`, waits for hydration (with script) and checks it. */
async function visitOn(
  w: Watcher,
  page: Page,
  path: string,
  label: string,
  options: VisitOptions = {},
): Promise<Response | null> {
  const started = Date.now();
  const name = label.slice(0, 140);
  // Without script there is nothing to wait for once the document is parsed.
  const response = await page.goto(path, { waitUntil: w.javaScript ? "load" : "domcontentloaded" });
  if (response && !response.ok()) w.problems.push(`${name}: answered ${response.status()}`);
  const html = response?.headers()["content-type"]?.includes("text/html") ?? false;
  if (html && w.javaScript && !(await hydrated(page))) {
    w.problems.push(`${name}: the page never hydrated`);
  }
  await check(w, page, name, options);
  timed(w, name, started);
  return response;
}

function visit(w: Watcher, path: string, label = path, options: VisitOptions = {}) {
  const page = w.pages[0];
  if (!page) throw new Error("the context has no page");
  return visitOn(w, page, path, label, options);
}

/** Visits every `[path, label]`, `tabs` at a time (the server and the browser overlap their work). */
async function visitAll(w: Watcher, items: readonly [string, string][], tabs = 3): Promise<void> {
  while (w.pages.length < tabs) w.pages.push(await w.context.newPage());
  const queue = [...items];
  await Promise.all(
    w.pages.slice(0, tabs).map(async (page) => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        await visitOn(w, page, item[0], item[1]);
      }
    }),
  );
}

type MarkupItem = {
  path: string;
  label: string;
  shows?: readonly string[];
  /** The status the page answers with, when it is not 200 (a page not found still has links). */
  status?: number;
};

/**
 * Checks many pages quickly: fetches each `path` as the context would (with its cookies),
 * `parallel` at a time, and has the browser parse and check the markup, several documents per
 * round trip. Nothing runs in those documents, so this checks the markup (the DOM scan) and not
 * execution; `visit` checks both on the pages it opens.
 */
async function checkMarkup(w: Watcher, items: readonly MarkupItem[], parallel = 4): Promise<void> {
  const page = w.pages[0];
  if (!page) throw new Error("the context has no page");
  // The parsing page is on the app's origin, so that the scripts' addresses resolve against it.
  if (!page.url().startsWith("http")) await page.goto("/healthz");
  const started = Date.now();
  const fetched: { item: MarkupItem; html: string }[] = [];
  const queue = [...items];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const response = await w.context.request.get(item.path, { maxRedirects: 0 });
        if (response.status() !== (item.status ?? 200)) {
          w.problems.push(`${item.label}: answered ${response.status()}`);
        }
        if (!(response.headers()["content-type"] ?? "").includes("text/html")) {
          w.problems.push(`${item.label}: not an HTML page`);
          continue;
        }
        fetched.push({ item, html: await response.text() });
      }
    }),
  );
  for (let i = 0; i < fetched.length; i += 8) {
    const batch = fetched.slice(i, i + 8);
    const results = await page.evaluate(
      scanDocuments,
      batch.map(({ item, html }) => ({ html, shows: item.shows ?? [] })),
    );
    results.forEach((problems, j) => {
      const label = batch[j]?.item.label ?? "?";
      for (const p of problems) w.problems.push(`${label}: ${p}`);
    });
  }
  w.documents += fetched.length;
  w.documentMs += Date.now() - started;
}

/**
 * Submits a form natively from the current page (a document POST, as without script), so the
 * server renders the refused form with the values kept; then checks the page.
 */
async function submit(
  w: Watcher,
  action: string,
  fields: Record<string, string>,
  label: string,
  options: VisitOptions = {},
): Promise<void> {
  const page = w.pages[0];
  if (!page) throw new Error("the context has no page");
  const started = Date.now();
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.evaluate(
      ({ action, fields }) => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = action;
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement("textarea");
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      },
      { action, fields },
    ),
  ]);
  // Refused on purpose: a 4xx page with the form and what was typed.
  if (!response || response.status() < 400 || response.status() >= 500) {
    w.problems.push(`${label}: answered ${response?.status()}, not a refusal`);
  }
  if (w.javaScript && !(await hydrated(page))) w.problems.push(`${label}: the page never hydrated`);
  await check(w, page, label, options);
  timed(w, label, started);
}

/**
 * Splits `payloads` into groups whose joined length stays within `max` characters (a payload
 * longer than that is cut to it, as the app would cut it).
 */
function packs(payloads: readonly string[], max: number, sep = " "): string[] {
  const out: string[] = [];
  let current = "";
  for (const p of payloads) {
    const piece = Array.from(p).slice(0, max).join("");
    if (current && current.length + sep.length + piece.length > max) {
      out.push(current);
      current = "";
    }
    current = current ? `${current}${sep}${piece}` : piece;
  }
  if (current) out.push(current);
  return out;
}

/** Reports what the contexts did, and fails on any problem any of them saw. */
function report(name: string, ...watchers: Watcher[]): void {
  const sum = (f: (w: Watcher) => number) => watchers.reduce((n, w) => n + f(w), 0);
  const slowest = watchers
    .flatMap((w) => w.slowest)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map((v) => `${v.label.slice(0, 32)} ${v.ms} ms`)
    .join("; ");
  console.log(
    `xss ${name}: ${sum((w) => w.visits)} page loads in ${(sum((w) => w.ms) / 1000).toFixed(1)} s` +
      (slowest ? ` (slowest: ${slowest})` : "") +
      `; ${sum((w) => w.documents)} documents checked as markup in ` +
      `${(sum((w) => w.documentMs) / 1000).toFixed(1)} s`,
  );
  const problems = watchers.flatMap((w) => w.problems);
  expect(problems, `${problems.length} problem(s)`).toEqual([]);
}

// --- The world ------------------------------------------------------------------------------------

let me: TestUser;
let world: XssWorld;
let small: { slug: string; threadId: number };

test.beforeAll(async () => {
  const started = Date.now();
  me = await createUser({ displayName: `"><img src=x onerror=alert(1)>` });
  world = buildXssWorld(me);
  small = smallArticle(me);
  const c = world.counts;
  console.log(
    `xss: ${world.payloads.length} payloads in ${world.paragraphs.length} paragraphs; ` +
      `${c.roots} threads and ${c.replies} replies written (${c.refusedByForms} refused by the ` +
      `forms), ${c.rawSourceUrls} payloads as a raw source URL, ${c.displayNames} as display names ` +
      `(${c.refusedDisplayNames} refused by the rules); built in ${Date.now() - started} ms`,
  );
});

const normal = (payload: string) => payload.replace(/\s+/g, " ").trim();

test("stored payloads in classes: names, descriptions, instructions, moderation reasons", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  if (!baseURL) throw new Error("no baseURL");
  const others = [await createUser(), await createUser()];
  const classes = buildXssGroupWorld(me, others, world.slug, world.payloads);
  const anon = await watchedContext(browser, baseURL);
  const mine = await watchedContext(browser, baseURL, { signedIn: me });
  const g = `/groups/${classes.groupId}`;
  const names = classes.names.map(normal);
  try {
    await visit(mine, "/groups", "my classes", { shows: names });
    await visit(mine, g, "a class");
    await visit(mine, `${g}/assignments/${classes.assignmentId}`, "an assignment");
    await visit(mine, `${g}/moderation`, "moderation queue and log");
    await visit(mine, `/articles/${world.slug}?layer=group-${classes.groupId}`, "class layer", {
      shows: names,
    });
    await visit(
      mine,
      `/articles/${world.slug}/p/p-1?layer=group-${classes.groupId}`,
      "class panel",
    );
    await visit(anon, `/join/${classes.joinCode}`, "join link");
  } finally {
    await anon.context.close();
    await mine.context.close();
  }
  report("classes", anon, mine);
});

test("stored payloads in collections: titles, questions, introductions", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  if (!baseURL) throw new Error("no baseURL");
  const collections = buildXssCollectionWorld(me, world.slug, world.payloads);
  const anon = await watchedContext(browser, baseURL);
  const mine = await watchedContext(browser, baseURL, { signedIn: me });
  const path = `/collections/${collections.slug}`;
  try {
    await visit(anon, "/collections", "collections", { shows: collections.titles.map(normal) });
    await visit(anon, path, "a collection");
    await visit(mine, path, "a collection, as its editor");
    await visit(anon, "/", "the library with collections");
  } finally {
    await anon.context.close();
    await mine.context.close();
  }
  report("collections", anon, mine);
});

test("stored payloads in revisions: article text, notes, changed and orphaned quotes", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  if (!baseURL) throw new Error("no baseURL");
  const revised = buildXssRevisionWorld(me, world.payloads);
  const anon = await watchedContext(browser, baseURL);
  const mine = await watchedContext(browser, baseURL, { signedIn: me });
  const base = `/articles/${revised.slug}`;
  try {
    await visit(anon, base, "a revised article with orphans");
    await visit(anon, `${base}/revisions`, "revisions");
    await visit(mine, `${base}/revisions`, "revisions, with the upload form");
    await visit(anon, `${base}/revisions/1`, "an old revision");
    await visit(anon, `${base}/compare?from=1&to=3&all=1`, "a comparison");
    await visit(anon, `${base}/review`, "a review summary");
    await visit(mine, `${base}/discussion`, "the discussion, with changed and orphaned threads");
  } finally {
    await anon.context.close();
    await mine.context.close();
  }
  report("revisions", anon, mine);
});

test("the checks catch an injection (the detector's own test)", async ({ browser, baseURL }) => {
  if (!baseURL) throw new Error("no baseURL");
  const anon = await watchedContext(browser, baseURL);
  const panel = `/articles/${small.slug}/p/p-1`;
  try {
    await visit(anon, panel, "clean page");
    expect(anon.problems, "a clean page has no problems").toEqual([]);
    // What a payload that broke out would do: an element with a handler, script, a script URL.
    const page = anon.pages[0];
    if (!page) throw new Error("no page");
    await page.evaluate(() => {
      document.body.insertAdjacentHTML(
        "beforeend",
        '<img src="/x.png" onerror="alert(1)"><a href=" javascript:alert(2)">x</a><svg></svg>',
      );
      const script = document.createElement("script");
      script.textContent = "prompt(3)";
      document.body.append(script);
    });
    await page.waitForTimeout(200);
    await check(anon, page, "injected");
    const found = anon.problems.join("\n");
    for (const expected of [
      "ran prompt(3)",
      "ran alert(1)",
      "a <img> element",
      "an event handler attribute onerror",
      "a javascript: URL in href",
      "a <svg> element",
      "an inline script that is not Remix's",
      "a request the app never makes: image /x.png",
    ]) {
      expect(found, `the checks report ${expected}`).toContain(expected);
    }
    // The same in markup the server might have sent.
    const [problems] = await page.evaluate(scanDocuments, [
      {
        html: '<p>ok</p><p>no</p><div onclick="x()"></div><iframe srcdoc="<script>alert(1)</script>"></iframe>',
        shows: ["ok", "missing"],
      },
    ]);
    expect(problems?.join("\n")).toContain("an event handler attribute onclick");
    expect(problems?.join("\n")).toContain("a <iframe> element");
    expect(problems?.join("\n")).toContain("1 of 2 payloads not shown as text");
  } finally {
    await anon.context.close();
  }
});

test("stored payloads, hydrated: every page that shows what people write", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  if (!baseURL) throw new Error("no baseURL");
  const anon = await watchedContext(browser, baseURL);
  const mine = await watchedContext(browser, baseURL, { signedIn: me });
  const article = `/articles/${world.slug}`;
  const all = world.payloads.map(normal);
  try {
    // The library's recent activity: the summaries, quoting every paragraph. It lists the site's
    // eight newest public annotations, and specs running beside this one may have written some
    // since the world was built (a form post is dated now): the summaries are made the newest
    // again just before.
    queryDb(
      `update annotation set created_at = ? where body like ? and article_id =
         (select id from article where slug = ?) returning id`,
      Date.now(),
      `${SUMMARY_WORD}%`,
      world.slug,
    );
    await visit(anon, "/", "library", { shows: all });
    // Every payload in the text, every thread's passage highlighted.
    await visit(anon, article, "reading page", { shows: all });
    // A paragraph's threads, as the author of its summary (whose edit form holds payloads).
    await visit(mine, `${article}/p/${world.paragraphs[0]?.anchor}?more=2`, "panel", {
      shows: world.paragraphs[0]?.payloads.map(normal),
    });
    // The thread every payload answers: each reply a source (body, link, title) by the account
    // named after that payload (as its author would see it: the next test, as markup).
    await visit(anon, `${article}/annotations/${world.megaThreadId}`, "permalink (every payload)", {
      shows: world.people.map((p) => p.displayName),
    });
    await visit(mine, `${article}/annotations/${world.privateNoteId}`, "permalink (private note)");
    // Newest first: the summaries and the thread every payload answers, in the listing's form.
    await visit(anon, `${article}/discussion?sort=newest`, "discussion (newest)", { shows: all });
    await visit(anon, `/search?q=${SUMMARY_WORD}`, "search (summaries)");
    await visit(anon, `/search?q=${THREAD_WORD}+alert`, "search (threads)");
    await visit(mine, `/u/${me.username}`, "my page", { shows: all });
    await visit(mine, "/account", "account", { shows: [me.displayName] });
    // The feed, opened in the browser (its XML viewer), then read as a feed reader would.
    const feed = await visit(anon, `${article}/feed.xml`, "feed", { scan: "none" });
    expect(feed?.status()).toBe(200);
    const page = anon.pages[0];
    if (!page) throw new Error("no page");
    const read = await page.evaluate(checkFeed);
    for (const p of read.problems) anon.problems.push(`feed: ${p}`);
    expect(read.entries).toBeGreaterThan(world.paragraphs.length);
    const absent = all.filter((p) => !read.contentText.includes(p));
    expect(absent, "payloads missing from the feed").toEqual([]);
  } finally {
    await anon.context.close();
    await mine.context.close();
  }
  report("stored, hydrated", anon, mine);
});

test("stored payloads, as the server renders them: every panel, discussion and search page", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  if (!baseURL) throw new Error("no baseURL");
  const mine = await watchedContext(browser, baseURL, { signedIn: me });
  const article = `/articles/${world.slug}`;
  const threads = world.counts.roots + world.paragraphs.length + 2;
  const items: MarkupItem[] = [
    // Each paragraph's threads, all of them, with the edit forms of the author's summaries.
    ...world.paragraphs.map((p) => ({
      path: `${article}/p/${p.anchor}?more=2`,
      label: `panel ${p.anchor}`,
      shows: p.payloads.map(normal),
    })),
    // Every thread, 50 to a page.
    ...Array.from({ length: Math.ceil(threads / 50) }, (_, i) => ({
      path: `${article}/discussion?page=${i + 1}`,
      label: `discussion page ${i + 1}`,
    })),
    // Every thread's body (the payload and the search word), 20 to a page.
    ...Array.from({ length: Math.ceil(world.counts.roots / 20) }, (_, i) => ({
      path: `/search?q=${THREAD_WORD}&page=${i + 1}`,
      label: `search page ${i + 1}`,
    })),
    ...world.sampleIds.map(({ kind, id }) => ({
      path: `${article}/annotations/${id}`,
      label: `permalink (${kind})`,
    })),
    {
      path: `${article}/annotations/${world.megaThreadId}`,
      label: "permalink (every payload, as its author)",
      shows: world.people.map((p) => p.displayName),
    },
    ...world.people
      .filter((_, i) => i % 50 === 7)
      .map((p) => ({ path: `/u/${p.username}`, label: `person ${p.username}` })),
  ];
  try {
    // (The first test opens pages of each of these kinds for real, hydrated.)
    await checkMarkup(mine, items);
  } finally {
    await mine.context.close();
  }
  report("stored, as rendered by the server", mine);
});

test("forms shown again with every payload kept", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  if (!baseURL) throw new Error("no baseURL");
  const all = world.payloads.join("\n");
  const anon = await watchedContext(browser, baseURL);
  const mine = await watchedContext(browser, baseURL, { signedIn: me });
  const panel = `/articles/${small.slug}/p/p-1`;
  try {
    // The thread forms: a new source, a reply, an edit — every field too long or not a URL, so
    // each is refused and shown again with what was typed.
    await visit(mine, panel, "panel before the forms");
    const content = {
      kind: "source",
      body: all,
      sourceUrl: all,
      sourceTitle: all,
      sourceStance: world.payloads[0] ?? "",
    };
    const create = { intent: "create", ...content, quote: all, quoteStart: all };
    await submit(mine, panel, create, "new annotation form", {
      keeps: ["body", "quote", "sourceUrl", "sourceTitle"],
    });
    const reply = { intent: "reply", id: String(small.threadId), ...content };
    await submit(mine, panel, reply, "reply form", { keeps: ["body"] });
    const edit = { intent: "edit", id: String(small.threadId), body: all };
    await submit(mine, panel, edit, "edit form", { keeps: ["body"] });
    await submit(mine, panel, { intent: all, id: all, body: all }, "an unknown intent");
    // The account's display name, refused (too long) and shown again.
    await submit(mine, "/account", { intent: "display-name", displayName: all }, "display name", {
      keeps: ["displayName"],
    });
    // Sign-up and sign-in, refused, with what was typed kept (never the password).
    await visit(anon, "/signup", "signup before the form");
    const signup = { username: all, displayName: all, password: "short", redirectTo: all };
    await submit(anon, "/signup", signup, "signup form", { keeps: ["username", "displayName"] });
    const login = { username: all, password: "x", redirectTo: all };
    await submit(anon, "/login", login, "login form", { keeps: ["username"] });
  } finally {
    await anon.context.close();
    await mine.context.close();
  }
  report("forms shown again", anon, mine);
});

test("reflected query parameters", async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  if (!baseURL) throw new Error("no baseURL");
  const anon = await watchedContext(browser, baseURL);
  const discussion = `/articles/${small.slug}/discussion`;
  const panel = `/articles/${small.slug}/p/p-1`;
  const p = world.payloads;
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const items: MarkupItem[] = [];
  // As many payloads per page as the app keeps of the parameter (it cuts longer values): search
  // keeps 500 characters, the discussion's text filter 200 and its author filter 64.
  for (const [i, pack] of packs(p, 500).entries()) {
    items.push({ path: `/search?${q({ q: pack })}`, label: `search q #${i}` });
  }
  const authors = packs(p, 64);
  const texts = packs(p, 200);
  for (let i = 0; i < Math.max(authors.length, texts.length); i++) {
    const text = texts[i % texts.length] ?? "";
    const author = authors[i] ?? "";
    items.push({
      path: `${discussion}?${q({ q: text, author, kind: author, sort: text, page: author })}`,
      label: `discussion filters #${i}`,
    });
  }
  // Longer values: the panel's prefilled passage (5,000) and the sign-in and sign-up return paths,
  // within what a request line may carry.
  for (const [i, pack] of packs(p, 2_000).entries()) {
    items.push({
      path: `${panel}?${q({ quote: pack, kind: pack, start: pack })}`,
      label: `panel prefill #${i}`,
    });
    items.push({
      path: `/login?${q({ redirectTo: `/${pack}` })}`,
      label: `login redirectTo #${i}`,
    });
    items.push({ path: `/signup?${q({ redirectTo: pack })}`, label: `signup redirectTo #${i}` });
    // Addresses of pages that do not exist: the page's own address goes into its sign-in links.
    const path = encodeURIComponent(pack);
    items.push({ path: `/u/${path}`, label: `a person not found #${i}`, status: 404 });
    items.push({ path: `/${path}`, label: `a page not found #${i}`, status: 404 });
  }
  try {
    await checkMarkup(anon, items);
    // The first page of each kind opened for real, hydrated and rendered by React in the browser.
    const firsts = items.filter(
      (item) =>
        item.status === undefined && (item.label.endsWith("#0") || item.label.endsWith("#1")),
    );
    await visitAll(
      anon,
      firsts.map((item): [string, string] => [item.path, item.label]),
      2,
    );
  } finally {
    await anon.context.close();
  }
  report("reflected parameters", anon);
});

/**
 * The shared browser-test fixture. Every test gets a `page` that
 * - fails the test on an uncaught page error or a console error, and
 * - runs an axe-core scan of every page it visited (and of the states a test scans explicitly with
 *   `expectAccessible`), failing on serious or critical violations. A visited page identical to
 *   one this worker has already scanned clean (see pageShape) is not scanned twice.
 * A test that asks for `signedIn` starts signed in as a new account of its own (see auth.ts):
 *
 *   test("…", async ({ page, signedIn }) => { … signedIn.displayName … });
 */
import { createHash } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import axe from "axe-core";
import { createUser, signIn, type TestUser } from "./auth";

/**
 * The rules that run: WCAG 2.0/2.1 A and AA and best practices, experimental rules included (every
 * experimental rule of axe 4.14 carries one of these tags too), so that the suite sees what a newer
 * scanner sees rather than only what is switched on by default.
 */
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice", "experimental"];
/**
 * The engine is axe-core 4.14 (a devDependency of its own), injected through `axeSource`:
 * @axe-core/playwright 4.14 declares engines node>=22 and we are on Node 20, while its 4.13 pins
 * axe-core ~4.13, in which label-content-name-mismatch (WCAG 2.5.3) is still off. Injecting the
 * source ourselves keeps the driver and lets the rules move on without an `overrides` entry that
 * would silently stop applying when the driver is upgraded.
 */
const AXE_VERSION = /^4\.14\./;

type AxeViolation = {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown }[];
};

async function seriousViolations(page: Page): Promise<string[]> {
  // Legacy mode runs axe.run() in the page itself. The default mode runs axe.runPartial() in each
  // frame and then opens a blank page of its own, injects axe again and calls axe.finishRun() there:
  // a new renderer and a second parse of axe per scan, which made scanning most of the suite's
  // time. It exists for cross-origin iframes, and the app renders no frames at all. Only the
  // violations carry their nodes back: passes and the rest come back without them (nothing here
  // reads those, and serialising every passing node of a long page was a second large cost).
  const results = await new AxeBuilder({ page, axeSource: axe.source })
    .options({ resultTypes: ["violations"] }) // before withTags, which adds to the options
    .withTags(AXE_TAGS)
    .setLegacyMode(true)
    .analyze();
  expect(results.testEngine.version, "the axe-core version that ran").toMatch(AXE_VERSION);
  return (results.violations as AxeViolation[])
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`,
    );
}

/**
 * The document as axe sees it, less what differs between the same page of different tests: its
 * scripts (axe reads none of them; they hold the loader data and the response's nonce), nonces, and
 * the random names auth.ts and data.ts make (usernames, default display names, article slugs). Two
 * pages of one shape differ in nothing else, and so in nothing axe checks.
 */
function pageShape(): string {
  const root = document.documentElement.cloneNode(true) as Element;
  for (const script of root.querySelectorAll("script")) script.remove();
  return root.outerHTML
    .replace(/\snonce="[^"]*"/g, "")
    .replace(/\b[A-Za-z]+_[0-9a-z]{8,}\b/g, "USERNAME")
    .replace(/\bReader [0-9a-z]{6}\b/g, "READER")
    .replace(/\btest-[0-9a-f]{10}\b/g, "SLUG");
}

/** The shapes this worker has scanned and found clean: a page identical to one of them is not scanned again. */
const cleanShapes = new Set<string>();

/** Scans the page as it is now; use it for states a plain GET cannot reproduce (open forms, errors). */
export async function expectAccessible(page: Page): Promise<void> {
  const found = await seriousViolations(page);
  expect(found, `axe violations on ${page.url()}`).toEqual([]);
}

/** The account a `signedIn` test runs as, and the id of the session its browser context holds. */
export type SignedInUser = TestUser & { sessionId: string };

/** What the `signedIn` account looks like: `test.use({ account: { displayName: "Ada" } })`. */
export type AccountOptions = Parameters<typeof createUser>[0];

export const test = base.extend<{ page: Page; signedIn: SignedInUser; account: AccountOptions }>({
  account: [{}, { option: true }],

  // A new account, written straight into the e2e database with a session whose cookie the test's
  // browser context holds: no sign-in form, no rate limit, no account shared with another test.
  // Only the accounts spec signs in through the form, which is what it tests.
  signedIn: async ({ context, account }, use) => {
    const user = await createUser(account);
    const sessionId = await signIn(context, user);
    await use({ ...user, sessionId });
  },

  page: async ({ page, context, browser }, use, testInfo) => {
    const problems: string[] = [];
    const visited = new Set<string>();
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = message.text();
      // A 4xx/5xx answer the test provoked on purpose is logged by Chromium; the test asserts it.
      if (/Failed to load resource: the server responded with a status of (4\d\d|5\d\d)/.test(text))
        return;
      problems.push(`console error: ${text}`);
    });
    page.on("framenavigated", (frame) => {
      if (frame !== page.mainFrame()) return;
      const url = new URL(frame.url());
      if (url.protocol.startsWith("http") && !url.pathname.endsWith(".xml")) {
        visited.add(url.pathname + url.search);
      }
    });

    await use(page);

    expect(problems, "errors in the browser").toEqual([]);
    if (testInfo.status !== testInfo.expectedStatus) return;
    // Scan each page the test visited, as this user sees it now: a fresh context with the test's
    // cookies, and with script on even when the test ran without (axe runs in the page).
    const scanContext = await browser.newContext({
      storageState: await context.storageState(),
      javaScriptEnabled: true,
    });
    const scanner = await scanContext.newPage();
    try {
      for (const path of visited) {
        const response = await scanner.goto(path);
        if (response?.headers()["content-type"]?.includes("text/html") !== true) continue;
        const shape = createHash("sha256")
          .update(await scanner.evaluate(pageShape))
          .digest("hex");
        if (cleanShapes.has(shape)) continue;
        const found = await seriousViolations(scanner);
        expect(found, `axe violations on ${path}`).toEqual([]);
        cleanShapes.add(shape);
      }
    } finally {
      await scanContext.close();
    }
  },
});

export { expect };

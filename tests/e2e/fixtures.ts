/**
 * The shared browser-test fixture. Every test gets a `page` that
 * - fails the test on an uncaught page error or a console error, and
 * - runs an axe-core scan of every page it visited (and of the states a test scans explicitly with
 *   `expectAccessible`), failing on serious or critical violations.
 */
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";

type AxeViolation = {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown }[];
};

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return (results.violations as AxeViolation[])
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`,
    );
}

/** Scans the page as it is now; use it for states a plain GET cannot reproduce (open forms, errors). */
export async function expectAccessible(page: Page): Promise<void> {
  const found = await seriousViolations(page);
  expect(found, `axe violations on ${page.url()}`).toEqual([]);
}

export const test = base.extend<{ page: Page }>({
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
        const found = await seriousViolations(scanner);
        expect(found, `axe violations on ${path}`).toEqual([]);
      }
    } finally {
      await scanContext.close();
    }
  },
});

export { expect };

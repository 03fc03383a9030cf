/**
 * What a reader's browser sees of the reading page, in Chromium (Debian's /usr/bin/chromium, driven
 * by Playwright): the JavaScript and CSS bytes it downloads (as sent, compressed), time to
 * first byte, and time to a usable page: the paragraph text visible and the selection popover
 * answering a selection (so the page has hydrated).
 */
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

export type BrowserFigures = {
  jsBytes: number;
  cssBytes: number;
  ttfbMs: number;
  usableMs: number;
  loads: number;
};

const CHROMIUM = "/usr/bin/chromium";

/**
 * Run in the page (a string: tsx would wrap a function in helpers the page does not have): selects
 * words of paragraph 3 and releases the pointer, every 5 ms, until the selection popover answers;
 * resolves with the time since navigation began.
 */
const UNTIL_USABLE = `new Promise((resolve) => {
  const attempt = () => {
    if (document.querySelector('[role="toolbar"].selection-popover')) {
      resolve(performance.now());
      return;
    }
    const paragraph = document.querySelector('[data-paragraph="p-3"]');
    // The first stretch of plain text (a highlighted passage is a <mark> of its own).
    const walker = paragraph && document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
    let text = walker ? walker.nextNode() : null;
    while (text && (text.textContent || "").length < 20) text = walker.nextNode();
    if (paragraph && text && paragraph.offsetParent !== null) {
      const range = document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, 20);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      paragraph.dispatchEvent(new PointerEvent("pointerup", { bubbles: true }));
    }
    setTimeout(attempt, 5);
  };
  attempt();
})`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function measureBrowser(url: string, loads = 5): Promise<BrowserFigures | null> {
  if (!existsSync(CHROMIUM)) return null;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const ttfb: number[] = [];
    const usable: number[] = [];
    let jsBytes = 0;
    let cssBytes = 0;
    for (let i = 0; i < loads; i++) {
      // A new context each time: nothing cached, as for a first visit.
      const context = await browser.newContext();
      const page = await context.newPage();
      const sizes: Promise<void>[] = [];
      if (i === 0) {
        page.on("requestfinished", (request) => {
          const type = request.resourceType();
          if (type !== "script" && type !== "stylesheet") return;
          sizes.push(
            request.sizes().then(({ responseBodySize }) => {
              if (type === "script") jsBytes += responseBodySize;
              else cssBytes += responseBodySize;
            }),
          );
        });
      }
      await page.goto(url, { waitUntil: "commit" });
      // Select words in paragraph 3 and release the pointer, until the popover answers.
      const usableAt = (await page.evaluate(UNTIL_USABLE)) as number;
      const responseStart = (await page.evaluate(
        `performance.getEntriesByType("navigation")[0].responseStart`,
      )) as number;
      ttfb.push(responseStart);
      usable.push(usableAt);
      await page.waitForLoadState("load");
      await Promise.all(sizes);
      await context.close();
    }
    return { jsBytes, cssBytes, ttfbMs: median(ttfb), usableMs: median(usable), loads };
  } finally {
    await browser.close();
  }
}

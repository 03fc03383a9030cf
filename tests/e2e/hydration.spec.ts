/**
 * Keys pressed while the page's script is still loading. A discrete event (a key press, a click)
 * that reaches React after hydrateRoot but before React has rendered makes React hydrate the root
 * synchronously; the root suspends on that first render (Remix decodes the loader data embedded in
 * the page), and React 18.3 threw error #345 and left the page without script until reloaded (see
 * app/entry.client.tsx). Naturally that window is a few milliseconds: about one load in 15–40.
 *
 * Here every load hits it. The keys are pressed without pause from the moment navigation starts
 * until the app has hydrated; the scripts are slowed down (so the presses run all through a long
 * load); and React's first render is held back by 150 ms, as on a busy, slow device, so that
 * presses land between hydrateRoot and that render. Without the fix the first load fails.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { selectWithMouse } from "./selection";

const SLUG = "do-not-engage-the-taliban-for-free";
// Every load hits the window (the first fails without the fix); a few more guard against luck.
const LOADS = 15;
const PHRASE = "no country has recognized the Taliban government";

/**
 * Holds React's first render back by `ms`, as a busy main thread on a slow device does, so that
 * keys pressed meanwhile reach a root that hydration has started on but not yet rendered. Remix
 * assigns `window.__remixRouteModules` just before it loads the entry module that calls
 * hydrateRoot; the next message posted on a MessagePort is the scheduler's first task, the render.
 * Runs in the page before any of its scripts.
 */
function delayFirstRender(ms: number) {
  let modules: unknown;
  let armed = false;
  Object.defineProperty(window, "__remixRouteModules", {
    configurable: true,
    get: () => modules,
    set(value) {
      modules = value;
      armed = true;
    },
  });
  const post = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (this: MessagePort, ...args: unknown[]) {
    if (!armed) return post.apply(this, args as Parameters<typeof post>);
    armed = false;
    setTimeout(() => post.apply(this, args as Parameters<typeof post>), ms);
  } as typeof post;
}

/** True once Remix has created its router and React has committed the hydrated page. */
function hydrated(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      "__remixRouter" in window &&
      // React's props are attached to the nodes it has hydrated.
      Object.keys(document.querySelector(".skip-link") ?? {}).some((key) =>
        key.startsWith("__reactProps"),
      ),
  );
}

/** Presses Tab and ArrowDown, one after another, until `stop()` is called. */
function keepPressing(page: Page): { stop: () => Promise<number> } {
  let pressing = true;
  const done = (async () => {
    let presses = 0;
    while (pressing) {
      await page.keyboard.press(presses % 2 === 0 ? "Tab" : "ArrowDown");
      presses += 1;
    }
    return presses;
  })();
  return {
    stop: () => {
      pressing = false;
      return done;
    },
  };
}

test("keys pressed while the script loads break nothing; the popover works afterwards", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.addInitScript(delayFirstRender, 150);
  let request = 0;
  await page.route("**/build/**/*.js", async (route) => {
    request += 1;
    // 40–240 ms, varied, so that the modules arrive in a different order from load to load.
    await new Promise((resolve) => setTimeout(resolve, 40 + ((request * 53) % 200)));
    await route.continue();
  });

  for (let load = 1; load <= LOADS; load++) {
    const keys = keepPressing(page);
    try {
      await page.goto(`/articles/${SLUG}`, { waitUntil: "commit" });
      await expect
        .poll(async () => errors.length > 0 || (await hydrated(page)), {
          message: `load ${load}: the page hydrates`,
          timeout: 15_000,
          intervals: [20],
        })
        .toBe(true);
    } finally {
      await keys.stop();
    }
    expect(errors, `page errors on load ${load}`).toEqual([]);
    expect(await hydrated(page), `load ${load}: hydrated`).toBe(true);
  }

  // Script still works on the last load: selecting words offers the popover, and choosing an
  // action opens the paragraph's discussion in place (no new document: the marker survives).
  await page.evaluate(() => {
    (window as { sameDocument?: boolean }).sameDocument = true;
  });
  const paragraph = page.locator('[data-paragraph="p-3"]');
  await paragraph.scrollIntoViewIfNeeded();
  await selectWithMouse(page, paragraph, PHRASE);
  const toolbar = page.getByRole("toolbar", { name: "Respond to the selected passage" });
  await expect(toolbar).toBeVisible();
  await toolbar.getByRole("button", { name: "Question" }).click();
  await expect(page).toHaveURL(new RegExp(`/articles/${SLUG}/p/p-3\\?kind=question`));
  await expect(page.getByRole("region", { name: "Discussion of paragraph 3" })).toBeVisible();
  expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect(errors).toEqual([]);
});

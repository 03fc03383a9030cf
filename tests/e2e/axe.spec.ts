/**
 * The accessibility scan's own test: fixtures.ts runs axe in the page (legacy mode, violations
 * only) and skips pages identical to one already scanned, so here it must still report what a
 * serious violation looks like, on a page that was clean a moment before.
 */
import { expect, expectAccessible, test } from "./fixtures";

test("the accessibility scan reports serious violations (the scanner's own test)", async ({
  page,
}) => {
  await page.goto("/articles/do-not-engage-the-taliban-for-free");
  await expectAccessible(page);
  await page.evaluate(() => {
    document
      .querySelector("main")
      ?.insertAdjacentHTML(
        "beforeend",
        '<button type="button"></button><input type="text"><div role="checkbox"></div>',
      );
  });
  const failure = await expectAccessible(page).then(
    () => "no failure",
    (error: Error) => error.message,
  );
  for (const rule of ["button-name", "label", "aria-required-attr"]) {
    expect(failure, `the scan reports ${rule}`).toContain(rule);
  }
});

/** Selecting words in the reading page as a reader does, for the selection popover. */
import type { Locator, Page } from "@playwright/test";

/** Selects `phrase` inside a paragraph with the mouse: press at its first letter, release at its last. */
export async function selectWithMouse(page: Page, paragraph: Locator, phrase: string) {
  const boxes = await paragraph.evaluate((element, wanted) => {
    const text = element.textContent ?? "";
    const at = text.indexOf(wanted);
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const rectAt = (offset: number) => {
      let seen = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const length = node.textContent?.length ?? 0;
        if (offset < seen + length) {
          const range = document.createRange();
          range.setStart(node, offset - seen);
          range.setEnd(node, offset - seen + 1);
          const rect = range.getBoundingClientRect();
          walker.currentNode = element;
          return { x: rect.left, y: rect.top + rect.height / 2, width: rect.width };
        }
        seen += length;
      }
      throw new Error("offset outside the paragraph");
    };
    return { first: rectAt(at), last: rectAt(at + wanted.length - 1) };
  }, phrase);
  await page.mouse.move(boxes.first.x + 1, boxes.first.y);
  await page.mouse.down();
  await page.mouse.move(boxes.last.x + boxes.last.width - 1, boxes.last.y, { steps: 8 });
  await page.mouse.up();
}

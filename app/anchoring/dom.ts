/**
 * Browser-side bridge between a DOM selection and the code point offsets the selectors use.
 * The paragraph container's text may be split across text nodes and <mark> elements, so
 * offsets are measured over the container's whole text, not within a single node.
 */
import { codePointLength, type TextPositionSelector } from "./selectors";

/** The paragraph text as the selectors see it: every text node under the container, in order. */
export function textContentOf(container: Node): string {
  return container.textContent ?? "";
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * Code point offset of a boundary point within the container. A boundary can fall between the
 * two halves of a surrogate pair; `roundUp` decides which side of the character it lands on.
 */
function offsetOf(container: Node, node: Node, offset: number, roundUp: boolean): number {
  const before = container.ownerDocument?.createRange();
  if (!before) return 0;
  before.selectNodeContents(container);
  before.setEnd(node, offset);
  const text = before.toString();
  const count = codePointLength(text);
  const splitsPair = text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1));
  return splitsPair && !roundUp ? count - 1 : count;
}

/**
 * Code point offsets of `range` within `container`'s text. A range reaching outside the
 * container is clipped to it; null when the range is collapsed, lies wholly outside, or covers
 * no text. A boundary splitting a surrogate pair widens the range to the whole character.
 */
export function selectionOffsets(container: Element, range: Range): TextPositionSelector | null {
  if (range.collapsed) return null;
  const doc = container.ownerDocument;
  const bounds = doc.createRange();
  bounds.selectNodeContents(container);
  let startRelation: number;
  let endRelation: number;
  try {
    startRelation = bounds.comparePoint(range.startContainer, range.startOffset);
    endRelation = bounds.comparePoint(range.endContainer, range.endOffset);
  } catch {
    // comparePoint throws when the range lives in another document or a detached tree.
    return null;
  }
  if (startRelation > 0 || endRelation < 0) return null;
  const start =
    startRelation < 0 ? 0 : offsetOf(container, range.startContainer, range.startOffset, false);
  const end =
    endRelation > 0
      ? codePointLength(textContentOf(container))
      : offsetOf(container, range.endContainer, range.endOffset, true);
  return start < end ? { start, end } : null;
}

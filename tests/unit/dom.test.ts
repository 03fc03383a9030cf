// @vitest-environment happy-dom
/** Unit tests for turning a DOM selection into code point offsets within a paragraph. */
import { afterEach, describe, expect, it } from "vitest";
import { selectionOffsets, textContentOf } from "#app/anchoring/dom";
import { codePointSlice } from "#app/anchoring/selectors";

function mount(html: string): HTMLElement {
  const wrapper = document.createElement("div");
  wrapper.innerHTML = html;
  document.body.append(wrapper);
  const paragraph = wrapper.querySelector("p");
  if (!paragraph) throw new Error("fixture needs a <p>");
  return paragraph;
}

/** The n-th text node under `root`, in document order. */
function textNode(root: Node, n: number): Text {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node = walker.nextNode();
  for (let i = 0; i < n && node; i++) node = walker.nextNode();
  if (!(node instanceof Text)) throw new Error(`no text node #${n}`);
  return node;
}

function rangeBetween(startNode: Node, startOffset: number, endNode: Node, endOffset: number) {
  const range = document.createRange();
  range.setStart(startNode, startOffset);
  range.setEnd(endNode, endOffset);
  return range;
}

afterEach(() => {
  document.body.innerHTML = "";
});

describe("textContentOf", () => {
  it("joins text across marks", () => {
    const p = mount("<p>one <mark>two</mark> three</p>");
    expect(textContentOf(p)).toBe("one two three");
  });
});

describe("selectionOffsets", () => {
  it("measures a selection within a single text node", () => {
    const p = mount("<p>hello world</p>");
    const node = textNode(p, 0);
    expect(selectionOffsets(p, rangeBetween(node, 6, node, 11))).toEqual({ start: 6, end: 11 });
  });

  it("measures across text nodes split by marks", () => {
    const p = mount('<p>one <mark data-id="1">two <mark>three</mark></mark> four</p>');
    // Text nodes: "one ", "two ", "three", " four".
    const range = rangeBetween(textNode(p, 1), 2, textNode(p, 3), 3);
    const offsets = selectionOffsets(p, range);
    expect(offsets).toEqual({ start: 6, end: 16 });
    expect(codePointSlice(textContentOf(p), offsets?.start ?? 0, offsets?.end)).toBe("o three fo");
  });

  it("accepts element boundary points", () => {
    const p = mount("<p>ab<mark>cd</mark>ef</p>");
    const mark = p.querySelector("mark");
    if (!mark) throw new Error("fixture");
    // (p, 1) is just before <mark>; (p, 2) just after it.
    expect(selectionOffsets(p, rangeBetween(p, 1, p, 2))).toEqual({ start: 2, end: 4 });
    expect(selectionOffsets(p, rangeBetween(mark, 0, p, 3))).toEqual({ start: 2, end: 6 });
  });

  it("selecting the whole container covers the whole text", () => {
    const p = mount("<p>ab<mark>cd</mark>ef</p>");
    const range = document.createRange();
    range.selectNodeContents(p);
    expect(selectionOffsets(p, range)).toEqual({ start: 0, end: 6 });
  });

  it("counts code points, not UTF-16 units", () => {
    const p = mount("<p>😀<mark>𠀀x</mark> 😀 yz</p>");
    // Text nodes: "😀", "𠀀x", " 😀 yz".
    const range = rangeBetween(textNode(p, 1), 2, textNode(p, 2), 3);
    expect(selectionOffsets(p, range)).toEqual({ start: 2, end: 5 });
    expect(codePointSlice(textContentOf(p), 2, 5)).toBe("x 😀");
  });

  it("widens a boundary that splits a surrogate pair to the whole character", () => {
    const p = mount("<p>a😀b</p>");
    const node = textNode(p, 0);
    expect(selectionOffsets(p, rangeBetween(node, 2, node, 4))).toEqual({ start: 1, end: 3 });
    expect(selectionOffsets(p, rangeBetween(node, 0, node, 2))).toEqual({ start: 0, end: 2 });
  });

  it("clips a range that starts before the container", () => {
    const p = mount("<p>inside text</p>");
    const before = document.createTextNode("before ");
    p.before(before);
    const range = rangeBetween(before, 2, textNode(p, 0), 6);
    expect(selectionOffsets(p, range)).toEqual({ start: 0, end: 6 });
  });

  it("clips a range that ends after the container", () => {
    const p = mount("<p>inside text</p>");
    const after = document.createTextNode(" after");
    p.after(after);
    const range = rangeBetween(textNode(p, 0), 7, after, 3);
    expect(selectionOffsets(p, range)).toEqual({ start: 7, end: 11 });
  });

  it("clips a range that encloses the container", () => {
    const p = mount("<p>inside</p>");
    const before = document.createTextNode("x");
    const after = document.createTextNode("y");
    p.before(before);
    p.after(after);
    expect(selectionOffsets(p, rangeBetween(before, 0, after, 1))).toEqual({ start: 0, end: 6 });
  });

  it("returns null for a collapsed range", () => {
    const p = mount("<p>hello</p>");
    const node = textNode(p, 0);
    expect(selectionOffsets(p, rangeBetween(node, 2, node, 2))).toBeNull();
  });

  it("returns null for a range wholly outside the container", () => {
    const p = mount("<p>hello</p>");
    const other = document.createElement("p");
    other.textContent = "elsewhere";
    document.body.append(other);
    const node = textNode(other, 0);
    expect(selectionOffsets(p, rangeBetween(node, 0, node, 4))).toBeNull();
  });

  it("returns null for a range in a detached tree", () => {
    const p = mount("<p>hello</p>");
    const detached = document.createElement("p");
    detached.textContent = "detached";
    const node = textNode(detached, 0);
    expect(selectionOffsets(p, rangeBetween(node, 0, node, 3))).toBeNull();
  });

  it("returns null when the clipped range holds no text", () => {
    const p = mount("<p>hello</p>");
    const before = document.createTextNode("before");
    p.before(before);
    // Ends exactly at the container's start.
    expect(selectionOffsets(p, rangeBetween(before, 1, p, 0))).toBeNull();
  });
});

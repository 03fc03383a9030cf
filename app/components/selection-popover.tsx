/**
 * With script: selecting words inside one paragraph offers "Annotate / Question / Counter / Source"
 * beside the selection. Choosing one opens that paragraph's discussion with the form pre-filled
 * (`?kind=&quote=&start=`), the same URL a reader without script could type or share.
 */
import { useNavigate } from "@remix-run/react";
import { type RefObject, useEffect, useRef, useState } from "react";
import { selectionOffsets } from "#app/anchoring/dom";
import { codePointLength, codePointSlice } from "#app/anchoring/selectors";

type Pending = { anchor: string; quote: string; start: number; top: number; left: number };

const ACTIONS = [
  { kind: "annotation", label: "Annotate" },
  { kind: "question", label: "Question" },
  { kind: "counterargument", label: "Counter" },
  { kind: "source", label: "Source" },
] as const;

/** The paragraph text element (`[data-paragraph]`) holding a node, if any. */
function paragraphOf(node: Node | null): HTMLElement | null {
  const element = node instanceof Element ? node : node?.parentElement;
  return element?.closest<HTMLElement>("[data-paragraph]") ?? null;
}

export function SelectionPopover({
  slug,
  layer,
  containerRef,
}: {
  slug: string;
  /** The reading page's layer (`?layer=`), kept so the new annotation defaults to it. */
  layer: string | null;
  containerRef: RefObject<HTMLElement | null>;
}) {
  const [pending, setPending] = useState<Pending | null>(null);
  const popoverRef = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const update = () => {
      const selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
        setPending(null);
        return;
      }
      const range = selection.getRangeAt(0);
      // A selection running past its paragraph (a triple-click does) is clipped to the paragraph
      // it starts in: a passage belongs to one paragraph.
      const paragraph = paragraphOf(range.startContainer);
      if (!paragraph || !container.contains(paragraph)) {
        setPending(null);
        return;
      }
      const offsets = selectionOffsets(paragraph, range);
      const text = paragraph.textContent ?? "";
      const raw = offsets ? codePointSlice(text, offsets.start, offsets.end) : "";
      const quote = raw.trim();
      if (!offsets || !quote) {
        setPending(null);
        return;
      }
      const leadingSpace = codePointLength(raw) - codePointLength(raw.trimStart());
      const rect = range.getBoundingClientRect();
      const bounds = container.getBoundingClientRect();
      setPending({
        anchor: paragraph.dataset.paragraph ?? "",
        quote,
        start: offsets.start + leadingSpace,
        top: rect.bottom - bounds.top + 8,
        left: Math.max(0, Math.min(rect.left - bounds.left, bounds.width - 320)),
      });
    };
    const onPointerUp = (event: PointerEvent) => {
      if (popoverRef.current?.contains(event.target as Node)) return;
      // Let the browser settle the selection first.
      window.setTimeout(update, 0);
    };
    const onKeyUp = (event: KeyboardEvent) => {
      if (event.key === "Escape") setPending(null);
      else if (event.shiftKey) update();
    };
    container.addEventListener("pointerup", onPointerUp);
    container.addEventListener("keyup", onKeyUp);
    return () => {
      container.removeEventListener("pointerup", onPointerUp);
      container.removeEventListener("keyup", onKeyUp);
    };
  }, [containerRef]);

  useEffect(() => {
    if (!pending) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape") setPending(null);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [pending]);

  if (!pending) return null;
  return (
    <div
      ref={popoverRef}
      className="selection-popover"
      role="toolbar"
      aria-label="Respond to the selected passage"
      style={{ top: pending.top, left: pending.left }}
    >
      {ACTIONS.map((action) => (
        <button
          key={action.kind}
          type="button"
          className={`popover-${action.kind}`}
          onClick={() => {
            const params = new URLSearchParams({
              kind: action.kind,
              quote: pending.quote,
              start: String(pending.start),
            });
            if (layer) params.set("layer", layer);
            setPending(null);
            window.getSelection()?.removeAllRanges();
            navigate(`/articles/${slug}/p/${pending.anchor}?${params}`, {
              preventScrollReset: true,
            });
          }}
        >
          {action.label}
        </button>
      ))}
    </div>
  );
}

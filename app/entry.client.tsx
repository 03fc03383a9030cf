/**
 * Hydrates the server-rendered document, as Remix's default entry does, with one addition: until
 * hydration has committed, the events React would answer by hydrating synchronously (key presses,
 * clicks, input) are kept from React's listeners.
 *
 * Why. With single fetch, <RemixBrowser> suspends on its first render, outside any Suspense
 * boundary, until the loader data embedded in the page is decoded. Hydration runs in a transition,
 * where that is harmless: React waits and retries. But a discrete event that reaches React while
 * the root is still dehydrated makes React hydrate the whole root synchronously at once
 * (attemptSynchronousHydration); a root that suspends in a synchronous render cannot complete,
 * React 18.3 throws error #345 ("Root did not complete") and the page stays without script until
 * reloaded: no selection popover, no in-page navigation. A Tab or an arrow key pressed while the
 * script downloads is delivered just after it has run, which is exactly that moment.
 *
 * Held back, such an event still does what it does without script (focus moves, the page scrolls,
 * links and forms work natively); only React does not see it, and it would have had no handler for
 * it yet. Focus and hover events are not held: React queues those itself and does not hydrate
 * synchronously for them.
 */
import { RemixBrowser } from "@remix-run/react";
import { type ReactNode, StrictMode, startTransition, useLayoutEffect } from "react";
import { hydrateRoot } from "react-dom/client";

/** The events for which React 18.3 hydrates a dehydrated root synchronously (react-dom's
 * `discreteReplayableEvents`). */
const SYNC_HYDRATING_EVENTS = [
  "auxclick",
  "change",
  "click",
  "compositionend",
  "compositionstart",
  "contextmenu",
  "copy",
  "cut",
  "dblclick",
  "dragend",
  "dragstart",
  "drop",
  "input",
  "keydown",
  "keypress",
  "keyup",
  "mousedown",
  "mouseup",
  "paste",
  "pointercancel",
  "pointerdown",
  "pointerup",
  "reset",
  "submit",
  "textInput",
  "touchcancel",
  "touchend",
  "touchstart",
] as const;

/** Stops the event on its way down, before React's listeners on the document see it. */
function holdBack(event: Event): void {
  event.stopPropagation();
}

for (const type of SYNC_HYDRATING_EVENTS) {
  window.addEventListener(type, holdBack, { capture: true });
}

function releaseEvents(): void {
  for (const type of SYNC_HYDRATING_EVENTS) {
    window.removeEventListener(type, holdBack, { capture: true });
  }
}

/** Renders its child unchanged (no element, so the markup and useId values still match the server). */
function ReleaseEventsOnHydration({ children }: { children: ReactNode }) {
  // A layout effect runs in the commit that ends hydration, before any later event is dispatched.
  useLayoutEffect(releaseEvents, []);
  return children;
}

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <ReleaseEventsOnHydration>
        <RemixBrowser />
      </ReleaseEventsOnHydration>
    </StrictMode>,
  );
});

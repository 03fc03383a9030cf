/**
 * The "3 new — show" bar of an open reading page: it listens to the article's server-sent events
 * and, rather than moving text under the reader's eyes, offers to load what arrived. Script only:
 * without it the page is simply as fresh as its last load.
 */
import { useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";

type Change = { annotations: number; replies: number; endorsements: number };

const NONE: Change = { annotations: 0, replies: 0, endorsements: 0 };

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeChange(change: Change): string {
  const parts = [
    change.annotations > 0 ? plural(change.annotations, "new annotation", "new annotations") : "",
    change.replies > 0 ? plural(change.replies, "new reply", "new replies") : "",
    change.endorsements > 0
      ? plural(change.endorsements, "new endorsement", "new endorsements")
      : "",
  ].filter(Boolean);
  return parts.join(", ");
}

export function LiveUpdates({ slug, layer }: { slug: string; layer: string | null }) {
  const [pending, setPending] = useState<Change>(NONE);
  const revalidator = useRevalidator();

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(
      `/articles/${encodeURIComponent(slug)}/events${layer ? `?layer=${layer}` : ""}`,
    );
    source.addEventListener("change", (event) => {
      try {
        const change = JSON.parse((event as MessageEvent<string>).data) as Change;
        setPending((p) => ({
          annotations: p.annotations + change.annotations,
          replies: p.replies + change.replies,
          endorsements: p.endorsements + change.endorsements,
        }));
      } catch {
        // A malformed message is ignored; the next one still counts.
      }
    });
    return () => source.close();
  }, [slug, layer]);

  // Switching layers or articles starts counting afresh.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the stream changes.
  useEffect(() => setPending(NONE), [slug, layer]);

  const text = describeChange(pending);
  return (
    <div className="live-updates" role="status" aria-live="polite">
      {text ? (
        <p className="live-bar">
          <span>{text}</span>{" "}
          <button
            type="button"
            onClick={() => {
              setPending(NONE);
              revalidator.revalidate();
            }}
          >
            Show
          </button>
        </p>
      ) : null}
    </div>
  );
}

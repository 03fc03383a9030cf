/** Endorse / endorsed toggle: optimistic with script, a plain form post without. */
import { useFetcher, useLocation } from "@remix-run/react";
import type { ThreadNode } from "#app/threading/thread-node";
import { useHydrated } from "#app/utils/use-hydrated";

export function EndorseButton({ node }: { node: ThreadNode }) {
  const fetcher = useFetcher<{ endorsed?: boolean; error?: string }>();
  const location = useLocation();
  const hydrated = useHydrated();
  const endorsed = fetcher.formData ? !node.endorsedByViewer : node.endorsedByViewer;
  const count = node.endorsements + (endorsed === node.endorsedByViewer ? 0 : endorsed ? 1 : -1);
  const label = `${count} ${count === 1 ? "endorsement" : "endorsements"}`;
  if (!node.can.endorse) {
    return count > 0 ? <span className="endorsement-count">{label}</span> : null;
  }
  return (
    <fetcher.Form method="post" action={`/annotations/${node.id}/endorse`} className="endorse-form">
      <input
        type="hidden"
        name="redirectTo"
        value={`${location.pathname}${location.search}#a-${node.id}`}
      />
      {hydrated ? <input type="hidden" name="via" value="fetcher" /> : null}
      <button type="submit" className="endorse-button" aria-pressed={endorsed}>
        {endorsed ? "Endorsed" : "Endorse"}
        <span className="endorsement-tally"> · {count}</span>
      </button>
      {fetcher.data?.error ? <span className="field-error"> {fetcher.data.error}</span> : null}
    </fetcher.Form>
  );
}

/** All / open / resolved: which threads a list shows, with how many of each. */
import { Link } from "@remix-run/react";
import type { ThreadStatus } from "#app/rules";

const OPTIONS: { value: ThreadStatus | null; label: string }[] = [
  { value: null, label: "All" },
  { value: "open", label: "Open" },
  { value: "resolved", label: "Resolved" },
];

export function StatusFilter({
  counts,
  status,
  href,
}: {
  counts: { all: number; open: number; resolved: number };
  status: ThreadStatus | null;
  href: (status: ThreadStatus | null) => string;
}) {
  return (
    <nav className="status-filter" aria-label="Threads by status">
      <ul>
        {OPTIONS.map((option) => {
          const n = counts[option.value ?? "all"];
          const current = option.value === status;
          return (
            <li key={option.label}>
              <Link
                to={href(option.value)}
                aria-current={current ? "page" : undefined}
                preventScrollReset
              >
                {option.label} <span className="count">({n})</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** Previous / "Page N of M" / next links for any paged list; nothing when there is one page. */
import { Link } from "@remix-run/react";

export function Pager({
  page,
  pageCount,
  hrefFor,
  label,
  previous = "Previous page",
  next = "Next page",
}: {
  page: number;
  pageCount: number;
  hrefFor: (page: number) => string;
  /** What is being paged, for the navigation landmark's name ("Pages of results"). */
  label: string;
  previous?: string;
  next?: string;
}) {
  if (pageCount <= 1) return null;
  const current = Math.min(page, pageCount);
  return (
    <nav className="pager" aria-label={label}>
      {current > 1 ? (
        <Link to={hrefFor(current - 1)} rel="prev">
          {previous}
        </Link>
      ) : null}
      <span className="pager-position">
        Page {current} of {pageCount}
      </span>
      {current < pageCount ? (
        <Link to={hrefFor(current + 1)} rel="next">
          {next}
        </Link>
      ) : null}
    </nav>
  );
}

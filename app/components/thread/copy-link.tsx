/** A link to an annotation's permalink that, with script, copies the address instead. */
import { type MouseEvent, useState } from "react";

export function CopyLink({ href }: { href: string }) {
  const [copied, setCopied] = useState(false);
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (!navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(new URL(href, window.location.origin).href).then(
      () => setCopied(true),
      () => window.location.assign(href),
    );
  };
  return (
    <>
      <a className="action" href={href} onClick={onClick}>
        Copy link
      </a>
      <span className="copy-status" role="status">
        {copied ? "Link copied" : ""}
      </span>
    </>
  );
}

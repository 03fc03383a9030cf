/**
 * Who wrote something: the display name, and beside it the username, which is unique and cannot be
 * made to look like another's. Display names are free to repeat, so identity never rests on them.
 * In an anonymous assignment a classmate is only their alias ("Student 3"), never a link.
 */
import { Link } from "@remix-run/react";

export function AuthorName({
  author,
  alias = null,
  link = true,
}: {
  author: { username: string; displayName: string } | null;
  alias?: string | null;
  link?: boolean;
}) {
  if (!author) return <>{alias ?? "deleted user"}</>;
  return (
    <>
      {link ? <Link to={`/u/${author.username}`}>{author.displayName}</Link> : author.displayName}{" "}
      <span className="username">@{author.username}</span>
    </>
  );
}

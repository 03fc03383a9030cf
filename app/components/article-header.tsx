/** The top of a reading page: publication line, title, dek, byline and the editor's note. */
export function ArticleHeader({
  title,
  dek,
  byline,
  publication,
  publishedOn,
  editorsNote,
}: {
  title: string;
  dek: string | null;
  byline: string | null;
  publication: string | null;
  publishedOn: string | null;
  editorsNote: string | null;
}) {
  const kicker = [publication, publishedOn].filter(Boolean).join(" · ");
  return (
    <header className="article-header">
      {kicker ? <p className="kicker">{kicker}</p> : null}
      <h1>{title}</h1>
      {dek ? <p className="dek">{dek}</p> : null}
      {byline ? <p className="byline">By {byline}</p> : null}
      {editorsNote ? (
        <aside className="editors-note" aria-label="Editor’s note">
          <p>
            <strong>Editor’s note:</strong> {editorsNote}
          </p>
        </aside>
      ) : null}
    </header>
  );
}

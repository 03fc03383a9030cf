/**
 * What an annotation says: a source's link with its stance, then the body, rendered from Markdown
 * and sanitized on the server when it was written. Shared by threads and a person's page.
 */
import { STANCE_LABELS, type Stance } from "#app/rules";

export function AnnotationContent({
  source,
  bodyHtml,
}: {
  source: { url: string; title: string; stance: Stance } | null;
  bodyHtml: string;
}) {
  return (
    <>
      {source ? (
        <p className={`source-link stance-${source.stance}`}>
          <a href={source.url} rel="noopener noreferrer nofollow ugc">
            {source.title}
          </a>{" "}
          <span className="stance">{STANCE_LABELS[source.stance]}</span>
        </p>
      ) : null}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized HTML from renderMarkdown */}
      <div className="annotation-body" dangerouslySetInnerHTML={{ __html: bodyHtml }} />
    </>
  );
}

/**
 * The words Marginalia's W3C Web Annotation mapping is written in (docs/w3c-mapping.md): the JSON-LD
 * contexts, the media type, the extension namespace, how kinds map to motivations, and the IRIs
 * the site mints for annotations, revisions, people and groups. Pure and browser-safe, so the
 * exporter, the importer, content negotiation and the protocol container all say the same thing.
 */
import type { AnnotationKind } from "#app/rules";

/** The Web Annotation context every annotation, collection and page names. */
export const ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld";

/**
 * The namespace of Marginalia's extension properties (`mrg:kind`, `mrg:stance`, …). Fixed, not
 * the deployment's origin: a file exported by one site must read the same on another, and a
 * namespace IRI names a vocabulary without having to resolve.
 */
export const MRG_NAMESPACE = "https://marginalia.example/ns#";

/**
 * The context object after anno.jsonld: the `mrg:` prefix, `title` for a linked source's title
 * (anno.jsonld has no term for it; Dublin Core's is the usual one), and the one typed extension.
 */
export const MRG_CONTEXT = {
  mrg: MRG_NAMESPACE,
  title: "dcterms:title",
  "mrg:resolved": { "@type": "xsd:dateTime" },
} as const;

/** What every document Marginalia writes begins with. */
export const CONTEXT = [ANNO_CONTEXT, MRG_CONTEXT] as const;

/** The media type of an export, with the profile the Annotation Protocol names. */
export const ANNOTATION_MEDIA_TYPE = `application/ld+json; profile="${ANNO_CONTEXT}"`;

/**
 * A paragraph as a fragment of the revision's page: the page is HTML and `p-3` is an element id,
 * which RFC 3236 (XHTML's media type) defines as its fragment identifier.
 */
export const FRAGMENT_CONFORMS_TO = "http://tools.ietf.org/rfc/rfc3236";

/** The W3C motivation for each kind: what a reader that knows no `mrg:` sees. */
export const KIND_MOTIVATION: Record<AnnotationKind, string> = {
  annotation: "commenting",
  question: "questioning",
  // A counterargument assesses the passage's claim; `mrg:kind` tells it from other assessments.
  counterargument: "assessing",
  source: "linking",
};

/** The motivations of the W3C vocabulary (oa:Motivation instances). */
export const W3C_MOTIVATIONS = [
  "assessing",
  "bookmarking",
  "classifying",
  "commenting",
  "describing",
  "editing",
  "highlighting",
  "identifying",
  "linking",
  "moderating",
  "questioning",
  "replying",
  "tagging",
] as const;

/** How many annotations a page of an exported collection holds. */
export const PAGE_SIZE = 200;

/** The most annotations one document may hold, on the way in. */
export const MAX_DOCUMENT_ITEMS = 100_000;

/** The largest file the importer reads. */
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

function trimOrigin(origin: string): string {
  return origin.replace(/\/+$/, "");
}

/** An annotation's IRI: its permalink. */
export function annotationIri(origin: string, slug: string, id: number): string {
  return `${trimOrigin(origin)}/articles/${encodeURIComponent(slug)}/annotations/${id}`;
}

/** A revision of an article as it read then: what a thread's target is. */
export function revisionIri(origin: string, slug: string, revision: number): string {
  return `${trimOrigin(origin)}/articles/${encodeURIComponent(slug)}/revisions/${revision}`;
}

/** A person: their profile page. */
export function profileIri(origin: string, username: string): string {
  return `${trimOrigin(origin)}/u/${encodeURIComponent(username)}`;
}

/** A class or review panel: its page. */
export function groupIri(origin: string, groupId: number): string {
  return `${trimOrigin(origin)}/groups/${groupId}`;
}

/** An article's annotations as one collection (the download, and the article's JSON-LD). */
export function articleCollectionIri(origin: string, slug: string): string {
  return `${trimOrigin(origin)}/articles/${encodeURIComponent(slug)}/annotations.jsonld`;
}

/** What one of the site's own IRIs names, so an importer can tell its own exports. */
export type LocalReference =
  | { type: "annotation"; slug: string; id: number }
  | { type: "revision"; slug: string; revision: number }
  | { type: "person"; username: string }
  | { type: "group"; id: number };

const LOCAL_PATTERNS: [RegExp, (m: RegExpExecArray) => LocalReference | null][] = [
  [
    /^\/articles\/([^/]+)\/annotations\/([1-9]\d{0,15})$/,
    (m) => ({ type: "annotation", slug: decode(m[1]), id: Number(m[2]) }),
  ],
  [
    /^\/articles\/([^/]+)\/revisions\/([1-9]\d{0,8})$/,
    (m) => ({ type: "revision", slug: decode(m[1]), revision: Number(m[2]) }),
  ],
  [/^\/u\/([^/]+)$/, (m) => ({ type: "person", username: decode(m[1]) })],
  [/^\/groups\/([1-9]\d{0,15})$/, (m) => ({ type: "group", id: Number(m[1]) })],
];

function decode(part: string | undefined): string {
  try {
    return decodeURIComponent(part ?? "");
  } catch {
    return part ?? "";
  }
}

/** What `iri` names on the site at `origin`, or null for anyone else's IRI. */
export function parseLocalIri(origin: string, iri: string): LocalReference | null {
  let url: URL;
  try {
    url = new URL(iri);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin || url.search || url.hash) return null;
  for (const [pattern, read] of LOCAL_PATTERNS) {
    const match = pattern.exec(url.pathname);
    if (match) return read(match);
  }
  return null;
}

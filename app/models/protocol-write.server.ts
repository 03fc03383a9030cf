/**
 * Annotations written through the Annotation Protocol (app/interop/protocol.server.ts): a W3C
 * annotation, already read by `fromW3C`, becomes exactly what the forms submit. Its fields are
 * checked by the forms' own schemas (annotation-input.server.ts) and its target is placed on the
 * article's current revision by the forms' own anchoring (`locateQuote`, then `createAnnotation`
 * describes the passage), so the annotation model writes it with the same permission rule,
 * tallies and page-cache triggers as a form's. Nothing here writes: the caller reserves the write
 * (write-limit.server.ts) and calls the model, as a form's action does.
 */
import { and, asc, eq } from "drizzle-orm";
import { codePointSlice, describePassage, locateQuote } from "#app/anchoring/selectors";
import type { PortableAnnotation, PortableTarget } from "#app/interop/portable.server";
import { parseLocalIri } from "#app/interop/vocabulary";
import { getVisibleAnnotation } from "#app/models/annotation.server";
import {
  type AnnotationEdit,
  type AnnotationInput,
  editSchema,
  type NewAnnotationInput,
  newAnnotationSchema,
  replySchema,
} from "#app/models/annotation-input.server";
import type { Viewer } from "#app/models/visibility.server";
import type { Db } from "#app/utils/db.server";
import type { FieldErrors } from "#app/utils/errors";
import { parseWith } from "#app/utils/forms.server";
import { block } from "#db/schema";

/** The article whose container is written to: its current revision is where new threads go. */
export type ProtocolArticle = { id: number; slug: string; revisionId: number };

/**
 * Why a well-formed W3C annotation cannot be written: it cannot be placed or checked as a form
 * would be (`unprocessable`), or a replacement changes what an annotation is about (`conflict`).
 */
export type ProtocolRefusal = { ok: false; reason: "unprocessable" | "conflict"; errors: string[] };

export type NewFromW3C =
  | { type: "root"; blockId: number; input: NewAnnotationInput }
  | { type: "reply"; parentId: number; input: AnnotationInput };

function unprocessable(...errors: string[]): ProtocolRefusal {
  return { ok: false, reason: "unprocessable", errors };
}

function conflict(...errors: string[]): ProtocolRefusal {
  return { ok: false, reason: "conflict", errors };
}

function messages(errors: FieldErrors): string[] {
  return Object.values(errors).filter((m): m is string => typeof m === "string");
}

/** The link fields of a form, from a source's link (none for the other kinds). */
function sourceFields(annotation: PortableAnnotation): Record<string, string> {
  if (annotation.kind !== "source" || !annotation.source) return {};
  return {
    sourceUrl: annotation.source.url,
    sourceTitle: annotation.source.title,
    sourceStance: annotation.source.stance,
  };
}

/** The article's reading page, as an absolute IRI. */
function articleAddress(origin: string, article: ProtocolArticle): string {
  return `${origin.replace(/\/+$/, "")}/articles/${encodeURIComponent(article.slug)}`;
}

/**
 * Whether `iri` names this article: its reading page or any of its revisions (a passage quoted
 * from an earlier revision is looked for in the current one, as a form's quote would be).
 */
function isThisArticle(origin: string, article: ProtocolArticle, iri: string): boolean {
  const local = parseLocalIri(origin, iri);
  if (local?.type === "revision") return local.slug === article.slug;
  try {
    const url = new URL(iri);
    const page = new URL(articleAddress(origin, article));
    return url.origin === page.origin && url.pathname === page.pathname && !url.search;
  } catch {
    return false;
  }
}

type Paragraph = { id: number; anchor: string; number: number | null; text: string };

function currentParagraphs(db: Db, article: ProtocolArticle): Paragraph[] {
  return db
    .select({ id: block.id, anchor: block.anchor, number: block.number, text: block.text })
    .from(block)
    .where(and(eq(block.revisionId, article.revisionId), eq(block.kind, "paragraph")))
    .orderBy(asc(block.position))
    .all();
}

/** Code points two strings share at their ends (`atEnd`) or starts: how well context agrees. */
function sharedLength(a: string[], b: string[], atEnd: boolean): number {
  let n = 0;
  while (n < a.length && n < b.length) {
    const x = atEnd ? a[a.length - 1 - n] : a[n];
    const y = atEnd ? b[b.length - 1 - n] : b[n];
    if (x !== y) break;
    n++;
  }
  return n;
}

type Placement = { blockId: number; quote: string | null; quoteStart: number | null };

/**
 * Where a target goes on the current revision: the paragraph it names (`p-3`), refined by its
 * quote or its code-point range; or, naming none, the paragraph where its quote occurs (the one
 * whose text around it best matches the quote's prefix and suffix, then the first). The quote
 * handed on is the paragraph's own words at the place found, with where they start, which is what
 * the form sends and `createAnnotation` anchors.
 */
function placeTarget(paragraphs: Paragraph[], target: PortableTarget): Placement | ProtocolRefusal {
  if (target.paragraph) {
    const paragraph = paragraphs.find((p) => p.anchor === target.paragraph);
    if (!paragraph) {
      return unprocessable(
        `The article's current text has no paragraph ${target.paragraph} (its FragmentSelector).`,
      );
    }
    if (target.quote) {
      const found = locateQuote(
        paragraph.text,
        target.quote,
        target.position ? { start: target.position.start } : undefined,
      );
      if (!found) {
        return unprocessable(
          `The quoted words do not occur in paragraph ${paragraph.number} (${paragraph.anchor}) of the article's current text.`,
        );
      }
      return {
        blockId: paragraph.id,
        quote: codePointSlice(paragraph.text, found.start, found.end),
        quoteStart: found.start,
      };
    }
    if (target.position) {
      const passage = describePassage(paragraph.text, target.position.start, target.position.end);
      if (!passage) {
        return unprocessable(
          `The TextPositionSelector's range lies outside paragraph ${paragraph.number} (${paragraph.anchor}) or holds only spaces.`,
        );
      }
      return {
        blockId: paragraph.id,
        quote: passage.quote.exact,
        quoteStart: passage.position.start,
      };
    }
    return { blockId: paragraph.id, quote: null, quoteStart: null };
  }
  const quote = target.quote;
  if (!quote) {
    return unprocessable(
      "Marginalia annotates paragraphs and passages: name a paragraph with a FragmentSelector (p-3), or quote the words with a TextQuoteSelector.",
    );
  }
  let best: (Placement & { score: number }) | null = null;
  const prefix = Array.from(quote.prefix);
  const suffix = Array.from(quote.suffix);
  for (const paragraph of paragraphs) {
    const found = locateQuote(paragraph.text, quote);
    if (!found) continue;
    const chars = Array.from(paragraph.text);
    const score =
      sharedLength(chars.slice(0, found.start), prefix, true) +
      sharedLength(chars.slice(found.end), suffix, false);
    if (!best || score > best.score) {
      best = {
        blockId: paragraph.id,
        quote: chars.slice(found.start, found.end).join(""),
        quoteStart: found.start,
        score,
      };
    }
  }
  if (!best) {
    return unprocessable("The quoted words do not occur in the article's current text.");
  }
  return { blockId: best.blockId, quote: best.quote, quoteStart: best.quoteStart };
}

/** `public`, `private` or `group-<id>`, as the form's visibility field says it. */
function visibilityField(
  origin: string,
  annotation: PortableAnnotation,
): { ok: true; value: string } | ProtocolRefusal {
  const visibility = annotation.visibility ?? "public";
  if (visibility !== "group") return { ok: true, value: visibility };
  const group = annotation.group ? parseLocalIri(origin, annotation.group.id) : null;
  if (group?.type !== "group") {
    return unprocessable(
      'A group annotation names its class or panel: "mrg:group": { "id": "<the group\'s address here>" }.',
    );
  }
  return { ok: true, value: `group-${group.id}` };
}

/**
 * A new annotation for `article`'s container, as the form would submit it: a thread on a paragraph
 * (or a passage of it) of the current revision, or a reply to an annotation in this article that
 * the author can see. A refusal names what to change.
 */
export function readNewAnnotation({
  db,
  author,
  article,
  origin,
  annotation,
}: {
  db: Db;
  author: NonNullable<Viewer>;
  article: ProtocolArticle;
  origin: string;
  annotation: PortableAnnotation;
}): { ok: true; value: NewFromW3C } | ProtocolRefusal {
  if (annotation.withheld) {
    return unprocessable("A placeholder (mrg:withheld) cannot be posted: it has no words.");
  }
  const content = { kind: annotation.kind, body: annotation.body, ...sourceFields(annotation) };
  if (annotation.parent) {
    const parent = parseLocalIri(origin, annotation.parent);
    if (parent?.type !== "annotation" || parent.slug !== article.slug) {
      return unprocessable(
        `A reply's target is an annotation in this article (${articleAddress(origin, article)}/annotations/<id>).`,
      );
    }
    try {
      // The thread it answers must be one the author can see, on this article; the model checks
      // again, under the write lock, whether it may still be answered.
      const found = getVisibleAnnotation(db, parent.id, author);
      if (found.articleId !== article.id) throw new Error("another article");
    } catch {
      return unprocessable("The annotation it replies to does not exist or is not visible to you.");
    }
    const parsed = parseWith(replySchema, content);
    if (!parsed.ok) return unprocessable(...messages(parsed.errors));
    return { ok: true, value: { type: "reply", parentId: parent.id, input: parsed.value } };
  }
  const target = annotation.target;
  if (!target || !isThisArticle(origin, article, target.source)) {
    return unprocessable(
      `Its target is not this article: name ${articleAddress(origin, article)} or one of its revisions as the target's source.`,
    );
  }
  const placed = placeTarget(currentParagraphs(db, article), target);
  if ("ok" in placed) return placed;
  const visibility = visibilityField(origin, annotation);
  if (!visibility.ok) return visibility;
  const parsed = parseWith(newAnnotationSchema, {
    ...content,
    ...(placed.quote === null
      ? {}
      : { quote: placed.quote, quoteStart: String(placed.quoteStart) }),
    visibility: visibility.value,
  });
  if (!parsed.ok) return unprocessable(...messages(parsed.errors));
  return {
    ok: true,
    value: { type: "root", blockId: placed.blockId, input: parsed.value },
  };
}

/**
 * A replacement (PUT) for an annotation, as its edit form would submit it. A replacement may
 * change the words (and a source's link), as an edit can; changing its id, kind, visibility,
 * target or the annotation it answers is a conflict: that is a different annotation.
 */
export function readReplacement({
  current,
  annotation,
}: {
  /** The annotation as its writer reads it now (`getPortableAnnotation`). */
  current: PortableAnnotation;
  annotation: PortableAnnotation;
}): { ok: true; value: AnnotationEdit } | ProtocolRefusal {
  if (annotation.id !== null && annotation.id !== current.id) {
    return conflict(`Its id is not this annotation's (${current.id}).`);
  }
  if (annotation.withheld) {
    return unprocessable("A placeholder (mrg:withheld) cannot replace an annotation.");
  }
  if (annotation.kind !== current.kind) {
    return conflict(
      `It is a ${annotation.kind}, and this annotation a ${current.kind}: the kind cannot change.`,
    );
  }
  if (annotation.visibility !== null && annotation.visibility !== current.visibility) {
    return conflict("Who can see an annotation cannot change.");
  }
  if (current.parent !== null || annotation.parent !== null) {
    if (annotation.parent !== current.parent) {
      return conflict("The annotation it replies to cannot change.");
    }
  } else if (!sameTarget(current.target, annotation.target)) {
    return conflict(
      "Its target cannot change: to annotate other words, create a new annotation and delete this one.",
    );
  }
  const parsed = parseWith(editSchema, { body: annotation.body, ...sourceFields(annotation) });
  if (!parsed.ok) return unprocessable(...messages(parsed.errors));
  if (current.kind === "source" && !parsed.value.source) {
    return unprocessable("A source links to something: keep its link as a body.");
  }
  return { ok: true, value: parsed.value };
}

/** The same paragraph and the same quoted words (the revision and offsets may be restated). */
function sameTarget(a: PortableTarget | null, b: PortableTarget | null): boolean {
  if (!a || !b) return a === b;
  return a.paragraph === b.paragraph && (a.quote?.exact ?? null) === (b.quote?.exact ?? null);
}

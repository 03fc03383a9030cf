/**
 * Importing annotations onto an article: a file's annotations (read and mapped by app/interop, see
 * annotation-import-input.server.ts) become threads on the article's current revision. Each
 * thread's root is anchored with the revisions' machinery (app/anchoring/import.ts): the exact
 * quote → anchored; an approximate match (MIN_SIMILARITY) → "changed", keeping the quote as written
 * the way a revision keeps it; nothing → orphaned, listed under "Orphaned comments". Replies find
 * their parents wherever they are in the file.
 *
 * `previewImport` says what would happen and writes nothing; `runImport` does it in one IMMEDIATE
 * transaction (any failure writes nothing), planning again inside the write lock so that a revision
 * made since the preview is taken into account. The importer writes every annotation (nobody writes
 * in another's name); who wrote it first, and when, is kept beside it (`imported_annotation`).
 */
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { anchorImported, type ImportOutcome } from "#app/anchoring/import";
import { CONTEXT_LENGTH, codePointSlice, describePassage } from "#app/anchoring/selectors";
import { renderMarkdown } from "#app/markdown.server";
import {
  type DbOrTx,
  getAnnotationFor,
  insertReply,
  insertRoot,
} from "#app/models/annotation.server";
import { type AnnotationInput, replySchema } from "#app/models/annotation-input.server";
import { findRole } from "#app/models/group.server";
import { reserveWrite } from "#app/models/write-limit.server";
import { canInGroup } from "#app/permissions";
import {
  type AnnotationKind,
  MAX_ANNOTATION_IMPORT_ITEMS,
  MAX_ANNOTATION_IMPORTS_PER_HOUR,
  MAX_IMPORT_DEPTH,
  MAX_QUOTE_LENGTH,
  MAX_SHARED_IMPORTED_PER_HOUR,
  type Stance,
} from "#app/rules";
import type { Db } from "#app/utils/db.server";
import { FieldValidationError, NotFoundError, RateLimitedError } from "#app/utils/errors";
import { stripControls } from "#app/utils/text";
import { IMMEDIATE } from "#db/client";
import {
  annotation,
  annotationImport,
  article,
  block,
  importedAnnotation,
  pendingImport,
} from "#db/schema";

const HOUR = 60 * 60 * 1000;

/** Which kind of file the annotations came from. */
export type ImportFormat = "w3c" | "hypothesis";

/**
 * One annotation of a file, as the mapping (app/interop) read it: the importer's input. Nothing in
 * it is trusted yet; `validateDrafts` checks it as the forms check what a person types.
 */
export type ImportDraft = {
  /** Its id in the file (an IRI, a Hypothesis id); replies name their parent by it. */
  ref: string | null;
  /**
   * For a reply: the annotations it answers, nearest first (its parent, then the parent's
   * ancestors, as Hypothesis's `references` give them). Empty for a thread's root.
   */
  replyTo: string[];
  kind: AnnotationKind;
  body: string;
  source: { url: string; title: string; stance: Stance } | null;
  /** Where a root belongs; ignored for a reply, which joins its parent's thread. */
  target: {
    /** The paragraph's fragment (`p-7`) when the file names one. */
    paragraph: string | null;
    quote: { exact: string; prefix: string; suffix: string } | null;
    /** Code points; within `paragraph` when it is named, else over the whole document. */
    position: { start: number; end: number } | null;
  };
  /** The original writer as the file names them: an id (`acct:…`, an IRI) and a name. */
  creator: { id: string | null; name: string | null } | null;
  /** When it was first written (ISO 8601), as the file says. */
  created: string | null;
  /**
   * A placeholder for a deleted (or hidden) annotation that holds its replies together: imported
   * as one ("[deleted]") when it has replies in the file, left out otherwise.
   */
  withheld: boolean;
  /**
   * What a revision had done to it where it came from (Marginalia's own export): a thread once on
   * changed words stays marked, with `originalQuote` (the words as first written).
   */
  anchorStatus: "anchored" | "changed" | "orphaned";
  originalQuote: string | null;
  /** When the thread was resolved, if it was. */
  resolved: string | null;
};

/** An item of the file that will not be imported, and why. */
export type Refusal = { item: string; message: string };

/** What the mapping made of a file: its format, the drafts, and the items it refused. */
export type ImportDocument = { format: ImportFormat; drafts: ImportDraft[]; refused: Refusal[] };

/** Who will see the imported annotations: the importer chooses; replies take their thread's. */
export type ImportVisibility =
  | { visibility: "private" | "public"; groupId?: null }
  | { visibility: "group"; groupId: number };

/** One draft that passed the forms' checks. */
type ValidDraft = {
  index: number;
  ref: string | null;
  replyTo: string[];
  input: AnnotationInput;
  target: ImportDraft["target"];
  creator: { id: string | null; name: string | null };
  created: Date | null;
  withheld: boolean;
  changed: boolean;
  originalQuote: string | null;
  resolved: Date | null;
  label: string;
};

/** What an import does (or would do) with each item. */
export type ImportCounts = {
  /** Threads whose quote (or paragraph) was found as it is. */
  anchored: number;
  /** Threads whose quote was found only approximately: "text changed since". */
  approximate: number;
  /** Threads whose words are not in the article. */
  orphaned: number;
  replies: number;
  /** Threads that have at least one reply. */
  threadsWithReplies: number;
  refused: number;
};

/** One item as the preview and the report list it. */
export type PlannedItem = {
  label: string;
  kind: AnnotationKind;
  /** The start of its text, for recognising it. */
  excerpt: string;
  status: "anchored" | "changed" | "orphaned" | "reply";
  /** The paragraph it lands on (its number), for a root that is not orphaned. */
  paragraph: number | null;
  quote: string | null;
  /** Who first wrote it, as the file names them. */
  creator: string | null;
};

export type ImportPreview = {
  format: ImportFormat;
  counts: ImportCounts;
  /** The first few items in file order. */
  items: PlannedItem[];
  refused: Refusal[];
};

/** What an import did: the preview's counts as written, and its id for the report page. */
export type ImportReport = ImportPreview & { importId: number };

/** How many items the preview and the stored report list. */
const LISTED = 10;
const REFUSALS_KEPT = 50;
const MAX_CREATOR_LENGTH = 200;

function itemLabel(index: number, ref: string | null): string {
  const shown = ref ? stripControls(ref).slice(0, 120) : "";
  return shown ? `Item ${index + 1} (${shown})` : `Item ${index + 1}`;
}

function cleanQuote(quote: ImportDraft["target"]["quote"]) {
  if (!quote) return { ok: true as const, quote: null };
  const exact = stripControls(quote.exact);
  if (exact.trim() === "") return { ok: true as const, quote: null };
  if (exact.length > MAX_QUOTE_LENGTH) {
    return { ok: false as const, message: "Its quote is too long to anchor." };
  }
  // Only the context next to the quote counts (CONTEXT_LENGTH, as a selection stores it): a file's
  // megabyte of "prefix" is cut here rather than searched.
  const prefix = stripControls(quote.prefix ?? "");
  const suffix = stripControls(quote.suffix ?? "");
  return {
    ok: true as const,
    quote: {
      exact,
      prefix: codePointSlice(prefix.slice(-4 * CONTEXT_LENGTH), -CONTEXT_LENGTH),
      suffix: codePointSlice(suffix.slice(0, 4 * CONTEXT_LENGTH), 0, CONTEXT_LENGTH),
    },
  };
}

function cleanCreator(value: string | null | undefined): string | null {
  const cleaned = value ? stripControls(value).replace(/\s+/g, " ").trim() : "";
  return cleaned ? cleaned.slice(0, MAX_CREATOR_LENGTH) : null;
}

function readDate(value: string | null): Date | null {
  const date = value ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** "Alice (acct:alice@hypothes.is)", "acct:alice@hypothes.is", "Alice", or null. */
export function describeCreator(creator: { id: string | null; name: string | null }) {
  if (creator.name && creator.id) return `${creator.name} (${creator.id})`;
  return creator.name ?? creator.id;
}

function validPosition(position: ImportDraft["target"]["position"]) {
  if (!position) return null;
  const { start, end } = position;
  return Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start
    ? { start, end }
    : null;
}

/**
 * Checks every draft as the forms check what a person types (annotation-input.server.ts: control
 * characters stripped, lengths, a source's http(s) link and stance; Markdown is sanitised when it is
 * rendered), and refuses those that fail, each with the form's message.
 */
export function validateDrafts(drafts: readonly ImportDraft[]): {
  valid: ValidDraft[];
  refused: Refusal[];
} {
  const valid: ValidDraft[] = [];
  const refused: Refusal[] = [];
  drafts.forEach((draft, index) => {
    const label = itemLabel(index, draft.ref);
    const quote = cleanQuote(draft.target.quote);
    if (!quote.ok) {
      refused.push({ item: label, message: quote.message });
      return;
    }
    let input: AnnotationInput;
    if (draft.withheld) {
      // No words, no link: what deleting leaves behind.
      input = { kind: draft.kind, body: "", source: null };
    } else {
      const parsed = replySchema.safeParse({
        kind: draft.kind,
        body: draft.body,
        sourceUrl: draft.source?.url,
        sourceTitle: draft.source?.title,
        sourceStance: draft.source?.stance,
      });
      if (!parsed.success) {
        refused.push({
          item: label,
          message: parsed.error.issues[0]?.message ?? "It is not an annotation we can import.",
        });
        return;
      }
      input = parsed.data;
    }
    const originalQuote = draft.originalQuote ? stripControls(draft.originalQuote) : null;
    valid.push({
      index,
      ref: draft.ref,
      replyTo: draft.replyTo,
      input,
      target: {
        paragraph: draft.target.paragraph,
        quote: quote.quote,
        position: validPosition(draft.target.position),
      },
      creator: {
        id: cleanCreator(draft.creator?.id),
        name: cleanCreator(draft.creator?.name),
      },
      created: readDate(draft.created),
      withheld: draft.withheld,
      changed: draft.anchorStatus === "changed",
      originalQuote:
        originalQuote && originalQuote.length <= MAX_QUOTE_LENGTH && originalQuote.trim() !== ""
          ? originalQuote
          : null,
      resolved: readDate(draft.resolved),
      label,
    });
  });
  return { valid, refused };
}

/** One root of the plan, with where it lands. */
type PlannedRoot = {
  draft: ValidDraft;
  outcome: ImportOutcome;
  blockId: number;
  paragraphNumber: number | null;
  passage: ReturnType<typeof describePassage>;
};

type Plan = {
  roots: PlannedRoot[];
  /** Replies in an order where every parent comes first, each with its parent's draft index. */
  replies: { draft: ValidDraft; parent: number }[];
  refused: Refusal[];
  counts: ImportCounts;
  items: PlannedItem[];
};

/**
 * Rebuilds the threads: a reply attaches to its parent wherever the parent is in the file; when
 * the parent is not there (or was refused), to the nearest ancestor the file has (Hypothesis lists
 * them all); with none, it is refused with a message. Replies in a cycle are refused, and so are
 * those nested deeper than MAX_IMPORT_DEPTH.
 */
function rebuildThreads(valid: ValidDraft[]) {
  const byRef = new Map<string, ValidDraft>();
  for (const draft of valid) {
    // The first of two items with one id wins: a later one cannot take over its replies.
    if (draft.ref && !byRef.has(draft.ref)) byRef.set(draft.ref, draft);
  }
  const parentOf = new Map<number, number>();
  const refused: Refusal[] = [];
  const roots: ValidDraft[] = [];
  const candidates: ValidDraft[] = [];
  for (const draft of valid) {
    if (draft.replyTo.length === 0) {
      roots.push(draft);
      continue;
    }
    const parent = draft.replyTo
      .map((ref) => byRef.get(ref))
      .find((found) => found !== undefined && found !== draft);
    if (!parent) {
      refused.push({
        item: draft.label,
        message: "It replies to an annotation that is not in this file (or was refused).",
      });
      continue;
    }
    parentOf.set(draft.index, parent.index);
    candidates.push(draft);
  }
  // Depth by walking up; a walk that meets itself is a cycle, one that reaches a refused or missing
  // draft is an orphaned branch.
  const rootIndexes = new Set(roots.map((r) => r.index));
  const depth = new Map<number, number | null>();
  for (const r of roots) depth.set(r.index, 0);
  const depthOf = (start: number): number | null => {
    const path: number[] = [];
    const seen = new Set<number>();
    let at: number | undefined = start;
    let base: number | null = null;
    while (at !== undefined) {
      const known = depth.get(at);
      if (known !== undefined) {
        base = known;
        break;
      }
      if (seen.has(at)) break;
      seen.add(at);
      path.push(at);
      at = parentOf.get(at);
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const index = path[i] as number;
      base = base === null ? null : base + 1;
      depth.set(index, base);
    }
    return depth.get(start) ?? null;
  };
  const nested: { draft: ValidDraft; parent: number; depth: number }[] = [];
  for (const draft of candidates) {
    const d = depthOf(draft.index);
    if (d === null) {
      refused.push({ item: draft.label, message: "Its replies form a loop: none can come first." });
      continue;
    }
    if (d > MAX_IMPORT_DEPTH) {
      refused.push({
        item: draft.label,
        message: `It is nested more than ${MAX_IMPORT_DEPTH} replies deep.`,
      });
      continue;
    }
    nested.push({ draft, parent: parentOf.get(draft.index) as number, depth: d });
  }
  // A reply under a refused one goes too: its thread would be missing a link.
  const kept = new Set([...rootIndexes, ...nested.map((r) => r.draft.index)]);
  const ordered: typeof nested = [];
  for (const reply of nested.sort((a, b) => a.depth - b.depth || a.draft.index - b.draft.index)) {
    if (kept.has(reply.parent)) ordered.push(reply);
    else {
      kept.delete(reply.draft.index);
      refused.push({ item: reply.draft.label, message: "It replies to an item that was refused." });
    }
  }
  // A placeholder holds replies together: one left with none is nothing to import. Deepest first,
  // so a chain of placeholders goes as a whole.
  const children = new Map<number, number>();
  for (const reply of ordered) children.set(reply.parent, (children.get(reply.parent) ?? 0) + 1);
  const empty = (draft: ValidDraft) => draft.withheld && !children.get(draft.index);
  const leftOut = (draft: ValidDraft) =>
    refused.push({
      item: draft.label,
      message: "It was deleted or hidden where it came from, and nothing answers it here.",
    });
  const replies = ordered.reverse().filter((reply) => {
    if (!empty(reply.draft)) return true;
    children.set(reply.parent, (children.get(reply.parent) ?? 0) - 1);
    leftOut(reply.draft);
    return false;
  });
  return {
    roots: roots.filter((root) => {
      if (!empty(root)) return true;
      leftOut(root);
      return false;
    }),
    replies: replies.reverse(),
    refused,
  };
}

function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}

/** The article's current paragraphs, in reading order. */
function currentParagraphs(db: DbOrTx, articleId: number) {
  return db
    .select({ id: block.id, anchor: block.anchor, number: block.number, text: block.text })
    .from(block)
    .innerJoin(
      article,
      and(eq(article.id, block.articleId), eq(article.currentRevisionId, block.revisionId)),
    )
    .where(and(eq(block.articleId, articleId), eq(block.kind, "paragraph")))
    .orderBy(asc(block.position))
    .all();
}

/** Anchors, threads and counts: everything but the writing, for the preview and the import alike. */
function plan(db: DbOrTx, articleId: number, document: ImportDocument): Plan {
  const checked = validateDrafts(document.drafts);
  const threads = rebuildThreads(checked.valid);
  const paragraphs = currentParagraphs(db, articleId);
  if (paragraphs.length === 0)
    throw new FieldValidationError({ form: "This article has no text." });
  const indexOfAnchor = new Map(paragraphs.map((p, i) => [p.anchor, i]));
  const outcomes = anchorImported(
    paragraphs.map((p) => p.text),
    threads.roots.map(({ target }) => {
      const paragraph = target.paragraph ? (indexOfAnchor.get(target.paragraph) ?? null) : null;
      return {
        paragraph,
        quote: target.quote,
        // A position within a paragraph the article does not have tells nothing.
        position: target.paragraph && paragraph === null ? null : target.position,
      };
    }),
  );
  const roots: PlannedRoot[] = threads.roots.map((draft, i) => {
    const outcome = outcomes[i] as ImportOutcome;
    // An orphan keeps the paragraph it named; one that named none (a web page's annotation) is
    // kept on the first, and listed with the other orphans.
    const at = outcome.paragraph ?? 0;
    const paragraph = paragraphs[at] ?? (paragraphs[0] as (typeof paragraphs)[number]);
    const passage =
      outcome.status !== "orphaned" && outcome.position
        ? describePassage(paragraph.text, outcome.position.start, outcome.position.end)
        : null;
    return {
      draft,
      outcome,
      blockId: paragraph.id,
      paragraphNumber: outcome.status === "orphaned" ? null : paragraph.number,
      passage,
    };
  });

  const refused = [...document.refused, ...checked.refused, ...threads.refused];
  const rootOf = new Map<number, number>(roots.map((r) => [r.draft.index, r.draft.index]));
  for (const reply of threads.replies) {
    rootOf.set(reply.draft.index, rootOf.get(reply.parent) ?? reply.parent);
  }
  const counts: ImportCounts = {
    anchored: roots.filter((r) => r.outcome.status === "anchored").length,
    approximate: roots.filter((r) => r.outcome.status === "changed").length,
    orphaned: roots.filter((r) => r.outcome.status === "orphaned").length,
    replies: threads.replies.length,
    threadsWithReplies: new Set(threads.replies.map((r) => rootOf.get(r.draft.index))).size,
    refused: refused.length,
  };
  const byIndex = new Map<number, PlannedItem>();
  for (const r of roots) {
    byIndex.set(r.draft.index, {
      label: r.draft.label,
      kind: r.draft.input.kind,
      excerpt: excerpt(r.draft.input.body),
      status: r.outcome.status,
      paragraph: r.paragraphNumber,
      quote: r.draft.target.quote?.exact ?? null,
      creator: describeCreator(r.draft.creator),
    });
  }
  for (const { draft } of threads.replies) {
    byIndex.set(draft.index, {
      label: draft.label,
      kind: draft.input.kind,
      excerpt: excerpt(draft.input.body),
      status: "reply",
      paragraph: null,
      quote: null,
      creator: describeCreator(draft.creator),
    });
  }
  const items = [...byIndex.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, LISTED)
    .map(([, item]) => item);
  return { roots, replies: threads.replies, refused, counts, items };
}

function written(p: Plan): number {
  return p.roots.length + p.replies.length;
}

/**
 * Whether `importer` may import with this visibility: anyone signed in may import privately or
 * publicly, as they may post; into a group only with the group's "post" right (permissions.ts), the
 * rule the paragraph form applies.
 */
function authorize(db: DbOrTx, importer: { id: string }, chosen: ImportVisibility): void {
  if (chosen.visibility !== "group") return;
  if (!canInGroup(findRole(db, chosen.groupId, importer.id), "post")) {
    throw new FieldValidationError({ visibility: "You can only import into a group you are in." });
  }
}

/** A file with more annotations than one import takes is refused whole. */
function checkSize(count: number): void {
  if (count > MAX_ANNOTATION_IMPORT_ITEMS) {
    throw new FieldValidationError({
      file: `That file has ${count.toLocaleString("en")} annotations; one import takes at most ${MAX_ANNOTATION_IMPORT_ITEMS.toLocaleString("en")}. Split it, or export one article's annotations.`,
    });
  }
}

/**
 * The per-user limits on imports, checked at preview and again inside the import's transaction:
 * imports an hour, and public or group annotations imported an hour (`count` of them now).
 */
function checkLimits(
  db: DbOrTx,
  importer: { id: string },
  chosen: ImportVisibility,
  count: number,
  now: Date,
): void {
  const since = new Date(now.getTime() - HOUR);
  const recent = db
    .select({ createdAt: annotationImport.createdAt })
    .from(annotationImport)
    .where(and(eq(annotationImport.userId, importer.id), gt(annotationImport.createdAt, since)))
    .orderBy(asc(annotationImport.createdAt))
    .all();
  if (recent.length >= MAX_ANNOTATION_IMPORTS_PER_HOUR) {
    const oldest = recent[recent.length - MAX_ANNOTATION_IMPORTS_PER_HOUR]?.createdAt ?? now;
    throw new RateLimitedError(
      `You have imported ${MAX_ANNOTATION_IMPORTS_PER_HOUR} files in the last hour. Please try again`,
      new Date(oldest.getTime() + HOUR),
      now,
    );
  }
  if (chosen.visibility === "private") return;
  const shared =
    db
      .select({ n: sql<number>`coalesce(sum(${annotationImport.written}), 0)` })
      .from(annotationImport)
      .where(
        and(
          eq(annotationImport.userId, importer.id),
          gt(annotationImport.createdAt, since),
          ne(annotationImport.visibility, "private"),
        ),
      )
      .get()?.n ?? 0;
  if (shared + count > MAX_SHARED_IMPORTED_PER_HOUR) {
    const left = Math.max(0, MAX_SHARED_IMPORTED_PER_HOUR - shared);
    throw new FieldValidationError({
      visibility: `Public and group imports add at most ${MAX_SHARED_IMPORTED_PER_HOUR} annotations an hour, so that one account cannot flood a page others read. This file would add ${count}${left < MAX_SHARED_IMPORTED_PER_HOUR ? `, and ${left} are left this hour` : ""}: import it as private (only you), or import fewer.`,
    });
  }
}

function previewOf(format: ImportFormat, p: Plan): ImportPreview {
  return { format, counts: p.counts, items: p.items, refused: p.refused.slice(0, REFUSALS_KEPT) };
}

function nothingToImport(p: Plan): FieldValidationError {
  const first = p.refused[0];
  return new FieldValidationError({
    file: first
      ? `Nothing in that file can be imported: ${p.refused.length === 1 ? "its one item was" : `all ${p.refused.length} items were`} refused. ${first.item}: ${first.message}`
      : "That file holds no annotations.",
  });
}

/**
 * What importing `document` onto `article` would do, for the importer to confirm: counts, the first
 * items, and what is refused. Writes nothing. Throws FieldValidationError (by field: `file`,
 * `visibility`) or RateLimitedError when the import would be refused.
 */
export function previewImport(
  db: Db,
  {
    article: target,
    document,
    importer,
    visibility,
    now = new Date(),
  }: {
    article: { id: number };
    document: ImportDocument;
    importer: { id: string };
    visibility: ImportVisibility;
    now?: Date;
  },
): ImportPreview {
  authorize(db, importer, visibility);
  checkSize(document.drafts.length);
  const p = plan(db, target.id, document);
  if (written(p) === 0) throw nothingToImport(p);
  checkLimits(db, importer, visibility, written(p), now);
  return previewOf(document.format, p);
}

/**
 * Imports `document` onto `article` in one transaction: the same plan as the preview, made again
 * inside the write lock, then every root and reply written through the annotation model's own
 * inserts (so tallies, search, the page cache and group numbering follow as for a typed one), with
 * where each came from. One import is one write against the per-user write limit.
 */
export function runImport(
  db: Db,
  {
    article: target,
    document,
    importer,
    visibility,
    pendingToken,
    now = new Date(),
  }: {
    article: { id: number };
    document: ImportDocument;
    importer: { id: string };
    visibility: ImportVisibility;
    /** The confirmed preview's token: removed in the same transaction, so it imports once. */
    pendingToken?: string;
    now?: Date;
  },
): ImportReport {
  // Markdown is rendered before the write lock is taken, once per distinct body.
  const rendered = new Map<string, string>();
  const htmlOf = (body: string) => {
    let html = rendered.get(body);
    if (html === undefined) {
      html = renderMarkdown(body);
      rendered.set(body, html);
    }
    return html;
  };
  for (const draft of validateDrafts(document.drafts).valid) {
    if (!draft.withheld) htmlOf(draft.input.body);
  }

  return db.transaction((tx) => {
    if (pendingToken !== undefined) {
      // Used once: a second "Import these" (a double click, the back button) finds nothing.
      const taken = tx
        .delete(pendingImport)
        .where(
          and(
            eq(pendingImport.tokenHash, hashToken(pendingToken)),
            eq(pendingImport.userId, importer.id),
          ),
        )
        .run();
      if (taken.changes !== 1) throw new NotFoundError(PENDING_GONE);
    }
    authorize(tx, importer, visibility);
    checkSize(document.drafts.length);
    const p = plan(tx, target.id, document);
    if (written(p) === 0) throw nothingToImport(p);
    checkLimits(tx, importer, visibility, written(p), now);
    // One import is one write in the budget a person typing spends: an account that has just
    // posted its fill cannot import either.
    reserveWrite({ db: tx as unknown as Db, userId: importer.id, kind: "annotation", now });

    const preview = previewOf(document.format, p);
    const record = tx
      .insert(annotationImport)
      .values({
        userId: importer.id,
        articleId: target.id,
        format: document.format,
        visibility: visibility.visibility,
        written: written(p),
        report: "{}",
        createdAt: now,
      })
      .returning({ id: annotationImport.id })
      .get();
    const provenance = (id: number, draft: ValidDraft) =>
      tx
        .insert(importedAnnotation)
        .values({
          annotationId: id,
          importId: record.id,
          originalId: draft.ref ? stripControls(draft.ref).slice(0, 2000) : null,
          originalCreator: draft.creator.id,
          originalCreatorName: draft.creator.name,
          originalCreatedAt: draft.created,
        })
        .run();

    const idOf = new Map<number, number>();
    const placeholders: number[] = [];
    for (const root of p.roots) {
      const { draft, outcome } = root;
      // A thread that was on changed words where it came from stays marked, with the words as
      // first written; one found here only approximately keeps the file's quote as those words.
      const changed =
        outcome.status === "changed" || (outcome.status === "anchored" && draft.changed);
      const id = insertRoot(tx, {
        author: importer,
        articleId: target.id,
        blockId: root.blockId,
        input: draft.input,
        bodyHtml: draft.withheld ? "" : htmlOf(draft.input.body),
        visibility: visibility.visibility,
        groupId: visibility.visibility === "group" ? visibility.groupId : null,
        // An orphan keeps the words it quoted, to be listed with them, but no position: the
        // paragraph it is kept on does not hold them.
        passage:
          root.passage ??
          (outcome.status === "orphaned" && draft.target.quote
            ? { quote: draft.target.quote, position: null }
            : null),
        anchorStatus: changed ? "changed" : outcome.status,
        originQuote: changed
          ? (draft.originalQuote ??
            (outcome.status === "changed" ? (draft.target.quote?.exact ?? null) : null))
          : null,
      });
      if (draft.resolved) {
        // The importer writes the thread, and a thread's writer may resolve it.
        tx.update(annotation)
          .set({ resolvedAt: draft.resolved, resolvedBy: importer.id })
          .where(eq(annotation.id, id))
          .run();
      }
      if (draft.withheld) placeholders.push(id);
      idOf.set(draft.index, id);
      provenance(id, draft);
    }
    for (const reply of p.replies) {
      const parentId = idOf.get(reply.parent);
      if (parentId === undefined) throw new Error("a reply was planned before its parent");
      const parent = getAnnotationFor(tx, importer, "reply", parentId);
      const id = insertReply(tx, {
        author: importer,
        parent,
        input: reply.draft.input,
        bodyHtml: reply.draft.withheld ? "" : htmlOf(reply.draft.input.body),
      });
      if (reply.draft.withheld) placeholders.push(id);
      idOf.set(reply.draft.index, id);
      provenance(id, reply.draft);
    }
    // Last, as deleting does it (its triggers keep the counts): a deleted annotation takes no replies.
    for (const id of placeholders) {
      tx.update(annotation)
        .set({ body: "", bodyHtml: "", deletedAt: now })
        .where(eq(annotation.id, id))
        .run();
    }
    tx.update(annotationImport)
      .set({ report: JSON.stringify(preview) })
      .where(eq(annotationImport.id, record.id))
      .run();
    return { ...preview, importId: record.id };
  }, IMMEDIATE);
}

/** An import's report as stored, with its threads, for the importer only; null for anyone else's. */
export function findImportReport(
  db: Db,
  { importId, viewer, articleId }: { importId: number; viewer: { id: string }; articleId: number },
) {
  const found = db
    .select()
    .from(annotationImport)
    .where(
      and(
        eq(annotationImport.id, importId),
        eq(annotationImport.userId, viewer.id),
        eq(annotationImport.articleId, articleId),
      ),
    )
    .get();
  if (!found) return null;
  const threads = db
    .select({
      id: annotation.id,
      kind: annotation.kind,
      anchorStatus: annotation.anchorStatus,
      quote: annotation.quoteExact,
      paragraph: block.number,
      anchor: block.anchor,
      replies: annotation.replyCount,
    })
    .from(importedAnnotation)
    .innerJoin(annotation, eq(annotation.id, importedAnnotation.annotationId))
    .innerJoin(block, eq(block.id, annotation.blockId))
    .where(
      and(
        eq(importedAnnotation.importId, found.id),
        isNull(annotation.parentId),
        isNull(annotation.deletedAt),
      ),
    )
    .orderBy(asc(annotation.id))
    .all();
  return {
    id: found.id,
    createdAt: found.createdAt,
    visibility: found.visibility,
    report: JSON.parse(found.report) as ImportPreview,
    threads,
  };
}

const PENDING_MS = 15 * 60 * 1000;
/** Uploads a person may have waiting at once: a new one pushes out the oldest. */
const PENDING_PER_USER = 3;

type PendingPayload = { document: ImportDocument; visibility: ImportVisibility };

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Keeps a previewed upload for its writer's confirmation, for 15 minutes, and returns the token
 * that finds it (a hidden field of the confirmation form). Only the token's hash is stored.
 */
export function keepPendingImport(
  db: Db,
  {
    userId,
    articleId,
    document,
    visibility,
    now = new Date(),
  }: PendingPayload & { userId: string; articleId: number; now?: Date },
): string {
  const token = randomBytes(24).toString("base64url");
  db.transaction((tx) => {
    tx.delete(pendingImport).where(lt(pendingImport.expiresAt, now)).run();
    const older = tx
      .select({ tokenHash: pendingImport.tokenHash })
      .from(pendingImport)
      .where(eq(pendingImport.userId, userId))
      .orderBy(asc(pendingImport.expiresAt))
      .all();
    const excess = older.length - (PENDING_PER_USER - 1);
    if (excess > 0) {
      tx.delete(pendingImport)
        .where(
          inArray(
            pendingImport.tokenHash,
            older.slice(0, excess).map((o) => o.tokenHash),
          ),
        )
        .run();
    }
    tx.insert(pendingImport)
      .values({
        tokenHash: hashToken(token),
        userId,
        articleId,
        payload: JSON.stringify({ document, visibility } satisfies PendingPayload),
        expiresAt: new Date(now.getTime() + PENDING_MS),
      })
      .run();
  }, IMMEDIATE);
  return token;
}

const PENDING_GONE =
  "That preview has expired or was already imported. Upload the file again to see a new preview.";

/**
 * The upload a token names, if it is this user's, for this article, and not expired; null otherwise.
 * `runImport` removes it (pass the token as `pendingToken`).
 */
export function findPendingImport(
  db: Db,
  {
    token,
    userId,
    articleId,
    now = new Date(),
  }: { token: string; userId: string; articleId: number; now?: Date },
): PendingPayload | null {
  const found = db
    .select({ payload: pendingImport.payload })
    .from(pendingImport)
    .where(
      and(
        eq(pendingImport.tokenHash, hashToken(token)),
        eq(pendingImport.userId, userId),
        eq(pendingImport.articleId, articleId),
        gt(pendingImport.expiresAt, now),
      ),
    )
    .get();
  return found ? (JSON.parse(found.payload) as PendingPayload) : null;
}

export { PENDING_GONE };

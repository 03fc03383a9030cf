/**
 * Importing annotations onto an article: a file's annotations (read and mapped by app/interop, see
 * annotation-import-input.server.ts) become threads on the article's current revision. Each
 * thread's root is anchored with the revisions' machinery (app/anchoring/import.ts): the exact
 * quote → anchored; an approximate match (MIN_SIMILARITY) → "changed", keeping the quote as written
 * the way a revision keeps it; nothing → orphaned, listed under "Orphaned comments". Replies find
 * their parents wherever they are in the file.
 *
 * `previewImport` says what would happen and writes nothing (previews are counted: each may cost
 * a second of anchoring, APPROXIMATE_BUDGET). `runImport` plans again outside the write lock, then
 * writes in one IMMEDIATE transaction (any failure writes nothing) that only checks the article's
 * revision is still the planned one, planning again when a revision came in between. The importer
 * writes every annotation (nobody writes in another's name); who wrote it first, and when, is kept
 * beside it (`imported_annotation`).
 */
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { anchorImported, type ImportOutcome } from "#app/anchoring/import";
import type { WorkMeter } from "#app/anchoring/selectors";
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
  MAX_IMPORT_BODY_CHARS,
  MAX_IMPORT_DEPTH,
  MAX_IMPORTED_PER_HOUR,
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
  /** An orphan whose approximate search was not made (the file's budget was spent). */
  unsearched?: true;
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
  /**
   * Orphans (among `counts.orphaned`) that were not searched for approximately because the file
   * asked for more approximate matching than one import does (APPROXIMATE_BUDGET): how many, and
   * the first few with why. Absent when there are none (and in reports stored before it existed).
   */
  unsearched?: { count: number; items: Refusal[] };
};

/** Why an orphan was not searched for approximately, as the preview and the report list it. */
export const NOT_SEARCHED =
  "not searched: the file asked for too much approximate matching. Its exact words are not in the article; it will be kept as an orphan.";

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
  /** The article's revision the roots were anchored on. */
  revisionId: number;
  roots: PlannedRoot[];
  /** Replies in an order where every parent comes first, each with its parent's draft index. */
  replies: { draft: ValidDraft; parent: number }[];
  refused: Refusal[];
  counts: ImportCounts;
  items: PlannedItem[];
  /** Roots orphaned without their approximate search (see ImportPreview.unsearched). */
  unsearched: Refusal[];
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

function currentRevisionOf(db: DbOrTx, articleId: number): number | null {
  return (
    db
      .select({ revisionId: article.currentRevisionId })
      .from(article)
      .where(eq(article.id, articleId))
      .get()?.revisionId ?? null
  );
}

/**
 * The article's current revision and its paragraphs, in reading order. A revision's blocks never
 * change once written, so reading them by its id is consistent without a transaction.
 */
function currentParagraphs(db: DbOrTx, articleId: number) {
  const revisionId = currentRevisionOf(db, articleId);
  const paragraphs =
    revisionId === null
      ? []
      : db
          .select({ id: block.id, anchor: block.anchor, number: block.number, text: block.text })
          .from(block)
          .where(and(eq(block.revisionId, revisionId), eq(block.kind, "paragraph")))
          .orderBy(asc(block.position))
          .all();
  if (revisionId === null || paragraphs.length === 0) {
    throw new FieldValidationError({ form: "This article has no text." });
  }
  return { revisionId, paragraphs };
}

/** The file's drafts checked and its threads rebuilt: what would be written, before anchoring. */
function prepare(document: ImportDocument) {
  const checked = validateDrafts(document.drafts);
  const threads = rebuildThreads(checked.valid);
  return {
    checked,
    threads,
    refused: [...document.refused, ...checked.refused, ...threads.refused],
    /** How many annotations it would write; anchoring decides only where. */
    written: threads.roots.length + threads.replies.length,
  };
}

type Prepared = ReturnType<typeof prepare>;

/**
 * Anchors the roots on the current revision, and counts: everything but the writing, for the
 * preview and the import alike. The costly step (the approximate matching has a budget); it reads
 * and never writes, so it runs outside any write lock.
 */
function plan(
  current: ReturnType<typeof currentParagraphs>,
  prepared: Prepared,
  meter?: WorkMeter,
): Plan {
  const { threads, refused } = prepared;
  const { revisionId, paragraphs } = current;
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
    { meter },
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
      ...(r.outcome.status === "orphaned" && r.outcome.unsearched
        ? { unsearched: true as const }
        : {}),
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
  const unsearched = roots.flatMap((r) =>
    r.outcome.status === "orphaned" && r.outcome.unsearched
      ? [{ item: r.draft.label, message: NOT_SEARCHED }]
      : [],
  );
  return { revisionId, roots, replies: threads.replies, refused, counts, items, unsearched };
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
 * A file whose bodies hold more Markdown than one import renders is refused whole (withheld items
 * carry none). Counted in UTF-16 units, as the per-body limit is.
 */
function checkBodies(drafts: readonly ImportDraft[]): void {
  let chars = 0;
  for (const draft of drafts) if (!draft.withheld) chars += draft.body.length;
  if (chars > MAX_IMPORT_BODY_CHARS) {
    throw new FieldValidationError({
      file: `That file's annotations hold ${chars.toLocaleString("en")} characters of text; one import takes at most ${MAX_IMPORT_BODY_CHARS.toLocaleString("en")}. Split it into smaller files.`,
    });
  }
}

/**
 * The per-user limits on imports, checked at preview and again inside the import's transaction:
 * imports an hour, annotations of any visibility imported an hour, and public or group annotations
 * imported an hour (`count` of them now).
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
  const imported =
    db
      .select({ n: sql<number>`coalesce(sum(${annotationImport.written}), 0)` })
      .from(annotationImport)
      .where(and(eq(annotationImport.userId, importer.id), gt(annotationImport.createdAt, since)))
      .get()?.n ?? 0;
  if (imported + count > MAX_IMPORTED_PER_HOUR) {
    const left = Math.max(0, MAX_IMPORTED_PER_HOUR - imported);
    throw new FieldValidationError({
      file: `Imports add at most ${MAX_IMPORTED_PER_HOUR.toLocaleString("en")} annotations an hour, so that one account's imports cannot hold up the site. This file would add ${count.toLocaleString("en")}, and ${left.toLocaleString("en")} are left this hour: import fewer, or try again later.`,
    });
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
  return {
    format,
    counts: p.counts,
    items: p.items,
    refused: p.refused.slice(0, REFUSALS_KEPT),
    ...(p.unsearched.length > 0
      ? {
          unsearched: {
            count: p.unsearched.length,
            items: p.unsearched.slice(0, REFUSALS_KEPT),
          },
        }
      : {}),
  };
}

function nothingToImport(refused: Refusal[]): FieldValidationError {
  const first = refused[0];
  return new FieldValidationError({
    file: first
      ? `Nothing in that file can be imported: ${refused.length === 1 ? "its one item was" : `all ${refused.length} items were`} refused. ${first.item}: ${first.message}`
      : "That file holds no annotations.",
  });
}

/**
 * Everything that refuses a file before it is anchored, cheapest first: the group rule, its size,
 * a file with nothing to import, and the hourly import limits. Anchoring is the costly part, so
 * nobody past a limit gets any of it.
 */
function checkBeforeAnchoring(
  db: DbOrTx,
  {
    document,
    importer,
    visibility,
    now,
  }: {
    document: ImportDocument;
    importer: { id: string };
    visibility: ImportVisibility;
    now: Date;
  },
): Prepared {
  authorize(db, importer, visibility);
  checkSize(document.drafts.length);
  checkBodies(document.drafts);
  const prepared = prepare(document);
  if (prepared.written === 0) throw nothingToImport(prepared.refused);
  checkLimits(db, importer, visibility, prepared.written, now);
  return prepared;
}

/** What a preview or a plan is asked for: a parsed file, onto an article, by whom, for whom. */
type ImportRequest = {
  article: { id: number };
  document: ImportDocument;
  importer: { id: string };
  visibility: ImportVisibility;
  now?: Date;
  /** Counts the anchoring's approximate matching (tests). */
  meter?: WorkMeter;
};

/**
 * What importing `document` onto `article` would do, for the importer to confirm: counts, the first
 * items, what is refused, and what was not searched for. Writes nothing but the preview's count:
 * each preview is one of MAX_IMPORT_PREVIEWS_PER_HOUR, taken after the checks that refuse a file
 * cheaply and before the anchoring that costs. Throws FieldValidationError (by field: `file`,
 * `visibility`, `form`) or RateLimitedError when the import would be refused.
 */
export function previewImport(
  db: Db,
  { article: target, document, importer, visibility, now = new Date(), meter }: ImportRequest,
): ImportPreview {
  const prepared = checkBeforeAnchoring(db, { document, importer, visibility, now });
  const current = currentParagraphs(db, target.id);
  // Counted before the work, in a transaction of its own: a file refused above cost little and
  // does not count, so someone correcting a file is not locked out by their mistakes.
  reserveWrite({ db, userId: importer.id, kind: "importPreview", now });
  return previewOf(document.format, plan(current, prepared, meter));
}

/** A plan made outside the write lock, for `writeImport` to write if the article is unchanged. */
export type ImportPlan = { plan: Plan; document: ImportDocument };

/**
 * Plans an import: the cheap refusals, then the anchoring on the article's current revision. Reads
 * only, and takes no lock: writing it (`writeImport`) checks the revision is still the one planned.
 */
export function planImport(
  db: Db,
  { article: target, document, importer, visibility, now = new Date(), meter }: ImportRequest,
): ImportPlan {
  const prepared = checkBeforeAnchoring(db, { document, importer, visibility, now });
  return { plan: plan(currentParagraphs(db, target.id), prepared, meter), document };
}

/**
 * Writes a plan in one IMMEDIATE transaction, everything or nothing: the pending upload is taken
 * (so it imports once), the group rule and the limits checked again, one write of the per-user
 * budget spent, then every root and reply written through the annotation model's own inserts (so
 * tallies, search, the page cache and group numbering follow as for a typed one), with where each
 * came from. Nothing is anchored here, so the lock is held only for the writing. Returns null, and
 * writes nothing, when the article has had a revision since the plan: plan again.
 */
export function writeImport(
  db: Db,
  planned: ImportPlan,
  {
    article: target,
    importer,
    visibility,
    pendingToken,
    now = new Date(),
    rendered = renderPlanned(planned),
  }: {
    article: { id: number };
    importer: { id: string };
    visibility: ImportVisibility;
    /** The confirmed preview's token: removed in the same transaction, so it imports once. */
    pendingToken?: string;
    now?: Date;
    /** The plan's bodies rendered (`renderPlannedInSlices`); rendered here, at once, when not. */
    rendered?: ReadonlyMap<string, string>;
  },
): ImportReport | null {
  const { plan: p, document } = planned;
  const htmlOf = (body: string) => rendered.get(body) ?? renderMarkdown(body);

  return db.transaction((tx) => {
    // Blocks are never rewritten, so the same revision means the plan's block ids and positions
    // are still the article's; after another revision they would be on the old text.
    if (currentRevisionOf(tx, target.id) !== p.revisionId) return null;
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

/** Each distinct body of a plan that is written with its words, once. */
function* plannedBodies({ plan: p }: ImportPlan): Generator<string> {
  const seen = new Set<string>();
  for (const { draft } of [...p.roots, ...p.replies]) {
    if (draft.withheld || seen.has(draft.input.body)) continue;
    seen.add(draft.input.body);
    yield draft.input.body;
  }
}

/** A plan's bodies rendered at once (the Markdown is rendered before the write lock is taken). */
function renderPlanned(planned: ImportPlan): Map<string, string> {
  const rendered = new Map<string, string>();
  for (const body of plannedBodies(planned)) rendered.set(body, renderMarkdown(body));
  return rendered;
}

/** How long an import's rendering runs before it lets the server answer other requests. */
const RENDER_SLICE_MS = 8;

/**
 * A plan's bodies rendered a slice at a time, the server answering other requests between slices:
 * an import's bodies can take seconds to render. Only the writing has to hold the server, in
 * the import's one transaction.
 */
async function renderPlannedInSlices(planned: ImportPlan): Promise<Map<string, string>> {
  const rendered = new Map<string, string>();
  let sliceStart = performance.now();
  for (const body of plannedBodies(planned)) {
    rendered.set(body, renderMarkdown(body));
    if (performance.now() - sliceStart >= RENDER_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return rendered;
}

/** How many times an import plans again when revisions keep coming in while it plans. */
const PLAN_ATTEMPTS = 3;

export const ARTICLE_CHANGED =
  "The article was revised several times while this import was being placed, so nothing was imported. Please try again in a moment.";

/**
 * Imports `document` onto `article`: planned (`planImport`) outside the write lock, as the preview
 * was, then written (`writeImport`) in one transaction that holds the lock only for the writing. A
 * revision made meanwhile sends it back to plan on the new text (the report then says what was
 * done, which may differ from the preview); after PLAN_ATTEMPTS it refuses, writing nothing and
 * leaving the upload for another try. The Markdown is rendered between the two, in slices.
 */
export async function runImport(
  db: Db,
  args: {
    article: { id: number };
    document: ImportDocument;
    importer: { id: string };
    visibility: ImportVisibility;
    /** The confirmed preview's token: removed in the same transaction, so it imports once. */
    pendingToken?: string;
    now?: Date;
  },
): Promise<ImportReport> {
  const now = args.now ?? new Date();
  for (let attempt = 0; attempt < PLAN_ATTEMPTS; attempt++) {
    // A second submission of a preview finds its upload gone before anything is anchored.
    if (args.pendingToken !== undefined && !pendingExists(db, args.pendingToken, args.importer)) {
      throw new NotFoundError(PENDING_GONE);
    }
    const planned = planImport(db, { ...args, now });
    const rendered = await renderPlannedInSlices(planned);
    const report = writeImport(db, planned, { ...args, now, rendered });
    if (report) return report;
  }
  throw new FieldValidationError({ form: ARTICLE_CHANGED });
}

function pendingExists(db: Db, token: string, importer: { id: string }): boolean {
  const found = db
    .select({ tokenHash: pendingImport.tokenHash })
    .from(pendingImport)
    .where(
      and(eq(pendingImport.tokenHash, hashToken(token)), eq(pendingImport.userId, importer.id)),
    )
    .get();
  return found !== undefined;
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

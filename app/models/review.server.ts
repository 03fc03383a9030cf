/**
 * Peer review over an article's revisions: who may revise it, the orphaned threads of its current
 * revision, the comparison of two revisions paragraph by paragraph, and the review summary an
 * author works through (a page and a Markdown download). Threads are read with the same loader
 * as everywhere else, so `visibleTo` decides what each reader is shown.
 */
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { diffWords } from "#app/anchoring/diff";
import { importArticle } from "#app/models/importer.server";
import { getRevision } from "#app/models/revision.server";
import type { RevisionInput } from "#app/models/revision-input.server";
import { loadThreads, type ThreadNode } from "#app/models/thread.server";
import { type Viewer, visibleTo } from "#app/models/visibility.server";
import { reserveWrite } from "#app/models/write-limit.server";
import { kindLabel, STANCE_LABELS } from "#app/rules";
import type { Db } from "#app/utils/db.server";
import { FieldValidationError, ForbiddenError } from "#app/utils/errors";
import { annotation, block } from "#db/schema";

/** What the revise rule needs of an article. */
export type RevisableArticle = { id: number; authorId: string | null; editorId: string | null };

/**
 * May the viewer upload a new revision? The article's linked author, the editor who added it, or
 * a site admin. Articles imported from the command line (no editor) are the site's: admins revise
 * them, or whoever an admin linked as their author. Running a panel that reviews an article gives
 * no right to rewrite it: anyone may start a panel and set any article to it.
 */
export function canRevise(viewer: Viewer, found: RevisableArticle): boolean {
  if (!viewer) return false;
  if (viewer.role === "admin") return true;
  return found.authorId === viewer.id || found.editorId === viewer.id;
}

export function requireRevise(viewer: Viewer, found: RevisableArticle): void {
  if (!canRevise(viewer, found)) {
    throw new ForbiddenError(
      "Only the article's author, its editor or a site administrator can upload a revision.",
    );
  }
}

/**
 * Makes the viewer's new text the article's next revision (importer.server.ts re-anchors every
 * thread), once the revise rule allows it. The same text as the current revision is refused.
 */
export function uploadRevision({
  db,
  viewer,
  article,
  input,
}: {
  db: Db;
  viewer: NonNullable<Viewer>;
  article: RevisableArticle & { slug: string };
  input: RevisionInput;
}) {
  requireRevise(viewer, article);
  // Counted before the re-anchoring, and given back when nothing was revised.
  const reservation = reserveWrite({ db, userId: viewer.id, kind: "revision" });
  let result: ReturnType<typeof importArticle>;
  try {
    result = importArticle(
      db,
      input.parsed,
      { slug: article.slug },
      { revisedBy: viewer.id, note: input.note },
    );
  } catch (error) {
    reservation.release();
    throw error;
  }
  if (result.status !== "revised") {
    reservation.release();
    throw new FieldValidationError({
      file: "This text is the same as the current revision: there is nothing to revise.",
    });
  }
  return result;
}

/** Roots of the article's threads matching `where`, as whole threads the viewer may see. */
function threadsWhere(db: Db, viewer: Viewer, articleId: number, where: ReturnType<typeof and>) {
  const roots = db
    .select({ id: annotation.id })
    .from(annotation)
    .where(
      and(
        eq(annotation.articleId, articleId),
        isNull(annotation.parentId),
        where,
        visibleTo(viewer),
      ),
    );
  return loadThreads(db, viewer, inArray(annotation.rootId, roots));
}

/**
 * The reading page's "Orphaned comments": each orphaned thread's kind and the words it quoted.
 * Only what changes with a page_version bump (migration 0008) is read, so the anonymous page's
 * render-once cache can hold it.
 */
export function listOrphanedQuotes({
  db,
  articleId,
  viewer,
}: {
  db: Db;
  articleId: number;
  viewer: Viewer;
}) {
  const where = and(
    eq(annotation.articleId, articleId),
    isNull(annotation.parentId),
    eq(annotation.anchorStatus, "orphaned"),
    // A deleted root still holds its replies' place ("[deleted]"), as everywhere else.
    sql`(${annotation.deletedAt} is null or ${annotation.replyCount} > 0)`,
    visibleTo(viewer),
  );
  const rows = db
    .select({
      id: annotation.id,
      kind: annotation.kind,
      quote: sql<
        string | null
      >`case when ${annotation.deletedAt} is null then ${annotation.quoteExact} end`,
      deleted: sql<number>`${annotation.deletedAt} is not null`,
    })
    .from(annotation)
    .where(where)
    .orderBy(annotation.createdAt, annotation.id)
    .limit(ORPHANS_LISTED)
    .all()
    .map((r) => ({ ...r, deleted: Boolean(r.deleted) }));
  const total =
    rows.length < ORPHANS_LISTED
      ? rows.length
      : (db.select({ n: sql<number>`count(*)` }).from(annotation).where(where).get()?.n ?? 0);
  return { rows, total };
}

const ORPHANS_LISTED = 100;

/** The threads a revision orphaned, oldest first: listed under the article, never dropped. */
export function listOrphans({
  db,
  articleId,
  viewer,
}: {
  db: Db;
  articleId: number;
  viewer: Viewer;
}): ThreadNode[] {
  return threadsWhere(db, viewer, articleId, eq(annotation.anchorStatus, "orphaned"));
}

export type ChangedParagraph = {
  anchor: string;
  /** Its number in each revision (null where it does not exist). */
  fromNumber: number | null;
  toNumber: number | null;
  change: "changed" | "added" | "removed" | "moved" | "unchanged";
  /** Word diff from the older text to the newer: equal, inserted and deleted runs. */
  diff: { op: "equal" | "insert" | "delete"; text: string }[];
  /** Threads written on, or now anchored to, this paragraph in either revision. */
  threads: ThreadNode[];
};

/**
 * Two revisions side by side, one entry per paragraph (matched by their stable anchors): what
 * changed in its words, and the threads that concerned it with their status.
 */
export function compareRevisions({
  db,
  articleId,
  viewer,
  from,
  to,
}: {
  db: Db;
  articleId: number;
  viewer: Viewer;
  from: number;
  to: number;
}) {
  const older = getRevision({ db, articleId, number: from });
  const newer = getRevision({ db, articleId, number: to });
  const olderParagraphs = older.blocks.filter((b) => b.kind === "paragraph");
  const newerParagraphs = newer.blocks.filter((b) => b.kind === "paragraph");
  const olderByAnchor = new Map(olderParagraphs.map((b, i) => [b.anchor, { block: b, index: i }]));
  const newerAnchors = new Set(newerParagraphs.map((b) => b.anchor));

  const blockIds = [...olderParagraphs, ...newerParagraphs].map((b) => b.id);
  const threads = blockIds.length
    ? threadsWhere(
        db,
        viewer,
        articleId,
        or(inArray(annotation.blockId, blockIds), inArray(annotation.originBlockId, blockIds)),
      )
    : [];
  // Which paragraph (anchor) each thread concerns: where it was written, and where it is now.
  const anchorOfBlock = new Map(
    [...olderParagraphs, ...newerParagraphs].map((b) => [b.id, b.anchor]),
  );
  // Where each thread was written and is now, read by block (no list of ids: a busy article has
  // more threads than SQLite takes parameters), then bucketed by paragraph anchor.
  const byAnchor = new Map<string, ThreadNode[]>();
  if (threads.length > 0) {
    const visible = new Map(threads.map((t) => [t.id, t]));
    const placements = db
      .select({
        id: annotation.id,
        blockId: annotation.blockId,
        origin: annotation.originBlockId,
      })
      .from(annotation)
      .where(
        and(
          eq(annotation.articleId, articleId),
          isNull(annotation.parentId),
          or(inArray(annotation.blockId, blockIds), inArray(annotation.originBlockId, blockIds)),
        ),
      )
      .all();
    for (const place of placements) {
      const thread = visible.get(place.id);
      if (!thread) continue;
      const anchors = new Set(
        [
          anchorOfBlock.get(place.blockId),
          place.origin === null ? undefined : anchorOfBlock.get(place.origin),
        ].filter((a): a is string => a !== undefined),
      );
      for (const anchor of anchors) {
        const list = byAnchor.get(anchor) ?? [];
        list.push(thread);
        byAnchor.set(anchor, list);
      }
    }
  }
  const threadsOf = (anchor: string) => byAnchor.get(anchor) ?? [];

  // A kept paragraph "moved" only when the order of kept paragraphs changed around it, not when
  // its number shifted because others were added or removed: the kept paragraphs outside the
  // longest run still in their old order are the ones that moved.
  const keptOldIndexes = newerParagraphs
    .map((b) => olderByAnchor.get(b.anchor)?.index)
    .filter((i): i is number => i !== undefined);
  const inOrder = longestIncreasing(keptOldIndexes);

  const paragraphs: ChangedParagraph[] = [];
  const entry = (
    anchor: string,
    before: { text: string; number: number | null; index: number } | null,
    after: { text: string; number: number | null; index: number } | null,
  ): ChangedParagraph => {
    const diff = diffWords(before?.text ?? "", after?.text ?? "");
    const change = !before
      ? "added"
      : !after
        ? "removed"
        : before.text !== after.text
          ? "changed"
          : inOrder.has(before.index)
            ? "unchanged"
            : "moved";
    return {
      anchor,
      fromNumber: before?.number ?? null,
      toNumber: after?.number ?? null,
      change,
      diff,
      threads: threadsOf(anchor),
    };
  };
  // In the newer revision's order, each removed paragraph placed after its old predecessor.
  const removedAfter = new Map<string | null, typeof olderParagraphs>();
  let previous: string | null = null;
  for (const b of olderParagraphs) {
    if (!newerAnchors.has(b.anchor)) {
      const list = removedAfter.get(previous) ?? [];
      list.push(b);
      removedAfter.set(previous, list);
    } else previous = b.anchor;
  }
  const pushRemoved = (after: string | null) => {
    for (const b of removedAfter.get(after) ?? []) {
      const old = olderByAnchor.get(b.anchor);
      paragraphs.push(
        entry(b.anchor, { text: b.text, number: b.number, index: old?.index ?? -1 }, null),
      );
    }
  };
  pushRemoved(null);
  newerParagraphs.forEach((b, index) => {
    const old = olderByAnchor.get(b.anchor);
    paragraphs.push(
      entry(
        b.anchor,
        old ? { text: old.block.text, number: old.block.number, index: old.index } : null,
        { text: b.text, number: b.number, index },
      ),
    );
    pushRemoved(b.anchor);
  });
  return {
    from: { number: older.number, createdAt: older.createdAt.toISOString(), note: older.note },
    to: { number: newer.number, createdAt: newer.createdAt.toISOString(), note: newer.note },
    paragraphs,
  };
}

/** The values of the longest strictly increasing subsequence of `values` (patience sorting). */
function longestIncreasing(values: number[]): Set<number> {
  const tails: number[] = [];
  const tailAt: number[] = [];
  const previous: number[] = [];
  values.forEach((value, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tails[mid] ?? 0) < value) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = value;
    tailAt[lo] = i;
    previous[i] = lo > 0 ? (tailAt[lo - 1] ?? -1) : -1;
  });
  const out = new Set<number>();
  for (let i = tailAt[tails.length - 1] ?? -1; i >= 0; i = previous[i] ?? -1) {
    out.add(values[i] ?? -1);
  }
  return out;
}

export type SummarySection = {
  /** The paragraph's anchor, or null for the orphaned threads. */
  anchor: string | null;
  number: number | null;
  text: string;
  open: ThreadNode[];
  resolved: ThreadNode[];
};

/**
 * Every thread of the article the viewer may see, grouped by paragraph of the current revision
 * (orphaned ones last), open before resolved: what an author works through before revising.
 */
export function getReviewSummary({
  db,
  articleId,
  revisionId,
  viewer,
}: {
  db: Db;
  articleId: number;
  revisionId: number;
  viewer: Viewer;
}): { sections: SummarySection[]; open: number; resolved: number } {
  const current = alias(block, "current");
  const paragraphs = db
    .select({ id: current.id, anchor: current.anchor, number: current.number, text: current.text })
    .from(current)
    .where(and(eq(current.revisionId, revisionId), eq(current.kind, "paragraph")))
    .orderBy(current.position)
    .all();
  const threads = threadsWhere(db, viewer, articleId, undefined);
  // Each root's paragraph, read for the whole article (no list of ids: see compareRevisions).
  const blockOf = new Map(
    (threads.length
      ? db
          .select({ id: annotation.id, blockId: annotation.blockId })
          .from(annotation)
          .where(and(eq(annotation.articleId, articleId), isNull(annotation.parentId)))
          .all()
      : []
    ).map((r) => [r.id, r.blockId]),
  );
  const sections = new Map<number | null, SummarySection>();
  for (const p of paragraphs) {
    sections.set(p.id, {
      anchor: p.anchor,
      number: p.number,
      text: p.text,
      open: [],
      resolved: [],
    });
  }
  const orphaned: SummarySection = {
    anchor: null,
    number: null,
    text: "",
    open: [],
    resolved: [],
  };
  let open = 0;
  for (const thread of threads) {
    const section =
      thread.anchorStatus === "orphaned"
        ? orphaned
        : (sections.get(blockOf.get(thread.id) ?? -1) ?? orphaned);
    if (thread.resolved) section.resolved.push(thread);
    else {
      section.open.push(thread);
      open++;
    }
  }
  const list = [...sections.values()].filter((s) => s.open.length + s.resolved.length > 0);
  if (orphaned.open.length + orphaned.resolved.length > 0) list.push(orphaned);
  return { sections: list, open, resolved: threads.length - open };
}

function quoteLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `> ${line}`)
    .join("\n");
}

/** Text a reader wrote, safe inside Markdown: no line can start a heading, list or HTML block. */
function inert(text: string): string {
  return text.replace(/[\\`*_[\]<>#|]/g, (ch) => `\\${ch}`);
}

function who(node: ThreadNode): string {
  return node.alias ?? node.author?.displayName ?? "deleted user";
}

function describeNode(node: ThreadNode, depth: number): string[] {
  const indent = "  ".repeat(depth);
  const head = node.deleted
    ? "[deleted]"
    : `**${kindLabel(node.kind)}** by ${inert(who(node))}${
        node.source
          ? ` — source ${STANCE_LABELS[node.source.stance].toLowerCase()}: [${inert(node.source.title)}](<${node.source.url.replace(/[<>]/g, encodeURIComponent)}>)`
          : ""
      }`;
  const lines = [`${indent}- ${head}`];
  if (!node.deleted && !node.hiddenFromViewer && node.body) {
    for (const line of node.body.split(/\r?\n/)) lines.push(`${indent}  ${inert(line)}`);
  }
  for (const reply of node.replies) lines.push(...describeNode(reply, depth + 1));
  return lines;
}

/** The review summary as a Markdown document: the download an author takes away. */
export function reviewMarkdown(
  title: string,
  revision: number,
  summary: ReturnType<typeof getReviewSummary>,
): string {
  const out = [
    `# Review summary: ${inert(title)}`,
    "",
    `Revision ${revision}. ${summary.open} open, ${summary.resolved} resolved.`,
  ];
  for (const section of summary.sections) {
    out.push(
      "",
      section.anchor ? `## Paragraph ${section.number}` : "## Orphaned comments",
      section.anchor ? "" : "The words these were about are no longer in the article.",
    );
    if (section.anchor) out.push(quoteLines(inert(section.text)));
    for (const [label, threads] of [
      ["Open", section.open],
      ["Resolved", section.resolved],
    ] as const) {
      if (threads.length === 0) continue;
      out.push("", `### ${label} (${threads.length})`, "");
      for (const thread of threads) {
        if (thread.quote) {
          out.push(
            `On “${inert(thread.quote)}”${thread.anchorStatus === "changed" ? " (text changed since)" : ""}:`,
            "",
          );
        }
        out.push(...describeNode(thread, 0));
        if (thread.resolved)
          out.push(
            `  - Resolved by ${inert(thread.resolved.by)} on ${thread.resolved.at.slice(0, 10)}`,
          );
        out.push("");
      }
    }
  }
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}

/**
 * Writing annotations of every kind (commentary, questions, counterarguments, sources): new
 * threads, replies, edits and deletions. Every write looks the annotation up through `visibleTo`,
 * asks the one permission rule (`can`) and keeps the author in the write's own `where`, so a write
 * can never reach a row the rule did not allow. Markdown is rendered once, here, and stored.
 */
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import {
  describePassage,
  locateQuote,
  type TextPositionSelector,
  type TextQuoteSelector,
} from "#app/anchoring/selectors";
import { renderMarkdown } from "#app/markdown.server";
import type {
  AnnotationEdit,
  AnnotationInput,
  NewAnnotationInput,
} from "#app/models/annotation-input.server";
import { requireGroupRole } from "#app/models/group.server";
import {
  articleRoleOf,
  BOUND_VIEWER,
  takesPartIn,
  type Viewer,
  viewerRoleIn,
  visibleTo,
} from "#app/models/visibility.server";
import { chargeWrite } from "#app/models/write-limit.server";
import { type AnnotationAction, can, type GroupRole, REFUSALS } from "#app/permissions";
import type { Db } from "#app/utils/db.server";
import { FieldValidationError, ForbiddenError, NotFoundError } from "#app/utils/errors";
import { type DbOrTx, perConnection } from "#app/utils/statements.server";
import { IMMEDIATE } from "#db/client";
import { annotation, article, assignment, block, endorsement, sourceLink } from "#db/schema";

/** The database or an open transaction on it. */
export type { DbOrTx };

type AnnotationRow = typeof annotation.$inferSelect;

/** The block, if it is one of the article's current revision (kept per connection: every write). */
const currentBlock = perConnection((db) =>
  db
    .select({ block })
    .from(block)
    .innerJoin(
      article,
      and(eq(article.id, block.articleId), eq(article.currentRevisionId, block.revisionId)),
    )
    .where(
      and(
        eq(block.id, sql.placeholder("blockId")),
        eq(block.articleId, sql.placeholder("articleId")),
      ),
    )
    .prepare(),
);

/**
 * The paragraph of an article's current revision that new threads attach to; NotFound for any
 * other block (an old revision's paragraphs are read-only).
 */
function getParagraphBlock(db: Db, articleId: number, blockId: number) {
  const found = currentBlock(db).get({ blockId, articleId })?.block;
  if (found?.kind !== "paragraph") throw new NotFoundError("There is no such paragraph.");
  return found;
}

/**
 * A new annotation, root or reply, with the columns a write sets (the rest keep their defaults).
 * One statement kept per connection: preparing an insert on `annotation` compiles its triggers.
 */
const insertAnnotation = perConnection((db) =>
  db
    .insert(annotation)
    .values({
      articleId: sql.placeholder("articleId"),
      blockId: sql.placeholder("blockId"),
      kind: sql.placeholder("kind"),
      body: sql.placeholder("body"),
      bodyHtml: sql.placeholder("bodyHtml"),
      authorId: sql.placeholder("authorId"),
      visibility: sql.placeholder("visibility"),
      groupId: sql.placeholder("groupId"),
      parentId: sql.placeholder("parentId"),
      rootId: sql.placeholder("rootId"),
      depth: sql.placeholder("depth"),
      quoteExact: sql.placeholder("quoteExact"),
      quotePrefix: sql.placeholder("quotePrefix"),
      quoteSuffix: sql.placeholder("quoteSuffix"),
      positionStart: sql.placeholder("positionStart"),
      positionEnd: sql.placeholder("positionEnd"),
      anchorStatus: sql.placeholder("anchorStatus"),
      originQuote: sql.placeholder("originQuote"),
    })
    .returning({ id: annotation.id })
    .prepare(),
);

type NewRow = Omit<
  typeof annotation.$inferInsert,
  | "id"
  | "originBlockId"
  | "resolvedAt"
  | "resolvedBy"
  | "createdAt"
  | "editedAt"
  | "deletedAt"
  | "hiddenAt"
  | "replyCount"
  | "endorsementCount"
>;

/** A root is its own thread's root: its id is known only once it is inserted. */
const setOwnRoot = perConnection((db) =>
  db
    .update(annotation)
    .set({ rootId: sql`${annotation.id}` })
    .where(eq(annotation.id, sql.placeholder("id")))
    .prepare(),
);

/**
 * Inserts a new annotation through the statement kept per connection (the forms' writes pass `db`
 * inside their transaction; the annotation import passes its transaction, prepared per call).
 */
function writeRow(tx: DbOrTx, row: Required<NewRow>): number {
  const created = insertAnnotation(tx).get(row);
  if (!created) throw new Error("The annotation insert returned no row.");
  return created.id;
}

/**
 * The annotation if the viewer may see it, deleted ones included (they hold threads together);
 * NotFound otherwise, so a stranger cannot tell a private note from a missing one.
 */
export function getVisibleAnnotation(db: DbOrTx, id: number, viewer: Viewer): AnnotationRow {
  const found = db
    .select()
    .from(annotation)
    .where(and(eq(annotation.id, id), visibleTo(viewer)))
    .get();
  if (!found) throw new NotFoundError("That annotation does not exist or is not visible to you.");
  return found;
}

/**
 * The annotation, if the viewer may see it and do `action` to it. A deleted one is NotFound to
 * every write (it cannot be answered, changed or endorsed); otherwise a refusal is Forbidden.
 */
export function getAnnotationFor(
  db: DbOrTx,
  viewer: NonNullable<Viewer>,
  action: AnnotationAction,
  id: number,
): AnnotationRow {
  const { found, actorRole, inGroup, articleRole } = lookUpFor(db, viewer, id);
  if (found.deletedAt) {
    throw new NotFoundError(
      action === "reply"
        ? "That annotation was deleted; it cannot be answered."
        : "That annotation was deleted.",
    );
  }
  const subject = {
    authorId: found.authorId,
    deleted: false,
    hidden: found.hiddenAt !== null,
    visibility: found.visibility,
    actorRole,
    inGroup,
    root: found.parentId === null,
    articleRole,
  };
  if (!can(viewer, action, subject)) {
    throw new ForbiddenError(REFUSALS[action]);
  }
  return found;
}

/**
 * The annotation if the viewer may see it (as `getVisibleAnnotation`), with the viewer's role in
 * its group and standing toward its article, in one statement kept per connection with the viewer
 * bound when it runs: replies, edits and endorsements look their annotation up on every write.
 */
const visibleWithStanding = perConnection((db) =>
  db
    .select({
      row: annotation,
      role: viewerRoleIn(BOUND_VIEWER),
      inGroup: takesPartIn(BOUND_VIEWER),
      articleRole: articleRoleOf(BOUND_VIEWER),
    })
    .from(annotation)
    .where(and(eq(annotation.id, sql.placeholder("id")), visibleTo(BOUND_VIEWER)))
    .prepare(),
);

function lookUpFor(db: DbOrTx, viewer: NonNullable<Viewer>, id: number) {
  const got = visibleWithStanding(db).get({ id, viewerId: viewer.id });
  if (!got) throw new NotFoundError("That annotation does not exist or is not visible to you.");
  return {
    found: got.row,
    actorRole: (got.role ?? null) as GroupRole | null,
    inGroup: Boolean(got.inGroup),
    articleRole: got.articleRole ?? null,
  };
}

/**
 * Resolves a thread (its root) or reopens it, recording who and when; refused unless the viewer is
 * its writer, the article's author or an editor (permissions.ts).
 */
export function setThreadResolved({
  db,
  viewer,
  id,
  resolved,
}: {
  db: Db;
  viewer: NonNullable<Viewer>;
  id: number;
  resolved: boolean;
}): void {
  db.transaction((tx) => {
    const found = getAnnotationFor(tx, viewer, "resolve", id);
    tx.update(annotation)
      .set(
        resolved
          ? {
              resolvedAt: found.resolvedAt ?? new Date(),
              resolvedBy: found.resolvedBy ?? viewer.id,
            }
          : { resolvedAt: null, resolvedBy: null },
      )
      .where(and(eq(annotation.id, found.id), isNull(annotation.parentId)))
      .run();
  }, IMMEDIATE);
}

/**
 * In an anonymous assignment a member appears to classmates as "Student n": numbered on their
 * first annotation there, and kept (visibility.server.ts reads the number).
 */
function numberAuthor(tx: DbOrTx, groupId: number, articleId: number, authorId: string): void {
  const anonymous = tx
    .select({ id: assignment.id })
    .from(assignment)
    .where(
      and(
        eq(assignment.groupId, groupId),
        eq(assignment.articleId, articleId),
        eq(assignment.anonymous, true),
      ),
    )
    .get();
  if (anonymous) numberMember(tx, anonymous.id, authorId);
}

/**
 * Gives a plain member the next "Student n" of an assignment, unless they have one. Owners and
 * moderators appear by name, so they take no number.
 */
export function numberMember(tx: DbOrTx, assignmentId: number, userId: string): void {
  tx.run(sql`insert into "assignment_alias" (assignment_id, user_id, number)
    select s.id, ${userId}, (select coalesce(max(number), 0) + 1 from "assignment_alias" where assignment_id = s.id)
    from "assignment" s join "group_member" m on m.group_id = s.group_id and m.user_id = ${userId} and m.role = 'member'
    where s.id = ${assignmentId}
    on conflict do nothing`);
}

/** The `where` of a write to an author's own annotation: the row, live, and still theirs. */
function ownLiveRow(id: number, viewer: { id: string }): SQL {
  return and(
    eq(annotation.id, id),
    eq(annotation.authorId, viewer.id),
    isNull(annotation.deletedAt),
  ) as SQL;
}

/** Throws when a guarded write touched nothing: the row changed hands or vanished meanwhile. */
function expectOneRow(result: { changes: number }): void {
  if (result.changes !== 1) throw new NotFoundError("That annotation was changed meanwhile.");
}

function insertSource(db: DbOrTx, annotationId: number, input: AnnotationInput) {
  if (input.kind !== "source" || !input.source) return;
  db.insert(sourceLink)
    .values({ annotationId, ...input.source })
    .run();
}

/**
 * `limited`: count the write against its author's annotation budget (write-limit.server.ts) inside
 * the write's own transaction, refusing it (RateLimitedError) when the budget is spent. Routes, where
 * people type, pass it; scripts and imports do not. A write refused for any reason is not counted.
 */
type Limited = { limited?: boolean };

function charge(db: Db, author: { id: string }, limited: boolean | undefined): void {
  if (limited) chargeWrite(db, { userId: author.id, kind: "annotation" });
}

/**
 * Attaches a new thread to a paragraph, or to a passage of it. A quote must occur in the paragraph;
 * `quoteStart` (where the reader selected it) tells repeated phrases apart.
 */
export function createAnnotation({
  db,
  author,
  articleId,
  blockId,
  input,
  limited,
}: {
  db: Db;
  author: { id: string };
  articleId: number;
  blockId: number;
  input: NewAnnotationInput;
} & Limited): number {
  const paragraph = getParagraphBlock(db, articleId, blockId);
  let passage: ReturnType<typeof describePassage> = null;
  if (input.quote) {
    const position = locateQuote(
      paragraph.text,
      { exact: input.quote },
      input.quoteStart === null ? undefined : { start: input.quoteStart },
    );
    passage = position ? describePassage(paragraph.text, position.start, position.end) : null;
    if (!passage) {
      throw new FieldValidationError({
        quote: `These words do not occur in paragraph ${paragraph.number}. Quote them exactly as they appear, or leave the passage empty to comment on the whole paragraph.`,
      });
    }
  }
  const bodyHtml = renderMarkdown(input.body);
  // The statements kept per connection run on `db` inside the transaction: one connection.
  return db.transaction(() => {
    charge(db, author, limited);
    // Inside the write lock: a revision written meanwhile has replaced this paragraph, and a
    // thread attached to the old one would be on no current page and never carried forward.
    const stillCurrent = currentBlock(db).get({ blockId, articleId });
    if (!stillCurrent) {
      throw new NotFoundError(
        "The article was revised while you were writing: reload the paragraph and post again.",
      );
    }
    return insertRoot(db, {
      author,
      articleId,
      blockId,
      input,
      bodyHtml,
      visibility: input.visibility,
      groupId: input.visibility === "group" ? (input.groupId ?? null) : null,
      passage,
    });
  }, IMMEDIATE);
}

/**
 * Writes a new thread's root inside the caller's transaction, once the paragraph and the passage are
 * known: the group's "post" rule, the anonymous assignment's number, the row, its root id and a
 * source's link. The form and the annotation import (annotation-import.server.ts) both write here,
 * so a root is the same row whichever way it came.
 */
export function insertRoot(
  tx: DbOrTx,
  {
    author,
    articleId,
    blockId,
    input,
    bodyHtml,
    visibility,
    groupId,
    passage,
    anchorStatus = "anchored",
    originQuote = null,
  }: {
    author: { id: string };
    articleId: number;
    blockId: number;
    input: AnnotationInput;
    /** `input.body` rendered, before the write lock is taken (Markdown is the slow part). */
    bodyHtml: string;
    visibility: AnnotationRow["visibility"];
    groupId: number | null;
    /** The quoted passage; without a position for an imported orphan (its words are not here). */
    passage: { quote: TextQuoteSelector; position: TextPositionSelector | null } | null;
    /** `changed` (and the quote as written) for an import that found its words only approximately. */
    anchorStatus?: AnnotationRow["anchorStatus"];
    originQuote?: string | null;
  },
): number {
  if (visibility === "group" && groupId === null) {
    throw new FieldValidationError({ visibility: "Choose which group will see this." });
  }
  if (groupId !== null) {
    try {
      requireGroupRole(tx, author, groupId, "post");
    } catch {
      throw new FieldValidationError({ visibility: "You can only post to a group you are in." });
    }
    numberAuthor(tx, groupId, articleId, author.id);
  }
  const id = writeRow(tx, {
    articleId,
    blockId,
    kind: input.kind,
    body: input.body,
    bodyHtml,
    authorId: author.id,
    visibility,
    groupId: visibility === "group" ? groupId : null,
    parentId: null,
    rootId: null,
    depth: 0,
    quoteExact: passage?.quote.exact ?? null,
    quotePrefix: passage?.quote.prefix ?? null,
    quoteSuffix: passage?.quote.suffix ?? null,
    positionStart: passage?.position?.start ?? null,
    positionEnd: passage?.position?.end ?? null,
    anchorStatus,
    originQuote,
  });
  setOwnRoot(tx).run({ id });
  insertSource(tx, id, input);
  return id;
}

/** Replies to an annotation the author can see; the reply joins that thread and its visibility. */
export function createReply({
  db,
  author,
  parentId,
  input,
  limited,
}: {
  db: Db;
  author: { id: string };
  parentId: number;
  input: AnnotationInput;
} & Limited): number {
  const bodyHtml = renderMarkdown(input.body);
  // The statements kept per connection run on `db` inside the transaction: one connection.
  return db.transaction(() => {
    charge(db, author, limited);
    // Inside the write lock: a parent another process deleted meanwhile is refused (404), never
    // answered, and never a foreign-key failure.
    const parent = getAnnotationFor(db, author, "reply", parentId);
    return insertReply(db, { author, parent, input, bodyHtml });
  }, IMMEDIATE);
}

/**
 * Writes a reply to `parent` (already looked up through `getAnnotationFor(…, "reply", …)`) inside
 * the caller's transaction: it joins the parent's thread, paragraph and visibility. Shared by the
 * reply form and the annotation import.
 */
export function insertReply(
  tx: DbOrTx,
  {
    author,
    parent,
    input,
    bodyHtml,
  }: { author: { id: string }; parent: AnnotationRow; input: AnnotationInput; bodyHtml: string },
): number {
  if (parent.groupId !== null) numberAuthor(tx, parent.groupId, parent.articleId, author.id);
  const id = writeRow(tx, {
    articleId: parent.articleId,
    blockId: parent.blockId,
    kind: input.kind,
    body: input.body,
    bodyHtml,
    authorId: author.id,
    visibility: parent.visibility,
    groupId: parent.groupId,
    parentId: parent.id,
    rootId: parent.rootId ?? parent.id,
    depth: parent.depth + 1,
    quoteExact: null,
    quotePrefix: null,
    quoteSuffix: null,
    positionStart: null,
    positionEnd: null,
    anchorStatus: "anchored",
    originQuote: null,
  });
  insertSource(tx, id, input);
  return id;
}

/** Changes the text (and a source's link) of the viewer's own annotation; its kind stays. */
export function updateAnnotation({
  db,
  viewer,
  id,
  input,
  limited,
}: {
  db: Db;
  viewer: { id: string };
  id: number;
  input: AnnotationEdit;
} & Limited): void {
  const found = getAnnotationFor(db, viewer, "edit", id);
  const bodyHtml = renderMarkdown(input.body);
  db.transaction((tx) => {
    charge(db, viewer, limited);
    expectOneRow(
      tx
        .update(annotation)
        .set({ body: input.body, bodyHtml, editedAt: new Date() })
        .where(ownLiveRow(found.id, viewer))
        .run(),
    );
    if (found.kind === "source" && input.source) {
      tx.update(sourceLink).set(input.source).where(eq(sourceLink.annotationId, found.id)).run();
    }
  }, IMMEDIATE);
}

/**
 * Deletes the viewer's own annotation. One with replies leaves a "[deleted]" placeholder so the
 * thread keeps its shape; one without disappears, and so do placeholders it leaves without replies.
 */
export function deleteAnnotation({
  db,
  viewer,
  id,
}: {
  db: Db;
  viewer: { id: string };
  id: number;
}): void {
  const found = getAnnotationFor(db, viewer, "delete", id);
  db.transaction((tx) => {
    const hasReplies = tx
      .select({ id: annotation.id })
      .from(annotation)
      .where(eq(annotation.parentId, found.id))
      .limit(1)
      .get();
    if (hasReplies) {
      expectOneRow(
        tx
          .update(annotation)
          .set({ body: "", bodyHtml: "", deletedAt: new Date() })
          .where(ownLiveRow(found.id, viewer))
          .run(),
      );
      tx.delete(sourceLink).where(eq(sourceLink.annotationId, found.id)).run();
      // Endorsements were of the words, which are gone (and could no longer be taken back).
      tx.delete(endorsement).where(eq(endorsement.annotationId, found.id)).run();
      return;
    }
    expectOneRow(tx.delete(annotation).where(ownLiveRow(found.id, viewer)).run());
    let parentId = found.parentId;
    while (parentId !== null) {
      const parent = tx.select().from(annotation).where(eq(annotation.id, parentId)).get();
      if (!parent?.deletedAt) break;
      const remaining = tx
        .select({ id: annotation.id })
        .from(annotation)
        .where(eq(annotation.parentId, parent.id))
        .limit(1)
        .get();
      if (remaining) break;
      tx.delete(annotation).where(eq(annotation.id, parent.id)).run();
      parentId = parent.parentId;
    }
  }, IMMEDIATE);
}

/**
 * Renders the stored HTML of annotations written before it was stored (migration 0004 adds the
 * column empty). Runs at start; a no-op once every live body has its HTML.
 */
export function renderMissingBodies(db: Db, batch = 500): number {
  let done = 0;
  for (;;) {
    const rows = db
      .select({ id: annotation.id, body: annotation.body })
      .from(annotation)
      .where(and(eq(annotation.bodyHtml, ""), sql`${annotation.body} <> ''`))
      .limit(batch)
      .all();
    if (rows.length === 0) return done;
    db.transaction((tx) => {
      for (const row of rows) {
        tx.update(annotation)
          // Never empty for a non-empty body, or this loop would pick the row up again.
          .set({ bodyHtml: renderMarkdown(row.body) || " " })
          .where(eq(annotation.id, row.id))
          .run();
      }
    }, IMMEDIATE);
    done += rows.length;
  }
}

/**
 * The Marginalia data model. Tables are singular snake_case; drizzle maps columns to camelCase keys.
 * Migrations in db/migrations are generated from this file by drizzle-kit and are append-only.
 */
import { type SQL, sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import {
  annotationKinds,
  groupKinds,
  groupRoles,
  stances,
  tokenScopes,
  visibilities,
} from "./enums";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

/** What a username looks like (see usernameSkeleton in app/models/account-rules.server.ts). */
export function usernameSkeletonSql(username: AnySQLiteColumn | SQL) {
  return sql`replace(replace(replace(replace(replace(lower(${username}), '1', 'l'), 'i', 'l'), '0', 'o'), 'rn', 'm'), 'vv', 'w')`;
}

/** A person with an account. Usernames are unique without regard to case. */
export const user = sqliteTable(
  "user",
  {
    id: text("id").primaryKey(),
    username: text("username").notNull(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ["user", "admin"] })
      .notNull()
      .default("user"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("user_username_lower_idx").on(sql`lower(${t.username})`),
    // Finds look-alike usernames (aIice, a1ice beside alice): app/models/account-rules.server.ts
    // has the same function in TypeScript, and the sign-up refuses a name whose skeleton is taken.
    index("user_username_skeleton_idx").on(usernameSkeletonSql(t.username)),
  ],
);

/** A lucia session; `expires_at` is in seconds since the epoch, as lucia's adapter expects. */
export const session = sqliteTable(
  "session",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("session_user_idx").on(t.userId)],
);

/**
 * A personal API token: a script's way to act as its owner on the Annotation Protocol endpoints
 * (app/models/api-token.server.ts). Only a SHA-256 digest of the secret is kept. A slow password
 * hash (argon2) exists to make guessing a low-entropy password expensive; the secret here is 32
 * random bytes, which no amount of guessing reaches, so a fast digest loses nothing and lets every
 * request find its token with one indexed lookup. `prefix` (the first characters of the secret) is
 * not secret: it tells the owner which token is which. Revoked tokens stay, marked, so the account
 * page can say when a token last worked; they are pruned a while after.
 */
export const apiToken = sqliteTable(
  "api_token",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** The owner's label ("Zotero sync"). */
    name: text("name").notNull(),
    scope: text("scope", { enum: tokenScopes }).notNull(),
    tokenHash: text("token_hash").notNull(),
    prefix: text("prefix").notNull(),
    createdAt: createdAt(),
    /** Written at most once a minute per token, so a busy script's reads do not each write. */
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("api_token_hash_idx").on(t.tokenHash),
    index("api_token_user_idx").on(t.userId, t.createdAt),
    check("api_token_scope_check", sql`${t.scope} in ('read','read-write')`),
  ],
);

/** Failed sign-ins and all sign-ups, kept in the database so that a restart does not reset limits. */
export const loginAttempt = sqliteTable(
  "login_attempt",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: ["sign_in_failure", "sign_up", "join_sign_up"] }).notNull(),
    usernameKey: text("username_key"),
    clientAddress: text("client_address").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("login_attempt_username_idx").on(t.kind, t.usernameKey, t.createdAt),
    index("login_attempt_address_idx").on(t.kind, t.clientAddress, t.createdAt),
  ],
);

/** An article: its metadata; the text lives in ordered blocks. */
export const article = sqliteTable(
  "article",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    slug: text("slug").notNull().unique(),
    title: text("title").notNull(),
    dek: text("dek"),
    byline: text("byline"),
    publication: text("publication"),
    publishedOn: text("published_on"),
    editorsNote: text("editors_note"),
    /** SHA-256 of the current revision's parsed content: re-importing the same text is a no-op. */
    sourceHash: text("source_hash").notNull(),
    /**
     * The revision readers see (`article_revision.id`). No foreign key: the two tables point at each
     * other, and the importer writes both in one transaction.
     */
    currentRevisionId: integer("current_revision_id"),
    /** The author's account, linked by an editor: they may revise the text and resolve comments. */
    authorId: text("author_id").references((): AnySQLiteColumn => user.id, {
      onDelete: "set null",
    }),
    /** Who added the article through the site (null for a command-line import, which admins manage). */
    editorId: text("editor_id").references((): AnySQLiteColumn => user.id, {
      onDelete: "set null",
    }),
    createdAt: createdAt(),
  },
  (t) => [
    // A signed-in reader's page-cache stamp finds the panels reviewing articles they wrote (ADR 015).
    index("article_author_idx").on(t.authorId),
  ],
);

/**
 * One version of an article's text. Its blocks are kept for good, so an annotation can always be
 * read against the revision it was written on (`/articles/:slug/revisions/:number`).
 */
export const articleRevision = sqliteTable(
  "article_revision",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    articleId: integer("article_id")
      .notNull()
      .references(() => article.id, { onDelete: "cascade" }),
    /** 1 for the first import, then 2, 3, … */
    number: integer("number").notNull(),
    sourceHash: text("source_hash").notNull(),
    /** What the author says changed. */
    note: text("note").notNull().default(""),
    createdBy: text("created_by").references(() => user.id, { onDelete: "set null" }),
    /** What re-anchoring did to the annotations, as JSON counts (anchored, moved, changed, orphaned). */
    report: text("report").notNull().default("{}"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("article_revision_number_idx").on(t.articleId, t.number)],
);

/** One block of an article's body: a section heading or a paragraph, in reading order. */
export const block = sqliteTable(
  "block",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    articleId: integer("article_id")
      .notNull()
      .references(() => article.id, { onDelete: "cascade" }),
    /** The revision this block belongs to; set for every block (backfilled by migration 0009). */
    revisionId: integer("revision_id").references(() => articleRevision.id, {
      onDelete: "cascade",
    }),
    position: integer("position").notNull(),
    kind: text("kind", { enum: ["heading", "paragraph"] }).notNull(),
    /** Paragraph number shown in the margin (1-based); null for headings. */
    number: integer("number"),
    /**
     * Stable fragment id: `p-7` for the seventh paragraph of the first revision, `s-<slug>` for a
     * heading. A paragraph that a later revision keeps (matched by content) keeps its anchor even
     * when it moves; a new paragraph gets a number no earlier revision used.
     */
    anchor: text("anchor").notNull(),
    text: text("text").notNull(),
  },
  (t) => [
    uniqueIndex("block_revision_position_idx").on(t.revisionId, t.position),
    uniqueIndex("block_revision_anchor_idx").on(t.revisionId, t.anchor),
    index("block_article_idx").on(t.articleId),
    // An article's paragraphs in reading order across its revisions: the discussion page's
    // reading sort walks them, sorting only each paragraph's threads, and stops after one page.
    // (An annotation index for the order within a paragraph made SQLite, which has no statistics,
    // choose it over annotation_block_thread_idx and annotation_root_idx for a paragraph's threads:
    // 0.4 ms to 80 ms.)
    index("block_article_position_idx").on(t.articleId, t.position),
  ],
);

export { annotationKinds, groupKinds, groupRoles, stances, tokenScopes, visibilities };

/**
 * A group of people with roles: a class (an instructor and students) or a review panel (an editor
 * and reviewers). Annotations with `group` visibility belong to one and only its members see them.
 * Newcomers join with `join_code`, which the owner can rotate or turn off (null).
 */
export const group = sqliteTable(
  "group",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: groupKinds }).notNull().default("class"),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    joinCode: text("join_code"),
    /** The most members the group takes through its join code; null for no cap. */
    sizeCap: integer("size_cap"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("group_join_code_idx").on(t.joinCode)],
);

/** Who belongs to a group, and as what. */
export const groupMember = sqliteTable(
  "group_member",
  {
    groupId: integer("group_id")
      .notNull()
      .references(() => group.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role", { enum: groupRoles }).notNull().default("member"),
    joinedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.userId] }),
    index("group_member_user_idx").on(t.userId, t.groupId, t.role),
  ],
);

/**
 * An article set to a group, with instructions and an optional due date (stored as an instant;
 * `time_zone` is the zone the owner set it in, and the one it is shown in).
 */
export const assignment = sqliteTable(
  "assignment",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    groupId: integer("group_id")
      .notNull()
      .references(() => group.id, { onDelete: "cascade" }),
    articleId: integer("article_id")
      .notNull()
      .references(() => article.id, { onDelete: "cascade" }),
    instructions: text("instructions").notNull().default(""),
    dueAt: integer("due_at", { mode: "timestamp_ms" }),
    timeZone: text("time_zone").notNull().default("UTC"),
    /** Members see classmates' annotations on the article only after posting one of their own. */
    postBeforeSee: integer("post_before_see", { mode: "boolean" }).notNull().default(false),
    /** Classmates appear to each other as "Student n"; owners and moderators see names. */
    anonymous: integer("anonymous", { mode: "boolean" }).notNull().default(false),
    /** The participation score's weights, as JSON (app/models/participation.server.ts). */
    weights: text("weights").notNull().default("{}"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("assignment_group_article_idx").on(t.groupId, t.articleId)],
);

/** "Student n" for an anonymous assignment: numbered on a member's first post, and kept. */
export const assignmentAlias = sqliteTable(
  "assignment_alias",
  {
    assignmentId: integer("assignment_id")
      .notNull()
      .references(() => assignment.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.assignmentId, t.userId] }),
    uniqueIndex("assignment_alias_number_idx").on(t.assignmentId, t.number),
  ],
);

/**
 * An annotation of any kind. A root annotation targets a paragraph (optionally a passage in it);
 * a reply targets its parent. Replies carry their root's article and block so that a paragraph's
 * threads load in one indexed query.
 */
export const annotation = sqliteTable(
  "annotation",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    articleId: integer("article_id")
      .notNull()
      .references(() => article.id, { onDelete: "cascade" }),
    blockId: integer("block_id")
      .notNull()
      .references(() => block.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: annotationKinds }).notNull(),
    body: text("body").notNull(),
    /** `body` rendered to sanitized HTML when it was written, so reads never render Markdown. */
    bodyHtml: text("body_html").notNull().default(""),
    /** Null once the author deleted their account: the annotation stays, by "deleted user". */
    authorId: text("author_id").references(() => user.id, { onDelete: "set null" }),
    visibility: text("visibility", { enum: visibilities }).notNull().default("public"),
    /** The group that sees a `group` annotation; null for every other visibility. */
    groupId: integer("group_id").references(() => group.id, { onDelete: "cascade" }),
    parentId: integer("parent_id").references((): AnySQLiteColumn => annotation.id, {
      onDelete: "cascade",
    }),
    /** The thread's root; equals `id` for a root annotation. */
    rootId: integer("root_id"),
    depth: integer("depth").notNull().default(0),
    quoteExact: text("quote_exact"),
    quotePrefix: text("quote_prefix"),
    quoteSuffix: text("quote_suffix"),
    /** Code-point offsets of the quote within the paragraph's text. */
    positionStart: integer("position_start"),
    positionEnd: integer("position_end"),
    anchorStatus: text("anchor_status", { enum: ["anchored", "changed", "orphaned"] })
      .notNull()
      .default("anchored"),
    /**
     * The paragraph it was written on, once a revision moved it elsewhere (null while `block_id`
     * still is that paragraph). An orphaned annotation keeps `block_id` on its old paragraph.
     */
    originBlockId: integer("origin_block_id").references((): AnySQLiteColumn => block.id, {
      onDelete: "set null",
    }),
    /** The quote as written, kept when a revision re-anchored the annotation to changed text. */
    originQuote: text("origin_quote"),
    /** On a thread's root: when its writer, the article's author or an editor resolved it. */
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    resolvedBy: text("resolved_by").references(() => user.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    editedAt: integer("edited_at", { mode: "timestamp_ms" }),
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
    /** Set when a moderator hid it: its author still sees it, marked; others see a placeholder. */
    hiddenAt: integer("hidden_at", { mode: "timestamp_ms" }),
    /** On a root: its thread's live replies. Kept by triggers (migration 0003) for sorting. */
    replyCount: integer("reply_count").notNull().default(0),
    /** Kept by triggers on `endorsement` (migration 0003). */
    endorsementCount: integer("endorsement_count").notNull().default(0),
  },
  (t) => [
    // Per-paragraph counts and highlight ranges are aggregate queries over this index.
    index("annotation_article_block_idx").on(t.articleId, t.blockId, t.kind),
    index("annotation_block_idx").on(t.blockId, t.createdAt),
    index("annotation_article_created_idx").on(t.articleId, t.createdAt),
    index("annotation_root_idx").on(t.rootId),
    index("annotation_parent_idx").on(t.parentId),
    index("annotation_author_idx").on(t.authorId, t.createdAt),
    // A reader's own non-public annotations on an article, added to the public tallies.
    index("annotation_author_article_idx").on(t.authorId, t.articleId, t.visibility),
    // The discussion page's sorts read threads (roots: parent_id null) in index order.
    index("annotation_thread_newest_idx").on(t.articleId, t.parentId, t.createdAt),
    index("annotation_thread_endorsed_idx").on(
      t.articleId,
      t.parentId,
      t.endorsementCount,
      t.createdAt,
    ),
    index("annotation_thread_replied_idx").on(t.articleId, t.parentId, t.replyCount, t.createdAt),
    // A paragraph's threads in order, and their count, with the visibility test answered from the
    // index: 72 ms to 1 ms for the first 50 threads of a 12,000-annotation paragraph (issue 11).
    index("annotation_block_thread_idx").on(
      t.blockId,
      t.parentId,
      t.createdAt,
      t.visibility,
      t.authorId,
    ),

    check(
      "annotation_kind_check",
      sql`${t.kind} in ('annotation','question','counterargument','source')`,
    ),
    check("annotation_visibility_check", sql`${t.visibility} in ('public','private','group')`),
    check("annotation_group_check", sql`(${t.visibility} = 'group') = (${t.groupId} is not null)`),
    // A group's annotations on an article: its layer, counts and the instructor's view.
    index("annotation_group_article_idx").on(t.groupId, t.articleId, t.blockId),
    // Open and resolved threads of an article (the discussion page's filter and counts).
    index("annotation_article_resolved_idx").on(t.articleId, t.parentId, t.resolvedAt),
  ],
);

/**
 * A symposium: an editor's question put to several experts, with their responses in order.
 */
export const collection = sqliteTable("collection", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  slug: text("slug").notNull().unique(),
  title: text("title").notNull(),
  /** The question the editor posed. */
  question: text("question").notNull(),
  introduction: text("introduction").notNull().default(""),
  editorId: text("editor_id").references(() => user.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

/** A response in a collection, in the editor's order. */
export const collectionItem = sqliteTable(
  "collection_item",
  {
    collectionId: integer("collection_id")
      .notNull()
      .references(() => collection.id, { onDelete: "cascade" }),
    articleId: integer("article_id")
      .notNull()
      .references(() => article.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.collectionId, t.articleId] }),
    index("collection_item_article_idx").on(t.articleId),
  ],
);

/** The link carried by a `source` annotation (one per such annotation). */
export const sourceLink = sqliteTable("source_link", {
  annotationId: integer("annotation_id")
    .primaryKey()
    .references(() => annotation.id, { onDelete: "cascade" }),
  url: text("url").notNull(),
  title: text("title").notNull(),
  stance: text("stance", { enum: stances }).notNull(),
});

/** One user's endorsement of one annotation. */
export const endorsement = sqliteTable(
  "endorsement",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    annotationId: integer("annotation_id")
      .notNull()
      .references(() => annotation.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.annotationId] }),
    index("endorsement_annotation_idx").on(t.annotationId),
  ],
);

/**
 * What public annotations a paragraph has drawn, by kind (deleted ones excluded). Kept in step by
 * triggers (migration 0003), so the reading page's counts cost one row per paragraph and kind, not
 * one per annotation. What a viewer sees beyond public is added at read time.
 */
export const paragraphTally = sqliteTable(
  "paragraph_tally",
  {
    articleId: integer("article_id").notNull(),
    blockId: integer("block_id")
      .notNull()
      .references(() => block.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: annotationKinds }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.blockId, t.kind] })],
);

/**
 * Public threads (roots, deleted placeholders included, as the discussion lists them) per paragraph,
 * open and resolved. Kept in step by triggers (migration `discussion_tally`), so the discussion page and a
 * paragraph's panel count threads with one row per paragraph instead of testing every root against
 * the visibility predicate (130 ms for an article of 45,000 threads; issue 11). What a viewer sees
 * beyond public is counted directly beside it (`beyondPublic`).
 */
export const threadTally = sqliteTable(
  "thread_tally",
  {
    articleId: integer("article_id").notNull(),
    blockId: integer("block_id")
      .notNull()
      .references(() => block.id, { onDelete: "cascade" }),
    open: integer("open").notNull().default(0),
    resolved: integer("resolved").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.blockId] })],
);

/**
 * The distinct passages public threads quote, with how many threads quote each: the reading page's
 * highlights, one row per passage. Kept in step by triggers (migration 0003).
 */
export const passageTally = sqliteTable(
  "passage_tally",
  {
    articleId: integer("article_id").notNull(),
    blockId: integer("block_id")
      .notNull()
      .references(() => block.id, { onDelete: "cascade" }),
    start: integer("start").notNull(),
    end: integer("end").notNull(),
    kind: text("kind", { enum: annotationKinds }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.blockId, t.start, t.end, t.kind] })],
);

/**
 * One write by a signed-in user (an annotation, a reply, an edit, an endorsement), kept for the
 * per-user write limits (app/models/write-limit.server.ts); pruned after a day.
 */
export const writeEvent = sqliteTable(
  "write_event",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // No CHECK constraint in SQL (0006), so a new kind needs no migration. `importPreview`: an
    // import's preview, which anchors a whole file (annotation-import.server.ts); `revision`: an
    // uploaded revision, which re-anchors every thread of its article (review.server.ts).
    kind: text("kind", {
      enum: ["annotation", "endorsement", "importPreview", "revision"],
    }).notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [index("write_event_user_idx").on(t.userId, t.kind, t.createdAt)],
);

/** A member's report that an annotation breaks the group's (or the site's) norms. */
export const flag = sqliteTable(
  "flag",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    annotationId: integer("annotation_id")
      .notNull()
      .references(() => annotation.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    createdAt: createdAt(),
    /** When a moderator hid the annotation or dismissed the flag: it leaves the queue. */
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("flag_annotation_user_idx").on(t.annotationId, t.userId),
    index("flag_open_idx").on(t.resolvedAt, t.annotationId),
  ],
);

/**
 * Every moderation action (who, what, when, why), shown to the group's owners; `group_id` is null
 * for a site admin's action on a public annotation.
 */
export const moderationLog = sqliteTable(
  "moderation_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    groupId: integer("group_id").references(() => group.id, { onDelete: "cascade" }),
    annotationId: integer("annotation_id").references(() => annotation.id, {
      onDelete: "set null",
    }),
    actorId: text("actor_id").references(() => user.id, { onDelete: "set null" }),
    action: text("action", {
      enum: ["flag", "hide", "restore", "dismiss", "remove_member", "set_role"],
    }).notNull(),
    /** For member actions: whom it concerned. */
    subjectUserId: text("subject_user_id").references(() => user.id, { onDelete: "set null" }),
    reason: text("reason").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [index("moderation_log_group_idx").on(t.groupId, t.createdAt)],
);

/**
 * A counter per article, bumped by triggers (migration 0008) whenever something an anonymous
 * reader's page of that article shows changes: its text and metadata, or a public annotation on it.
 * The render-once page cache (app/utils/page-cache.server.ts) keeps a page only as long as the
 * version it was rendered at is current, so every process sharing the file sees a write at once.
 * No foreign key: a cascade from a deleted article fires annotation triggers that bump this table,
 * and article ids are never reused (AUTOINCREMENT), so a stale row is harmless.
 */
export const pageVersion = sqliteTable("page_version", {
  articleId: integer("article_id").primaryKey(),
  version: integer("version").notNull().default(0),
});

/**
 * What a signed-in reader's reading page shows beyond the public page_version: counters bumped by
 * triggers (migration 0010) in the same transaction as every write that changes a group's side of
 * it (its non-public annotations, members, roles, assignments, aliases, name) or a reader's private
 * notes. The page cache keys a reader's stored page by these, so a write through any process makes
 * every affected reader's stored page stale at once (ADR 015). Rows are only ever incremented,
 * never deleted, so a reused id can never land on a version a stored page was rendered at. No
 * foreign keys, as for page_version: cascades fire the triggers that write here.
 */
export const groupVersion = sqliteTable("group_version", {
  groupId: integer("group_id").primaryKey(),
  version: integer("version").notNull().default(0),
});

export const privateVersion = sqliteTable("private_version", {
  userId: text("user_id").primaryKey(),
  version: integer("version").notNull().default(0),
});

/**
 * What the pages that show annotations' bodies (a paragraph's threads, the discussion page) depend
 * on beyond a reader's stamp: `thread_version`, per article, is bumped by triggers (migration 0014)
 * on every write to any of its annotations (any column, any visibility: bodies, endorsement counts,
 * resolution, hiding), their source links, its page_version, and a writer's change of name; and
 * `site_version` (one row, id 1) whenever any thread_version moves, for the pages that read across
 * articles (search, an assignment's participation). The page cache keeps those pages only while
 * these are current (ADR 018). No foreign keys, as for page_version.
 */
export const threadVersion = sqliteTable("thread_version", {
  articleId: integer("article_id").primaryKey(),
  version: integer("version").notNull().default(0),
});

export const siteVersion = sqliteTable("site_version", {
  id: integer("id").primaryKey(),
  version: integer("version").notNull().default(0),
});

/**
 * One import of annotations from a file (a W3C Web Annotation document or a Hypothesis export) onto
 * an article: who, where, with what visibility, and what came of it (`report`, JSON). Its rows in
 * the last hour are the per-user import limits (app/models/annotation-import.server.ts).
 */
export const annotationImport = sqliteTable(
  "annotation_import",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Null once the importer deleted their account: the annotations stay, and so does this. */
    userId: text("user_id").references(() => user.id, { onDelete: "set null" }),
    articleId: integer("article_id")
      .notNull()
      .references(() => article.id, { onDelete: "cascade" }),
    format: text("format", { enum: ["w3c", "hypothesis"] }).notNull(),
    visibility: text("visibility", { enum: visibilities }).notNull(),
    /** How many annotations (replies included) it wrote. */
    written: integer("written").notNull(),
    /** What the report page shows, as JSON: counts, orphaned and refused items. */
    report: text("report").notNull().default("{}"),
    createdAt: createdAt(),
  },
  (t) => [index("annotation_import_user_idx").on(t.userId, t.createdAt)],
);

/**
 * Where an imported annotation came from. The importer is its author (nobody writes in another's
 * name); the original writer and date are kept here and shown beside it ("originally by …").
 */
export const importedAnnotation = sqliteTable(
  "imported_annotation",
  {
    annotationId: integer("annotation_id")
      .primaryKey()
      .references(() => annotation.id, { onDelete: "cascade" }),
    importId: integer("import_id")
      .notNull()
      .references(() => annotationImport.id, { onDelete: "cascade" }),
    /** Its id in the file (an IRI, or a Hypothesis id), as the file gave it. */
    originalId: text("original_id"),
    /** The original writer's id as the file gives it (`acct:alice@hypothes.is`, a profile IRI). */
    originalCreator: text("original_creator"),
    /** Their name as the file gives it ("Alice Liddell"). */
    originalCreatorName: text("original_creator_name"),
    originalCreatedAt: integer("original_created_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("imported_annotation_import_idx").on(t.importId)],
);

/**
 * An upload waiting for its writer's "Import these": the validated drafts, so the file is not sent
 * twice. Kept in the database rather than in memory so that any server process on the file can
 * take the confirmation; found by the SHA-256 of a random token the preview page holds, and only
 * for the user who uploaded it, until `expires_at`.
 */
export const pendingImport = sqliteTable(
  "pending_import",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    articleId: integer("article_id")
      .notNull()
      .references(() => article.id, { onDelete: "cascade" }),
    payload: text("payload").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    index("pending_import_user_idx").on(t.userId, t.expiresAt),
    index("pending_import_expires_idx").on(t.expiresAt),
  ],
);

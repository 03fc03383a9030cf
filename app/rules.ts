/**
 * The vocabulary and the limits that forms show and the server enforces: annotation kinds, stances
 * and their labels, and every length bound. Plain constants, free of zod and of server code, so the
 * browser bundle can import them; the schemas (`*-input.server.ts`, `account-rules.server.ts`) build
 * on these values, so a limit is written once.
 *
 * The only module the browser loads that may import from db/: the vocabularies are the schema's own
 * enums, and db/ may not import app/.
 */
import {
  type AnnotationKind,
  annotationKinds,
  type Stance,
  stances,
  type ThreadSort,
  type TokenScope,
  threadSorts,
  tokenScopes,
  type Visibility,
  visibilities,
} from "#db/enums";

export type { AnnotationKind, Stance, ThreadSort, TokenScope, Visibility };
export { annotationKinds, stances, threadSorts, tokenScopes, visibilities };

export const MAX_BODY_LENGTH = 10_000;
export const MAX_QUOTE_LENGTH = 5_000;
export const MAX_SOURCE_TITLE_LENGTH = 300;
/** Longer links are refused outright: no legitimate source link needs more. */
export const MAX_URL_LENGTH = 2000;

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
export const DISPLAY_NAME_MAX = 50;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export const KIND_LABELS: Record<AnnotationKind, { one: string; many: string }> = {
  annotation: { one: "annotation", many: "annotations" },
  question: { one: "question", many: "questions" },
  counterargument: { one: "counterargument", many: "counterarguments" },
  source: { one: "source", many: "sources" },
};

/** "Annotation", "Question", …: a kind as a badge or a heading names it. */
export function kindLabel(kind: AnnotationKind): string {
  const { one } = KIND_LABELS[kind];
  return one.charAt(0).toUpperCase() + one.slice(1);
}

export const STANCE_LABELS: Record<Stance, string> = {
  supports: "Supports the passage",
  refutes: "Refutes the passage",
  context: "Gives context",
};

/** Groups (classes, review panels): what their forms take. */
export const GROUP_NAME_MAX = 100;
export const GROUP_DESCRIPTION_MAX = 2000;
export const INSTRUCTIONS_MAX = 5000;
export const SIZE_CAP_MAX = 1000;
/** A group takes at most this many members through its code when its owner set no cap. */
export const DEFAULT_SIZE_CAP = 500;

/** A thread's review state: open until its writer, the article's author or an editor resolves it. */
export const threadStatuses = ["open", "resolved"] as const;
export type ThreadStatus = (typeof threadStatuses)[number];

/** `?status=` as links write it; anything else means every thread. */
export function parseThreadStatus(value: string | null | undefined): ThreadStatus | null {
  return value === "open" || value === "resolved" ? value : null;
}

/** The largest article file the importer and the upload forms take. */
export const MAX_IMPORT_BYTES = 1024 * 1024;
/** The longest byline an editor gives a response. */
export const BYLINE_MAX = 300;

/** The longest revision note, collection title, question and introduction a form takes. */
export const REVISION_NOTE_MAX = 1000;
export const COLLECTION_TITLE_MAX = 200;
export const COLLECTION_QUESTION_MAX = 1000;
export const COLLECTION_INTRODUCTION_MAX = 5000;

/** How a group's pages speak of it: a class has students and assignments, a panel reviewers and responses. */
export const GROUP_WORDS = {
  class: {
    kind: "class",
    members: "students",
    member: "student",
    owner: "instructor",
    assignments: "Assignments",
    assignment: "assignment",
    postBeforeSee: "Post before you see",
    postBeforeSeeHelp:
      "Students see classmates' annotations on this article only after posting one of their own.",
    /** Those a member writes beside, and the name an anonymous one goes by ("Student 3"). */
    peers: "classmates",
    alias: "Student",
    layer: "the class's layer",
  },
  panel: {
    kind: "review panel",
    members: "reviewers",
    member: "reviewer",
    owner: "editor",
    assignments: "Responses under review",
    assignment: "response under review",
    postBeforeSee: "Blind until posted",
    postBeforeSeeHelp:
      "Reviewers see other reviewers' comments on this response only after posting their own.",
    peers: "fellow reviewers",
    alias: "Reviewer",
    layer: "the panel's layer",
  },
} as const;

/** Personal API tokens (account page): how long a name, how many at once, what each scope says. */
export const TOKEN_NAME_MAX = 60;
/** Live (neither revoked nor expired) tokens one person may hold: enough for every tool they use. */
export const MAX_LIVE_TOKENS = 20;
export const TOKEN_SCOPE_LABELS: Record<TokenScope, { label: string; hint: string }> = {
  read: { label: "Read", hint: "Read what you can read, your private notes included." },
  "read-write": {
    label: "Read and write",
    hint: "Also write, edit and delete annotations as you.",
  },
};
/** How long a new token lasts, in days ("never": until revoked). */
export const tokenLifetimes = ["30", "90", "365", "never"] as const;
export type TokenLifetime = (typeof tokenLifetimes)[number];
export const TOKEN_LIFETIME_LABELS: Record<TokenLifetime, string> = {
  "30": "30 days",
  "90": "90 days",
  "365": "A year",
  never: "Never (until you revoke it)",
};

/**
 * Importing annotations (a W3C Web Annotation file or a Hypothesis export) onto an article: the
 * largest file, the most annotations in one import, how many imports a person makes in an hour,
 * how many public or group annotations imports may add in an hour (the hourly write budget of
 * someone typing: an import must not flood a page others read), and how many of any visibility.
 */
export const MAX_ANNOTATION_IMPORT_BYTES = 10 * 1024 * 1024;
export const MAX_ANNOTATION_IMPORT_ITEMS = 5000;
export const MAX_ANNOTATION_IMPORTS_PER_HOUR = 10;
export const MAX_SHARED_IMPORTED_PER_HOUR = 120;
/**
 * Annotations of any visibility, private ones too, that one person's imports may add in an hour:
 * each import writes all of its rows in one transaction (about a millisecond apiece), during which
 * the server answers nobody else, so this bounds what one account's imports make every reader wait.
 */
export const MAX_IMPORTED_PER_HOUR = 5000;
/**
 * The Markdown one import may hold, in characters over all its bodies: rendering it is an import's
 * costly part (hostile Markdown, such as runs of emphasis marks, takes ~3 µs a character).
 */
export const MAX_IMPORT_BODY_CHARS = 2_000_000;
/**
 * Previews a person may ask for in an hour: each anchors a whole file (up to about a second of a
 * server process's time, see app/anchoring/import.ts), and nothing else bounds how often.
 */
export const MAX_IMPORT_PREVIEWS_PER_HOUR = 20;
/**
 * Revisions a person may upload in an hour: each re-anchors every thread of the article in one
 * transaction (seconds, on an article with thousands), during which the server answers nobody else.
 */
export const MAX_REVISIONS_PER_HOUR = 10;
/** Replies nested deeper than this in a file are refused (a chain thousands deep is no discussion). */
export const MAX_IMPORT_DEPTH = 50;

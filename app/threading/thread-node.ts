/**
 * An annotation as a thread shows it: what the reader sees, and what they may do to it. Built on
 * the server (models/thread.server.ts) and rendered by components/thread/; a plain type, so the
 * browser bundle can name it without reaching server code.
 */
import type { Permissions } from "#app/permissions";
import type { AnnotationKind, Stance, Visibility } from "#app/rules";

export type ThreadNode = {
  id: number;
  kind: AnnotationKind;
  parentId: number | null;
  depth: number;
  /** Sanitized HTML rendered from the Markdown body when it was written; empty once deleted. */
  bodyHtml: string;
  /** The Markdown source, for the edit form; empty once deleted. */
  body: string;
  author: { username: string; displayName: string } | null;
  /** How a classmate appears in an anonymous assignment ("Student 3"); then `author` is null. */
  alias: string | null;
  /** The group that sees it, for a `group` annotation. */
  group: { id: number; name: string } | null;
  /**
   * Hidden by a moderator. `hiddenFromViewer`: this viewer sees only a placeholder (body empty);
   * otherwise (its author, its moderators) they see it, marked hidden.
   */
  hidden: boolean;
  hiddenFromViewer: boolean;
  /** What this viewer may do to it (permissions.ts): the UI offers exactly these. */
  can: Permissions;
  visibility: Visibility;
  quote: string | null;
  /**
   * `changed`: a revision edited the words it quotes (`originQuote` holds them as written);
   * `orphaned`: a revision removed them.
   */
  anchorStatus: "anchored" | "changed" | "orphaned";
  originQuote: string | null;
  /** The revision and paragraph it was written on, once a revision moved or orphaned it. */
  writtenOn: { revision: number; anchor: string } | null;
  /**
   * Brought in by an import (its writer is the importer): from what, who first wrote it (as the
   * file named them) and when. Null for an annotation written here.
   */
  imported: {
    from: "w3c" | "hypothesis";
    by: string | null;
    at: string | null;
  } | null;
  /** On a thread's root: resolved, when and by whom (a display name). */
  resolved: { at: string; by: string } | null;
  source: { url: string; title: string; stance: Stance } | null;
  endorsements: number;
  endorsedByViewer: boolean;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  replies: ThreadNode[];
};

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
  threadSorts,
  type Visibility,
  visibilities,
} from "#db/enums";

export type { AnnotationKind, Stance, ThreadSort, Visibility };
export { annotationKinds, stances, threadSorts, visibilities };

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

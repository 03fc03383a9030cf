/**
 * The one answer to "may this viewer do this to this annotation?": the write-side twin of
 * `visibleTo` (models/visibility.server.ts). Model guards call `can` before every write, and the
 * thread UI offers exactly what `permissionsOf` allows (`node.can`), so no component writes the rule
 * again. Like Hypothesis's permission map, each action is one small predicate in one table: classes,
 * moderators and article authors extend the table, not the call sites.
 *
 * Pure and browser-safe. Visibility is not decided here: a viewer who may not see an annotation
 * never reaches a permission check (the models look it up through `visibleTo` first).
 */

/** Who is acting: a signed-in user, or null for an anonymous reader. */
export type Actor = { id: string } | null;

/** What the rule needs to know of an annotation. */
export type PermissionSubject = {
  authorId: string | null;
  /** Deleted annotations stay as "[deleted]" placeholders that hold their replies together. */
  deleted: boolean;
};

export const annotationActions = ["edit", "delete", "endorse", "reply"] as const;
export type AnnotationAction = (typeof annotationActions)[number];

/** What a viewer may do to one annotation, as the UI receives it. */
export type Permissions = Record<AnnotationAction, boolean>;

type Rule = (actor: NonNullable<Actor>, subject: PermissionSubject) => boolean;

const isAuthor: Rule = (actor, subject) =>
  subject.authorId !== null && subject.authorId === actor.id;

/** Anonymous readers may do nothing; nobody may act on a deleted annotation. */
const RULES: Record<AnnotationAction, Rule> = {
  edit: isAuthor,
  delete: isAuthor,
  // An endorsement says "someone else found this worth reading".
  endorse: (actor, subject) => !isAuthor(actor, subject),
  reply: () => true,
};

/** Why a signed-in viewer may not, for the message next to the refused form. */
export const REFUSALS: Record<AnnotationAction, string> = {
  edit: "Only its author can change this annotation.",
  delete: "Only its author can change this annotation.",
  endorse: "You cannot endorse your own annotation.",
  reply: "You cannot reply to this annotation.",
};

export function can(actor: Actor, action: AnnotationAction, subject: PermissionSubject): boolean {
  if (actor === null || subject.deleted) return false;
  return RULES[action](actor, subject);
}

/** Every action at once, for the UI (`node.can.edit`, …). */
export function permissionsOf(actor: Actor, subject: PermissionSubject): Permissions {
  return {
    edit: can(actor, "edit", subject),
    delete: can(actor, "delete", subject),
    endorse: can(actor, "endorse", subject),
    reply: can(actor, "reply", subject),
  };
}

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

/** Who is acting: a signed-in user (with their site role), or null for an anonymous reader. */
export type Actor = { id: string; role?: "user" | "admin" } | null;

/** A member's standing in a group (db/enums.ts, repeated so that this module stays browser-safe). */
export type GroupRole = "owner" | "moderator" | "member";

/** What the rule needs to know of an annotation, and of the viewer's place beside it. */
export type PermissionSubject = {
  authorId: string | null;
  /** Deleted annotations stay as "[deleted]" placeholders that hold their replies together. */
  deleted: boolean;
  /** Hidden by a moderator: nobody answers, endorses or edits it until it is restored. */
  hidden?: boolean;
  visibility?: "public" | "private" | "group";
  /** The actor's role in the annotation's group, when it has one and they belong to it. */
  actorRole?: GroupRole | null;
  /**
   * For a group's annotation: the actor still takes part in that group (a member, or the reviewed
   * article's author on a review panel). Someone removed from a class still sees their own
   * annotations in it, but no longer answers or edits there.
   */
  inGroup?: boolean;
  /** A thread's root (only roots are resolved). */
  root?: boolean;
  /** The actor's standing toward the annotation's article: its linked author, or its editor. */
  articleRole?: "author" | "editor" | null;
};

export const annotationActions = [
  "edit",
  "delete",
  "endorse",
  "reply",
  "flag",
  "moderate",
  "resolve",
] as const;
export type AnnotationAction = (typeof annotationActions)[number];

/** What a viewer may do to one annotation, as the UI receives it. */
export type Permissions = Record<AnnotationAction, boolean>;

type Rule = (actor: NonNullable<Actor>, subject: PermissionSubject) => boolean;

const isAuthor: Rule = (actor, subject) =>
  subject.authorId !== null && subject.authorId === actor.id;

const runsGroup = (role: GroupRole | null | undefined) => role === "owner" || role === "moderator";

/** Writing beside a group's annotation is for those still in the group. */
const takesPart: Rule = (_actor, subject) =>
  subject.visibility !== "group" || subject.inGroup === true;

/** Anonymous readers may do nothing; nobody may act on a deleted annotation. */
const RULES: Record<AnnotationAction, Rule> = {
  edit: (actor, subject) =>
    isAuthor(actor, subject) && !subject.hidden && takesPart(actor, subject),
  // Taking one's words back needs nothing more, in a group one has left too.
  delete: isAuthor,
  // An endorsement says "someone else found this worth reading".
  endorse: (actor, subject) =>
    !isAuthor(actor, subject) && !subject.hidden && takesPart(actor, subject),
  reply: (actor, subject) => !subject.hidden && takesPart(actor, subject),
  // Anyone who can see a shared annotation may report it; a private note has no other reader.
  flag: (actor, subject) =>
    !isAuthor(actor, subject) && !subject.hidden && subject.visibility !== "private",
  // Hiding and restoring: a group's owners and moderators in it; site admins on public annotations.
  moderate: (actor, subject) =>
    subject.visibility === "group"
      ? runsGroup(subject.actorRole)
      : subject.visibility === "public" && actor.role === "admin",
  // Resolving (and reopening) a thread: its writer; the article's author or editor; the panel's
  // editors (its owners and moderators) for a panel's thread; a site admin.
  resolve: (actor, subject) =>
    subject.root === true &&
    ((isAuthor(actor, subject) && takesPart(actor, subject)) ||
      subject.articleRole != null ||
      runsGroup(subject.actorRole) ||
      actor.role === "admin"),
};

/** Why a signed-in viewer may not, for the message next to the refused form. */
export const REFUSALS: Record<AnnotationAction, string> = {
  edit: "Only its author can change this annotation, not while it is hidden, and not once they have left its group.",
  delete: "Only its author can change this annotation.",
  endorse:
    "You cannot endorse your own annotation, a hidden one, or one in a group you are not in.",
  reply: "You cannot reply to this annotation: it is hidden, or its group is one you are not in.",
  flag: "You cannot flag this annotation.",
  moderate:
    "Only the group's owners and moderators (or a site admin, for public annotations) can hide or restore this.",
  resolve:
    "Only the thread's writer, the article's author or an editor can resolve or reopen this thread.",
};

export function can(actor: Actor, action: AnnotationAction, subject: PermissionSubject): boolean {
  if (actor === null || subject.deleted) return false;
  return RULES[action](actor, subject);
}

/** Every action at once, for the UI (`node.can.edit`, …). */
export function permissionsOf(actor: Actor, subject: PermissionSubject): Permissions {
  return Object.fromEntries(
    annotationActions.map((action) => [action, can(actor, action, subject)]),
  ) as Permissions;
}

/**
 * What a member may do in a group as a whole: the same kind of table, by role. Owners run the
 * group (members, join code, size cap, assignments, the moderation log); moderators keep it civil
 * and see participation; every member takes part.
 */
export const groupActions = ["manage", "moderate", "viewParticipation", "post", "export"] as const;
export type GroupAction = (typeof groupActions)[number];

const GROUP_RULES: Record<GroupAction, readonly GroupRole[]> = {
  manage: ["owner"],
  moderate: ["owner", "moderator"],
  viewParticipation: ["owner", "moderator"],
  post: ["owner", "moderator", "member"],
  // Every member's words, names unaliased, in one file: the instructor's or editor's record.
  export: ["owner"],
};

export const GROUP_REFUSALS: Record<GroupAction, string> = {
  manage: "Only the group's owners can do that.",
  moderate: "Only the group's owners and moderators can do that.",
  viewParticipation: "Only the group's owners and moderators can see participation.",
  post: "Only the group's members can post in it.",
  export: "Only the group's owners can export its annotations.",
};

export function canInGroup(role: GroupRole | null | undefined, action: GroupAction): boolean {
  return role != null && GROUP_RULES[action].includes(role);
}

/**
 * The names of the forms a page posts (`<button name="intent" value=…>`), shared by the components
 * that render the forms and the actions that read them, so neither spells one out by hand.
 */

/** The moderation forms: on an annotation in a thread, and on the moderation queues. */
export const MODERATION_INTENTS = {
  flag: "flag",
  hide: "hide",
  restore: "restore",
  dismiss: "dismiss",
} as const;

export type ModerationIntent = (typeof MODERATION_INTENTS)[keyof typeof MODERATION_INTENTS];

/** What the moderation queues post: flagging is done from the annotation itself. */
export const QUEUE_INTENTS = {
  hide: MODERATION_INTENTS.hide,
  restore: MODERATION_INTENTS.restore,
  dismiss: MODERATION_INTENTS.dismiss,
} as const;

export const INTENTS = {
  create: "create",
  reply: "reply",
  edit: "edit",
  delete: "delete",
  resolve: "resolve",
  reopen: "reopen",
  ...MODERATION_INTENTS,
} as const;

export type ThreadIntent = (typeof INTENTS)[keyof typeof INTENTS];

/** The longest reason a moderation form takes; the textarea and the schema both read it. */
export const MAX_REASON_LENGTH = 500;

/** The account page's forms. */
export const ACCOUNT_INTENTS = {
  displayName: "display-name",
  password: "password",
  delete: "delete",
  createToken: "create-token",
  revokeToken: "revoke-token",
} as const;

export type AccountIntent = (typeof ACCOUNT_INTENTS)[keyof typeof ACCOUNT_INTENTS];

/** The intent a form was posted with, if it is one of `intents`; otherwise null. */
export function readIntent<T extends string>(form: FormData, intents: Record<string, T>): T | null {
  const value = form.get("intent");
  return (Object.values(intents) as string[]).includes(String(value)) ? (value as T) : null;
}

/** The forms of the group pages (classes, panels) and of a join link. */
export const GROUP_INTENTS = {
  create: "create-group",
  join: "join",
  settings: "settings",
  rotateCode: "rotate-code",
  disableCode: "disable-code",
  setRole: "set-role",
  removeMember: "remove-member",
  leave: "leave",
  assign: "assign",
} as const;

export type GroupIntent = (typeof GROUP_INTENTS)[keyof typeof GROUP_INTENTS];

/** The assignment page's forms (owners): the score's weights, and the assignment itself. */
export const ASSIGNMENT_INTENTS = {
  weights: "weights",
  edit: "edit-assignment",
} as const;

export type AssignmentIntent = (typeof ASSIGNMENT_INTENTS)[keyof typeof ASSIGNMENT_INTENTS];

/** The collection pages' forms: starting one (/collections), and its editor's (/collections/:slug). */
export const COLLECTION_INTENTS = {
  create: "create-collection",
  edit: "edit-collection",
  addArticle: "add-article",
  upload: "upload-response",
  move: "move-response",
  remove: "remove-response",
  linkAuthor: "link-author",
} as const;

export type CollectionIntent = (typeof COLLECTION_INTENTS)[keyof typeof COLLECTION_INTENTS];

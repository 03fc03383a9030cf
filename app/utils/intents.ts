/**
 * The names of the forms a page posts (`<button name="intent" value=…>`), shared by the components
 * that render the forms and the actions that read them, so neither spells one out by hand.
 */
export const INTENTS = {
  create: "create",
  reply: "reply",
  edit: "edit",
  delete: "delete",
} as const;

export type ThreadIntent = (typeof INTENTS)[keyof typeof INTENTS];

/** The account page's forms. */
export const ACCOUNT_INTENTS = {
  displayName: "display-name",
  password: "password",
  delete: "delete",
} as const;

export type AccountIntent = (typeof ACCOUNT_INTENTS)[keyof typeof ACCOUNT_INTENTS];

/** The intent a form was posted with, if it is one of `intents`; otherwise null. */
export function readIntent<T extends string>(form: FormData, intents: Record<string, T>): T | null {
  const value = form.get("intent");
  return (Object.values(intents) as string[]).includes(String(value)) ? (value as T) : null;
}

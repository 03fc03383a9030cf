/**
 * Form validation for the account pages, with zod. The account rules themselves (username, display
 * name, password) live in db/account-rules.ts so that `npm run user:create` applies the same ones;
 * this module re-exports them and adds the shapes of each form.
 */
import { z } from "zod";
import {
  displayNameSchema,
  newPasswordIssue,
  passwordSchema,
  usernameSchema,
} from "#app/models/account-rules.server";
import { PASSWORD_MAX } from "#app/rules";
import type { FieldErrors } from "#app/utils/errors";

/** The first message for each field, in the order the schema reported them. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    errors[key] ??= issue.message;
  }
  return errors;
}

/** A submitted form's text fields (files are ignored): absent fields read as "". */
export function formFields<K extends string>(
  form: FormData,
  names: readonly K[],
): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = form.get(name);
    out[name] = typeof value === "string" ? value : "";
  }
  return out;
}

export const signUpSchema = z
  .object({
    username: usernameSchema,
    displayName: displayNameSchema,
    password: passwordSchema,
  })
  .superRefine((value, ctx) => {
    // Runs once every field is valid: the rule that needs both the username and the password.
    const issue = newPasswordIssue(value.password, value.username);
    if (issue) ctx.addIssue({ code: "custom", path: ["password"], message: issue });
  });

/** Sign-in checks only presence: whether the pair is right is the model's question. */
export const signInSchema = z.object({
  username: z
    .string()
    .trim()
    .min(1, "Enter your username.")
    .max(200, "No account has this username."),
  password: z
    .string()
    .min(1, "Enter your password.")
    .max(PASSWORD_MAX * 4, "That is longer than any password here."),
});

export const displayNameFormSchema = z.object({ displayName: displayNameSchema });

export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password."),
  newPassword: passwordSchema,
});

export const deleteAccountSchema = z.object({
  password: z.string().min(1, "Enter your password to confirm."),
});

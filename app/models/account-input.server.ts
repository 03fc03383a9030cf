/**
 * What a person may submit on the account pages (sign up, sign in, display name, password,
 * deletion): one zod schema per form, built from the account rules that `npm run user:create`
 * applies too (account-rules.server.ts).
 */
import { z } from "zod";
import {
  displayNameSchema,
  newPasswordIssue,
  passwordSchema,
  usernameSchema,
} from "#app/models/account-rules.server";
import { PASSWORD_MAX } from "#app/rules";

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

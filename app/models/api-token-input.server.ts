/**
 * What the account page's "new API token" form takes: a name its owner will recognise, a scope and
 * a lifetime. The model (api-token.server.ts) applies the same name rule, so no caller can store a
 * name the form would refuse.
 */
import { z } from "zod";
import { TOKEN_NAME_MAX, tokenLifetimes, tokenScopes } from "#app/rules";
import { BIDI_CONTROL, CONTROL, isInvisible, normalizeName } from "#app/utils/text";

const codePoints = (text: string) => [...text].length;

export const tokenNameSchema = z
  .string()
  .transform(normalizeName)
  .pipe(z.string().min(1, "Give the token a name, so you know later what uses it."))
  .refine((s) => codePoints(s) <= TOKEN_NAME_MAX, {
    message: `Use at most ${TOKEN_NAME_MAX} characters.`,
  })
  .refine((s) => !CONTROL.test(s) && !BIDI_CONTROL.test(s), {
    message: "Use letters, digits and punctuation, not control characters.",
  })
  .refine((s) => !isInvisible(s), { message: "Give the token a name you can see." });

export const newTokenSchema = z.object({
  name: tokenNameSchema,
  scope: z.enum(tokenScopes, { error: "Choose what the token may do." }),
  lifetime: z.enum(tokenLifetimes, { error: "Choose how long the token lasts." }),
});

export type NewTokenInput = z.output<typeof newTokenSchema>;

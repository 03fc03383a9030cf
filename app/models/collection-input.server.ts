/**
 * What the collection forms may hold: one schema per form (forms.server.ts `parseWith`). The
 * uploaded file itself is checked by `readUpload` in collection.server.ts, since a schema of text
 * fields cannot see it.
 */
import { z } from "zod";
import {
  BYLINE_MAX,
  COLLECTION_INTRODUCTION_MAX,
  COLLECTION_QUESTION_MAX,
  COLLECTION_TITLE_MAX,
  USERNAME_MAX,
} from "#app/rules";
import { stripControls } from "#app/utils/text";

/** The longest byline a response takes: a name or a few, with affiliations. */
export { BYLINE_MAX };

/** Keeps line breaks (the introduction is paragraphs); strips other control characters. */
const text = (max: number, tooLong: string) =>
  z
    .string()
    .optional()
    .transform((v) => stripControls(v ?? "").trim())
    .pipe(z.string().max(max, tooLong));

export const collectionSchema = z.object({
  title: text(COLLECTION_TITLE_MAX, `A title has at most ${COLLECTION_TITLE_MAX} characters.`).pipe(
    z.string().min(1, "Give the collection a title."),
  ),
  question: text(
    COLLECTION_QUESTION_MAX,
    `The question has at most ${COLLECTION_QUESTION_MAX} characters.`,
  ).pipe(z.string().min(1, "Write the question the responses answer.")),
  introduction: text(
    COLLECTION_INTRODUCTION_MAX,
    `An introduction has at most ${COLLECTION_INTRODUCTION_MAX} characters.`,
  ),
});

export type CollectionInput = z.output<typeof collectionSchema>;

const id = (message: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v && /^[1-9]\d{0,9}$/.test(v) ? Number(v) : null))
    .pipe(z.number({ error: message }));

/** Adding an article that is already on the site. */
export const addArticleSchema = z.object({ articleId: id("Choose an article to add.") });

/** Moving or removing one response: which one (the buttons carry it). */
export const itemSchema = z.object({
  articleId: id("Which response? Reload the page and try again."),
  /** Only the move buttons send one; every other form sends none (read as ""). */
  direction: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.enum(["up", "down"], { error: "Move it up or down?" }).optional()),
});

/** An optional username; "@ada" is read as "ada". Whether it exists is the model's question. */
const username = z
  .string()
  .optional()
  .transform((v) => (v ?? "").trim().replace(/^@/, ""))
  .pipe(z.string().max(USERNAME_MAX, "No account has a username that long."));

/** The text fields of the upload form (the file is read separately). */
export const uploadSchema = z.object({
  byline: text(BYLINE_MAX, `A byline has at most ${BYLINE_MAX} characters.`).pipe(
    z.string().min(1, "Give the byline: who wrote this response."),
  ),
  authorUsername: username,
});

/** Linking an article to its author's account; an empty username unlinks it. */
export const linkAuthorSchema = z.object({
  articleId: id("Which response? Reload the page and try again."),
  authorUsername: username,
});

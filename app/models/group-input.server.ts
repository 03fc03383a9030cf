/**
 * What the group and assignment forms may hold: one schema per form (forms.server.ts `parseWith`).
 */
import { z } from "zod";
import { GROUP_DESCRIPTION_MAX, GROUP_NAME_MAX, INSTRUCTIONS_MAX, SIZE_CAP_MAX } from "#app/rules";
import { stripControls } from "#app/utils/text";
import { groupKinds } from "#db/enums";

const text = (max: number, tooLong: string) =>
  z
    .string()
    .optional()
    .transform((v) => stripControls(v ?? "").trim())
    .pipe(z.string().max(max, tooLong));

export const groupSchema = z.object({
  name: text(GROUP_NAME_MAX, `A name has at most ${GROUP_NAME_MAX} characters.`).pipe(
    z.string().min(1, "Give the group a name."),
  ),
  description: text(
    GROUP_DESCRIPTION_MAX,
    `A description has at most ${GROUP_DESCRIPTION_MAX} characters.`,
  ),
});

/** Starting a group: a class unless the form says a review panel (older forms send no kind). */
export const newGroupSchema = groupSchema.extend({
  kind: z
    .string()
    .optional()
    .transform((v) => v || "class")
    .pipe(z.enum(groupKinds, { error: "Choose a class or a review panel." })),
});

export const groupSettingsSchema = groupSchema.extend({
  sizeCap: z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim())
    .pipe(
      z
        .string()
        .regex(
          /^(\d{1,4})?$/,
          "Enter a whole number of members, or leave it empty for the site's limit.",
        ),
    )
    .transform((v) => (v === "" ? null : Number(v)))
    .pipe(
      z
        .number()
        .int()
        .min(1, "A cap of at least 1 member.")
        .max(SIZE_CAP_MAX, `A cap of at most ${SIZE_CAP_MAX} members.`)
        .nullable(),
    ),
});

export const joinCodeSchema = z.object({
  code: z
    .string()
    .optional()
    .transform((v) => (v ?? "").toUpperCase().replace(/[\s-]/g, ""))
    .pipe(z.string().min(1, "Enter the join code you were given.")),
});

export const roleSchema = z.object({
  userId: z.string().min(1).max(100),
  role: z.enum(["owner", "moderator", "member"], { error: "Choose a role." }),
});

/** Whether the runtime knows this IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What the wall clock reads in `timeZone` at `instant`, as if that reading were UTC. */
function wallClockAsUtc(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/**
 * The instant at which the wall clock in `timeZone` reads `date` `time` (a due date as a teacher
 * writes it). Two passes settle the zone's offset, also across a daylight-saving change.
 */
export function zonedTimeToInstant(date: string, time: string, timeZone: string): Date {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const [h, mi] = time.split(":").map(Number) as [number, number];
  const target = Date.UTC(y, mo - 1, d, h, mi);
  let guess = target;
  for (let i = 0; i < 2; i++) guess += target - wallClockAsUtc(guess, timeZone);
  return new Date(guess);
}

const checkbox = z
  .string()
  .optional()
  .transform((v) => v === "on" || v === "true" || v === "1");

export const assignmentSchema = z
  .object({
    instructions: text(
      INSTRUCTIONS_MAX,
      `Instructions have at most ${INSTRUCTIONS_MAX} characters.`,
    ),
    dueDate: z
      .string()
      .optional()
      .transform((v) => (v ?? "").trim())
      .pipe(z.string().regex(/^(\d{4}-\d{2}-\d{2})?$/, "Enter a date as YYYY-MM-DD.")),
    dueTime: z
      .string()
      .optional()
      .transform((v) => (v ?? "").trim() || "23:59")
      .pipe(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Enter a time as HH:MM (24-hour).")),
    timeZone: z
      .string()
      .optional()
      .transform((v) => (v ?? "").trim() || "UTC")
      .refine(isTimeZone, "Choose a time zone such as Europe/London or America/New_York."),
    postBeforeSee: checkbox,
    anonymous: checkbox,
  })
  .superRefine((v, ctx) => {
    if (v.dueDate && Number.isNaN(Date.parse(`${v.dueDate}T00:00:00Z`))) {
      ctx.addIssue({ code: "custom", path: ["dueDate"], message: "That date does not exist." });
    }
  })
  .transform((v) => ({
    instructions: v.instructions,
    dueAt: v.dueDate ? zonedTimeToInstant(v.dueDate, v.dueTime, v.timeZone) : null,
    timeZone: v.timeZone,
    postBeforeSee: v.postBeforeSee,
    anonymous: v.anonymous,
  }));

export const newAssignmentSchema = z
  .object({
    articleId: z
      .string()
      .optional()
      .transform((v) => (v && /^[1-9]\d{0,9}$/.test(v) ? Number(v) : null))
      .pipe(z.number({ error: "Choose an article to assign." })),
  })
  .and(assignmentSchema);

/**
 * What the weights form may hold (forms.server.ts `parseWith`): each term's weight, a number from
 * 0 to 100 with at most 2 decimals, so the score's arithmetic stays exact in hundredths
 * (participation.server.ts `scoreOf`). A comma is read as a decimal point ("0,5"), as many
 * teachers write it.
 */
import { z } from "zod";
import {
  WEIGHT_FIELDS,
  WEIGHT_KEYS,
  WEIGHT_MAX,
  type WeightKey,
  type Weights,
} from "#app/models/participation.server";

function weightField(key: WeightKey) {
  const label = WEIGHT_FIELDS[key].label.toLowerCase();
  return z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim().replace(",", "."))
    .superRefine((v, ctx) => {
      const fail = (message: string) => ctx.addIssue({ code: "custom", message });
      if (v === "") return fail(`Enter a weight ${label} (0 leaves it out of the score).`);
      if (v.startsWith("-")) return fail(`A weight cannot be negative: use 0 to ${WEIGHT_MAX}.`);
      if (!/^(\d+(\.\d*)?|\.\d+)$/.test(v)) {
        return fail(`Enter a number from 0 to ${WEIGHT_MAX}, such as 1 or 0.5.`);
      }
      if ((v.split(".")[1] ?? "").length > 2) {
        return fail("Use at most 2 decimals, such as 0.25.");
      }
      if (Number(v) > WEIGHT_MAX) return fail(`A weight is at most ${WEIGHT_MAX}.`);
    })
    .transform(Number);
}

export const weightsSchema = z.object(
  Object.fromEntries(WEIGHT_KEYS.map((key) => [key, weightField(key)])) as Record<
    WeightKey,
    ReturnType<typeof weightField>
  >,
) satisfies z.ZodType<Weights, Partial<Record<WeightKey, string>>>;

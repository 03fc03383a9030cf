/**
 * The W3C Web Annotation working group's JSON schemas (tests/data/w3c/schemas: draft-04, as the
 * web-platform-tests harness runs them with Ajv) for the "musts" of an annotation, a collection and
 * a page: `mustFailures(kind, document)` names every must assertion the document breaks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv, { type ValidateFunction } from "ajv-draft-04";
import addFormats from "ajv-formats";

export const W3C_DATA = fileURLToPath(new URL("../data/w3c/", import.meta.url));
const SCHEMAS = join(W3C_DATA, "schemas");

export type MustKind = "annotation" | "collection" | "page";

const TEST_FILES: Record<MustKind, string> = {
  annotation: "annotations/annotationMusts.test",
  collection: "collections/collectionMusts.test",
  page: "collections/pages/pageMusts.test",
};

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

type Assertion = { name: string; message: string; validate: ValidateFunction };

let compiled: Record<MustKind, Assertion[]> | null = null;

function compile(): Record<MustKind, Assertion[]> {
  // The schemas carry the harness's own keywords (assertionType, errorMessage, …): not strict.
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
  addFormats(ajv);
  for (const file of readdirSync(join(SCHEMAS, "definitions"))) {
    ajv.addSchema(readJson(join(SCHEMAS, "definitions", file)));
  }
  const out = {} as Record<MustKind, Assertion[]>;
  for (const [kind, testFile] of Object.entries(TEST_FILES) as [MustKind, string][]) {
    const test = readJson(join(SCHEMAS, testFile)) as { assertions: string[] };
    out[kind] = test.assertions.map((assertion) => {
      const schema = readJson(join(SCHEMAS, assertion));
      // Assertion files reuse ids across folders; each is compiled on its own, resolving its
      // references against the definitions by their ids.
      const { id: _id, ...rest } = schema;
      return {
        name: assertion,
        message: String(schema.errorMessage ?? assertion),
        validate: ajv.compile(rest),
      };
    });
  }
  return out;
}

/**
 * Compiles the assertions once. Slow (Ajv compiles some eighty schemas, seconds on a busy machine):
 * call it from a `beforeAll` with a long timeout, so no single test pays for it.
 */
export function loadMusts(): void {
  compiled ??= compile();
}

/** The must assertions `document` fails, as "file: message"; empty when it meets them all. */
export function mustFailures(kind: MustKind, document: unknown): string[] {
  compiled ??= compile();
  return compiled[kind]
    .filter((assertion) => !assertion.validate(document))
    .map((assertion) => `${assertion.name}: ${assertion.message}`);
}

/** The samples the working group ships, correct and incorrect, by file name. */
export function samples(which: "correct" | "incorrect"): { name: string; text: string }[] {
  const folder = join(W3C_DATA, "samples", which);
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(folder, name), "utf8") }));
}

/** Which musts a sample is about, by its type. */
export function mustKindOf(document: unknown): MustKind {
  const type = (document as { type?: unknown } | null)?.type;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes("AnnotationCollection")) return "collection";
  if (types.includes("AnnotationPage")) return "page";
  return "annotation";
}

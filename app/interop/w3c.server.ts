/**
 * Marginalia's annotations as W3C Web Annotations (JSON-LD, the anno.jsonld context) and back.
 * `toW3C` writes one; `fromW3C` reads any valid W3C annotation (one or many bodies and targets,
 * strings or objects, `bodyValue`, motivation lists, optional fields missing) and returns a
 * `PortableAnnotation`, a reason to leave it out, or what is wrong with it. The mapping, field by
 * field and both ways, is docs/w3c-mapping.md; `fromW3C(toW3C(x))` is `x`.
 */

import {
  anchorStatuses,
  asList,
  cleanName,
  cleanText,
  field,
  isIri,
  isPlainObject,
  MAX_LIST_LENGTH,
  type PortableAnnotation,
  type PortableCreator,
  type PortableTarget,
  type ReadResult,
  readDateTime,
  titleFromUrl,
  verdict,
  withheldReasons,
} from "#app/interop/portable.server";
import {
  ANNO_CONTEXT,
  CONTEXT,
  FRAGMENT_CONFORMS_TO,
  KIND_MOTIVATION,
  MRG_NAMESPACE,
} from "#app/interop/vocabulary";
import {
  type AnnotationKind,
  annotationKinds,
  MAX_BODY_LENGTH,
  type Stance,
  stances,
  visibilities,
} from "#app/rules";

/** A W3C annotation as Marginalia writes it (JSON-LD, compacted with `CONTEXT`). */
export type W3CAnnotation = Record<string, unknown> & {
  "@context"?: typeof CONTEXT;
  id: string;
  type: "Annotation";
};

type Selector = Record<string, unknown>;

function textualBody(value: string, purpose: string): Record<string, unknown> {
  return { type: "TextualBody", value, format: "text/markdown", purpose };
}

function targetSelectors(target: PortableTarget): Selector[] {
  if (!target.paragraph) {
    const selectors: Selector[] = [];
    if (target.quote) selectors.push({ type: "TextQuoteSelector", ...target.quote });
    if (target.position) selectors.push({ type: "TextPositionSelector", ...target.position });
    return selectors;
  }
  const fragment = {
    type: "FragmentSelector",
    conformsTo: FRAGMENT_CONFORMS_TO,
    value: target.paragraph,
  };
  if (!target.quote && !target.position) return [fragment];
  // Alternatives, each describing the same passage: the paragraph refined by the quote, the
  // paragraph refined by the code-point range, and the quote alone for tools that read no
  // refinements (its context is the paragraph's, which is also the page's).
  const selectors: Selector[] = [];
  if (target.quote) {
    selectors.push({ ...fragment, refinedBy: { type: "TextQuoteSelector", ...target.quote } });
  }
  if (target.position) {
    selectors.push({
      ...fragment,
      refinedBy: { type: "TextPositionSelector", ...target.position },
    });
  }
  if (target.quote) selectors.push({ type: "TextQuoteSelector", ...target.quote });
  return selectors;
}

/**
 * One annotation as a W3C Web Annotation. `withContext: false` leaves out `@context`, for items
 * of a page, which carries it once.
 */
export function toW3C(
  annotation: PortableAnnotation,
  { withContext = true }: { withContext?: boolean } = {},
): W3CAnnotation {
  const out: Record<string, unknown> = {};
  if (withContext) out["@context"] = CONTEXT;
  out.id = annotation.id;
  out.type = "Annotation";
  out.motivation = annotation.parent ? "replying" : KIND_MOTIVATION[annotation.kind];
  if (annotation.created) out.created = annotation.created;
  if (annotation.modified) out.modified = annotation.modified;
  if (annotation.creator) {
    const { id, name, nickname } = annotation.creator;
    out.creator = {
      ...(id ? { id } : {}),
      type: "Person",
      ...(name ? { name } : {}),
      ...(nickname ? { nickname } : {}),
    };
  }
  const purpose = KIND_MOTIVATION[annotation.kind];
  if (annotation.source) {
    out.body = [
      { id: annotation.source.url, title: annotation.source.title },
      ...(annotation.body ? [textualBody(annotation.body, "describing")] : []),
    ];
  } else if (annotation.body) {
    out.body = textualBody(annotation.body, purpose);
  }
  if (annotation.parent) {
    out.target = annotation.parent;
  } else if (annotation.target) {
    const selectors = targetSelectors(annotation.target);
    out.target =
      selectors.length === 0
        ? annotation.target.source
        : {
            type: "SpecificResource",
            source: annotation.target.source,
            selector: selectors.length === 1 ? selectors[0] : selectors,
          };
  }
  out["mrg:kind"] = annotation.kind;
  if (annotation.source) out["mrg:stance"] = annotation.source.stance;
  if (annotation.visibility) out["mrg:visibility"] = annotation.visibility;
  if (annotation.group) {
    out["mrg:group"] = {
      id: annotation.group.id,
      ...(annotation.group.name ? { name: annotation.group.name } : {}),
    };
  }
  if (annotation.anchorStatus !== "anchored") out["mrg:anchorStatus"] = annotation.anchorStatus;
  if (annotation.originalQuote) out["mrg:originalQuote"] = annotation.originalQuote;
  if (annotation.resolved) out["mrg:resolved"] = annotation.resolved;
  if (annotation.withheld) out["mrg:withheld"] = annotation.withheld;
  if (annotation.tags.length > 0) {
    const bodies = asList(out.body);
    out.body = [
      ...bodies,
      ...annotation.tags.map((tag) => ({ type: "TextualBody", value: tag, purpose: "tagging" })),
    ];
  }
  return out as W3CAnnotation;
}

// ——— Reading ———

const OA_PREFIXES = ["http://www.w3.org/ns/oa#", "oa:"];
const ANNO_CONTEXTS = new Set([ANNO_CONTEXT, "https://www.w3.org/ns/anno.jsonld"]);

/** `oa:commenting` and the full IRI read as `commenting`. */
function localName(value: string): string {
  for (const prefix of OA_PREFIXES) {
    if (value.startsWith(prefix)) return value.slice(prefix.length);
  }
  return value;
}

function typesOf(object: Record<string, unknown>): string[] {
  return asList(field(object, "type"))
    .filter((t): t is string => typeof t === "string")
    .map(localName);
}

/** A Marginalia extension property, written `mrg:x` or as the full IRI. */
function mrg(object: Record<string, unknown>, name: string): unknown {
  return field(object, `mrg:${name}`) ?? field(object, `${MRG_NAMESPACE}${name}`);
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  what: string,
  errors: string[],
): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  errors.push(`Its ${what} is not one of ${allowed.join(", ")}.`);
  return null;
}

/** A property that must hold at most one IRI (an array of one counts as one). */
function singleIri(
  object: Record<string, unknown>,
  key: string,
  what: string,
  errors: string[],
): string | null {
  const values = asList(field(object, key));
  if (values.length === 0) return null;
  if (values.length > 1) {
    errors.push(`It has more than one ${what}.`);
    return null;
  }
  if (!isIri(values[0])) {
    errors.push(`Its ${what} is not an IRI.`);
    return null;
  }
  return values[0];
}

/** A property that must hold at most one date and time. */
function singleDate(object: Record<string, unknown>, key: string, errors: string[]): string | null {
  const values = asList(field(object, key));
  if (values.length === 0) return null;
  const date = values.length === 1 ? readDateTime(values[0]) : null;
  if (date === null) {
    errors.push(
      `Its ${key} is not one date and time with a time zone (like 2026-11-30T14:05:00Z).`,
    );
  }
  return date;
}

/** An IRI (string), or the `id` of an object that has one. */
function iriOf(value: unknown): string | null {
  if (isIri(value)) return value;
  if (isPlainObject(value)) {
    const id = field(value, "id") ?? field(value, "@id");
    if (isIri(id)) return id;
  }
  return null;
}

function readCreator(value: unknown, errors: string[]): PortableCreator | null {
  const creators = asList(value);
  if (creators.length === 0) return null;
  for (const creator of creators) {
    if (!isIri(creator) && !isPlainObject(creator)) {
      errors.push("Its creator is neither an IRI nor a person or other agent.");
      return null;
    }
  }
  const first = creators[0];
  if (typeof first === "string") return { id: first, name: null, nickname: null };
  const agent = first as Record<string, unknown>;
  const id = field(agent, "id");
  if (id !== undefined && !isIri(id)) {
    errors.push("Its creator's id is not an IRI.");
  }
  const name = asList(field(agent, "name"))[0];
  const nickname = asList(field(agent, "nickname"))[0];
  return {
    id: isIri(id) ? id : null,
    name: cleanName(name),
    nickname: cleanName(nickname),
  };
}

/** Checks the W3C model's rules for a selector (and what refines it), naming what is wrong. */
function checkSelector(selector: unknown, errors: string[], depth = 0): void {
  if (typeof selector === "string") {
    if (!isIri(selector)) errors.push("A selector is neither an IRI nor a selector object.");
    return;
  }
  if (!isPlainObject(selector)) {
    errors.push("A selector is neither an IRI nor a selector object.");
    return;
  }
  if (depth > 4) {
    errors.push("Its selectors refine each other too deeply.");
    return;
  }
  const [type] = typesOf(selector);
  const value = field(selector, "value");
  if (type === "FragmentSelector" || type === "CssSelector" || type === "XPathSelector") {
    if (typeof value !== "string") errors.push(`A ${type} has no single string value.`);
    const conformsTo = field(selector, "conformsTo");
    if (conformsTo !== undefined && !isIri(conformsTo)) {
      errors.push(`A ${type}'s conformsTo is not an IRI.`);
    }
  }
  if (type === "TextQuoteSelector") {
    if (typeof field(selector, "exact") !== "string") {
      errors.push("A TextQuoteSelector has no exact text.");
    }
    for (const key of ["prefix", "suffix"]) {
      const part = field(selector, key);
      if (part !== undefined && typeof part !== "string") {
        errors.push(`A TextQuoteSelector's ${key} is not text.`);
      }
    }
  }
  if (type === "TextPositionSelector" || type === "DataPositionSelector") {
    const start = field(selector, "start");
    const end = field(selector, "end");
    const valid = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    if (!valid(start) || !valid(end)) {
      errors.push(`A ${type} needs a start and an end that are whole numbers, 0 or more.`);
    }
  }
  const refinements = asList(field(selector, "refinedBy"));
  if (refinements.length > MAX_LIST_LENGTH) errors.push("A selector has too many refinements.");
  for (const refinement of refinements.slice(0, MAX_LIST_LENGTH)) {
    checkSelector(refinement, errors, depth + 1);
  }
}

/**
 * The longest textual body read at all. Its text may hold at most MAX_BODY_LENGTH characters once
 * read (`checkPortable`), but that is checked after HTML is turned into text: anything longer than
 * this could not fit however much markup it carries, and is refused before any conversion runs.
 */
export const MAX_BODY_VALUE_LENGTH = MAX_BODY_LENGTH * 4;

/**
 * How deep Composites, Lists and Independents may nest. Marginalia reads only the first level, so
 * a body or target nested deeper holds nothing it would use; without a limit, a file nested
 * thousands deep would overflow the stack rather than get a message.
 */
export const MAX_RESOURCE_DEPTH = 8;

/** Checks one body or target resource; `role` names it in messages. */
function checkResource(
  resource: unknown,
  role: "body" | "target",
  errors: string[],
  depth = 0,
): void {
  if (typeof resource === "string") {
    if (!isIri(resource)) errors.push(`A ${role} is text where an IRI belongs.`);
    return;
  }
  if (!isPlainObject(resource)) {
    errors.push(`A ${role} is neither an IRI nor a resource.`);
    return;
  }
  const types = typesOf(resource);
  const id = field(resource, "id");
  if (id !== undefined && !isIri(id)) errors.push(`A ${role}'s id is not an IRI.`);
  const items = field(resource, "items");
  if (items !== undefined) {
    if (depth >= MAX_RESOURCE_DEPTH) {
      errors.push(`Its ${role} nests lists of resources too deeply.`);
      return;
    }
    const list = asList(items);
    if (list.length === 0 || list.length > MAX_LIST_LENGTH) {
      errors.push(`A ${role}'s items are empty or too many.`);
    }
    for (const item of list.slice(0, MAX_LIST_LENGTH)) {
      checkResource(item, role, errors, depth + 1);
    }
    return;
  }
  const isTextual = types.includes("TextualBody") || field(resource, "value") !== undefined;
  const source = field(resource, "source");
  const specific =
    types.includes("SpecificResource") ||
    source !== undefined ||
    field(resource, "selector") !== undefined;
  if (isTextual && role === "target") errors.push("A target is embedded text.");
  const value = field(resource, "value");
  if (isTextual && typeof value !== "string") {
    errors.push(`A textual ${role} has no single string value.`);
  }
  if (typeof value === "string" && value.length > MAX_BODY_VALUE_LENGTH) {
    errors.push(
      `Its text is longer than ${MAX_BODY_LENGTH.toLocaleString("en")} characters (one textual ${role} holds ${value.length.toLocaleString("en")}).`,
    );
  }
  if (specific) {
    if (asList(source).length !== 1 || iriOf(asList(source)[0]) === null) {
      errors.push(`A specific resource (${role}) has no single source IRI.`);
    }
    const selectors = asList(field(resource, "selector"));
    if (selectors.length > MAX_LIST_LENGTH) errors.push(`A ${role} has too many selectors.`);
    for (const selector of selectors.slice(0, MAX_LIST_LENGTH)) checkSelector(selector, errors);
  }
  if (!isTextual && !specific && id === undefined) {
    errors.push(`A ${role} is neither an IRI, embedded text nor an identified resource.`);
  }
  for (const key of ["language", "format", "textDirection"]) {
    const values = asList(field(resource, key));
    if (values.some((v) => typeof v !== "string")) errors.push(`A ${role}'s ${key} is not text.`);
  }
  for (const key of ["created", "modified"]) {
    if (field(resource, key) !== undefined) singleDate(resource, key, errors);
  }
}

/** A Choice gives its first option; a Composite, List or Set all its items; anything else itself. */
function flattenResources(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const value of values) {
    if (isPlainObject(value) && Array.isArray(field(value, "items"))) {
      const items = field(value, "items") as unknown[];
      out.push(...(typesOf(value).includes("Choice") ? items.slice(0, 1) : items));
    } else {
      out.push(value);
    }
  }
  return out;
}

const PARAGRAPH = /^p-[1-9]\d{0,6}$/;

type QuoteParts = { exact: string; prefix: string; suffix: string };

function readQuote(selector: Record<string, unknown>): QuoteParts {
  const text = (key: string) => {
    const value = field(selector, key);
    return typeof value === "string" ? cleanText(value) : "";
  };
  return { exact: text("exact"), prefix: text("prefix"), suffix: text("suffix") };
}

function readPosition(selector: Record<string, unknown>) {
  return { start: field(selector, "start") as number, end: field(selector, "end") as number };
}

/** The paragraph, quote and position a target's selectors give (see PortableTarget). */
function readTarget(resource: unknown): PortableTarget | null {
  if (typeof resource === "string") {
    const hash = resource.indexOf("#");
    const fragment = hash >= 0 ? resource.slice(hash + 1) : "";
    if (PARAGRAPH.test(fragment)) {
      return { source: resource.slice(0, hash), paragraph: fragment, quote: null, position: null };
    }
    return { source: resource, paragraph: null, quote: null, position: null };
  }
  if (!isPlainObject(resource)) return null;
  const source = iriOf(asList(field(resource, "source"))[0]) ?? iriOf(resource);
  if (!source) return null;
  let paragraph: string | null = null;
  let quote: QuoteParts | null = null;
  let position: { start: number; end: number } | null = null;
  let documentQuote: QuoteParts | null = null;
  let documentPosition: { start: number; end: number } | null = null;
  for (const selector of asList(field(resource, "selector"))) {
    if (!isPlainObject(selector)) continue;
    const [type] = typesOf(selector);
    if (type === "TextQuoteSelector") documentQuote ??= readQuote(selector);
    if (type === "TextPositionSelector") documentPosition ??= readPosition(selector);
    const value = field(selector, "value");
    if (type !== "FragmentSelector" || typeof value !== "string" || !PARAGRAPH.test(value)) {
      continue;
    }
    // The first paragraph named wins; its refinements are counted within it.
    if (paragraph !== null && paragraph !== value) continue;
    paragraph = value;
    for (const refinement of asList(field(selector, "refinedBy"))) {
      if (!isPlainObject(refinement)) continue;
      const [refinedType] = typesOf(refinement);
      if (refinedType === "TextQuoteSelector") quote ??= readQuote(refinement);
      if (refinedType === "TextPositionSelector") position ??= readPosition(refinement);
    }
  }
  if (paragraph === null) {
    return { source, paragraph: null, quote: documentQuote, position: documentPosition };
  }
  // A page-wide position means nothing within the paragraph; a page-wide quote still finds it.
  return { source, paragraph, quote: quote ?? documentQuote, position };
}

/**
 * HTML in a body becomes its text: the importer stores Markdown, and renders it sanitised. A tag
 * stops at the next `<` as well as at `>`: with `[^>]*` every `<` not followed by a `>` would
 * rescan to the end of the text, quadratic in its length.
 */
function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/li|\/h\d)\b[^<>]*>/gi, "\n")
    .replace(/<[^<>]*>/g, "")
    .replace(/&(lt|gt|quot|#39|apos|nbsp|amp);/g, (_m, entity: string) => {
      const map: Record<string, string> = {
        lt: "<",
        gt: ">",
        quot: '"',
        "#39": "'",
        apos: "'",
        nbsp: " ",
        amp: "&",
      };
      return map[entity] ?? "";
    });
}

/** The text of a textual body, as Markdown. */
function bodyText(resource: Record<string, unknown>): string {
  const value = field(resource, "value");
  if (typeof value !== "string") return "";
  const format = asList(field(resource, "format"))[0];
  const text = format === "text/html" ? htmlToText(value) : value;
  return cleanText(text).trim();
}

type Bodies = {
  texts: string[];
  purposes: string[];
  tags: string[];
  link: { url: string; title: string | null } | null;
};

function readBodies(annotation: Record<string, unknown>): Bodies {
  const out: Bodies = { texts: [], purposes: [], tags: [], link: null };
  const bodyValue = field(annotation, "bodyValue");
  if (typeof bodyValue === "string" && cleanText(bodyValue).trim() !== "") {
    out.texts.push(cleanText(bodyValue).trim());
  }
  for (const body of flattenResources(asList(field(annotation, "body")))) {
    if (typeof body === "string") {
      out.link ??= { url: body, title: null };
      continue;
    }
    if (!isPlainObject(body)) continue;
    const purposes = asList(field(body, "purpose"))
      .filter((p): p is string => typeof p === "string")
      .map(localName);
    const types = typesOf(body);
    if (types.includes("TextualBody") || typeof field(body, "value") === "string") {
      const text = bodyText(body);
      if (purposes.includes("tagging")) {
        if (text) out.tags.push(text);
        continue;
      }
      out.purposes.push(...purposes);
      if (text) out.texts.push(text);
      continue;
    }
    const url = iriOf(asList(field(body, "source"))[0]) ?? iriOf(body);
    if (url && !out.link) {
      const title =
        [field(body, "title"), field(body, "dcterms:title"), field(body, "label")]
          .map(cleanName)
          .find((t) => t !== null) ?? null;
      out.link = { url, title };
    }
  }
  return out;
}

function kindFrom(motivations: string[], bodies: Bodies): AnnotationKind {
  const all = [...motivations, ...bodies.purposes];
  if (all.includes("linking") && bodies.link) return "source";
  if (all.includes("questioning")) return "question";
  // Without `mrg:kind`, "assessing" stays a plain annotation: a rating or review is no
  // counterargument.
  return "annotation";
}

/** Why an annotation with nothing to read is left out, in the reader's words. */
function nothingToRead(motivations: string[]): string {
  if (motivations.includes("highlighting")) {
    return "It is a highlight without words; Marginalia keeps annotations that say something.";
  }
  if (motivations.includes("bookmarking")) return "It is a bookmark without words.";
  return "It has no text and no link Marginalia can show (bodies such as images are not imported).";
}

/**
 * Reads one W3C Web Annotation. `contextInherited` is for an item of a collection or page, which
 * may leave the `@context` to the document around it.
 */
export function fromW3C(
  json: unknown,
  { contextInherited = false }: { contextInherited?: boolean } = {},
): ReadResult {
  if (!isPlainObject(json)) {
    return { status: "invalid", errors: ["It is not a JSON object."] };
  }
  const errors: string[] = [];
  const context = field(json, "@context");
  if (context === undefined) {
    if (!contextInherited)
      errors.push(`It has no @context (a W3C annotation names ${ANNO_CONTEXT}).`);
  } else if (!asList(context).some((c) => typeof c === "string" && ANNO_CONTEXTS.has(c))) {
    errors.push(`Its @context does not include ${ANNO_CONTEXT}.`);
  }
  if (!typesOf(json).includes("Annotation")) errors.push("Its type is not Annotation.");
  const id = singleIri(json, "id", "id", errors);
  const created = singleDate(json, "created", errors);
  const modified = singleDate(json, "modified", errors);
  singleDate(json, "generated", errors);
  singleIri(json, "canonical", "canonical IRI", errors);
  for (const key of ["via", "rights"]) {
    if (asList(field(json, key)).some((v) => !isIri(v))) errors.push(`Its ${key} is not an IRI.`);
  }
  const creator = readCreator(field(json, "creator"), errors);
  for (const generator of asList(field(json, "generator"))) {
    if (!isIri(generator) && !isPlainObject(generator)) {
      errors.push("Its generator is neither an IRI nor an agent.");
    }
  }
  const bodyList = asList(field(json, "body"));
  const bodyValue = field(json, "bodyValue");
  if (bodyList.length > 0 && bodyValue !== undefined) {
    errors.push("It has both body and bodyValue; the model allows one or the other.");
  }
  if (bodyValue !== undefined && typeof bodyValue !== "string") {
    errors.push("Its bodyValue is not one string.");
  }
  if (bodyList.length > MAX_LIST_LENGTH) errors.push("It has too many bodies.");
  for (const body of bodyList.slice(0, MAX_LIST_LENGTH)) checkResource(body, "body", errors);
  const targets = asList(field(json, "target"));
  if (targets.length === 0) errors.push("It has no target.");
  if (targets.length > MAX_LIST_LENGTH) errors.push("It has too many targets.");
  for (const target of targets.slice(0, MAX_LIST_LENGTH)) checkResource(target, "target", errors);
  const motivations = asList(field(json, "motivation"))
    .filter((m): m is string => typeof m === "string")
    .map(localName);
  if (asList(field(json, "motivation")).some((m) => typeof m !== "string")) {
    errors.push("Its motivation is not a motivation's name.");
  }

  const kind = oneOf(mrg(json, "kind"), annotationKinds, "mrg:kind", errors);
  const stance = oneOf<Stance>(mrg(json, "stance"), stances, "mrg:stance", errors);
  const visibility = oneOf(mrg(json, "visibility"), visibilities, "mrg:visibility", errors);
  const anchorStatus = oneOf(mrg(json, "anchorStatus"), anchorStatuses, "mrg:anchorStatus", errors);
  const withheld = oneOf(mrg(json, "withheld"), withheldReasons, "mrg:withheld", errors);
  const groupValue = mrg(json, "group");
  const group =
    groupValue === undefined
      ? null
      : isPlainObject(groupValue) && iriOf(groupValue)
        ? { id: iriOf(groupValue) as string, name: cleanName(field(groupValue, "name")) }
        : null;
  if (groupValue !== undefined && group === null) errors.push("Its mrg:group has no IRI.");
  const originalQuoteValue = mrg(json, "originalQuote");
  if (originalQuoteValue !== undefined && typeof originalQuoteValue !== "string") {
    errors.push("Its mrg:originalQuote is not text.");
  }
  const resolvedValue = mrg(json, "resolved");
  const resolved = resolvedValue === undefined ? null : readDateTime(resolvedValue);
  if (resolvedValue !== undefined && resolved === null) {
    errors.push("Its mrg:resolved is not a date and time with a time zone.");
  }
  if (errors.length > 0) return { status: "invalid", errors };

  const bodies = readBodies(json);
  const reply = motivations.includes("replying");
  const parent = reply ? (targets.map(iriOf).find((iri) => iri !== null) ?? null) : null;
  if (reply && parent === null) {
    return { status: "invalid", errors: ["It replies, but its target names no annotation."] };
  }
  // Of several target resources (a Composite, a List, Independents) the first is read.
  const target = reply
    ? null
    : (flattenResources(targets)
        .map(readTarget)
        .find((t) => t !== null) ?? null);
  const resolvedKind = kind ?? kindFrom(motivations, bodies);
  const link = resolvedKind === "source" ? bodies.link : null;
  let body = bodies.texts.join("\n\n");
  if (!withheld && body === "" && !link) {
    return { status: "skipped", reason: nothingToRead(motivations) };
  }
  // A link without a note: the importer needs words, and the link's title is the most the file says.
  if (!withheld && body === "" && link) body = link.title ?? titleFromUrl(link.url);

  const annotation: PortableAnnotation = {
    id,
    kind: resolvedKind,
    body,
    source: link
      ? { url: link.url, title: link.title ?? titleFromUrl(link.url), stance: stance ?? "context" }
      : null,
    target,
    parent,
    creator: withheld ? null : creator,
    created,
    modified,
    visibility,
    group,
    anchorStatus: anchorStatus ?? "anchored",
    originalQuote: typeof originalQuoteValue === "string" ? cleanText(originalQuoteValue) : null,
    resolved,
    withheld,
    tags: bodies.tags,
  };
  return verdict(annotation, []);
}

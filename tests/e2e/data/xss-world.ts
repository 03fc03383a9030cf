/**
 * The data tests/e2e/xss.spec.ts reads: the public XSS payload collection in ./xss/ (see
 * ./xss/SOURCE.md), and a world built from it straight in the e2e database, in bulk — an article,
 * hundreds of accounts and annotations — with every value passed through the same schemas the
 * forms use (`parseNewAnnotation`, `parseReply`, `displayNameSchema`), so that what is stored is
 * exactly what a person could have submitted. Writes go through the app's models, so rendered
 * Markdown, tallies and the search index are what the app itself would have made.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import { displayNameSchema } from "#app/models/account-rules.server";
import { createAnnotation, createReply } from "#app/models/annotation.server";
import { parseNewAnnotation, parseReply } from "#app/models/annotation-input.server";
import { createAssignment } from "#app/models/assignment.server";
import { addExistingArticle, createCollection } from "#app/models/collection.server";
import { collectionSchema } from "#app/models/collection-input.server";
import { createGroup, getGroupFor, joinGroup } from "#app/models/group.server";
import { assignmentSchema, groupSchema } from "#app/models/group-input.server";
import { importArticle, normaliseWhitespace, parseArticle } from "#app/models/importer.server";
import { flagAnnotation, hideAnnotation } from "#app/models/moderation.server";
import { checkReason } from "#app/models/moderation-input.server";
import { isHttpUrl } from "#app/utils/url";
import { openDatabase } from "#db/client";
import { annotation, article, block } from "#db/schema";

const DIR = fileURLToPath(new URL("./xss/", import.meta.url));
/** Set by tests/playwright.config.ts: the file the test server uses. */
const DATABASE = process.env.E2E_DATABASE_PATH ?? "tests/.tmp/e2e.db";

/** Every payload of the collection, once, in file order (blank lines dropped). */
export function readPayloads(): string[] {
  const lines = readdirSync(DIR)
    .filter((name) => name.endsWith(".txt") && name !== "LICENSE.txt")
    .sort()
    .flatMap((name) => readFileSync(`${DIR}${name}`, "utf8").split("\n"));
  return [...new Set(lines.filter((line) => line.trim() !== ""))];
}

const KINDS = ["annotation", "question", "counterargument", "source"] as const;
const STANCES = ["supports", "refutes", "context"] as const;
const SUMMARY_KINDS = ["annotation", "question", "counterargument"] as const;
/** A quoted passage may be at most 5,000 characters: paragraphs stay under that. */
const PARAGRAPH_MAX = 4_500;
/** A word in every summary body, so one search lists the summaries alone. */
export const SUMMARY_WORD = "zqxsummaryzqx";
/** A word after the payload in every thread's body, so one search lists those threads alone. */
export const THREAD_WORD = "zqxthreadzqx";

/**
 * A source link built from a payload that the form accepts (an http URL with the payload in it,
 * whitespace removed), else the payload as a query value.
 */
function sourceUrlFor(payload: string): string {
  const raw = `https://example.com/${payload.replace(/\s+/g, "")}`;
  return isHttpUrl(raw) ? raw : `https://example.com/?q=${encodeURIComponent(payload)}`;
}

function formOf(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return form;
}

export type XssWorld = {
  slug: string;
  payloads: string[];
  /** Paragraph anchors, and the payloads each paragraph holds. */
  paragraphs: { anchor: string; payloads: string[] }[];
  /** The last paragraph, which holds no payload: the thread every payload answers is on it. */
  lastAnchor: string;
  /**
   * The thread every payload answers, each reply a source whose body, link and title are the
   * payload, by the account named after it: one permalink shows them all.
   */
  megaThreadId: number;
  /** One root of each kind, and a private note of `me`'s. */
  sampleIds: { kind: string; id: number }[];
  privateNoteId: number;
  /** Accounts named after payloads (username → display name), in payload order. */
  people: { username: string; displayName: string }[];
  counts: {
    roots: number;
    replies: number;
    rawSourceUrls: number;
    refusedByForms: number;
    displayNames: number;
    refusedDisplayNames: number;
  };
};

/**
 * Builds the world for `me` (the signed-in account of the spec): an article whose paragraphs are
 * the payloads; a thread per payload, each by an account whose display name is that payload, each
 * quoting it, its body the payload (and {@link THREAD_WORD}), the sources among them linking to and
 * titled with it; a thread by `me` on a last paragraph that every payload answers (as a source
 * linking to and titled with it); a private note; and, newest, one summary per paragraph by `me`
 * quoting the whole paragraph with all its payloads as the body (what the library's recent list
 * and the feed show).
 */
export function buildXssWorld(me: { id: string }): XssWorld {
  const payloads = readPayloads();
  const slug = `xss-${randomBytes(4).toString("hex")}`;
  const db = openDatabase(DATABASE);
  try {
    // The article: payloads joined into paragraphs, whitespace collapsed as the importer does.
    const groups: string[][] = [[]];
    let length = 0;
    for (const payload of payloads) {
      const normal = normaliseWhitespace(payload);
      if (length + normal.length + 3 > PARAGRAPH_MAX && (groups.at(-1)?.length ?? 0) > 0) {
        groups.push([]);
        length = 0;
      }
      groups.at(-1)?.push(payload);
      length += normal.length + 3;
    }
    const source = [
      `XSS ${normaliseWhitespace(payloads[0] ?? "")}`,
      ...groups.map((g) => g.map(normaliseWhitespace).join(" ¶ ")),
      "Every payload answers the thread on this paragraph. It is the last one.",
    ].join("\n\n");
    const parsed = parseArticle(source, { markdown: false });
    const { articleId } = importArticle(db, parsed, { slug });
    const paragraphBlocks = db
      .select()
      .from(block)
      .where(and(eq(block.articleId, articleId), eq(block.kind, "paragraph")))
      .orderBy(block.position)
      .all();
    const last = paragraphBlocks.pop();
    if (!last) throw new Error("the article has no paragraphs");
    const paragraphs = paragraphBlocks.map((b, i) => ({
      anchor: b.anchor,
      payloads: groups[i] ?? [],
      block: b,
    }));

    const counts = {
      roots: 0,
      replies: 0,
      rawSourceUrls: 0,
      refusedByForms: 0,
      displayNames: 0,
      refusedDisplayNames: 0,
    };
    const people: { id: string; username: string; displayName: string }[] = [];
    const sampleIds: { kind: string; id: number }[] = [];
    let megaThreadId = 0;
    let privateNoteId = 0;

    const contentFields = (
      payload: string,
      i: number,
      kind: (typeof KINDS)[number] = KINDS[i % KINDS.length] ?? "annotation",
    ) => {
      const fields: Record<string, string> = { kind, body: payload };
      if (kind === "source") {
        fields.sourceUrl = sourceUrlFor(payload);
        fields.sourceTitle = Array.from(payload).slice(0, 300).join("");
        fields.sourceStance = STANCES[i % STANCES.length] ?? "context";
        if (fields.sourceUrl.startsWith("https://example.com/?q=") === false) {
          counts.rawSourceUrls += 1;
        }
      }
      return fields;
    };

    db.transaction(() => {
      const insertUser = db.$client.prepare(
        "insert into user (id, username, display_name, password_hash, role) values (?, ?, ?, ?, 'user')",
      );
      const tag = randomBytes(3).toString("hex");
      payloads.forEach((payload, i) => {
        // A display name is at most 50 characters: the payload's first 50, as the rules take them.
        const parsedName = displayNameSchema.safeParse(Array.from(payload).slice(0, 50).join(""));
        if (parsedName.success) counts.displayNames += 1;
        else counts.refusedDisplayNames += 1;
        const displayName = parsedName.success ? parsedName.data : `Reader ${i}`;
        const person = {
          id: randomBytes(16).toString("hex"),
          username: `x${tag}_${i}`,
          displayName,
        };
        // No password: these accounts never sign in (hashing hundreds would take minutes).
        insertUser.run(person.id, person.username, person.displayName, "!");
        people.push(person);
      });

      // A thread per payload: quoting it where it stands in its paragraph.
      paragraphs.forEach((p) => {
        const text = p.block.text;
        let from = 0;
        for (const payload of p.payloads) {
          const i = payloads.indexOf(payload);
          const quote = normaliseWhitespace(payload);
          const at = text.indexOf(quote, from);
          from = at >= 0 ? at + quote.length : from;
          const quoteStart = at >= 0 ? String(Array.from(text.slice(0, at)).length) : "";
          const fields: Record<string, string> = {
            ...contentFields(payload, i),
            body: `${payload}\n\n${THREAD_WORD}`,
            quote,
            quoteStart,
            visibility: i % 40 === 39 ? "private" : "public",
          };
          const input = parseNewAnnotation(formOf(fields));
          if (!input.ok) {
            counts.refusedByForms += 1;
            continue;
          }
          // Private ones are `me`'s, whose pages the spec opens signed in.
          const author = fields.visibility === "private" ? me : (people[i] ?? me);
          const id = createAnnotation({
            db,
            author,
            articleId,
            blockId: p.block.id,
            input: input.value,
          });
          counts.roots += 1;
          // A public root of each kind but plain annotations, for their permalinks.
          const kind = fields.kind ?? "annotation";
          if (kind !== "annotation" && fields.visibility === "public") {
            if (!sampleIds.some((s) => s.kind === kind)) sampleIds.push({ kind, id });
          }
        }
      });

      // One thread that every payload answers, each reply by the account named after it, on a
      // paragraph of its own (so the payload paragraphs' panels are not all about it).
      megaThreadId = createAnnotation({
        db,
        author: me,
        articleId,
        blockId: last.id,
        input: {
          kind: "question",
          body: "Every payload answers this.",
          source: null,
          quote: null,
          quoteStart: null,
          visibility: "public",
        },
      });
      payloads.forEach((payload, i) => {
        // Every reply a source: the payload as body, link and title, all on one page.
        const input = parseReply(formOf(contentFields(payload, i, "source")));
        if (!input.ok) {
          counts.refusedByForms += 1;
          return;
        }
        createReply({ db, author: people[i] ?? me, parentId: megaThreadId, input: input.value });
        counts.replies += 1;
      });

      // A private note of `me`'s, with payloads: only `me` sees it.
      const note = parseNewAnnotation(
        formOf({
          kind: "annotation",
          body: payloads.slice(0, 40).join("\n\n"),
          visibility: "private",
        }),
      );
      if (!note.ok) throw new Error(`the private note was refused: ${JSON.stringify(note.errors)}`);
      privateNoteId = createAnnotation({
        db,
        author: me,
        articleId,
        blockId: last.id,
        input: note.value,
      });

      // Newest: a summary per paragraph, quoting all of it, its payloads as the body.
      paragraphs.forEach((p, g) => {
        const body = [SUMMARY_WORD, ...p.payloads].join("\n\n").slice(0, 10_000);
        const input = parseNewAnnotation(
          formOf({
            kind: SUMMARY_KINDS[g % SUMMARY_KINDS.length] ?? "annotation",
            body,
            quote: p.block.text,
            quoteStart: "0",
          }),
        );
        if (!input.ok) throw new Error(`summary ${g} refused: ${JSON.stringify(input.errors)}`);
        createAnnotation({ db, author: me, articleId, blockId: p.block.id, input: input.value });
      });
    });

    return {
      slug,
      payloads,
      paragraphs: paragraphs.map(({ anchor, payloads: held }) => ({ anchor, payloads: held })),
      lastAnchor: last.anchor,
      megaThreadId,
      sampleIds,
      privateNoteId,
      people: people.map(({ username, displayName }) => ({ username, displayName })),
      counts,
    };
  } finally {
    db.$client.close();
  }
}

/**
 * A small article for the pages that only reflect what they are sent (query strings, refused
 * forms), so that those pages stay cheap: one paragraph, and one thread on it by `me`, whose reply
 * and edit forms a refused submission fills again.
 */
export function smallArticle(me: { id: string }): { slug: string; threadId: number } {
  const slug = `xss-small-${randomBytes(4).toString("hex")}`;
  const db = openDatabase(DATABASE);
  try {
    const parsed = parseArticle("A small article\n\nIts only paragraph, waiting. For replies.", {
      markdown: false,
    });
    const { articleId } = importArticle(db, parsed, { slug });
    const paragraph = db
      .select()
      .from(block)
      .where(and(eq(block.articleId, articleId), eq(block.anchor, "p-1")))
      .get();
    if (!paragraph) throw new Error("the small article has no paragraph");
    const threadId = createAnnotation({
      db,
      author: me,
      articleId,
      blockId: paragraph.id,
      input: {
        kind: "annotation",
        body: "Answer me.",
        source: null,
        quote: null,
        quoteStart: null,
        visibility: "public",
      },
    });
    return { slug, threadId };
  } finally {
    db.$client.close();
  }
}

export type XssGroupWorld = {
  groupId: number;
  assignmentId: number;
  joinCode: string;
  /** Names of `me`'s groups: payloads (those short enough for a group's name). */
  names: string[];
  /** Payloads held in the first group's description, its assignment's instructions and reasons. */
  texts: string[];
};

/**
 * Classes whose every user-written field is a payload, all run by `me`: groups named after the
 * payloads short enough to be a name (the first one's description holding more), an assignment of
 * `slug` whose instructions are payloads, and in the first group an annotation per payload, each
 * flagged with a payload as the reason, the first ones hidden with a payload as the reason. Each
 * value passes the schemas the forms use, so it is what a person could have submitted.
 */
export function buildXssGroupWorld(
  me: { id: string },
  others: { id: string }[],
  slug: string,
  payloads: string[],
): XssGroupWorld {
  const db = openDatabase(DATABASE);
  try {
    const names = payloads
      .map((p) => groupSchema.safeParse({ name: p, description: "" }))
      .flatMap((r) => (r.success ? [r.data.name] : []))
      .slice(0, 40);
    const described = payloads.filter((p) => p.length < 200).slice(0, 8);
    const first = groupSchema.parse({
      name: names[0] ?? "Class",
      description: described.join("\n"),
    });
    const groupId = createGroup({ db, owner: me, input: first });
    for (const name of names.slice(1)) {
      createGroup({ db, owner: me, input: { name, description: name } });
    }
    const joinCode = getGroupFor({ db, viewer: me, groupId }).joinCode ?? "";
    for (const other of others) joinGroup({ db, userId: other.id, code: joinCode });
    const [{ id: articleId }] = db
      .select({ id: article.id })
      .from(article)
      .where(eq(article.slug, slug))
      .all() as [{ id: number }];
    const instructions = assignmentSchema.parse({
      instructions: described.join("\n"),
      timeZone: "UTC",
    });
    const assignmentId = createAssignment({
      db,
      viewer: me,
      groupId,
      input: { articleId, ...instructions },
    });
    const p1 = db
      .select()
      .from(block)
      .where(and(eq(block.articleId, articleId), eq(block.anchor, "p-1")))
      .get();
    if (!p1) throw new Error("no paragraph 1");
    const reasons = payloads.filter((p) => checkReason("flag", p).ok).slice(0, 12);
    reasons.forEach((reason, i) => {
      const author = others[i % others.length] ?? me;
      const id = createAnnotation({
        db,
        author,
        articleId,
        blockId: p1.id,
        input: {
          kind: "annotation",
          body: `Class note ${i}.`,
          source: null,
          quote: null,
          quoteStart: null,
          visibility: "group",
          groupId,
        },
      });
      flagAnnotation({ db, viewer: me.id === author.id ? (others[0] ?? me) : me, id, reason });
      if (i < 4) hideAnnotation({ db, viewer: me, id, reason });
    });
    return { groupId, assignmentId, joinCode, names, texts: [...described, ...reasons] };
  } finally {
    db.$client.close();
  }
}

export type XssCollectionWorld = {
  slug: string;
  /** The collections' titles (payloads short enough for one), as the form stores them. */
  titles: string[];
};

/**
 * Collections by `me` whose user-written fields are payloads: titles (those the form takes), and in
 * the first, the question and the introduction (payloads joined by blank lines: its paragraphs),
 * with the article `slug` as its response. Each value passes the form's schema.
 */
export function buildXssCollectionWorld(
  me: { id: string },
  slug: string,
  payloads: string[],
): XssCollectionWorld {
  const db = openDatabase(DATABASE);
  try {
    const valid = (title: string, question: string, introduction: string) =>
      collectionSchema.safeParse({ title, question, introduction });
    const titles = payloads
      .map((p) => valid(p, p, ""))
      .flatMap((r) => (r.success ? [r.data.title] : []))
      .slice(0, 10);
    const short = payloads.filter((p) => p.length < 200).slice(0, 8);
    const first = collectionSchema.parse({
      title: titles[0] ?? "Collection",
      question: short.join(" "),
      introduction: short.join("\n\n"),
    });
    const collectionSlug = createCollection({ db, editor: me, input: first });
    const [{ id: articleId }] = db
      .select({ id: article.id })
      .from(article)
      .where(eq(article.slug, slug))
      .all() as [{ id: number }];
    addExistingArticle({ db, viewer: me, slug: collectionSlug, articleId });
    for (const title of titles.slice(1)) {
      createCollection({ db, editor: me, input: { title, question: title, introduction: title } });
    }
    return { slug: collectionSlug, titles };
  } finally {
    db.$client.close();
  }
}

export type XssRevisionWorld = { slug: string; notes: string[] };

/**
 * An article whose text is payloads (an editor uploads it, so it is what a person could write),
 * revised twice with payloads as the revision notes, and threads quoting payloads that the
 * revisions leave changed and orphaned: the revisions list, an old revision, the comparison, the
 * review summary and the orphaned list on the reading page all show them.
 */
export function buildXssRevisionWorld(me: { id: string }, payloads: string[]): XssRevisionWorld {
  const slug = `xss-revised-${randomBytes(4).toString("hex")}`;
  const db = openDatabase(DATABASE);
  try {
    // Each ends with a full stop so that the importer reads it as a paragraph, not a heading.
    const texts = payloads
      .map((p) => normaliseWhitespace(p))
      .filter((p) => p.length > 12 && p.length < 400)
      .slice(0, 12)
      .map((p) => `${p} ends here.`);
    const draft = (paragraphs: string[]) =>
      parseArticle(`Revised payloads\n\n${paragraphs.join("\n\n")}`, { markdown: false });
    const first = importArticle(db, draft(texts), { slug, editorId: me.id });
    const blocks = db
      .select()
      .from(block)
      .where(eq(block.articleId, first.articleId))
      .all()
      .filter((b) => b.kind === "paragraph");
    for (const b of blocks.slice(0, 6)) {
      const id = createAnnotation({
        db,
        author: me,
        articleId: first.articleId,
        blockId: b.id,
        input: {
          kind: "counterargument",
          body: b.text,
          source: null,
          quote: b.text,
          quoteStart: 0,
          visibility: "public",
        },
      });
      // Dated long ago, so that they never push another test's annotations out of the library's
      // "recent discussion" (the hydrated-payloads test expects its own there).
      db.update(annotation)
        .set({ createdAt: new Date(Date.UTC(2001, 0, 1)) })
        .where(eq(annotation.id, id))
        .run();
    }
    const notes = texts.slice(0, 2);
    // Revision 2 drops the first three paragraphs (orphans) and edits the next three (changed).
    const second = [
      ...texts.slice(3, 6).map((t) => `${t} (edited)`),
      ...texts.slice(6),
      ...texts.slice(0, 1).map((t) => `${t} ${t}`),
    ];
    importArticle(db, draft(second), { slug }, { revisedBy: me.id, note: notes[0] ?? "" });
    importArticle(
      db,
      draft([...second].reverse()),
      { slug },
      { revisedBy: me.id, note: notes[1] ?? "" },
    );
    return { slug, notes };
  } finally {
    db.$client.close();
  }
}

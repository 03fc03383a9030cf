/**
 * Test data written straight into the e2e database: each test reads its own copy of the demo
 * article (a unique slug), so counts and highlights never see another test's annotations.
 */
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { createAnnotation, createReply } from "#app/models/annotation.server";
import { createAssignment } from "#app/models/assignment.server";
import { toggleEndorsement } from "#app/models/endorsement.server";
import { createGroup, getGroupFor, joinGroup } from "#app/models/group.server";
import { assignmentSchema, groupSchema } from "#app/models/group-input.server";
import { importArticle, parseArticle, readArticleFile } from "#app/models/importer.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import { openDatabase } from "#db/client";
import { annotation, article, block } from "#db/schema";

/** Set by tests/playwright.config.ts: the file the test server uses. */
const DATABASE = process.env.E2E_DATABASE_PATH ?? "tests/.tmp/e2e.db";

/** Imports the demo article under a fresh slug and returns the slug. */
export function createArticle(): string {
  const slug = `test-${randomBytes(5).toString("hex")}`;
  const db = openDatabase(DATABASE);
  try {
    const { source, markdown } = readArticleFile(SEED_ARTICLE_PATH);
    importArticle(db, parseArticle(source, { markdown }), { slug });
  } finally {
    db.$client.close();
  }
  return slug;
}

/** Runs raw SQL against the e2e database (to check what a refused request left behind). */
export function queryDb<T>(sql: string, ...params: unknown[]): T[] {
  const db = openDatabase(DATABASE);
  try {
    return db.$client.prepare(sql).all(...params) as T[];
  } finally {
    db.$client.close();
  }
}

/**
 * Writes an annotation (or, with `parentId`, a reply) through the annotation model, as the app
 * would, and returns its id. `createdAt` lets a test set up a known order.
 */
export function addAnnotation(options: {
  slug: string;
  anchor?: string;
  author: { id: string };
  kind?: "annotation" | "question" | "counterargument" | "source";
  body: string;
  quote?: string;
  parentId?: number;
  visibility?: "public" | "private";
  /** Posts to this class (visibility "group") instead of `visibility`. */
  groupId?: number;
  source?: { url: string; title: string; stance: "supports" | "refutes" | "context" };
  createdAt?: Date;
}): number {
  const db = openDatabase(DATABASE);
  try {
    const input = {
      kind: options.kind ?? "annotation",
      body: options.body,
      source: options.source ?? null,
    };
    let id: number;
    if (options.parentId !== undefined) {
      id = createReply({ db, author: options.author, parentId: options.parentId, input });
    } else {
      const target = db
        .select({ articleId: block.articleId, blockId: block.id })
        .from(block)
        .innerJoin(article, eq(article.id, block.articleId))
        .where(and(eq(article.slug, options.slug), eq(block.anchor, options.anchor ?? "p-1")))
        .get();
      if (!target) throw new Error(`no paragraph ${options.anchor} in ${options.slug}`);
      id = createAnnotation({
        db,
        author: options.author,
        ...target,
        input: {
          ...input,
          quote: options.quote ?? null,
          quoteStart: null,
          ...(options.groupId === undefined
            ? { visibility: options.visibility ?? "public" }
            : { visibility: "group" as const, groupId: options.groupId }),
        },
      });
    }
    if (options.createdAt) {
      db.update(annotation)
        .set({ createdAt: options.createdAt })
        .where(eq(annotation.id, id))
        .run();
    }
    return id;
  } finally {
    db.$client.close();
  }
}

/** Records that `user` endorses annotation `id`. */
export function endorse(user: { id: string }, id: number): void {
  const db = openDatabase(DATABASE);
  try {
    toggleEndorsement({ db, viewer: user, annotationId: id });
  } finally {
    db.$client.close();
  }
}

/**
 * A class made through the models, as the forms would make it (the same input schemas): `owner`'s
 * class with `members` joined by its code and one assignment of `slug`. For tests whose subject
 * comes after the class exists; classroom.spec.ts's first test makes one through the forms.
 */
export function createClass(options: {
  owner: { id: string };
  members?: { id: string }[];
  slug: string;
  name?: string;
  assignment?: Record<string, string>;
}): { groupId: number; assignmentId: number; joinCode: string } {
  const db = openDatabase(DATABASE);
  try {
    const input = groupSchema.parse({ name: options.name ?? "Civics, period 3", description: "" });
    const groupId = createGroup({ db, owner: options.owner, input });
    const joinCode = getGroupFor({ db, viewer: options.owner, groupId }).joinCode;
    if (!joinCode) throw new Error("a new class has a join code");
    for (const member of options.members ?? [])
      joinGroup({ db, userId: member.id, code: joinCode });
    const found = db
      .select({ id: article.id })
      .from(article)
      .where(eq(article.slug, options.slug))
      .get();
    if (!found) throw new Error(`no article ${options.slug}`);
    const assignmentId = createAssignment({
      db,
      viewer: options.owner,
      groupId,
      input: {
        articleId: found.id,
        ...assignmentSchema.parse({
          instructions: "Respond to two paragraphs.",
          ...options.assignment,
        }),
      },
    });
    return { groupId, assignmentId, joinCode };
  } finally {
    db.$client.close();
  }
}

/** `user` joins the class whose join code is `code`, as the join page would make them. */
export function joinClass(user: { id: string }, code: string): void {
  const db = openDatabase(DATABASE);
  try {
    joinGroup({ db, userId: user.id, code });
  } finally {
    db.$client.close();
  }
}

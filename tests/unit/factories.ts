/**
 * Factories for tests that call route loaders and actions against the app's own database: the
 * per-worker copy of the seeded database that tests/unit/setup.ts points DATABASE_PATH at (the demo
 * article, no users). Users, sessions and annotations are written straight into it; requests are
 * built the way a browser would send them; `call` runs a loader or action and gives back what
 * Remix would answer, whether it was returned or thrown, as a Response or with `data()`.
 */
import { randomBytes } from "node:crypto";
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { and, eq, sql } from "drizzle-orm";
import { createAnnotation, createReply } from "#app/models/annotation.server";
import type { AnnotationInput, NewAnnotationInput } from "#app/models/annotation-input.server";
import { createUser as createAccount, newUserId } from "#app/models/user.server";
import { db } from "#app/utils/db.server";
import { article, block, session, user } from "#db/schema";

export { db };

/** The site the requests are addressed to. */
export const ORIGIN = "http://localhost:3000";

/** The slug seedDatabase gives the demo article. */
export const SEED_ARTICLE_SLUG = "do-not-engage-the-taliban-for-free";

/** The demo article that the seed imports. */
export function seededArticle(): { id: number; slug: string } {
  const found = db
    .select({ id: article.id, slug: article.slug })
    .from(article)
    .where(eq(article.slug, SEED_ARTICLE_SLUG))
    .get();
  if (!found) throw new Error(`the test database has no article ${SEED_ARTICLE_SLUG}`);
  return found;
}

/** A paragraph of the demo article by its anchor (`p-3`). */
export function paragraph(anchor = "p-1") {
  const { id: articleId } = seededArticle();
  const found = db
    .select()
    .from(block)
    .where(
      and(
        eq(block.articleId, articleId),
        eq(block.anchor, anchor),
        // The current revision's paragraph: an article revised by a test keeps its old blocks.
        sql`${block.revisionId} = (select current_revision_id from "article" where id = ${articleId})`,
      ),
    )
    .get();
  if (!found) throw new Error(`the demo article has no block ${anchor}`);
  return found;
}

export type TestUser = {
  id: string;
  username: string;
  displayName: string;
  role: "user" | "admin";
  /** Set only when the user was created with a real (hashed) password. */
  password?: string;
};

let counter = 0;

/** A username no other factory call in this file has used. */
export function uniqueUsername(prefix = "reader"): string {
  counter += 1;
  return `${prefix}${counter}_${randomBytes(3).toString("hex")}`;
}

/**
 * A user. Without `password` the row is inserted directly with a hash that matches no password
 * (cheap: no argon2); with one it goes through `createUser`, so signing in with it works.
 */
export async function createUser(
  overrides: {
    username?: string;
    displayName?: string;
    password?: string;
    role?: "user" | "admin";
  } = {},
): Promise<TestUser> {
  const username = overrides.username ?? uniqueUsername();
  const displayName = overrides.displayName ?? `Reader ${username}`;
  const role = overrides.role ?? "user";
  if (overrides.password !== undefined) {
    const row = await createAccount({
      db,
      username,
      displayName,
      password: overrides.password,
      role,
    });
    return { ...row, password: overrides.password };
  }
  const id = newUserId();
  db.insert(user).values({ id, username, displayName, role, passwordHash: "not-a-hash" }).run();
  return { id, username, displayName, role };
}

/** A password that passes the account rules, different for every call. */
export function strongPassword(): string {
  return `correct horse ${randomBytes(6).toString("hex")}`;
}

export type SignedIn = TestUser & { sessionId: string; cookie: string };

/**
 * A session for `person`, written straight into the session table (as lucia's adapter would) with
 * 30 days to run, so lucia neither extends nor re-issues it; `cookie` is the Cookie header for it.
 */
export function signIn(person: TestUser): SignedIn {
  const sessionId = randomBytes(20).toString("hex");
  const expiresAt = Math.floor(Date.now() / 1000) + 30 * 86_400;
  db.insert(session).values({ id: sessionId, userId: person.id, expiresAt }).run();
  return { ...person, sessionId, cookie: `auth_session=${sessionId}` };
}

/** A signed-in user in one step. */
export async function signedInUser(
  overrides: Parameters<typeof createUser>[0] = {},
): Promise<SignedIn> {
  return signIn(await createUser(overrides));
}

/** A new thread on a paragraph of the demo article, written through the model. */
export function createThread(
  author: { id: string },
  overrides: Partial<NewAnnotationInput> & { anchor?: string } = {},
): number {
  const { anchor = "p-1", ...input } = overrides;
  const target = paragraph(anchor);
  return createAnnotation({
    db,
    author,
    articleId: target.articleId,
    blockId: target.id,
    input: {
      kind: "annotation",
      body: "A thought about this.",
      source: null,
      quote: null,
      quoteStart: null,
      visibility: "public",
      ...input,
    },
  });
}

/** A reply, written through the model (it takes its thread's visibility). */
export function createThreadReply(
  author: { id: string },
  parentId: number,
  overrides: Partial<AnnotationInput> = {},
): number {
  return createReply({
    db,
    author,
    parentId,
    input: { kind: "annotation", body: "A reply.", source: null, ...overrides },
  });
}

type RequestOptions = {
  /** The signed-in user whose session cookie to send; none for an anonymous reader. */
  as?: { cookie: string } | null;
  headers?: Record<string, string>;
};

function headersFor({ as, headers }: RequestOptions): Headers {
  const out = new Headers(headers);
  if (as) out.set("Cookie", as.cookie);
  return out;
}

/** A GET of `path` (with its query), as a document request would send it. */
export function getRequest(path: string, options: RequestOptions = {}): Request {
  return new Request(new URL(path, ORIGIN), { headers: headersFor(options) });
}

/**
 * A form POST to `path`, urlencoded like a browser's. Same-origin (the cross-site check lives in
 * server.ts, not in actions) and with the page it came from as Referer unless `headers` say else.
 */
export function postRequest(
  path: string,
  fields: Record<string, string>,
  options: RequestOptions & { referer?: string } = {},
): Request {
  const headers = headersFor(options);
  if (!headers.has("Origin")) headers.set("Origin", ORIGIN);
  if (options.referer) headers.set("Referer", new URL(options.referer, ORIGIN).href);
  return new Request(new URL(path, ORIGIN), {
    method: "POST",
    body: new URLSearchParams(fields),
    headers,
  });
}

/** What server.ts puts in the load context. */
export function loadContext(clientAddress = "203.0.113.7"): AppLoadContext {
  return { clientAddress };
}

/** A loader's or action's answer, however it was given. */
export type Answer = {
  status: number;
  headers: Headers;
  /** Data returned (or passed to `data()`); a Response's text; undefined for an empty body. */
  body: unknown;
  /** Whether it was thrown rather than returned. */
  thrown: boolean;
};

type DataWithResponseInit = {
  type: "DataWithResponseInit";
  data: unknown;
  init: ResponseInit | null;
};

function isDataWithResponseInit(value: unknown): value is DataWithResponseInit {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { type?: unknown }).type === "DataWithResponseInit" &&
    "data" in value &&
    "init" in value
  );
}

/** Normalises a returned or thrown value to status, headers and body; rethrows real errors. */
export async function normalise(value: unknown, thrown: boolean): Promise<Answer> {
  if (value instanceof Response) {
    const text = await value.text();
    return { status: value.status, headers: value.headers, body: text || undefined, thrown };
  }
  if (isDataWithResponseInit(value)) {
    return {
      status: value.init?.status ?? 200,
      headers: new Headers(value.init?.headers),
      body: value.data,
      thrown,
    };
  }
  if (thrown) throw value;
  return { status: 200, headers: new Headers(), body: value, thrown };
}

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => unknown;

/** Runs a route's `loader` or `action` as Remix would, and normalises its answer. */
export async function call(
  handler: Handler,
  request: Request,
  params: Record<string, string> = {},
  context: AppLoadContext = loadContext(),
): Promise<Answer> {
  try {
    return await normalise(await handler({ request, params, context }), false);
  } catch (error) {
    return normalise(error, true);
  }
}

/** The redirect target of an answer; fails when it is not a redirect. */
export function locationOf(answer: Answer): string {
  const location = answer.headers.get("Location");
  if (answer.status < 300 || answer.status >= 400 || location === null) {
    throw new Error(`expected a redirect, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return location;
}

/**
 * The id of the annotation a write redirected to: the redirect must go to `path` (whatever query it
 * adds) and scroll to `#a-<id>`. Fails otherwise.
 */
export function writtenAt(answer: Answer, path: string): number {
  const location = new URL(locationOf(answer), ORIGIN);
  const id = Number(/^#a-(\d+)$/.exec(location.hash)?.[1]);
  if (location.pathname !== path || !Number.isSafeInteger(id)) {
    throw new Error(`expected a redirect to ${path}#a-<id>, got ${locationOf(answer)}`);
  }
  return id;
}

/** Where a signed-out reader is sent to sign in, coming back to `path`. */
export function loginRedirect(path: string): string {
  return `/login?${new URLSearchParams({ redirectTo: path })}`;
}

/**
 * Every row of every table a write could touch (sign-in attempts aside, which failures record on
 * purpose), for comparing the database before and after a refused write.
 */
export function snapshot(): Record<string, string[]> {
  const tables = db.$client
    .prepare(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite%' and name not like '\\_\\_%' escape '\\' and name <> 'login_attempt' order by name",
    )
    .all() as { name: string }[];
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    // Rows as JSON, sorted: a total order that works for every table (FTS shadows included).
    const rows = db.$client.prepare(`select * from "${name}"`).all();
    out[name] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

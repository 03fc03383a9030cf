/**
 * The authorization matrix: every route module in app/routes × every kind of viewer (anonymous, a
 * signed-in stranger, the author of the annotation concerned, a site administrator) × every method
 * and intent, with the answer each must get — from the one list `ROWS` below.
 *
 * The list is checked against the code, so that nothing can be left out quietly: every file in
 * app/routes must have rows (and every row must name a file that exists), a module that exports a
 * `loader` must have GET rows, one that exports an `action` must have POST rows, one without an
 * action must say so (`NO_ACTION`, which Remix answers with 405), and every intent a route's forms
 * post (`INTENTS`, `ACCOUNT_INTENTS`) must have a row of its own, as must an unknown intent.
 *
 * Each POST row gets a world of its own (three fresh accounts and fresh annotations by the author),
 * shared by its four viewers with the author last, so that a write one case is allowed to make
 * cannot change what a later case expects; GET rows share one world. For every POST the
 * database is snapshotted before and after: a refused write (4xx, or a redirect to sign in) must
 * leave it exactly as it was, and an allowed one must change it (unless its row says it writes
 * nothing, as signing out without a session does).
 *
 * Outcomes are written `"<status>"` or `"<status> <Location>"`; a Location ending in `*` is a
 * prefix. `unchanged` after it means "succeeds without writing".
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { deleteAnnotation } from "#app/models/annotation.server";
import { ACCOUNT_INTENTS, INTENTS } from "#app/utils/intents";
import {
  call,
  createThread,
  createThreadReply,
  createUser,
  db,
  getRequest,
  loadContext,
  postRequest,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  signIn,
  snapshot,
  strongPassword,
} from "./factories";

const ROUTES_DIR = fileURLToPath(new URL("../../app/routes/", import.meta.url));

const VIEWERS = ["anonymous", "stranger", "author", "admin"] as const;
type ViewerKind = (typeof VIEWERS)[number];

/** `"404"`, `"302 /login?*"`, `"302 / unchanged"`: see the header comment. */
type Outcome = string;
type Expectations = Record<ViewerKind, Outcome>;

/** What a request is about; decides the `:id`, `:slug`, `:anchor` or `:username` it carries. */
type Target =
  | "public"
  | "private"
  | "deleted"
  | "missing"
  | "junk-id"
  | "missing-article"
  | "missing-paragraph"
  | "author-name"
  | "author-name-upper"
  | "missing-user"
  | "none";

type World = {
  slug: string;
  author: SignedIn & { password: string };
  stranger: SignedIn & { password: string };
  admin: SignedIn & { password: string };
  ids: { public: number; private: number; deleted: number };
};

type FieldsFn = (
  world: World,
  viewer: (SignedIn & { password: string }) | null,
) => Record<string, string>;

type Row = {
  /** The file in app/routes. */
  route: string;
  method: "GET" | "POST";
  /** The form's intent, or another name for what the POST does (shown in the test's name). */
  intent?: string;
  target?: Target;
  /** Query string for a GET (without `?`). */
  query?: string;
  fields?: FieldsFn;
  expect: Expectations | typeof NO_ACTION;
};

/** A route module without an `action`: Remix answers a POST with 405 and runs nothing of ours. */
const NO_ACTION = "no action (405)" as const;

const LOGIN = "302 /login?redirectTo=*";
const all = (outcome: Outcome): Expectations => ({
  anonymous: outcome,
  stranger: outcome,
  author: outcome,
  admin: outcome,
});
/** Anonymous readers are sent to sign in; every signed-in viewer gets `outcome`. */
const signedIn = (outcome: Outcome): Expectations => ({ ...all(outcome), anonymous: LOGIN });
/** Anonymous → sign in; only the author gets `own`, others `others`. */
const authorOnly = (own: Outcome, others: Outcome): Expectations => ({
  anonymous: LOGIN,
  stranger: others,
  author: own,
  admin: others,
});

const SLUG = SEED_ARTICLE_SLUG;
const PANEL = `/articles/${SLUG}/p/p-3`;
const PERMALINK = `/articles/${SLUG}/annotations/`;

const body = (text: string) => ({ kind: "annotation", body: text });
const idOf = (w: World, target: Target | undefined): string => {
  switch (target) {
    case "public":
    case "private":
    case "deleted":
      return String(w.ids[target]);
    case "missing":
      return "999999999";
    case "junk-id":
      return "12abc";
    default:
      return String(w.ids.public);
  }
};

/**
 * The thread forms (new annotation, reply, edit, delete, and an unknown intent) on one of the two
 * pages that carry them: the paragraph panel and the permalink.
 */
function threadRows(
  route: string,
  where: { afterWrite: string; afterDelete: string; create: Expectations },
): Row[] {
  const reply: FieldsFn = (w) => ({ intent: INTENTS.reply, id: idOf(w, "public"), ...body("R.") });
  const rows: Row[] = [
    {
      route,
      method: "POST",
      intent: INTENTS.create,
      target: "none",
      fields: () => ({ intent: INTENTS.create, ...body("A matrix note.") }),
      expect: where.create,
    },
  ];
  for (const target of ["public", "private", "deleted", "missing"] as const) {
    const onPrivate = target === "private";
    const gone = target === "deleted" || target === "missing";
    rows.push(
      {
        route,
        method: "POST",
        intent: INTENTS.reply,
        target,
        fields: (w) => ({ ...reply(w, null), id: idOf(w, target) }),
        // Anyone may answer what they can see; another's private note is invisible: 404, not 403.
        expect: gone
          ? signedIn("404")
          : onPrivate
            ? authorOnly(where.afterWrite, "404")
            : signedIn(where.afterWrite),
      },
      {
        route,
        method: "POST",
        intent: INTENTS.edit,
        target,
        fields: (w) => ({ intent: INTENTS.edit, id: idOf(w, target), body: "Edited." }),
        expect: gone ? signedIn("404") : authorOnly(where.afterWrite, onPrivate ? "404" : "403"),
      },
      {
        route,
        method: "POST",
        intent: INTENTS.delete,
        target,
        fields: (w) => ({ intent: INTENTS.delete, id: idOf(w, target) }),
        expect: gone ? signedIn("404") : authorOnly(where.afterDelete, onPrivate ? "404" : "403"),
      },
    );
  }
  rows.push(
    {
      route,
      method: "POST",
      intent: "(no id)",
      target: "none",
      fields: () => ({ intent: INTENTS.edit, body: "Edited." }),
      expect: signedIn("400"),
    },
    {
      route,
      method: "POST",
      intent: "(unknown intent)",
      target: "public",
      fields: (w) => ({ intent: "frobnicate", id: idOf(w, "public") }),
      expect: signedIn("400"),
    },
  );
  return rows;
}

const ROWS: Row[] = [
  // The splat: any address no other route claims.
  { route: "$.tsx", method: "GET", target: "none", expect: all("404") },
  { route: "$.tsx", method: "POST", expect: NO_ACTION },

  // The library.
  { route: "_index.tsx", method: "GET", expect: all("200") },
  { route: "_index.tsx", method: "POST", expect: NO_ACTION },

  // The account page: the signed-in person's own, whoever they are.
  { route: "account.tsx", method: "GET", expect: signedIn("200") },
  {
    route: "account.tsx",
    method: "POST",
    intent: ACCOUNT_INTENTS.displayName,
    fields: () => ({ intent: ACCOUNT_INTENTS.displayName, displayName: "Renamed Reader" }),
    expect: signedIn("302 /account?saved=display-name"),
  },
  {
    route: "account.tsx",
    method: "POST",
    intent: ACCOUNT_INTENTS.password,
    fields: (_w, viewer) => ({
      intent: ACCOUNT_INTENTS.password,
      currentPassword: viewer?.password ?? "anything at all",
      newPassword: strongPassword(),
    }),
    expect: signedIn("302 /account?saved=password"),
  },
  {
    route: "account.tsx",
    method: "POST",
    intent: `${ACCOUNT_INTENTS.password} (wrong password)`,
    fields: () => ({
      intent: ACCOUNT_INTENTS.password,
      currentPassword: "not the password at all",
      newPassword: strongPassword(),
    }),
    expect: signedIn("400"),
  },
  {
    route: "account.tsx",
    method: "POST",
    intent: ACCOUNT_INTENTS.delete,
    fields: (_w, viewer) => ({
      intent: ACCOUNT_INTENTS.delete,
      password: viewer?.password ?? "anything at all",
    }),
    expect: signedIn("302 /"),
  },
  {
    route: "account.tsx",
    method: "POST",
    intent: `${ACCOUNT_INTENTS.delete} (wrong password)`,
    fields: () => ({ intent: ACCOUNT_INTENTS.delete, password: "not the password at all" }),
    expect: signedIn("400"),
  },
  {
    route: "account.tsx",
    method: "POST",
    intent: "(unknown intent)",
    fields: () => ({ intent: "make-admin", role: "admin" }),
    expect: signedIn("400"),
  },

  // Endorsing: a resource route (POST only). Nobody endorses their own; nobody sees another's
  // private note; a deleted annotation can no longer be endorsed.
  { route: "annotations.$id.endorse.tsx", method: "GET", target: "public", expect: all("404") },
  ...(["form", "fetcher"] as const).flatMap((via): Row[] => {
    const ok = via === "fetcher" ? "200" : "302 /";
    const fields: FieldsFn = (): Record<string, string> =>
      via === "fetcher" ? { via: "fetcher" } : { redirectTo: "/" };
    return [
      {
        route: "annotations.$id.endorse.tsx",
        method: "POST",
        intent: `endorse by ${via}`,
        target: "public",
        fields,
        expect: authorOnly("403", ok),
      },
      {
        route: "annotations.$id.endorse.tsx",
        method: "POST",
        intent: `endorse by ${via}`,
        target: "private",
        fields,
        expect: authorOnly("403", "404"),
      },
      ...(["deleted", "missing", "junk-id"] as const).map(
        (target): Row => ({
          route: "annotations.$id.endorse.tsx",
          method: "POST",
          intent: `endorse by ${via}`,
          target,
          fields,
          expect: signedIn("404"),
        }),
      ),
    ];
  }),

  // The Atom feed: public, a resource route.
  { route: "articles.$slug.feed[.xml].tsx", method: "GET", expect: all("200") },
  {
    route: "articles.$slug.feed[.xml].tsx",
    method: "GET",
    target: "missing-article",
    expect: all("404"),
  },
  { route: "articles.$slug.feed[.xml].tsx", method: "POST", expect: NO_ACTION },

  // The paragraph panel: everyone reads; writes need an account and the permission rule.
  { route: "articles.$slug.p.$anchor.tsx", method: "GET", expect: all("200") },
  {
    route: "articles.$slug.p.$anchor.tsx",
    method: "GET",
    target: "missing-paragraph",
    expect: all("404"),
  },
  ...threadRows("articles.$slug.p.$anchor.tsx", {
    afterWrite: `302 ${PANEL}?show=*`,
    afterDelete: `302 ${PANEL}`,
    create: signedIn(`302 ${PANEL}?show=*`),
  }),
  {
    route: "articles.$slug.p.$anchor.tsx",
    method: "POST",
    intent: INTENTS.create,
    target: "missing-paragraph",
    fields: () => ({ intent: INTENTS.create, ...body("Nowhere.") }),
    // The paragraph is looked up before anything else, so even an anonymous writer learns 404.
    expect: all("404"),
  },

  // The reading page.
  { route: "articles.$slug.tsx", method: "GET", expect: all("200") },
  { route: "articles.$slug.tsx", method: "GET", target: "missing-article", expect: all("404") },
  { route: "articles.$slug.tsx", method: "POST", expect: NO_ACTION },

  // The permalink: another's private note does not exist for anyone else, admins included.
  {
    route: "articles.$slug_.annotations.$id.tsx",
    method: "GET",
    target: "public",
    expect: all("200"),
  },
  {
    route: "articles.$slug_.annotations.$id.tsx",
    method: "GET",
    target: "private",
    expect: { anonymous: "404", stranger: "404", author: "200", admin: "404" },
  },
  {
    route: "articles.$slug_.annotations.$id.tsx",
    method: "GET",
    target: "deleted",
    // A deleted annotation with replies stays as "[deleted]", holding its thread together.
    expect: all("200"),
  },
  ...(["missing", "junk-id", "missing-article"] as const).map(
    (target): Row => ({
      route: "articles.$slug_.annotations.$id.tsx",
      method: "GET",
      target,
      expect: all("404"),
    }),
  ),
  ...threadRows("articles.$slug_.annotations.$id.tsx", {
    afterWrite: `302 ${PERMALINK}*`,
    afterDelete: `302 /articles/${SLUG}/discussion`,
    // The permalink offers no new-annotation form: such a post is refused by the form kit.
    create: signedIn("400"),
  }),

  // The whole discussion.
  { route: "articles.$slug_.discussion.tsx", method: "GET", expect: all("200") },
  {
    route: "articles.$slug_.discussion.tsx",
    method: "GET",
    target: "missing-article",
    expect: all("404"),
  },
  { route: "articles.$slug_.discussion.tsx", method: "POST", expect: NO_ACTION },

  { route: "healthz.tsx", method: "GET", expect: all("200") },
  { route: "healthz.tsx", method: "POST", expect: NO_ACTION },

  // Sign in: signed-in visitors are sent on to where they were going.
  {
    route: "login.tsx",
    method: "GET",
    expect: { anonymous: "200", stranger: "302 /", author: "302 /", admin: "302 /" },
  },
  {
    route: "login.tsx",
    method: "GET",
    query: "redirectTo=%2Fsearch",
    expect: {
      anonymous: "200",
      stranger: "302 /search",
      author: "302 /search",
      admin: "302 /search",
    },
  },
  {
    route: "login.tsx",
    method: "GET",
    query: "redirectTo=%2F%2Fevil.example",
    expect: { anonymous: "200", stranger: "302 /", author: "302 /", admin: "302 /" },
  },
  {
    route: "login.tsx",
    method: "POST",
    intent: "sign in (the author's credentials)",
    fields: (w) => ({ username: w.author.username, password: w.author.password }),
    // The action itself does not ask who is signed in: a right password starts a new session.
    expect: all("302 /"),
  },
  {
    route: "login.tsx",
    method: "POST",
    intent: "sign in (wrong password)",
    fields: (w) => ({ username: w.author.username, password: "not the password at all" }),
    expect: all("400"),
  },

  // Sign out: a GET goes home and ends nothing; a POST ends the session there is.
  { route: "logout.tsx", method: "GET", expect: all("302 /") },
  {
    route: "logout.tsx",
    method: "POST",
    intent: "sign out",
    expect: { ...all("302 /"), anonymous: "302 / unchanged" },
  },

  { route: "search.tsx", method: "GET", query: "q=matrix", expect: all("200") },
  { route: "search.tsx", method: "POST", expect: NO_ACTION },

  // Sign up: signed-in visitors are sent on, like sign-in.
  {
    route: "signup.tsx",
    method: "GET",
    expect: { anonymous: "200", stranger: "302 /", author: "302 /", admin: "302 /" },
  },
  {
    route: "signup.tsx",
    method: "POST",
    intent: "create an account",
    fields: () => ({
      username: `new_${Math.random().toString(36).slice(2, 10)}`,
      displayName: "New Reader",
      password: strongPassword(),
    }),
    expect: all("302 /"),
  },
  {
    route: "signup.tsx",
    method: "POST",
    intent: "create an account (refused: bad username)",
    fields: () => ({ username: "no spaces allowed", displayName: "X", password: strongPassword() }),
    expect: all("400"),
  },

  // A person's page: public; their private notes are theirs alone (route-private-notes.test.ts).
  { route: "u.$username.tsx", method: "GET", target: "author-name", expect: all("200") },
  {
    route: "u.$username.tsx",
    method: "GET",
    target: "author-name-upper",
    expect: all("301 /u/*"),
  },
  { route: "u.$username.tsx", method: "GET", target: "missing-user", expect: all("404") },
  { route: "u.$username.tsx", method: "POST", expect: NO_ACTION },
];

/** The intents each route's forms post: every one must have a row, and so must an unknown one. */
const INTENT_VOCABULARIES: Record<string, readonly string[]> = {
  "account.tsx": Object.values(ACCOUNT_INTENTS),
  "articles.$slug.p.$anchor.tsx": Object.values(INTENTS),
  "articles.$slug_.annotations.$id.tsx": Object.values(INTENTS),
};

// ---------------------------------------------------------------------------------------------

type RouteModule = { loader?: unknown; action?: unknown };

function routeFiles(): string[] {
  return readdirSync(ROUTES_DIR)
    .filter((name) => /\.(tsx?|jsx?)$/.test(name) && !/\.test\./.test(name))
    .sort();
}

async function loadRoute(file: string): Promise<RouteModule> {
  return import(/* @vite-ignore */ pathToFileURL(join(ROUTES_DIR, file)).href);
}

/**
 * The URL pattern of a Remix flat-routes file name: `.` separates segments, `$name` is a param,
 * a lone `$` the splat, `[...]` escapes, a trailing `_` opts out of the parent layout, `_index` is
 * the index. Returns the segments, each either text or a param name.
 */
function segmentsOf(file: string): ({ param: string } | { text: string })[] {
  const stem = file.replace(/\.(tsx?|jsx?)$/, "");
  const parts = stem.match(/(?:\[[^\]]*\]|[^.])+/g) ?? [];
  return parts
    .filter((part) => part !== "_index")
    .map((part) => {
      const bare = part.replace(/_$/, "");
      if (bare === "$") return { param: "*" };
      if (bare.startsWith("$")) return { param: bare.slice(1) };
      return { text: bare.replace(/\[([^\]]*)\]/g, "$1") };
    });
}

function paramValue(name: string, target: Target | undefined, w: World): string {
  switch (name) {
    case "slug":
      return target === "missing-article" ? "no-such-article" : w.slug;
    case "anchor":
      return target === "missing-paragraph" ? "p-999" : "p-3";
    case "id":
      return idOf(w, target);
    case "username":
      if (target === "missing-user") return "nobody_has_this_name";
      return target === "author-name-upper" ? w.author.username.toUpperCase() : w.author.username;
    case "*":
      return "no/such/page";
    default:
      throw new Error(`no value for the route param :${name}`);
  }
}

function requestFor(row: Row, w: World, viewer: SignedIn | null, params: Record<string, string>) {
  const path = `/${segmentsOf(row.route)
    .map((s) => ("text" in s ? s.text : encodeURIComponent(params[s.param] ?? "")))
    .join("/")}`
    .replace(/\/$/, "")
    .replace(/^$/, "/");
  if (row.method === "GET") {
    return getRequest(row.query ? `${path}?${row.query}` : path, { as: viewer });
  }
  const fields = row.fields?.(w, viewer as (SignedIn & { password: string }) | null) ?? {};
  return postRequest(path, fields, { as: viewer, referer: path });
}

function parseOutcome(outcome: Outcome): { status: number; location?: string; unchanged: boolean } {
  const [status, ...rest] = outcome.split(" ");
  const unchanged = rest.at(-1) === "unchanged";
  if (unchanged) rest.pop();
  return { status: Number(status), location: rest[0], unchanged };
}

function matchesLocation(actual: string | null, expected: string): boolean {
  if (actual === null) return false;
  return expected.endsWith("*") ? actual.startsWith(expected.slice(0, -1)) : actual === expected;
}

let addressCounter = 0;
/** A client address per case, so that no rate limit (per address) carries over between cases. */
function nextAddress(): string {
  addressCounter += 1;
  return `198.18.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

/** Rows whose writes need a real password (argon2: slow) get accounts made with one. */
function needsPasswords(row: Row): boolean {
  return row.method === "POST" && (row.route === "account.tsx" || row.route === "login.tsx");
}

async function makeWorld(withPasswords: boolean): Promise<World> {
  const person = async (role: "user" | "admin") => {
    const password = strongPassword();
    const made = await createUser(withPasswords ? { role, password } : { role });
    return { ...made, password };
  };
  const people = [await person("user"), await person("user"), await person("admin")] as const;
  // The rest in one transaction: one commit instead of a dozen.
  return db.transaction(() => {
    const [author, stranger, admin] = people.map((p) => ({ ...signIn(p), password: p.password }));
    if (!author || !stranger || !admin) throw new Error("three people were made");
    const publicId = createThread(author, { anchor: "p-3", body: "A public matrix note." });
    const privateId = createThread(author, {
      anchor: "p-3",
      body: "A private matrix note.",
      visibility: "private",
    });
    const deletedId = createThread(author, { anchor: "p-3", body: "Soon deleted." });
    createThreadReply(stranger, deletedId, { body: "A reply that keeps it." });
    deleteAnnotation({ db, viewer: author, id: deletedId });
    return {
      slug: SLUG,
      author,
      stranger,
      admin,
      ids: { public: publicId, private: privateId, deleted: deletedId },
    };
  });
}

function caseName(row: Row): string {
  const what = [
    row.method,
    row.intent,
    row.target && row.target !== "none" ? `on ${row.target}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return row.query ? `${what} ?${row.query}` : what;
}

// ---------------------------------------------------------------------------------------------

describe("the matrix covers every route module", () => {
  const files = routeFiles();
  const listed = new Set(ROWS.map((r) => r.route));

  it("has rows for every file in app/routes", () => {
    expect(files.filter((f) => !listed.has(f))).toEqual([]);
  });

  it("names no route file that does not exist", () => {
    expect([...listed].filter((f) => !files.includes(f))).toEqual([]);
  });

  it("has GET rows for every loader and POST rows for every action (or says there is none)", async () => {
    const problems: string[] = [];
    for (const file of files) {
      const mod = await loadRoute(file);
      const rows = ROWS.filter((r) => r.route === file);
      const gets = rows.filter((r) => r.method === "GET");
      const posts = rows.filter((r) => r.method === "POST");
      if (typeof mod.loader === "function" && gets.length === 0)
        problems.push(`${file}: no GET row`);
      if (typeof mod.loader !== "function" && gets.length > 0)
        problems.push(`${file}: GET rows but no loader`);
      if (posts.length === 0) problems.push(`${file}: no POST row (use NO_ACTION if it has none)`);
      const noAction = posts.some((r) => r.expect === NO_ACTION);
      if (typeof mod.action === "function" && noAction)
        problems.push(`${file}: exports an action but a row says NO_ACTION`);
      if (typeof mod.action !== "function" && posts.some((r) => r.expect !== NO_ACTION))
        problems.push(`${file}: POST rows expect answers, but it exports no action`);
    }
    expect(problems).toEqual([]);
  });

  it("has a row for every intent a route's forms post, and for an unknown one", () => {
    const problems: string[] = [];
    for (const [file, intents] of Object.entries(INTENT_VOCABULARIES)) {
      const covered = new Set(ROWS.filter((r) => r.route === file).map((r) => r.intent));
      for (const intent of intents) if (!covered.has(intent)) problems.push(`${file}: ${intent}`);
      if (!covered.has("(unknown intent)")) problems.push(`${file}: (unknown intent)`);
    }
    expect(problems).toEqual([]);
  });

  it("derives the URL of every route from its file name", () => {
    const patterns = Object.fromEntries(
      files.map((f) => [
        f,
        `/${segmentsOf(f)
          .map((s) => ("text" in s ? s.text : `:${s.param}`))
          .join("/")}`,
      ]),
    );
    expect(patterns).toMatchObject({
      "$.tsx": "/:*",
      "_index.tsx": "/",
      "annotations.$id.endorse.tsx": "/annotations/:id/endorse",
      "articles.$slug.feed[.xml].tsx": "/articles/:slug/feed.xml",
      "articles.$slug_.annotations.$id.tsx": "/articles/:slug/annotations/:id",
    });
  });
});

/**
 * The order viewers run in within a row. They share the row's world, so the author (whose writes
 * succeed: an edit, a deletion) goes last, after the others have met the annotation as it was.
 */
const RUN_ORDER: readonly ViewerKind[] = ["anonymous", "stranger", "admin", "author"];

/** Reads change nothing, so every GET row shares one world. */
let readWorld: Promise<World> | undefined;

describe.each(ROWS.map((row) => [row.route, row] as const))("%s", (_route, row) => {
  if (row.expect === NO_ACTION) {
    it(`${row.method}: ${NO_ACTION}`, async () => {
      const mod = await loadRoute(row.route);
      expect(mod.action).toBeUndefined();
    });
    return;
  }
  const expectations = row.expect;
  let world: World;
  /** The database as the previous case of this row left it (cases run in order, one at a time). */
  let last: ReturnType<typeof snapshot> | null = null;

  beforeAll(async () => {
    if (row.method === "GET") {
      readWorld ??= makeWorld(false);
      world = await readWorld;
    } else {
      world = await makeWorld(needsPasswords(row));
    }
  });

  it.each(RUN_ORDER.map((v) => [v]))(`${caseName(row)} as %s`, async (viewerKind) => {
    const w = world;
    const viewer = viewerKind === "anonymous" ? null : w[viewerKind];
    const params = Object.fromEntries(
      segmentsOf(row.route)
        .filter((s): s is { param: string } => "param" in s)
        .map((s) => [s.param, paramValue(s.param, row.target, w)]),
    );
    const mod = await loadRoute(row.route);
    const handler = row.method === "GET" ? mod.loader : mod.action;
    expect(typeof handler, `${row.route} has a ${row.method} handler`).toBe("function");

    const expected = parseOutcome(expectations[viewerKind]);
    const before = row.method === "POST" ? (last ?? snapshot()) : null;
    last = null;
    const answer = await call(
      handler as Parameters<typeof call>[0],
      requestFor(row, w, viewer, params),
      params,
      loadContext(nextAddress()),
    );
    const location = answer.headers.get("Location");
    const matches =
      answer.status === expected.status &&
      (expected.location === undefined || matchesLocation(location, expected.location));
    if (!matches) {
      const seen = location ? `${answer.status} ${location}` : String(answer.status);
      const shown = JSON.stringify(answer.body)?.slice(0, 300);
      expect(seen, `answer body: ${shown}`).toBe(expectations[viewerKind]);
    }

    if (before) {
      const refused = answer.status >= 400 || location?.startsWith("/login?") === true;
      const after = snapshot();
      last = after;
      if (refused || expected.unchanged) {
        // A refused write leaves every table (sign-in attempts aside) exactly as it was.
        expect(after).toEqual(before);
      } else {
        expect(after, "an allowed write changes the database").not.toEqual(before);
      }
    }
  });
});

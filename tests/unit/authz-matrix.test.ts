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
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { deleteAnnotation } from "#app/models/annotation.server";
import { createToken } from "#app/models/api-token.server";
import { createAssignment } from "#app/models/assignment.server";
import { addExistingArticle, createCollection } from "#app/models/collection.server";
import { getGroupFor } from "#app/models/group.server";
import { importArticle, parseArticle, readArticleFile } from "#app/models/importer.server";
import { flagAnnotation, hideAnnotation } from "#app/models/moderation.server";
import { SEED_ARTICLE_PATH } from "#app/models/seed.server";
import {
  ACCOUNT_INTENTS,
  ASSIGNMENT_INTENTS,
  COLLECTION_INTENTS,
  GROUP_INTENTS,
  INTENTS,
  QUEUE_INTENTS,
} from "#app/utils/intents";
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
  seededArticle,
  signIn,
  snapshot,
  strongPassword,
} from "./factories";
import { createGroupWith } from "./group-factories";

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
  | "hidden"
  | "flagged"
  | "group-note"
  | "group-hidden"
  | "group-flagged"
  | "missing-group"
  | "revisable"
  | "missing-revision"
  | "collection"
  | "missing-collection"
  | "none";

type World = {
  slug: string;
  author: SignedIn & { password: string };
  stranger: SignedIn & { password: string };
  admin: SignedIn & { password: string };
  ids: {
    public: number;
    private: number;
    deleted: number;
    /** Public, by the author: hidden by the admin; flagged by the stranger. */
    hidden: number;
    flagged: number;
    /** In `groupId` (the author owns it, the stranger is a member), by the stranger. */
    "group-note": number;
    "group-hidden": number;
    "group-flagged": number;
  };
  /** A group the author owns and the stranger belongs to; the admin is not in it. */
  groupId: number;
  /** That group's join code. */
  joinCode: string;
  /** The seed article's id: not yet assigned to the group. */
  articleId: number;
  /** An assignment of another article to the group. */
  assignmentId: number;
  /**
   * A collection the author edits, with two responses in this order: the seed article (which no
   * one added through the site: only admins may link its author) and one the author added.
   */
  collection: { slug: string; addedArticleId: number };
  /** A personal API token of the author's. */
  tokenId: number;
};

let assignedArticleId: number | undefined;
/** A second copy of the demo article, made once, for the world's assignment. */
function assignedArticle(): number {
  if (assignedArticleId === undefined) {
    const { source, markdown } = readArticleFile(SEED_ARTICLE_PATH);
    importArticle(db, parseArticle(source, { markdown }), { slug: "matrix-assigned" });
    assignedArticleId = db.$client
      .prepare("select id from article where slug = 'matrix-assigned'")
      .pluck()
      .get() as number;
  }
  return assignedArticleId;
}

let revisable = false;
/** An article only admins may revise (imported from the command line), made once. */
function revisableSlug(): string {
  if (!revisable) {
    const { source, markdown } = readArticleFile(SEED_ARTICLE_PATH);
    importArticle(db, parseArticle(source, { markdown }), { slug: "matrix-revisable" });
    revisable = true;
  }
  return "matrix-revisable";
}

let revisionCounter = 0;
/** The article's text with one paragraph changed, differently each time: always a new revision. */
function revisedText(): string {
  revisionCounter += 1;
  const { source } = readArticleFile(SEED_ARTICLE_PATH);
  return `${source.trimEnd()}\n\nA closing paragraph added by matrix revision ${revisionCounter} (${randomBytes(4).toString("hex")}).\n`;
}

let spareArticleId: number | undefined;
/** An article in no world's collection, made once: what the admin adds to a collection. */
function spareArticle(): number {
  if (spareArticleId === undefined) {
    spareArticleId = importArticle(
      db,
      parseArticle("Matrix Spare\n\nA paragraph to add.\n\nAnother one."),
      { slug: "matrix-spare" },
    ).articleId;
  }
  return spareArticleId;
}

let worldCount = 0;
/** The world's collection and the article its editor (the author) added to it. */
function makeCollection(author: SignedIn): World["collection"] {
  worldCount += 1;
  const slug = createCollection({
    db,
    editor: author,
    input: { title: `Matrix symposium ${worldCount}`, question: "Why?", introduction: "" },
  });
  addExistingArticle({ db, viewer: author, slug, articleId: seededArticle().id });
  const added = importArticle(
    db,
    parseArticle(`Matrix Response ${worldCount}\n\nA paragraph.\n\nAnother paragraph.`),
    { slug: `matrix-response-${worldCount}`, byline: "By the matrix", editorId: author.id },
  );
  addExistingArticle({ db, viewer: author, slug, articleId: added.articleId });
  return { slug, addedArticleId: added.articleId };
}

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
  /** An endless answer (server-sent events): the request is aborted after this long. */
  abortAfterMs?: number;
  /** A file to send with the fields, as a multipart form (an upload). */
  file?: { name: string; content: string };
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
const HYPOTHESIS_EXPORT = readFileSync(
  new URL("../data/hypothesis-export.json", import.meta.url),
  "utf8",
);
const PANEL = `/articles/${SLUG}/p/p-3`;
const PERMALINK = `/articles/${SLUG}/annotations/`;

const body = (text: string) => ({ kind: "annotation", body: text });
const idOf = (w: World, target: Target | undefined): string => {
  switch (target) {
    case "public":
    case "private":
    case "deleted":
    case "hidden":
    case "flagged":
    case "group-note":
    case "group-hidden":
    case "group-flagged":
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
  for (const target of ["public", "private", "deleted", "missing"] as const) {
    const onPrivate = target === "private";
    const gone = target === "deleted" || target === "missing";
    // The thread's writer (the author) and a site admin may resolve; a stranger may not. Another's
    // private note does not exist for anyone else. The admin goes first (see RUN_ORDER), so the
    // author finds the thread already resolved; reopening an open thread writes nothing.
    rows.push(
      {
        route,
        method: "POST",
        intent: INTENTS.resolve,
        target,
        fields: (w) => ({ intent: INTENTS.resolve, id: idOf(w, target) }),
        expect: gone
          ? signedIn("404")
          : onPrivate
            ? authorOnly(where.afterWrite, "404")
            : {
                anonymous: LOGIN,
                stranger: "403",
                admin: where.afterWrite,
                author: `${where.afterWrite} unchanged`,
              },
      },
      {
        route,
        method: "POST",
        intent: INTENTS.reopen,
        target,
        fields: (w) => ({ intent: INTENTS.reopen, id: idOf(w, target) }),
        expect: gone
          ? signedIn("404")
          : onPrivate
            ? authorOnly(`${where.afterWrite} unchanged`, "404")
            : {
                anonymous: LOGIN,
                stranger: "403",
                admin: `${where.afterWrite} unchanged`,
                author: `${where.afterWrite} unchanged`,
              },
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
    intent: ACCOUNT_INTENTS.createToken,
    fields: () => ({
      intent: ACCOUNT_INTENTS.createToken,
      name: "Matrix token",
      scope: "read-write",
      lifetime: "30",
    }),
    expect: signedIn("302 /account#new-token"),
  },
  {
    route: "account.tsx",
    method: "POST",
    intent: `${ACCOUNT_INTENTS.createToken} (no name)`,
    fields: () => ({
      intent: ACCOUNT_INTENTS.createToken,
      name: "",
      scope: "read",
      lifetime: "30",
    }),
    expect: signedIn("400"),
  },
  // Only the owner revokes a token; to anyone else, a site admin included, it does not exist.
  {
    route: "account.tsx",
    method: "POST",
    intent: ACCOUNT_INTENTS.revokeToken,
    fields: (w) => ({ intent: ACCOUNT_INTENTS.revokeToken, tokenId: String(w.tokenId) }),
    expect: authorOnly("302 /account?saved=revoke-token#api-tokens", "404"),
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
    afterDelete: `302 ${PANEL}#p-3`,
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

  // Revisions: everyone reads them; only the article's author, its editor (or an owner of a
  // panel reviewing it) and site admins upload one. The matrix's article was imported from the
  // command line: it has no editor, so only admins may revise it.
  { route: "articles.$slug_.revisions._index.tsx", method: "GET", expect: all("200") },
  {
    route: "articles.$slug_.revisions._index.tsx",
    method: "GET",
    target: "missing-article",
    expect: all("404"),
  },
  {
    route: "articles.$slug_.revisions._index.tsx",
    method: "POST",
    intent: "revise",
    target: "revisable",
    fields: () => ({ text: revisedText(), note: "A matrix revision." }),
    expect: {
      anonymous: LOGIN,
      stranger: "403",
      author: "403",
      admin: "302 /articles/matrix-revisable/revisions?revised=*",
    },
  },
  {
    route: "articles.$slug_.revisions._index.tsx",
    method: "POST",
    intent: "revise (no text)",
    target: "revisable",
    fields: () => ({ note: "Nothing attached." }),
    // Whether they may revise is asked before the upload is read: others learn 403, not 400.
    expect: { anonymous: LOGIN, stranger: "403", author: "403", admin: "400" },
  },
  {
    route: "articles.$slug_.revisions.$number.tsx",
    method: "GET",
    target: "revisable",
    expect: all("200"),
  },
  ...(["missing-revision", "missing-article"] as const).map(
    (target): Row => ({
      route: "articles.$slug_.revisions.$number.tsx",
      method: "GET",
      target,
      expect: all("404"),
    }),
  ),
  { route: "articles.$slug_.revisions.$number.tsx", method: "POST", expect: NO_ACTION },
  { route: "articles.$slug_.compare.tsx", method: "GET", target: "revisable", expect: all("200") },
  {
    route: "articles.$slug_.compare.tsx",
    method: "GET",
    target: "revisable",
    query: "from=1&to=999",
    expect: all("404"),
  },
  { route: "articles.$slug_.compare.tsx", method: "POST", expect: NO_ACTION },
  // The review summary shows each reader what they may see (visibility.test.ts checks which).
  { route: "articles.$slug_.review.tsx", method: "GET", expect: all("200") },
  {
    route: "articles.$slug_.review.tsx",
    method: "GET",
    target: "missing-article",
    expect: all("404"),
  },
  { route: "articles.$slug_.review.tsx", method: "POST", expect: NO_ACTION },
  { route: "articles.$slug_.review[.md].tsx", method: "GET", expect: all("200") },
  {
    route: "articles.$slug_.review[.md].tsx",
    method: "GET",
    target: "missing-article",
    expect: all("404"),
  },
  { route: "articles.$slug_.review[.md].tsx", method: "POST", expect: NO_ACTION },

  // W3C exports: each reader gets what they may see (tests/unit/route-export.test.ts checks
  // which); a reader's own need an account; a group's are its owners' (the author owns the
  // world's group, the stranger is a member, the admin an outsider).
  { route: "articles.$slug_.annotations[.jsonld].tsx", method: "GET", expect: all("200") },
  {
    route: "articles.$slug_.annotations[.jsonld].tsx",
    method: "GET",
    target: "missing-article",
    expect: all("404"),
  },
  {
    route: "articles.$slug_.annotations[.jsonld].tsx",
    method: "GET",
    query: "page=1",
    expect: all("200"),
  },
  { route: "articles.$slug_.annotations[.jsonld].tsx", method: "POST", expect: NO_ACTION },
  { route: "account_.annotations[.jsonld].tsx", method: "GET", expect: signedIn("200") },
  { route: "account_.annotations[.jsonld].tsx", method: "POST", expect: NO_ACTION },
  {
    route: "groups.$groupId.annotations[.jsonld].tsx",
    method: "GET",
    expect: { anonymous: LOGIN, stranger: "403", author: "200", admin: "404" },
  },
  {
    route: "groups.$groupId.annotations[.jsonld].tsx",
    method: "GET",
    target: "missing-group",
    expect: signedIn("404"),
  },
  { route: "groups.$groupId.annotations[.jsonld].tsx", method: "POST", expect: NO_ACTION },

  // Importing annotations: any signed-in reader, onto any article, with a preview first (writes
  // nothing); the confirmation needs the preview's token, which is the uploader's alone.
  { route: "articles.$slug_.import.tsx", method: "GET", expect: signedIn("200") },
  {
    route: "articles.$slug_.import.tsx",
    method: "GET",
    target: "missing-article",
    expect: signedIn("404"),
  },
  {
    route: "articles.$slug_.import.tsx",
    method: "POST",
    intent: "preview",
    fields: () => ({ intent: "preview" }),
    file: { name: "export.json", content: HYPOTHESIS_EXPORT },
    expect: signedIn("200"),
  },
  {
    route: "articles.$slug_.import.tsx",
    method: "POST",
    intent: "preview (not JSON)",
    fields: () => ({ intent: "preview" }),
    file: { name: "export.json", content: "not json" },
    expect: signedIn("400"),
  },
  {
    route: "articles.$slug_.import.tsx",
    method: "POST",
    intent: "confirm (no such preview)",
    fields: () => ({ intent: "confirm", token: "not-a-token" }),
    expect: signedIn("404"),
  },

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

  // Moderation from a thread: flag what you can see and did not write; hide, restore and dismiss
  // are for site admins on public annotations (group annotations: groups.$groupId.moderation).
  ...moderationRows("articles.$slug.p.$anchor.tsx", `302 ${PANEL}?show=*`),
  ...moderationRows("articles.$slug_.annotations.$id.tsx", `302 ${PERMALINK}*`),

  // A group's moderation queue: its owner (the author) and moderators; members 403, outsiders
  // (the admin, here) 404.
  {
    route: "groups.$groupId.moderation.tsx",
    method: "GET",
    expect: { anonymous: LOGIN, stranger: "403", author: "200", admin: "404" },
  },
  {
    route: "groups.$groupId.moderation.tsx",
    method: "GET",
    target: "missing-group",
    expect: signedIn("404"),
  },
  ...queueRows("groups.$groupId.moderation.tsx", {
    done: "302 /groups/*",
    refusals: { stranger: "403", admin: "404" },
    targets: { hide: "group-note", restore: "group-hidden", dismiss: "group-flagged" },
  }),
  {
    route: "groups.$groupId.moderation.tsx",
    method: "POST",
    intent: `${QUEUE_INTENTS.hide} (missing group)`,
    target: "missing-group",
    fields: (w) => ({ intent: QUEUE_INTENTS.hide, id: idOf(w, "group-note"), reason: "No." }),
    expect: signedIn("404"),
  },

  // The site admins' queue for public annotations.
  {
    route: "admin.moderation.tsx",
    method: "GET",
    expect: { anonymous: LOGIN, stranger: "403", author: "403", admin: "200" },
  },
  ...queueRows("admin.moderation.tsx", {
    done: "302 /admin/moderation?done=*",
    refusals: { stranger: "403", author: "403" },
    targets: { hide: "public", restore: "hidden", dismiss: "flagged" },
  }),
  {
    route: "admin.moderation.tsx",
    method: "POST",
    intent: `${QUEUE_INTENTS.hide} (a group's annotation)`,
    target: "group-note",
    fields: (w) => ({ intent: QUEUE_INTENTS.hide, id: idOf(w, "group-note"), reason: "No." }),
    // The admin is not in the group: its annotations do not exist for them.
    expect: { anonymous: LOGIN, stranger: "403", author: "403", admin: "404" },
  }, // Groups: the list of one's own and the forms to start or join one.
  { route: "groups._index.tsx", method: "GET", expect: signedIn("200") },
  {
    route: "groups._index.tsx",
    method: "POST",
    intent: GROUP_INTENTS.create,
    fields: () => ({ intent: GROUP_INTENTS.create, name: "Matrix class", description: "" }),
    expect: signedIn("302 /groups/*"),
  },
  {
    route: "groups._index.tsx",
    method: "POST",
    intent: GROUP_INTENTS.join,
    fields: () => ({ intent: GROUP_INTENTS.join, code: "ZZZZ-2222" }),
    expect: signedIn("400"),
  },
  {
    route: "groups._index.tsx",
    method: "POST",
    intent: "(unknown intent)",
    fields: () => ({ intent: "frobnicate" }),
    expect: signedIn("400"),
  },

  // One group: its members see it (the stranger is one), its owner (the author) runs it, an
  // outsider (the admin, here) finds no such group.
  {
    route: "groups.$groupId._index.tsx",
    method: "GET",
    expect: { anonymous: LOGIN, stranger: "200", author: "200", admin: "404" },
  },
  {
    route: "groups.$groupId._index.tsx",
    method: "GET",
    target: "missing-group",
    expect: signedIn("404"),
  },
  ...groupOwnerRows(),
  {
    route: "groups.$groupId._index.tsx",
    method: "POST",
    intent: GROUP_INTENTS.leave,
    fields: () => ({ intent: GROUP_INTENTS.leave }),
    // The member leaves; the last owner may not (the group needs one); outsiders: no such group.
    expect: { anonymous: LOGIN, stranger: "302 /groups", author: "403", admin: "404" },
  },
  {
    route: "groups.$groupId._index.tsx",
    method: "POST",
    intent: "(unknown intent)",
    fields: () => ({ intent: "frobnicate" }),
    expect: signedIn("400"),
  },

  // A join link: anyone may look; a signed-in reader joins (again: nothing changes), a newcomer
  // signs up and joins in one step.
  { route: "join.$code.tsx", method: "GET", expect: all("200") },
  { route: "join.$code.tsx", method: "GET", target: "missing-group", expect: all("404") },
  {
    route: "join.$code.tsx",
    method: "POST",
    intent: GROUP_INTENTS.join,
    fields: () => ({ intent: GROUP_INTENTS.join }),
    expect: {
      anonymous: "400", // no account fields: the sign-up form's errors
      stranger: "302 /groups/* unchanged",
      author: "302 /groups/* unchanged",
      admin: "302 /groups/*",
    },
  },
  {
    route: "join.$code.tsx",
    method: "POST",
    intent: "sign up and join",
    fields: () => ({
      username: `joiner_${randomBytes(4).toString("hex")}`,
      displayName: "A newcomer",
      password: "correct horse battery staple",
    }),
    expect: { anonymous: "302 /groups/*", stranger: "400", author: "400", admin: "400" },
  },
  {
    route: "join.$code.tsx",
    method: "POST",
    intent: `${GROUP_INTENTS.join} (a code nobody has)`,
    target: "missing-group",
    fields: () => ({ intent: GROUP_INTENTS.join }),
    expect: all("404"),
  },
  {
    route: "join.$code.tsx",
    method: "POST",
    intent: "(unknown intent)",
    fields: () => ({ intent: "frobnicate" }),
    expect: { anonymous: "400", stranger: "400", author: "400", admin: "400" },
  },

  // An assignment: its members read it; owners and moderators see participation (and the CSV);
  // only owners change it. The world's group has no moderator: the stranger is a member.
  {
    route: "groups.$groupId.assignments.$assignmentId.tsx",
    method: "GET",
    expect: { anonymous: LOGIN, stranger: "200", author: "200", admin: "404" },
  },
  {
    route: "groups.$groupId.assignments.$assignmentId.tsx",
    method: "GET",
    target: "missing",
    expect: signedIn("404"),
  },
  {
    route: "groups.$groupId.assignments.$assignmentId.tsx",
    method: "POST",
    intent: ASSIGNMENT_INTENTS.weights,
    fields: () => ({
      intent: ASSIGNMENT_INTENTS.weights,
      annotation: "1",
      question: "1",
      counterargument: "3",
      source: "1",
      reply: "1",
      sourceCited: "1",
      per100Words: "0.5",
      endorsement: "0",
    }),
    expect: { anonymous: LOGIN, stranger: "403", author: "302 /groups/*", admin: "404" },
  },
  {
    route: "groups.$groupId.assignments.$assignmentId.tsx",
    method: "POST",
    intent: ASSIGNMENT_INTENTS.edit,
    fields: () => ({
      intent: ASSIGNMENT_INTENTS.edit,
      instructions: "Read it twice.",
      dueDate: "2031-02-01",
      dueTime: "09:00",
      timeZone: "Asia/Tokyo",
      anonymous: "on",
    }),
    expect: { anonymous: LOGIN, stranger: "403", author: "302 /groups/*", admin: "404" },
  },
  {
    route: "groups.$groupId.assignments.$assignmentId.tsx",
    method: "POST",
    intent: "(unknown intent)",
    fields: () => ({ intent: "frobnicate" }),
    expect: { anonymous: LOGIN, stranger: "400", author: "400", admin: "404" },
  },
  {
    route: "groups.$groupId.assignments.$assignmentId[.csv].tsx",
    method: "GET",
    expect: { anonymous: LOGIN, stranger: "403", author: "200", admin: "404" },
  },
  {
    route: "groups.$groupId.assignments.$assignmentId[.csv].tsx",
    method: "POST",
    expect: NO_ACTION,
  },

  // Live updates: a stream for anyone who may read the article; what it carries is filtered
  // per viewer (tests/unit/live.test.ts).
  { route: "articles.$slug_.events.tsx", method: "GET", abortAfterMs: 150, expect: all("200") },
  {
    route: "articles.$slug_.events.tsx",
    method: "GET",
    target: "missing-article",
    expect: all("404"),
  },
  { route: "articles.$slug_.events.tsx", method: "POST", expect: NO_ACTION },

  ...collectionRows(),
];

/**
 * Collections: anyone reads them; any signed-in reader starts one; only its editor (the author,
 * here) or a site admin changes one, and a stranger is refused (403: collections are public, so
 * there is nothing to hide). Linking an author account is further limited to the editor who added
 * the article, or an admin. The admin runs before the author in a row's shared world, so where
 * both succeed each is given a write of its own (another article, the other direction).
 */
function collectionRows(): Row[] {
  const route = "collections.$slug.tsx";
  const editorOnly = (done: Outcome): Expectations => ({
    anonymous: LOGIN,
    stranger: "403",
    author: done,
    admin: done,
  });
  const isAdmin = (w: World, v: SignedIn | null) => v?.id === w.admin.id;
  const seedId = () => String(seededArticle().id);
  const done = "302 /collections/matrix-symposium-*";
  return [
    { route: "collections._index.tsx", method: "GET", expect: all("200") },
    {
      route: "collections._index.tsx",
      method: "POST",
      intent: COLLECTION_INTENTS.create,
      fields: () => ({
        intent: COLLECTION_INTENTS.create,
        title: "A matrix collection",
        question: "Who may?",
      }),
      expect: signedIn("302 /collections/a-matrix-collection*"),
    },
    {
      route: "collections._index.tsx",
      method: "POST",
      intent: `${COLLECTION_INTENTS.create} (no title)`,
      fields: () => ({ intent: COLLECTION_INTENTS.create, title: "", question: "Who may?" }),
      expect: signedIn("400"),
    },
    {
      route: "collections._index.tsx",
      method: "POST",
      intent: "(unknown intent)",
      fields: () => ({ intent: "frobnicate" }),
      expect: signedIn("400"),
    },

    { route, method: "GET", target: "collection", expect: all("200") },
    { route, method: "GET", target: "missing-collection", expect: all("404") },
    {
      route,
      method: "POST",
      intent: COLLECTION_INTENTS.edit,
      target: "collection",
      fields: (_w, v) => ({
        intent: COLLECTION_INTENTS.edit,
        title: `Renamed by ${v?.username ?? "nobody"}`,
        question: "Why not?",
      }),
      expect: editorOnly(done),
    },
    {
      route,
      method: "POST",
      intent: `${COLLECTION_INTENTS.edit} (missing collection)`,
      target: "missing-collection",
      fields: () => ({ intent: COLLECTION_INTENTS.edit, title: "T", question: "Q?" }),
      expect: signedIn("404"),
    },
    {
      route,
      method: "POST",
      intent: COLLECTION_INTENTS.addArticle,
      target: "collection",
      fields: (w, v) => ({
        intent: COLLECTION_INTENTS.addArticle,
        articleId: String(isAdmin(w, v) ? spareArticle() : assignedArticle()),
      }),
      expect: editorOnly(done),
    },
    {
      route,
      method: "POST",
      intent: COLLECTION_INTENTS.upload,
      target: "collection",
      fields: () => ({ intent: COLLECTION_INTENTS.upload, byline: "By the matrix" }),
      file: { name: "response.txt", content: "Uploaded Matrix Reply\n\nOne.\n\nTwo." },
      expect: editorOnly(done),
    },
    {
      route,
      method: "POST",
      intent: `${COLLECTION_INTENTS.upload} (not an article)`,
      target: "collection",
      fields: () => ({ intent: COLLECTION_INTENTS.upload, byline: "By the matrix" }),
      file: { name: "response.txt", content: "Only a title" },
      expect: editorOnly("400"),
    },
    {
      route,
      method: "POST",
      intent: COLLECTION_INTENTS.move,
      target: "collection",
      // The seed article is first: the admin moves it down, then the author back up.
      fields: (w, v) => ({
        intent: COLLECTION_INTENTS.move,
        articleId: seedId(),
        direction: isAdmin(w, v) ? "down" : "up",
      }),
      expect: editorOnly(done),
    },
    {
      route,
      method: "POST",
      intent: COLLECTION_INTENTS.remove,
      target: "collection",
      fields: (w, v) => ({
        intent: COLLECTION_INTENTS.remove,
        articleId: isAdmin(w, v) ? seedId() : String(w.collection.addedArticleId),
      }),
      expect: editorOnly(done),
    },
    {
      route,
      method: "POST",
      intent: COLLECTION_INTENTS.linkAuthor,
      target: "collection",
      // The article the author added: each links themselves (the stranger is refused).
      fields: (w, v) => ({
        intent: COLLECTION_INTENTS.linkAuthor,
        articleId: String(w.collection.addedArticleId),
        authorUsername: v?.username ?? "",
      }),
      expect: editorOnly(done),
    },
    {
      route,
      method: "POST",
      intent: `${COLLECTION_INTENTS.linkAuthor} (the seed article)`,
      target: "collection",
      // Nobody added it through the site: its editor may not claim it, only an admin links it.
      fields: (_w, v) => ({
        intent: COLLECTION_INTENTS.linkAuthor,
        articleId: seedId(),
        authorUsername: v?.username ?? "",
      }),
      expect: { anonymous: LOGIN, stranger: "403", author: "403", admin: done },
    },
    {
      route,
      method: "POST",
      intent: "(unknown intent)",
      target: "collection",
      fields: () => ({ intent: "frobnicate" }),
      expect: signedIn("400"),
    },
  ];
}

/** What only a group's owner may do on its page; a member is refused, an outsider finds nothing. */
function groupOwnerRows(): Row[] {
  const ownerOnly = (done: Outcome): Expectations => ({
    anonymous: LOGIN,
    stranger: "403",
    author: done,
    admin: "404",
  });
  const form =
    (intent: string, more: FieldsFn = () => ({})): FieldsFn =>
    (w, v) => ({
      intent,
      ...more(w, v),
    });
  return [
    {
      route: "groups.$groupId._index.tsx",
      method: "POST",
      intent: GROUP_INTENTS.settings,
      fields: form(GROUP_INTENTS.settings, () => ({
        name: "Renamed",
        description: "",
        sizeCap: "40",
      })),
      expect: ownerOnly("302 /groups/*"),
    },
    {
      route: "groups.$groupId._index.tsx",
      method: "POST",
      intent: GROUP_INTENTS.rotateCode,
      fields: form(GROUP_INTENTS.rotateCode),
      expect: ownerOnly("302 /groups/*"),
    },
    {
      route: "groups.$groupId._index.tsx",
      method: "POST",
      intent: GROUP_INTENTS.disableCode,
      fields: form(GROUP_INTENTS.disableCode),
      expect: ownerOnly("302 /groups/*"),
    },
    {
      route: "groups.$groupId._index.tsx",
      method: "POST",
      intent: GROUP_INTENTS.setRole,
      fields: form(GROUP_INTENTS.setRole, (w) => ({ userId: w.stranger.id, role: "moderator" })),
      expect: ownerOnly("302 /groups/*"),
    },
    {
      route: "groups.$groupId._index.tsx",
      method: "POST",
      intent: GROUP_INTENTS.removeMember,
      fields: form(GROUP_INTENTS.removeMember, (w) => ({ userId: w.stranger.id })),
      expect: ownerOnly("302 /groups/*"),
    },
    {
      route: "groups.$groupId._index.tsx",
      method: "POST",
      intent: GROUP_INTENTS.assign,
      fields: form(GROUP_INTENTS.assign, (w) => ({
        articleId: String(w.articleId),
        instructions: "Read it.",
        dueDate: "2030-01-31",
        timeZone: "Europe/Paris",
      })),
      expect: ownerOnly("302 /groups/*"),
    },
    {
      route: "groups.$groupId._index.tsx",
      method: "POST",
      intent: `${GROUP_INTENTS.assign} (no article)`,
      fields: form(GROUP_INTENTS.assign, () => ({ articleId: "" })),
      expect: signedIn("400"),
    },
  ];
}

/** The moderation forms (flag, hide, restore, dismiss) on a page that shows threads. */
function moderationRows(route: string, done: Outcome): Row[] {
  const post =
    (intent: string, target: Target, reason: string): FieldsFn =>
    (w) => ({
      intent,
      id: idOf(w, target),
      reason,
    });
  const adminOnly: Expectations = { anonymous: LOGIN, stranger: "403", author: "403", admin: done };
  return [
    {
      route,
      method: "POST",
      intent: INTENTS.flag,
      target: "public",
      fields: post(INTENTS.flag, "public", "A matrix flag."),
      // Anyone who sees it but its author.
      expect: authorOnly("403", done),
    },
    {
      route,
      method: "POST",
      intent: `${INTENTS.flag} (no reason)`,
      target: "public",
      fields: post(INTENTS.flag, "public", "  "),
      expect: signedIn("400"),
    },
    ...(["private", "group-note"] as const).map(
      (target): Row => ({
        route,
        method: "POST",
        intent: INTENTS.flag,
        target,
        fields: post(INTENTS.flag, target, "Unseen."),
        expect:
          target === "private"
            ? authorOnly("403", "404")
            : // The stranger wrote it; the author owns the group; the admin is not in it.
              { anonymous: LOGIN, stranger: "403", author: done, admin: "404" },
      }),
    ),
    ...(["deleted", "missing"] as const).map(
      (target): Row => ({
        route,
        method: "POST",
        intent: INTENTS.flag,
        target,
        fields: post(INTENTS.flag, target, "Gone."),
        expect: signedIn("404"),
      }),
    ),
    {
      route,
      method: "POST",
      intent: INTENTS.hide,
      target: "public",
      fields: post(INTENTS.hide, "public", "Hidden by the matrix."),
      expect: adminOnly,
    },
    {
      route,
      method: "POST",
      intent: INTENTS.hide,
      target: "group-note",
      fields: post(INTENTS.hide, "group-note", "Hidden by the matrix."),
      // The group's owner moderates it; a member (its author) does not; the admin cannot see it.
      expect: { anonymous: LOGIN, stranger: "403", author: done, admin: "404" },
    },
    {
      route,
      method: "POST",
      intent: INTENTS.restore,
      target: "hidden",
      fields: post(INTENTS.restore, "hidden", ""),
      expect: adminOnly,
    },
    {
      route,
      method: "POST",
      intent: INTENTS.dismiss,
      target: "flagged",
      fields: post(INTENTS.dismiss, "flagged", ""),
      expect: adminOnly,
    },
  ];
}

/** The forms of a moderation queue: hide, restore, dismiss, and an unknown intent. */
function queueRows(
  route: string,
  {
    done,
    refusals,
    targets,
  }: {
    done: Outcome;
    /** What the two viewers who may not moderate here get. */
    refusals: Partial<Expectations>;
    targets: Record<keyof typeof QUEUE_INTENTS, Target>;
  },
): Row[] {
  const moderator: ViewerKind = refusals.admin === undefined ? "admin" : "author";
  const expect = (outcome: Outcome): Expectations =>
    ({ anonymous: LOGIN, ...refusals, [moderator]: outcome }) as Expectations;
  return [
    ...(Object.keys(QUEUE_INTENTS) as (keyof typeof QUEUE_INTENTS)[]).map(
      (intent): Row => ({
        route,
        method: "POST",
        intent: QUEUE_INTENTS[intent],
        target: targets[intent],
        fields: (w) => ({ intent, id: idOf(w, targets[intent]), reason: "By the matrix." }),
        expect: expect(done),
      }),
    ),
    {
      route,
      method: "POST",
      intent: `${QUEUE_INTENTS.hide} (no reason)`,
      target: targets.hide,
      fields: (w) => ({ intent: QUEUE_INTENTS.hide, id: idOf(w, targets.hide), reason: "" }),
      expect: expect("400"),
    },
    {
      route,
      method: "POST",
      intent: "(unknown intent)",
      target: targets.hide,
      fields: (w) => ({ intent: "frobnicate", id: idOf(w, targets.hide) }),
      expect: expect("400"),
    },
  ];
}

/** The intents each route's forms post: every one must have a row, and so must an unknown one. */
const INTENT_VOCABULARIES: Record<string, readonly string[]> = {
  "account.tsx": Object.values(ACCOUNT_INTENTS),
  "articles.$slug.p.$anchor.tsx": Object.values(INTENTS),
  "articles.$slug_.annotations.$id.tsx": Object.values(INTENTS),
  "groups.$groupId.moderation.tsx": Object.values(QUEUE_INTENTS),
  "admin.moderation.tsx": Object.values(QUEUE_INTENTS),
  "groups._index.tsx": [GROUP_INTENTS.create, GROUP_INTENTS.join],
  "groups.$groupId._index.tsx": [
    GROUP_INTENTS.settings,
    GROUP_INTENTS.rotateCode,
    GROUP_INTENTS.disableCode,
    GROUP_INTENTS.setRole,
    GROUP_INTENTS.removeMember,
    GROUP_INTENTS.leave,
    GROUP_INTENTS.assign,
  ],
  "join.$code.tsx": [GROUP_INTENTS.join],
  "collections._index.tsx": [COLLECTION_INTENTS.create],
  "collections.$slug.tsx": Object.values(COLLECTION_INTENTS).filter(
    (i) => i !== COLLECTION_INTENTS.create,
  ),
  "groups.$groupId.assignments.$assignmentId.tsx": Object.values(ASSIGNMENT_INTENTS),
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
function segmentsOf(file: string): ({ param: string; suffix?: string } | { text: string })[] {
  const stem = file.replace(/\.(tsx?|jsx?)$/, "");
  const parts = stem.match(/(?:\[[^\]]*\]|[^.])+/g) ?? [];
  return parts
    .filter((part) => part !== "_index")
    .map((part) => {
      const bare = part.replace(/_$/, "");
      if (bare === "$") return { param: "*" };
      // `$id[.csv]`: a param followed by escaped text in the same segment.
      const escaped = bare.match(/^\$([^[]+)((?:\[[^\]]*\])+)$/);
      if (escaped) {
        return {
          param: escaped[1] as string,
          suffix: (escaped[2] as string).replace(/[[\]]/g, ""),
        };
      }
      if (bare.startsWith("$")) return { param: bare.slice(1) };
      return { text: bare.replace(/\[([^\]]*)\]/g, "$1") };
    });
}

function paramValue(name: string, target: Target | undefined, w: World): string {
  switch (name) {
    case "slug":
      if (target === "revisable" || target === "missing-revision") return revisableSlug();
      if (target === "collection") return w.collection.slug;
      if (target === "missing-collection") return "no-such-collection";
      return target === "missing-article" ? "no-such-article" : w.slug;
    case "number":
      return target === "missing-revision" ? "999" : "1";
    case "anchor":
      return target === "missing-paragraph" ? "p-999" : "p-3";
    case "id":
      return idOf(w, target);
    case "groupId":
      return target === "missing-group" ? "999999999" : String(w.groupId);
    case "assignmentId":
      return target === "missing" ? "999999999" : String(w.assignmentId);
    case "code":
      return target === "missing-group" ? "ZZZZ2222" : w.joinCode;
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
    .map((s) =>
      "text" in s ? s.text : encodeURIComponent(params[s.param] ?? "") + (s.suffix ?? ""),
    )
    .join("/")}`
    .replace(/\/$/, "")
    .replace(/^$/, "/");
  if (row.method === "GET") {
    const request = getRequest(row.query ? `${path}?${row.query}` : path, { as: viewer });
    if (row.abortAfterMs === undefined) return request;
    return new Request(request, { signal: AbortSignal.timeout(row.abortAfterMs) });
  }
  const fields = row.fields?.(w, viewer as (SignedIn & { password: string }) | null) ?? {};
  if (row.file) {
    const request = postRequest(path, {}, { as: viewer, referer: path });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", new Blob([row.file.content], { type: "text/plain" }), row.file.name);
    // The browser's multipart type (with its boundary) replaces the urlencoded one.
    const headers = new Headers(request.headers);
    headers.delete("Content-Type");
    return new Request(request.url, { method: "POST", headers, body: form });
  }
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
  const world = db.transaction(() => {
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
    const groupId = createGroupWith(db, { owner: author, members: [stranger] });
    const note = (by: SignedIn, visibility: "public" | "group", body: string) =>
      createThread(by, { anchor: "p-3", body, visibility, groupId: groupId });
    const moderated = (visibility: "public" | "group") => {
      const [by, moderator, flagger] =
        visibility === "public" ? [author, admin, stranger] : [stranger, author, admin];
      const hidden = note(by, visibility, "A hidden matrix note.");
      hideAnnotation({ db, viewer: moderator, id: hidden, reason: "Hidden for the matrix." });
      const flagged = note(by, visibility, "A flagged matrix note.");
      // The admin is not in the group: its flag there comes from the author (its owner).
      flagAnnotation({
        db,
        viewer: visibility === "public" ? flagger : author,
        id: flagged,
        reason: "Flagged for the matrix.",
      });
      return { hidden, flagged };
    };
    const pub = moderated("public");
    const grp = moderated("group");
    return {
      slug: SLUG,
      author,
      stranger,
      admin,
      ids: {
        public: publicId,
        private: privateId,
        deleted: deletedId,
        hidden: pub.hidden,
        flagged: pub.flagged,
        "group-note": note(stranger, "group", "A group matrix note."),
        "group-hidden": grp.hidden,
        "group-flagged": grp.flagged,
      },
      groupId,
      joinCode: getGroupFor({ db, viewer: author, groupId }).joinCode ?? "",
      articleId: seededArticle().id,
      assignmentId: createAssignment({
        db,
        viewer: author,
        groupId,
        input: {
          articleId: assignedArticle(),
          instructions: "Read it.",
          dueAt: null,
          timeZone: "UTC",
          postBeforeSee: false,
          anonymous: false,
        },
      }),
      collection: makeCollection(author),
    };
  });
  const { token } = createToken(db, world.author.id, { name: "Matrix script", scope: "read" });
  return { ...world, tokenId: token.id };
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
    // It imports every route module: on a loaded 2-core machine that takes more than 5 s.
  }, 60_000);

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

/**
 * Property-based tests of every form action in app/routes — the paragraph panel's and the
 * permalink's thread forms (create, reply, edit, delete), endorsing, signing in, up and out, and
 * the account page's forms — called through `call()` (tests/unit/factories.ts) with arbitrary form
 * fields, arbitrary route params and each kind of viewer:
 *
 * - no answer is a 5xx and nothing throws but a Response (call() rethrows anything else);
 * - a refused request (4xx, or a redirect to sign in) leaves the database exactly as it was
 *   (`snapshot()`: every table but the sign-in attempts that failures record on purpose) —
 *   no partial write;
 * - every redirect stays on this site (a path starting with a single "/").
 *
 * The loaders that read the query string (search, discussion filters, the panel's prefill, a
 * person's page, the permalink) get the same treatment for their parameters.
 *
 * Fields are drawn from the values the forms expect, values next to them (wrong ids, wrong kinds,
 * over-long text, URLs with other schemes) and arbitrary Unicode; any field may be missing or
 * repeated with extra ones. Bounded and seeded: a failure prints the seed and the path to replay it
 * (FUZZ_SEED=<seed>; FUZZ_RUNS=<n> for more runs).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { deleteAnnotation } from "#app/models/annotation.server";
import { flagAnnotation } from "#app/models/moderation.server";
import { action as accountAction } from "#app/routes/account";
import { action as siteQueueAction } from "#app/routes/admin.moderation";
import { action as endorseAction } from "#app/routes/annotations.$id.endorse";
import {
  action as paragraphAction,
  loader as paragraphLoader,
} from "#app/routes/articles.$slug.p.$anchor";
import {
  action as permalinkAction,
  loader as permalinkLoader,
} from "#app/routes/articles.$slug_.annotations.$id";
import { loader as discussionLoader } from "#app/routes/articles.$slug_.discussion";
import { action as groupQueueAction } from "#app/routes/groups.$groupId.moderation";
import { action as loginAction } from "#app/routes/login";
import { action as logoutAction } from "#app/routes/logout";
import { loader as searchLoader } from "#app/routes/search";
import { action as signupAction } from "#app/routes/signup";
import { loader as personLoader } from "#app/routes/u.$username";
import { ACCOUNT_INTENTS, INTENTS, QUEUE_INTENTS } from "#app/utils/intents";
import { user } from "#db/schema";
import {
  type Answer,
  call,
  createThread,
  createThreadReply,
  createUser,
  db,
  getRequest,
  loadContext,
  paragraph,
  postRequest,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  signIn,
  snapshot,
  strongPassword,
} from "./factories";
import { createGroupWith } from "./group-factories";

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
/** Forms that check a password run argon2 (tens of milliseconds) on most inputs: fewer runs. */
const PASSWORD_RUNS = Math.max(1, Math.round(RUNS / 2));
const TIMEOUT = 120_000;

type Handler = Parameters<typeof call>[0];
const asHandler = (f: (args: LoaderFunctionArgs & ActionFunctionArgs) => unknown) => f as Handler;

let author: SignedIn & { password: string };
let stranger: SignedIn;
let ids: { public: number; private: number; deleted: number; reply: number; source: number };
let quotes: string[];

beforeAll(async () => {
  const password = strongPassword();
  author = { ...signIn(await createUser({ password })), password };
  stranger = signIn(await createUser());
  const p2 = paragraph("p-2").text;
  quotes = [p2.slice(0, 24), p2.slice(10, 60), p2, p2.slice(-12), ` ${p2.slice(3, 20)}  `];
  const publicId = createThread(author, { anchor: "p-2", body: "Public, by the author." });
  const privateId = createThread(author, {
    anchor: "p-2",
    body: "Private, by the author.",
    visibility: "private",
  });
  const deletedId = createThread(author, { anchor: "p-2", body: "Deleted later." });
  createThreadReply(stranger, deletedId, { body: "Keeps the deleted one." });
  deleteAnnotation({ db, viewer: author, id: deletedId });
  const source = createThread(stranger, {
    anchor: "p-2",
    kind: "source",
    body: "A source.",
    source: { url: "https://example.com/a", title: "An example", stance: "supports" },
  });
  const reply = createThreadReply(stranger, publicId, { body: "A reply by a stranger." });
  ids = { public: publicId, private: privateId, deleted: deletedId, reply, source };
});

// --- Arbitraries -------------------------------------------------------------------------------

/** Values that are almost right, or wrong in the ways that have broken forms elsewhere. */
const NEAR_MISSES = [
  "",
  " ",
  "\u00a0",
  "0",
  "-1",
  "1.5",
  "1e3",
  "0x10",
  " 7",
  "007",
  "99999999999999999999",
  "9007199254740993",
  "NaN",
  "null",
  "undefined",
  "[object Object]",
  "true",
  "annotation",
  "question",
  "counterargument",
  "source",
  "Source",
  "supports",
  "refutes",
  "context",
  "public",
  "private",
  "PRIVATE",
  "fetcher",
  "https://example.com/",
  "http://example.com:99999/",
  "https://user:pass@example.com/",
  'https://example.com/"><script>alert(1)</script>',
  "javascript:alert(1)",
  "JAVASCRIPT:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "//evil.example",
  "/\\evil.example",
  "/%2F%2Fevil.example",
  "/articles/x?y=1#z",
  "/../../etc/passwd",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  '"; DROP TABLE annotation; --',
  "NEAR(a b)",
  "a*",
  "\u0000",
  "\u0007",
  "\ud800",
  "\uffff",
  "\u202e",
  "😀",
  "a".repeat(33),
  "a".repeat(51),
  "x".repeat(257),
  "x".repeat(2001),
  "y".repeat(5001),
  "z".repeat(10_001),
] as const;

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NEAR_MISSES) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 300 }) },
);
/**
 * Mostly one of `values` (what the form sends), sometimes anything: most forms then get far enough
 * to be validated, written or refused by the model, with one or two fields off.
 */
const oneOfOr = (...values: (string | fc.Arbitrary<string>)[]) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.oneof(...values.map((v) => (typeof v === "string" ? fc.constant(v) : v))),
    },
    { weight: 1, arbitrary: text },
  );
/** Free text (a body, a title): anything, or sometimes an ordinary value. */
const content = (...values: string[]) =>
  fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom(...values) });

const idField = () =>
  oneOfOr(...Object.values(ids).map(String), "999999999", fc.nat({ max: 500 }).map(String));
/** An id as a route param (from the URL's path, so well-formed). */
const idParam = () => idField().map(wellFormed);
const kindField = oneOfOr("annotation", "question", "counterargument", "source");
const visibilityField = oneOfOr("public", "private");
const stanceField = oneOfOr("supports", "refutes", "context");
const urlField = oneOfOr("https://example.com/page", fc.webUrl());
const quoteField = () => oneOfOr(...quotes);
const startField = oneOfOr("0", "3", "10", fc.nat({ max: 10_000 }).map(String));
const redirectField = fc.oneof(
  fc.constantFrom("/", "/search?q=x", `/articles/${SEED_ARTICLE_SLUG}`),
  text,
  fc.webUrl(),
  fc.string({ maxLength: 20 }).map((s) => `/${s}`),
);

/** Extra fields a forged form might add, possibly repeating a real field's name. */
const extraFields = fc.dictionary(
  fc.oneof(
    fc.constantFrom("intent", "id", "role", "authorId", "userId", "_method"),
    fc.string({ maxLength: 8 }),
  ),
  text,
  { maxKeys: 3 },
);

/** A form: each of `fields` usually present, plus extras (which a real field's value overrides). */
function form(fields: Record<string, fc.Arbitrary<string>>) {
  const present = Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [
      name,
      fc.oneof({ weight: 8, arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) }),
    ]),
  );
  return fc.tuple(fc.record(present), extraFields).map(([known, extra]) => {
    const out: Record<string, string> = { ...extra };
    for (const [name, value] of Object.entries(known)) if (value !== undefined) out[name] = value;
    return out;
  });
}

const threadForm = () =>
  form({
    intent: oneOfOr(...Object.values(INTENTS)),
    id: idField(),
    kind: kindField,
    body: content("A fuzzed thought.", "*emphasis* and [a link](https://example.com)"),
    quote: quoteField(),
    quoteStart: startField,
    visibility: visibilityField,
    sourceUrl: urlField,
    sourceTitle: content("A title"),
    sourceStance: stanceField,
    reason: content("It is rude.", "  ", "<img src=x onerror=alert(1)>"),
  });

const viewerKind = fc.constantFrom("anonymous", "author", "author", "stranger", "stranger");
const clientAddress = fc.ipV4();

// --- The checks --------------------------------------------------------------------------------

type Viewer = { cookie: string } | null;

function viewerFor(kind: string): Viewer {
  if (kind === "author") return author;
  if (kind === "stranger") return stranger;
  return null;
}

function isRefusal(answer: Answer): boolean {
  const location = answer.headers.get("Location");
  return answer.status >= 400 || location?.startsWith("/login?") === true;
}

function expectSafeAnswer(answer: Answer) {
  expect(answer.status, JSON.stringify(answer.body)?.slice(0, 300)).toBeLessThan(500);
  const location = answer.headers.get("Location");
  if (location !== null) {
    expect(location.startsWith("/") && !location.startsWith("//")).toBe(true);
    expect(location).not.toContain("\\");
  }
}

/**
 * The database as the previous run left it: nothing writes between runs, so each run's "after" is
 * the next one's "before", and one snapshot per run suffices.
 */
let last: ReturnType<typeof snapshot> | null = null;

/** Runs a POST and checks it: no 5xx, no foreign redirect, no write when refused. */
async function post(
  handler: Handler,
  path: string,
  fields: Record<string, string>,
  as: Viewer,
  params: Record<string, string>,
  address: string,
): Promise<Answer> {
  const before = last ?? snapshot();
  last = null;
  const answer = await call(
    handler,
    postRequest(path, fields, { as, referer: path }),
    params,
    loadContext(address),
  );
  expectSafeAnswer(answer);
  const after = snapshot();
  if (isRefusal(answer)) expect(after, "a refused request changed the database").toEqual(before);
  last = after;
  return answer;
}

/** A lone surrogate as U+FFFD, as decoding a URL's path gives it: params are always well-formed. */
const wellFormed = (s: string) =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

/** Route params: nearly always real, so the forms get past the page's own lookup. */
const slugParam = fc.oneof(
  { weight: 12, arbitrary: fc.constant(SEED_ARTICLE_SLUG) },
  { weight: 1, arbitrary: fc.constant("no-such-article") },
  { weight: 1, arbitrary: text.map(wellFormed) },
);
const anchorParam = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("p-2", "p-1") },
  { weight: 1, arbitrary: fc.constantFrom("s-1", "p-0", "p-9999") },
  { weight: 1, arbitrary: text.map(wellFormed) },
);

// --- Actions -----------------------------------------------------------------------------------

describe("thread forms on arbitrary input", () => {
  it(
    "the paragraph panel's action: no 5xx, no partial write",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          threadForm(),
          viewerKind,
          slugParam,
          anchorParam,
          async (fields, who, slug, anchor) => {
            const path = `/articles/${encodeURIComponent(slug)}/p/${encodeURIComponent(anchor)}`;
            await post(
              asHandler(paragraphAction),
              path,
              fields,
              viewerFor(who),
              { slug, anchor },
              "203.0.113.1",
            );
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "the permalink's action: no 5xx, no partial write",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          threadForm(),
          viewerKind,
          slugParam,
          idParam(),
          async (fields, who, slug, id) => {
            const path = `/articles/${encodeURIComponent(slug)}/annotations/${encodeURIComponent(id)}`;
            await post(
              asHandler(permalinkAction),
              path,
              fields,
              viewerFor(who),
              { slug, id },
              "203.0.113.2",
            );
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "endorsing: no 5xx, no partial write, redirects stay on the site",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          form({ via: oneOfOr("fetcher"), redirectTo: redirectField }),
          viewerKind,
          idParam(),
          async (fields, who, id) => {
            const path = `/annotations/${encodeURIComponent(id)}/endorse`;
            await post(
              asHandler(endorseAction),
              path,
              fields,
              viewerFor(who),
              { id },
              "203.0.113.3",
            );
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe("moderation queues on arbitrary input", () => {
  let admin: SignedIn;
  let groupId: number;
  let queueIds: number[];

  beforeAll(async () => {
    admin = signIn(await createUser({ role: "admin" }));
    groupId = createGroupWith(db, { owner: author, members: [stranger] });
    const inGroup = createThread(stranger, {
      anchor: "p-2",
      body: "A class note.",
      visibility: "group",
      groupId,
    });
    flagAnnotation({ db, viewer: author, id: inGroup, reason: "Flagged for the fuzzer." });
    flagAnnotation({ db, viewer: stranger, id: ids.public, reason: "Flagged for the fuzzer." });
    queueIds = [inGroup, ids.public, ids.reply];
    // Written outside `post`: the next run starts from a fresh snapshot.
    last = null;
  });

  const queueForm = () =>
    form({
      intent: oneOfOr(...Object.values(QUEUE_INTENTS)),
      id: oneOfOr(...queueIds.map(String), "999999999"),
      reason: content("Off topic.", "  ", "<script>alert(1)</script>"),
    });
  const queueViewer = fc.constantFrom("anonymous", "author", "stranger", "admin");
  const asViewer = (who: string) => (who === "admin" ? admin : viewerFor(who));

  it(
    "a group's queue and the site's: no 5xx, no partial write",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("group", "site"),
          queueForm(),
          queueViewer,
          fc.oneof({ weight: 8, arbitrary: fc.constant("") }, { weight: 1, arbitrary: idParam() }),
          async (which, fields, who, otherGroup) => {
            const param = otherGroup || String(groupId);
            const [handler, path, params] =
              which === "group"
                ? [
                    asHandler(groupQueueAction),
                    `/groups/${encodeURIComponent(param)}/moderation`,
                    { groupId: param },
                  ]
                : [asHandler(siteQueueAction), "/admin/moderation", {}];
            await post(handler, path, fields, asViewer(who), params, "203.0.113.4");
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe("account forms on arbitrary input", () => {
  it(
    "signing in: no 5xx, no write unless it succeeds, redirects stay on the site",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          form({
            username: oneOfOr(
              author.username,
              "nobody_here",
              fc.stringMatching(/^[a-z0-9_-]{3,12}$/),
            ),
            password: oneOfOr(author.password, "wrong password here"),
            redirectTo: redirectField,
          }),
          viewerKind,
          clientAddress,
          async (fields, who, address) => {
            await post(asHandler(loginAction), "/login", fields, viewerFor(who), {}, address);
          },
        ),
        { seed: SEED, numRuns: PASSWORD_RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "signing up: no 5xx, no write unless it succeeds, redirects stay on the site",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          form({
            username: oneOfOr(fc.stringMatching(/^[A-Za-z0-9_-]{3,32}$/), author.username),
            displayName: content("A New Reader"),
            password: oneOfOr(fc.constant(strongPassword()), "password123", "short"),
            redirectTo: redirectField,
          }),
          viewerKind,
          clientAddress,
          async (fields, who, address) => {
            await post(asHandler(signupAction), "/signup", fields, viewerFor(who), {}, address);
          },
        ),
        { seed: SEED, numRuns: PASSWORD_RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "signing out: no 5xx, always home",
    async () => {
      await fc.assert(
        fc.asyncProperty(extraFields, viewerKind, async (fields, who) => {
          // A session of its own, so that ending it does not sign the other runs out.
          const as = who === "anonymous" ? null : signIn(who === "author" ? author : stranger);
          last = null;
          const answer = await post(
            asHandler(logoutAction),
            "/logout",
            fields,
            as,
            {},
            "203.0.113.4",
          );
          expect(answer.status).toBe(302);
          expect(answer.headers.get("Location")).toBe("/");
        }),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "the account page's forms: no 5xx, no partial write",
    async () => {
      /** Stands for the account's password at the time of the run (it changes when a run changes it). */
      const HOLDER_PASSWORD = "<the holder's password>";
      /** Its own account, made again whenever a run deleted it. */
      let holder: (SignedIn & { password: string }) | null = null;
      await fc.assert(
        fc.asyncProperty(
          form({
            intent: oneOfOr(...Object.values(ACCOUNT_INTENTS)),
            displayName: content("A Renamed Reader"),
            currentPassword: oneOfOr(HOLDER_PASSWORD, "not the password"),
            newPassword: oneOfOr(fc.constant(strongPassword()), "password123", "short"),
            password: oneOfOr(HOLDER_PASSWORD, "not the password"),
          }),
          fc.nat({ max: 4 }).map((n) => n === 0),
          async (drawn, signedOut) => {
            if (!holder || !db.select().from(user).where(eq(user.id, holder.id)).get()) {
              const password = strongPassword();
              holder = { ...signIn(await createUser({ password })), password };
              last = null;
            }
            const current = holder.password;
            const fields = Object.fromEntries(
              Object.entries(drawn).map(([k, v]) => [k, v === HOLDER_PASSWORD ? current : v]),
            );
            const answer = await post(
              asHandler(accountAction),
              "/account",
              fields,
              signedOut ? null : holder,
              {},
              "203.0.113.5",
            );
            // A changed password is the one the next runs know.
            if (answer.headers.get("Location") === "/account?saved=password") {
              holder = { ...holder, password: fields.newPassword ?? holder.password };
            }
          },
        ),
        { seed: SEED, numRuns: PASSWORD_RUNS },
      );
    },
    TIMEOUT,
  );
});

// --- Loaders with arbitrary query strings ------------------------------------------------------

/** A query string of arbitrary values for `names` (and some names the loader does not know). */
function query(names: string[]) {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...names, "x", "page"), text), { maxLength: 6 }),
      fc.boolean(),
    )
    .map(([pairs, raw]) =>
      raw
        ? // Hand-built, so that malformed escapes (%zz, lone %) reach the loader too.
          pairs.map(([k, v]) => `${k}=${v.replace(/[#&\s]/g, "%")}`).join("&")
        : new URLSearchParams(pairs).toString(),
    );
}

async function get(
  handler: Handler,
  path: string,
  q: string,
  who: string,
  params: Record<string, string>,
) {
  let request: Request;
  try {
    request = getRequest(`${path}?${q}`, { as: viewerFor(who) });
  } catch {
    return; // Not a URL a browser could send.
  }
  const answer = await call(handler, request, params);
  expectSafeAnswer(answer);
  expect([200, 301, 302, 404]).toContain(answer.status);
}

describe("loaders on arbitrary query strings", () => {
  it(
    "search, the discussion, the panel's prefill, a person's page, a permalink: no 5xx",
    async () => {
      const slug = SEED_ARTICLE_SLUG;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("search", "discussion", "panel", "person", "permalink"),
          query(["q", "page", "sort", "kind", "author", "quote", "start", "more", "show"]),
          viewerKind,
          idParam(),
          async (which, q, who, id) => {
            switch (which) {
              case "search":
                return get(asHandler(searchLoader), "/search", q, who, {});
              case "discussion":
                return get(asHandler(discussionLoader), `/articles/${slug}/discussion`, q, who, {
                  slug,
                });
              case "panel":
                return get(asHandler(paragraphLoader), `/articles/${slug}/p/p-2`, q, who, {
                  slug,
                  anchor: "p-2",
                });
              case "person":
                return get(asHandler(personLoader), `/u/${author.username}`, q, who, {
                  username: author.username,
                });
              default:
                return get(
                  asHandler(permalinkLoader),
                  `/articles/${slug}/annotations/${id}`,
                  q,
                  who,
                  {
                    slug,
                    id,
                  },
                );
            }
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

/**
 * Personal API tokens on the account page (app/routes/account.tsx), called as Remix would: a new
 * token's secret reaches exactly one page (through a flash cookie that page clears), never the
 * database and never a list; validation errors stay by their fields with what was typed; only the
 * owner revokes. And tokens stay where they belong: page and form routes never accept one, and a
 * protocol request with one is authenticated by it alone (app/utils/protocol-auth.server.ts),
 * within the person's ordinary write budget.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createToken, hashToken, listTokens } from "#app/models/api-token.server";
import { reserveWrite, WRITE_LIMITS } from "#app/models/write-limit.server";
import { action, headers, loader } from "#app/routes/account";
import { action as paragraphAction } from "#app/routes/articles.$slug.p.$anchor";
import { MAX_LIVE_TOKENS } from "#app/rules";
import { RateLimitedError } from "#app/utils/errors";
import { protocolActor } from "#app/utils/protocol-auth.server";
import { annotation, apiToken } from "#db/schema";
import {
  type Answer,
  call,
  db,
  getRequest,
  locationOf,
  loginRedirect,
  postRequest,
  SEED_ARTICLE_SLUG,
  type SignedIn,
  signedInUser,
  snapshot,
} from "./factories";

const ACCOUNT = "/account";

type TokenRow = {
  id: number;
  name: string;
  scope: string;
  prefix: string;
  status: string;
  lastUsedAt: string | null;
  secret?: string;
};
type AccountData = { tokens: TokenRow[]; newToken: (TokenRow & { secret: string }) | null };

function post(fields: Record<string, string>, as: SignedIn | null) {
  return call(action, postRequest(ACCOUNT, fields, { as }));
}

function load(as: SignedIn, cookie = "") {
  return call(
    loader,
    getRequest(ACCOUNT, { headers: { Cookie: [as.cookie, cookie].filter(Boolean).join("; ") } }),
  );
}

function formResult(answer: Answer) {
  return answer.body as {
    intent: string;
    errors: Record<string, string>;
    values: Record<string, string>;
  };
}

/** The flash cookie's value in a Set-Cookie header, and its attributes. */
function flashOf(answer: Answer): { secret: string; attributes: string } {
  const header = answer.headers.get("Set-Cookie") ?? "";
  const match = /^new_api_token=([^;]*);(.*)$/.exec(header);
  if (!match) throw new Error(`no flash cookie in ${header}`);
  return { secret: match[1] ?? "", attributes: match[2] ?? "" };
}

async function createThroughForm(me: SignedIn, name = "My script", scope = "read-write") {
  const answer = await post({ intent: "create-token", name, scope, lifetime: "90" }, me);
  expect(answer.status).toBe(302);
  expect(locationOf(answer)).toBe("/account#new-token");
  return flashOf(answer);
}

describe("making a token on the account page", () => {
  it("shows the secret on the next page only, and never again", async () => {
    const me = await signedInUser();
    const { secret, attributes } = await createThroughForm(me, "  Zotero sync ");
    expect(secret).toMatch(/^mrg_[A-Za-z0-9_-]{43}$/);
    expect(attributes).toMatch(/HttpOnly/);
    expect(attributes).toMatch(/SameSite=Strict/);
    expect(attributes).toMatch(/Max-Age=120/);
    expect(attributes).toMatch(/Path=\//);
    // Stored as its digest only.
    const stored = JSON.stringify(db.select().from(apiToken).all());
    expect(stored).not.toContain(secret);
    expect(stored).toContain(hashToken(secret));

    // The page after the redirect shows it, clears the flash, and may not be stored anywhere.
    const shown = await load(me, `new_api_token=${secret}`);
    expect(shown.status).toBe(200);
    const body = shown.body as AccountData;
    expect(body.newToken).toMatchObject({ name: "Zotero sync", scope: "read-write", secret });
    expect(shown.headers.get("Set-Cookie")).toMatch(/^new_api_token=; .*Max-Age=0/);
    expect(shown.headers.get("Cache-Control")).toBe("no-store");
    // The document's headers keep that no-store.
    const documentHeaders = new Headers(
      headers({
        loaderHeaders: shown.headers,
        actionHeaders: new Headers(),
        parentHeaders: new Headers(),
        errorHeaders: undefined,
      }),
    );
    expect(documentHeaders.get("Cache-Control")).toBe("no-store");
    // The list itself never carries it.
    expect(JSON.stringify(body.tokens)).not.toContain(secret);
    expect(body.tokens).toEqual([
      expect.objectContaining({
        name: "Zotero sync",
        prefix: secret.slice(0, 12),
        status: "live",
        lastUsedAt: null,
      }),
    ]);

    // Reloading (the cookie is gone): listed, not shown.
    const again = await load(me);
    expect((again.body as AccountData).newToken).toBeNull();
    expect(JSON.stringify(again.body)).not.toContain(secret);
    expect(again.headers.get("Set-Cookie")).toBeNull();
  });

  it("a flash holding someone else's, a revoked or a made-up token shows nothing, and is cleared", async () => {
    const me = await signedInUser();
    const other = await signedInUser();
    const { secret: theirs } = await createThroughForm(other);
    const mine = createToken(db, me.id, { name: "revoked soon", scope: "read" });
    db.update(apiToken).set({ revokedAt: new Date() }).where(eq(apiToken.id, mine.token.id)).run();
    for (const flash of [theirs, mine.secret, `mrg_${"b".repeat(43)}`, "junk"]) {
      const answer = await load(me, `new_api_token=${flash}`);
      expect((answer.body as AccountData).newToken, flash).toBeNull();
      expect(JSON.stringify(answer.body)).not.toContain(flash);
      expect(answer.headers.get("Set-Cookie")).toMatch(/^new_api_token=; /);
    }
  });

  it("a bad name or scope: 400 by the field, what was typed kept, nothing written", async () => {
    const me = await signedInUser();
    const cases = [
      { fields: { name: "   ", scope: "read", lifetime: "30" }, field: "name" },
      { fields: { name: "n".repeat(61), scope: "read", lifetime: "30" }, field: "name" },
      { fields: { name: "Backup", scope: "admin", lifetime: "30" }, field: "scope" },
      { fields: { name: "Backup", scope: "", lifetime: "30" }, field: "scope" },
      { fields: { name: "Backup", scope: "read", lifetime: "forever" }, field: "lifetime" },
    ];
    for (const { fields, field } of cases) {
      const before = snapshot();
      const answer = await post({ intent: "create-token", ...fields }, me);
      expect(answer.status, field).toBe(400);
      expect(formResult(answer)).toMatchObject({
        intent: "create-token",
        errors: { [field]: expect.any(String) },
        values: { name: fields.name },
      });
      expect(answer.headers.get("Set-Cookie")).toBeNull();
      expect(snapshot()).toEqual(before);
    }
  });

  it(`past ${MAX_LIVE_TOKENS} live tokens: 400 with a form message, the name kept`, async () => {
    const me = await signedInUser();
    for (let i = 0; i < MAX_LIVE_TOKENS; i++) {
      createToken(db, me.id, { name: `t${i}`, scope: "read" });
    }
    const before = snapshot();
    const answer = await post(
      { intent: "create-token", name: "One too many", scope: "read", lifetime: "never" },
      me,
    );
    expect(answer.status).toBe(400);
    expect(formResult(answer).errors.form).toMatch(/Revoke one/);
    expect(formResult(answer).values.name).toBe("One too many");
    expect(snapshot()).toEqual(before);
  });

  it("an expiry as chosen; 'never' for none", async () => {
    const me = await signedInUser();
    await post({ intent: "create-token", name: "a", scope: "read", lifetime: "30" }, me);
    await post({ intent: "create-token", name: "b", scope: "read", lifetime: "never" }, me);
    const byName = Object.fromEntries(listTokens(db, me.id).map((t) => [t.name, t]));
    const days = ((byName.a?.expiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(byName.b?.expiresAt).toBeNull();
  });

  it("signed out: sent to sign in, nothing written", async () => {
    const before = snapshot();
    const answer = await post(
      { intent: "create-token", name: "x", scope: "read", lifetime: "30" },
      null,
    );
    expect(locationOf(answer)).toBe(loginRedirect(ACCOUNT));
    expect(snapshot()).toEqual(before);
  });
});

describe("revoking a token on the account page", () => {
  it("the owner revokes it: 302 with a message; it shows as revoked", async () => {
    const me = await signedInUser();
    const { token } = createToken(db, me.id, { name: "old script", scope: "read" });
    const answer = await post({ intent: "revoke-token", tokenId: String(token.id) }, me);
    expect(locationOf(answer)).toBe("/account?saved=revoke-token#api-tokens");
    const page = await call(loader, getRequest(`${ACCOUNT}?saved=revoke-token`, { as: me }));
    expect(page.body).toMatchObject({
      saved: expect.stringMatching(/revoked/),
      tokens: [expect.objectContaining({ id: token.id, status: "revoked" })],
    });
  });

  it("someone else's token: 404, nothing written", async () => {
    const me = await signedInUser();
    const owner = await signedInUser();
    const { token } = createToken(db, owner.id, { name: "theirs", scope: "read" });
    const before = snapshot();
    const answer = await post({ intent: "revoke-token", tokenId: String(token.id) }, me);
    expect(answer.status).toBe(404);
    expect(formResult(answer).errors.form).toEqual(expect.any(String));
    expect(snapshot()).toEqual(before);
  });

  it("no token id, or a junk one: 400, nothing written", async () => {
    const me = await signedInUser();
    for (const tokenId of ["", "abc", "-1"]) {
      const before = snapshot();
      const answer = await post({ intent: "revoke-token", tokenId }, me);
      expect(answer.status, tokenId).toBe(400);
      expect(snapshot()).toEqual(before);
    }
  });
});

describe("tokens are accepted on the protocol addresses only", () => {
  it("a page route does not take a token as a sign-in", async () => {
    const me = await signedInUser();
    const { secret } = createToken(db, me.id, { name: "x", scope: "read-write" });
    const page = await call(
      loader,
      getRequest(ACCOUNT, { headers: { Authorization: `Bearer ${secret}` } }),
    );
    expect(locationOf(page)).toBe(loginRedirect(ACCOUNT));
  });

  it("a form route does not take a token for a write", async () => {
    const me = await signedInUser();
    const { secret } = createToken(db, me.id, { name: "x", scope: "read-write" });
    const here = `/articles/${SEED_ARTICLE_SLUG}/p/p-2`;
    const before = snapshot();
    const answer = await call(
      paragraphAction,
      postRequest(
        here,
        { intent: "create", kind: "annotation", body: "By token?" },
        { headers: { Authorization: `Bearer ${secret}` } },
      ),
      { slug: SEED_ARTICLE_SLUG, anchor: "p-2" },
    );
    expect(answer.status).toBe(302);
    expect(locationOf(answer)).toMatch(/^\/login\?/);
    expect(snapshot()).toEqual(before);
    expect(db.select().from(annotation).where(eq(annotation.body, "By token?")).all()).toEqual([]);
  });

  it("a protocol request with a token acts as the token's owner, whatever cookie it carries", async () => {
    const owner = await signedInUser();
    const cookieHolder = await signedInUser();
    const { secret } = createToken(db, owner.id, { name: "x", scope: "read-write" });
    const request = new Request("http://localhost:3000/articles/x/annotations/", {
      method: "POST",
      headers: { Authorization: `Bearer ${secret}`, Cookie: cookieHolder.cookie },
    });
    expect(await protocolActor(request, "write")).toMatchObject({
      via: "token",
      user: { id: owner.id },
    });
  });

  it("a bad token is refused even beside a good session: no falling back to the cookie", async () => {
    const me = await signedInUser();
    const request = new Request("http://localhost:3000/articles/x/annotations/", {
      headers: { Authorization: `Bearer mrg_${"c".repeat(43)}`, Cookie: me.cookie },
    });
    let thrown: unknown;
    try {
      await protocolActor(request, "read");
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Response).status).toBe(401);
    expect((thrown as Response).headers.get("WWW-Authenticate")).toMatch(/invalid_token/);
  });

  it("without a token: the session, or anonymous reads; an anonymous write is 401", async () => {
    const me = await signedInUser();
    const at = "http://localhost:3000/articles/x/annotations/";
    expect(
      await protocolActor(new Request(at, { headers: { Cookie: me.cookie } }), "write"),
    ).toMatchObject({ via: "session", user: { id: me.id } });
    expect(await protocolActor(new Request(at), "read")).toEqual({
      via: "anonymous",
      user: null,
      token: null,
    });
    await expect(protocolActor(new Request(at, { method: "POST" }), "write")).rejects.toSatisfy(
      (r: Response) =>
        r.status === 401 && r.headers.get("WWW-Authenticate") === 'Bearer realm="Marginalia"',
    );
  });

  it("a token's writes draw on the person's one write budget", async () => {
    const me = await signedInUser();
    const { secret } = createToken(db, me.id, { name: "x", scope: "read-write" });
    const [short] = WRITE_LIMITS.annotation;
    // Spent through the forms…
    for (let i = 0; i < (short?.max ?? 0); i++) {
      reserveWrite({ db, userId: me.id, kind: "annotation" });
    }
    // …so the same person writing by token is refused too.
    const actor = await protocolActor(
      new Request("http://localhost:3000/articles/x/annotations/", {
        method: "POST",
        headers: { Authorization: `Bearer ${secret}` },
      }),
      "write",
    );
    expect(actor.user?.id).toBe(me.id);
    expect(() => reserveWrite({ db, userId: actor.user?.id ?? "", kind: "annotation" })).toThrow(
      RateLimitedError,
    );
  });
});

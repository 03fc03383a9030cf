/**
 * Personal API tokens (issue 13, part 5): a script or another tool acts as its owner on the
 * Annotation Protocol endpoints with `Authorization: Bearer mrg_…`. The secret is shown once, when
 * it is made, and only its SHA-256 digest is stored (why a fast digest is right here: db/schema.ts).
 *
 * Tokens are accepted only where a route asks for them: nothing in the session code
 * (app/utils/auth.server.ts) reads the Authorization header, so a page or form route never treats a
 * bearer token as a sign-in. A protocol route calls `authenticateBearer` (or `requireBearer`, or
 * app/utils/protocol-auth.server.ts, which also falls back to the session cookie), gets the user,
 * and then writes through the same model functions and the same per-user write budget
 * (write-limit.server.ts: the models' `limited` option, or `reserveWrite`) as the forms, so a token
 * is never a way around a limit.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, count, desc, eq, gt, isNotNull, isNull, lt, lte, or } from "drizzle-orm";
import type { DbOrTx } from "#app/models/annotation.server";
import { tokenNameSchema } from "#app/models/api-token-input.server";
import type { UserRecord } from "#app/models/user.server";
import { MAX_LIVE_TOKENS, type TokenScope } from "#app/rules";
import { FieldValidationError, NotFoundError } from "#app/utils/errors";
import { type Db, IMMEDIATE } from "#db/client";
import { apiToken, user } from "#db/schema";

/** Every token starts so: secret scanners and people can tell it for a Marginalia token. */
export const TOKEN_PREFIX = "mrg_";
/** `mrg_` and 32 random bytes in base64url (43 characters, no padding). */
const TOKEN_SHAPE = /^mrg_[A-Za-z0-9_-]{43}$/;
/** How much of the secret the account page shows: `mrg_` and 8 characters (48 of its 256 bits). */
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;
/** A token's last use is written at most this often, so a busy script's reads do not each write. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** Revoked and expired tokens stay listed (when did it last work?) this long, then go. */
const KEEP_ENDED_MS = 30 * 86_400_000;
/** The realm in every Bearer challenge (RFC 6750 §3). */
export const BEARER_REALM = "Marginalia";

export type TokenStatus = "live" | "revoked" | "expired";

/** A token as its owner sees it listed: never the secret, never its digest. */
export type ApiTokenSummary = {
  id: number;
  name: string;
  scope: TokenScope;
  /** The first characters of the secret (`mrg_ab12cd34`), to tell tokens apart. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  status: TokenStatus;
};

const summaryColumns = {
  id: apiToken.id,
  name: apiToken.name,
  scope: apiToken.scope,
  prefix: apiToken.prefix,
  createdAt: apiToken.createdAt,
  lastUsedAt: apiToken.lastUsedAt,
  expiresAt: apiToken.expiresAt,
  revokedAt: apiToken.revokedAt,
};

type SummaryRow = Omit<ApiTokenSummary, "status">;

function statusOf(row: SummaryRow, now: Date): TokenStatus {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "live";
}

function summarise(row: SummaryRow, now: Date): ApiTokenSummary {
  return { ...row, status: statusOf(row, now) };
}

/**
 * The digest a token is stored and looked up by. Comparing it through a unique index is not a
 * timing leak worth guarding: the attacker chooses the secret, not its SHA-256.
 */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Tokens that still work at `now`: not revoked, not past their expiry. */
function liveAt(now: Date) {
  return and(
    isNull(apiToken.revokedAt),
    or(isNull(apiToken.expiresAt), gt(apiToken.expiresAt, now)),
  );
}

/**
 * Makes a token for `userId` and returns its secret — the only time anyone sees it — with the row
 * as listed. Throws FieldValidationError for a name the form would refuse (`name`) or when the
 * person already holds MAX_LIVE_TOKENS live tokens (`form`); the count and the insert share one
 * immediate transaction, so parallel requests cannot pass the limit together.
 */
export function createToken(
  db: Db,
  userId: string,
  input: { name: string; scope: TokenScope; expiresAt?: Date | null; now?: Date },
): { secret: string; token: ApiTokenSummary } {
  const now = input.now ?? new Date();
  const name = tokenNameSchema.safeParse(input.name);
  if (!name.success) {
    throw new FieldValidationError({ name: name.error.issues[0]?.message ?? "Check the name." });
  }
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw new FieldValidationError({ lifetime: "Choose an expiry in the future." });
  }
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = db.transaction((tx) => {
    const live =
      tx
        .select({ n: count() })
        .from(apiToken)
        .where(and(eq(apiToken.userId, userId), liveAt(now)))
        .get()?.n ?? 0;
    if (live >= MAX_LIVE_TOKENS) {
      throw new FieldValidationError({
        form: `You have ${MAX_LIVE_TOKENS} tokens that still work, the most one account may hold. Revoke one you no longer use, then make the new one.`,
      });
    }
    // Ended tokens are kept a while for the list, then pruned here, so revoking and making tokens
    // over and over cannot grow the table without bound.
    const endedBefore = new Date(now.getTime() - KEEP_ENDED_MS);
    tx.delete(apiToken)
      .where(
        and(
          eq(apiToken.userId, userId),
          or(
            and(isNotNull(apiToken.revokedAt), lt(apiToken.revokedAt, endedBefore)),
            and(isNotNull(apiToken.expiresAt), lt(apiToken.expiresAt, endedBefore)),
          ),
        ),
      )
      .run();
    return tx
      .insert(apiToken)
      .values({
        userId,
        name: name.data,
        scope: input.scope,
        tokenHash: hashToken(secret),
        prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
        createdAt: now,
        expiresAt: input.expiresAt ?? null,
      })
      .returning(summaryColumns)
      .get();
  }, IMMEDIATE);
  return { secret, token: summarise(row, now) };
}

/** A person's tokens, newest first, live and recently ended: never a secret or a digest. */
export function listTokens(db: Db, userId: string, now = new Date()): ApiTokenSummary[] {
  return db
    .select(summaryColumns)
    .from(apiToken)
    .where(eq(apiToken.userId, userId))
    .orderBy(desc(apiToken.createdAt), desc(apiToken.id))
    .all()
    .map((row) => summarise(row, now));
}

/**
 * Revokes one of `userId`'s own tokens; it stops working at once (every request looks the token up
 * afresh). Revoking a revoked token changes nothing. Someone else's token, or none, is NotFound:
 * whether a token id exists is not this person's business.
 */
export function revokeToken(db: Db, userId: string, tokenId: number, now = new Date()): void {
  db.transaction((tx) => {
    const own = tx
      .select({ revokedAt: apiToken.revokedAt })
      .from(apiToken)
      .where(and(eq(apiToken.id, tokenId), eq(apiToken.userId, userId)))
      .get();
    if (!own) throw new NotFoundError("You have no such token.");
    if (own.revokedAt) return;
    tx.update(apiToken)
      .set({ revokedAt: now })
      .where(and(eq(apiToken.id, tokenId), eq(apiToken.userId, userId)))
      .run();
  }, IMMEDIATE);
}

/**
 * Revokes every token of `userId` still live, inside the caller's transaction: a password change
 * does (user.server.ts), since a token someone minted while they held the account would otherwise
 * outlive the change meant to shut them out.
 */
export function revokeAllTokens(tx: DbOrTx, userId: string, now = new Date()): void {
  tx.update(apiToken)
    .set({ revokedAt: now })
    .where(and(eq(apiToken.userId, userId), isNull(apiToken.revokedAt)))
    .run();
}

/** Whether a token still works: for the account page's one-time display of a new one. */
export function findOwnLiveToken(
  db: Db,
  userId: string,
  secret: string,
  now = new Date(),
): ApiTokenSummary | null {
  if (!TOKEN_SHAPE.test(secret)) return null;
  const row = db
    .select(summaryColumns)
    .from(apiToken)
    .where(and(eq(apiToken.tokenHash, hashToken(secret)), eq(apiToken.userId, userId), liveAt(now)))
    .get();
  return row ? summarise(row, now) : null;
}

/** What a protocol request asks of its token: to read, or to write (needs `read-write`). */
export type TokenNeed = "read" | "write";

export type BearerSuccess = { ok: true; user: UserRecord; token: ApiTokenSummary };

/**
 * Why a bearer request is refused, as RFC 6750 §3 answers it: 401 with a `Bearer` challenge (and
 * no error code when no token was presented at all), 400 `invalid_request` for a malformed header,
 * 401 `invalid_token` for a token that is unknown, revoked or expired (or whose owner is gone),
 * 403 `insufficient_scope` for a read token asked to write.
 */
export type BearerRefusal = {
  ok: false;
  status: 400 | 401 | 403;
  error: "invalid_request" | "invalid_token" | "insufficient_scope" | null;
  description: string;
  headers: { "WWW-Authenticate": string };
};

export type BearerResult = BearerSuccess | BearerRefusal;

function refusal(
  status: BearerRefusal["status"],
  error: BearerRefusal["error"],
  description: string,
  scope?: TokenScope,
): BearerRefusal {
  const params = [`realm="${BEARER_REALM}"`];
  if (error) params.push(`error="${error}"`, `error_description="${description}"`);
  if (scope) params.push(`scope="${scope}"`);
  return {
    ok: false,
    status,
    error,
    description,
    headers: { "WWW-Authenticate": `Bearer ${params.join(", ")}` },
  };
}

const BEARER = /^Bearer(?:\s+(.*))?$/i;

/**
 * The token a request presents in `Authorization: Bearer …`: the string (possibly malformed), ""
 * for a Bearer header without one, or null when the request presents no bearer token at all (no
 * header, or another scheme). Tokens in the query string are not read: they end up in logs.
 */
export function presentedToken(request: Request): string | null {
  const header = request.headers.get("Authorization");
  if (header === null) return null;
  const match = BEARER.exec(header.trim());
  if (!match) return null;
  return (match[1] ?? "").trim();
}

/**
 * Authenticates a protocol request by its bearer token alone (cookies are not read) and says who
 * it acts for, or why not. On success the token's last use is recorded, at most once a minute.
 * The caller then acts as `user` through the ordinary model functions, counting writes against the
 * budget exactly as a form does (`limited: true`, or `reserveWrite`).
 */
export function authenticateBearer(
  db: Db,
  request: Request,
  need: TokenNeed,
  now = new Date(),
): BearerResult {
  const presented = presentedToken(request);
  if (presented === null) {
    return refusal(401, null, "This address needs a personal API token (Authorization: Bearer).");
  }
  if (presented === "" || /\s/.test(presented)) {
    return refusal(400, "invalid_request", "The Authorization header holds no single token.");
  }
  if (!TOKEN_SHAPE.test(presented)) {
    return refusal(401, "invalid_token", "That is not a Marginalia API token.");
  }
  const found = db
    .select({
      ...summaryColumns,
      user: {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        role: user.role,
      },
    })
    .from(apiToken)
    .innerJoin(user, eq(user.id, apiToken.userId))
    .where(eq(apiToken.tokenHash, hashToken(presented)))
    .get();
  // A deleted account's tokens went with it (foreign key cascade), so they are simply unknown.
  // Accounts have no suspended state; when one is added, refuse its tokens here.
  if (!found) return refusal(401, "invalid_token", "This token is not known.");
  const { user: owner, ...row } = found;
  const token = summarise(row, now);
  if (token.status === "revoked") {
    return refusal(401, "invalid_token", "This token has been revoked.");
  }
  if (token.status === "expired") return refusal(401, "invalid_token", "This token has expired.");
  if (need === "write" && token.scope !== "read-write") {
    return refusal(403, "insufficient_scope", "This token may only read.", "read-write");
  }
  recordUse(db, token, now);
  return { ok: true, user: owner, token };
}

/**
 * Writes `last_used_at` when the stored one is a minute old or more. Checked first from the row
 * already read, so most requests write nothing; the condition is repeated in the update, so two
 * requests racing past the check still leave one time.
 */
function recordUse(db: Db, token: ApiTokenSummary, now: Date): void {
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (token.lastUsedAt && token.lastUsedAt > stale) return;
  db.update(apiToken)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiToken.id, token.id),
        or(isNull(apiToken.lastUsedAt), lte(apiToken.lastUsedAt, stale)),
      ),
    )
    .run();
  token.lastUsedAt = now;
}

/** A refusal as the response to send: its status, challenge and description, never cached. */
export function bearerRefusalResponse(refusal: BearerRefusal): Response {
  return new Response(refusal.description, {
    status: refusal.status,
    headers: {
      ...refusal.headers,
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
    },
  });
}

/** `authenticateBearer` for a loader or action: the user and token, or the refusal thrown. */
export function requireBearer(
  db: Db,
  request: Request,
  need: TokenNeed,
  now = new Date(),
): BearerSuccess {
  const result = authenticateBearer(db, request, need, now);
  if (!result.ok) throw bearerRefusalResponse(result);
  return result;
}

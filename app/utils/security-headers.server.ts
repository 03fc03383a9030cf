/**
 * The security headers every response carries, built here so that server.ts sets them and tests
 * can read the policy. Pages run only their own scripts: each response gets a fresh nonce for the
 * inline scripts React and Remix write, and the policy allows nothing else (no inline handlers, no
 * eval, no other origins); nobody may frame the site.
 */
import { randomBytes } from "node:crypto";

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * Which inline scripts a page may run: those carrying this response's nonce, or (a page rendered
 * once and served to many, app/utils/page-cache.server.ts, which cannot carry a per-response nonce)
 * exactly those whose SHA-256 digests (base64) are listed.
 */
export type ScriptSource = string | { hashes: readonly string[] };

/**
 * The Content-Security-Policy for a page whose inline scripts carry `nonce` (or match `hashes`).
 * `strict-dynamic` lets those scripts load the build's modules; `'self'` is for browsers without
 * CSP 3. Inline style attributes stay allowed (the selection popover is placed with `style`), style
 * elements do not.
 */
export function contentSecurityPolicy(scripts: ScriptSource): string {
  const allowed =
    typeof scripts === "string"
      ? `'nonce-${scripts}'`
      : scripts.hashes.map((hash) => `'sha256-${hash}'`).join(" ");
  return [
    "default-src 'self'",
    `script-src ${allowed} 'strict-dynamic' 'self'`,
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** HSTS for a year, sent only over https (browsers ignore it over http anyway). */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

export function securityHeaders({
  nonce,
  https,
}: {
  /** A response's own nonce, or the digests of a render-once page's inline scripts. */
  nonce: ScriptSource;
  https: boolean;
}): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    ...(https ? { "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY } : {}),
  };
}

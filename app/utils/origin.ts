/**
 * The site's public origin when APP_ORIGIN configures one (behind a proxy that rewrites Host), read
 * the same way by the server's cross-site check, the session cookie and absolute links in feeds.
 */
export function configuredOrigin(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env.APP_ORIGIN?.trim().replace(/\/+$/, "");
  return value ? value : null;
}

/**
 * Asking the render-once page cache (app/utils/page-cache.server.ts) for a page in a unit test:
 * Node's request and a response that records what was written, without a socket.
 */
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import type { PageCache } from "#app/utils/page-cache.server";

export type Sent = { status?: number; headers?: Record<string, unknown>; body?: Buffer };

/** A request for `url`, and a response whose `done` resolves with what was sent. */
export function exchange({
  url,
  method = "GET",
  headers = {},
}: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
}) {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const res = new ServerResponse(req);
  const sent: Sent = {};
  res.writeHead = ((status: number, head: Record<string, unknown>) => {
    sent.status = status;
    sent.headers = head;
    return res;
  }) as typeof res.writeHead;
  const done = new Promise<Sent>((resolve) => {
    res.end = ((chunk?: Buffer | string) => {
      sent.body = chunk === undefined ? undefined : Buffer.from(chunk);
      resolve(sent);
      return res;
    }) as typeof res.end;
  });
  return { req, res, done };
}

/** What the cache sent for the request, and whether it passed the request on to Express. */
export async function ask(
  cache: PageCache,
  options: Parameters<typeof exchange>[0],
): Promise<Sent & { passed: boolean }> {
  const { req, res, done } = exchange(options);
  let passed = false;
  cache.handle(req, res, () => {
    passed = true;
    res.end();
  });
  return { ...(await done), passed };
}

/** The same for a GET of `url` with this Cookie header, the body as text. */
export async function askFor(cache: PageCache, url: string, cookie?: string) {
  const sent = await ask(cache, { url, headers: cookie ? { Cookie: cookie } : {} });
  return { ...sent, body: sent.body?.toString() };
}

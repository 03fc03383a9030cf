/**
 * Every environment variable the app reads, read and checked here once: a mistyped value stops the
 * server at start with a message naming the variable, instead of misbehaving later. Everything else
 * (server.ts, the session cookie, feeds, the database handle) asks `env()`.
 */
import { databasePath } from "#db/client";

/** What Express's `trust proxy` accepts, as TRUST_PROXY spells it. */
export type TrustProxy = false | true | number | string[];

export type Env = {
  port: number;
  /** The address to bind; undefined listens on every interface. */
  host: string | undefined;
  databasePath: string;
  /** The public origin (`https://marginalia.example`), for a proxy that rewrites Host. */
  appOrigin: string | null;
  /** Whether the session cookie is `Secure`; null decides per request (https → yes). */
  cookieSecure: boolean | null;
  trustProxy: TrustProxy;
  mode: "production" | "development";
};

export class EnvError extends Error {
  override name = "EnvError";
}

const IP_V4 = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/;
const IP_V6 = /^[0-9a-f:]+(\/\d{1,3})?$/i;
/** Names Express (proxy-addr) knows for address ranges. */
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY as Express needs it: a hop count (`1`: the address one proxy in front saw),
 * `true`/`false`, or a comma-separated list of addresses, CIDR ranges and named ranges
 * (`loopback`, `linklocal`, `uniquelocal`). Express treats a plain string as an address list, so
 * `"1"` or `"true"` passed through unparsed would trust an address named "1" — or crash.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? "";
  if (text === "" || /^(false|no|off)$/i.test(text)) return false;
  if (/^(true|yes|on)$/i.test(text)) return true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 0 && hops <= 16) return hops;
    if (hops === 0) return false;
    throw new EnvError(`TRUST_PROXY=${text}: a hop count is between 0 and 16.`);
  }
  const entries = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const named = NAMED_RANGES.has(entry.toLowerCase());
    const v4 = IP_V4.exec(entry);
    const v4ok =
      v4 !== null &&
      entry
        .split("/")[0]
        ?.split(".")
        .every((octet) => Number(octet) <= 255) &&
      (v4[3] === undefined || Number(v4[3].slice(1)) <= 32);
    const v6ok = entry.includes(":") && IP_V6.test(entry);
    if (!named && !v4ok && !v6ok) {
      throw new EnvError(
        `TRUST_PROXY: "${entry}" is not a hop count, true/false, an address, a CIDR range or one of loopback, linklocal, uniquelocal.`,
      );
    }
  }
  return entries.map((entry) =>
    NAMED_RANGES.has(entry.toLowerCase()) ? entry.toLowerCase() : entry,
  );
}

function parsePort(value: string | undefined): number {
  if (!value?.trim()) return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EnvError(`PORT=${value}: a port is a whole number from 0 to 65535.`);
  }
  return port;
}

function parseOrigin(value: string | undefined): string | null {
  const text = value?.trim().replace(/\/+$/, "");
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EnvError(`APP_ORIGIN=${value}: give an origin such as https://marginalia.example.`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== text) {
    throw new EnvError(
      `APP_ORIGIN=${value}: give only scheme, host and port, such as https://marginalia.example.`,
    );
  }
  return url.origin;
}

function parseBoolean(name: string, value: string | undefined): boolean | null {
  const text = value?.trim().toLowerCase();
  if (!text) return null;
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new EnvError(`${name}=${value}: use true or false.`);
}

/** Reads and checks the environment; throws EnvError naming the first bad variable. */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  return {
    port: parsePort(source.PORT),
    host: source.HOST?.trim() || undefined,
    databasePath: databasePath(source as NodeJS.ProcessEnv),
    appOrigin: parseOrigin(source.APP_ORIGIN),
    cookieSecure: parseBoolean("COOKIE_SECURE", source.COOKIE_SECURE),
    trustProxy: parseTrustProxy(source.TRUST_PROXY),
    mode: source.NODE_ENV === "development" ? "development" : "production",
  };
}

let current: Env | undefined;

/** The process's checked environment, read on first use. */
export function env(): Env {
  current ??= readEnv();
  return current;
}

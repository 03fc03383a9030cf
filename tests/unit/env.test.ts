/** The environment is read and checked in one place (app/env.server.ts). */
import express from "express";
import { describe, expect, it } from "vitest";
import { EnvError, parseTrustProxy, readEnv } from "#app/env.server";

/** Whether Express, given TRUST_PROXY, trusts `address` as the proxy `hop` steps from us. */
function trusts(setting: string, address: string, hop = 0): boolean {
  const app = express();
  app.set("trust proxy", parseTrustProxy(setting));
  const trust = app.get("trust proxy fn") as (address: string, hop: number) => boolean;
  return trust(address, hop);
}

describe("TRUST_PROXY", () => {
  it.each([
    ["", false],
    ["false", false],
    ["0", false],
    ["true", true],
    ["TRUE", true],
    ["1", 1],
    ["2", 2],
    ["loopback", ["loopback"]],
    ["Loopback, uniquelocal", ["loopback", "uniquelocal"]],
    ["10.0.0.1, 192.168.0.0/16", ["10.0.0.1", "192.168.0.0/16"]],
    ["::1, fd00::/8", ["::1", "fd00::/8"]],
  ])("reads %j as %j", (value, expected) => {
    expect(parseTrustProxy(value)).toEqual(expected);
  });

  it.each(["yes please", "1.2.3", "300.1.1.1", "10.0.0.0/40", "-1", "17", "localhost"])(
    "refuses %j with a message naming the variable",
    (value) => {
      expect(() => parseTrustProxy(value)).toThrow(EnvError);
      expect(() => parseTrustProxy(value)).toThrow(/TRUST_PROXY/);
    },
  );

  it("gives Express a hop count, not an address called 1", () => {
    // One proxy in front: the nearest address is trusted, the one before it is the client.
    expect(trusts("1", "203.0.113.9", 0)).toBe(true);
    expect(trusts("1", "198.51.100.7", 1)).toBe(false);
  });

  it("gives Express true and named ranges that it can compile", () => {
    expect(trusts("true", "203.0.113.9", 5)).toBe(true);
    expect(trusts("loopback", "127.0.0.1")).toBe(true);
    expect(trusts("loopback", "10.1.2.3")).toBe(false);
    expect(trusts("10.0.0.0/8", "10.1.2.3")).toBe(true);
  });
});

describe("readEnv", () => {
  it("has defaults for everything", () => {
    const env = readEnv({});
    expect(env).toMatchObject({
      port: 3000,
      host: undefined,
      appOrigin: null,
      cookieSecure: null,
      trustProxy: false,
      mode: "production",
    });
    expect(env.databasePath).toMatch(/data\/marginalia\.db$/);
  });

  it("reads each variable", () => {
    expect(
      readEnv({
        PORT: "8080",
        HOST: "127.0.0.1",
        DATABASE_PATH: "/tmp/x.db",
        APP_ORIGIN: "https://marginalia.example/",
        COOKIE_SECURE: "false",
        TRUST_PROXY: "1",
        NODE_ENV: "development",
      }),
    ).toEqual({
      port: 8080,
      host: "127.0.0.1",
      databasePath: "/tmp/x.db",
      appOrigin: "https://marginalia.example",
      cookieSecure: false,
      trustProxy: 1,
      mode: "development",
    });
  });

  it.each([
    [{ PORT: "eighty" }, /PORT/],
    [{ PORT: "70000" }, /PORT/],
    [{ APP_ORIGIN: "marginalia.example" }, /APP_ORIGIN/],
    [{ APP_ORIGIN: "https://marginalia.example/path" }, /APP_ORIGIN/],
    [{ APP_ORIGIN: "ftp://marginalia.example" }, /APP_ORIGIN/],
    [{ COOKIE_SECURE: "maybe" }, /COOKIE_SECURE/],
  ])("refuses %j", (source, message) => {
    expect(() => readEnv(source)).toThrow(message);
  });
});

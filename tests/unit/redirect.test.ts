/** Unit tests for the redirect-target check that keeps /login?redirectTo= from being an open redirect. */
import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "#app/utils/redirect";

describe("safeRedirectPath", () => {
  it.each([
    ["/", "/"],
    ["/articles/some-slug", "/articles/some-slug"],
    ["/articles/some-slug?sort=new#p-3", "/articles/some-slug?sort=new#p-3"],
    ["/search?q=a%20b", "/search?q=a%20b"],
    ["/a/../account", "/account"],
  ])("keeps the same-site path %j", (input, expected) => {
    expect(safeRedirectPath(input)).toBe(expected);
  });

  it.each([
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "https://evil.example",
    "http://127.0.0.1:3000/account",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,hi",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " /account",
    "account",
    "",
  ])("falls back to / for %j", (input) => {
    expect(safeRedirectPath(input)).toBe("/");
  });

  // Forms that pass a string check but resolve elsewhere (issue: `/..//evil.example/x` came back as
  // `Location: //evil.example/x`). Each must give a same-site path, never another host.
  it.each([
    "/..//evil.example/x",
    "/../..//evil.example",
    "/a/../..//evil.example",
    "/./..//evil.example",
    "/.//evil.example",
    "/%2e%2e//evil.example",
    "/%2E%2E//evil.example",
    "/.%2e//evil.example",
    "/%2e./%2fevil.example",
    "/a/%2e%2e/%2e%2e//evil.example",
    "/%2f/evil.example",
    "/%2F%2Fevil.example",
    "/%5c/evil.example",
    "/%5C%5Cevil.example",
    "/..%2f..%2f/evil.example",
    "/..\\evil.example",
    "/.\\./evil.example",
    "/\t//evil.example",
    "/\r\n//evil.example",
    "/\u0000//evil.example",
    "/\u00a0//evil.example",
    "/\u3000//evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "//\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/@evil.example",
    "/..;//evil.example",
    "/..%00//evil.example",
    "/%252e%252e//evil.example",
    "///\\evil.example",
    "https:evil.example",
    "//evil.example%2f..",
    "/ /evil.example",
  ])("never sends %j to another host", (input) => {
    const result = safeRedirectPath(input);
    expect(result.startsWith("/")).toBe(true);
    expect(result.startsWith("//")).toBe(false);
    expect(result).not.toContain("\\");
    // What a browser does with the Location header: it must stay on this site.
    expect(new URL(result, "https://marginalia.example/here").origin).toBe(
      "https://marginalia.example",
    );
  });

  it.each([
    ["/..//evil.example/x", "/"],
    ["/%2e%2e//evil.example", "/"],
    ["/a/b/../c", "/a/c"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
  ])("resolves %j to %j", (input, expected) => {
    expect(safeRedirectPath(input)).toBe(expected);
  });

  it.each([null, undefined, 42, ["/account"], { toString: () => "/account" }])(
    "falls back for the non-string %j",
    (input) => {
      expect(safeRedirectPath(input)).toBe("/");
    },
  );

  it("falls back for a path longer than 2048 characters", () => {
    expect(safeRedirectPath(`/${"a".repeat(3000)}`)).toBe("/");
  });

  it("uses the given fallback", () => {
    expect(safeRedirectPath("//evil.example", "/account")).toBe("/account");
  });
});

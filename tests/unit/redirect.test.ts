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

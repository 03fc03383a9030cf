/** Unit tests for the account rules (username, display name, password) and the sign-up form. */
import { describe, expect, it } from "vitest";
import { signUpSchema } from "#app/models/account-input.server";
import {
  displayNameSchema,
  isCommonPassword,
  newPasswordIssue,
  usernameKey,
  usernameSchema,
} from "#app/models/account-rules.server";

describe("username", () => {
  it.each(["ada", "Ada_Lovelace", "a-b_c", "x".repeat(32), "  padded  ", "123"])(
    "accepts %j",
    (name) => {
      expect(usernameSchema.safeParse(name).success).toBe(true);
    },
  );

  it.each([
    ["", "Enter a username."],
    ["ab", "Use 3 to 32 characters."],
    ["x".repeat(33), "Use 3 to 32 characters."],
    ["ada lovelace", "Use only letters, digits, _ and -."],
    ["ada.l", "Use only letters, digits, _ and -."],
    ["adä", "Use only letters, digits, _ and -."],
    ["<script>", "Use only letters, digits, _ and -."],
  ])("refuses %j: %s", (name, message) => {
    const result = usernameSchema.safeParse(name);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(message);
  });

  it("trims surrounding spaces and keys usernames without regard to case", () => {
    expect(usernameSchema.parse("  Ada  ")).toBe("Ada");
    expect(usernameKey(" ADA_l ")).toBe(usernameKey("ada_L"));
  });
});

describe("display name", () => {
  it("accepts names in any script, trimmed", () => {
    expect(displayNameSchema.parse("  Émilie du Châtelet ")).toBe("Émilie du Châtelet");
    expect(displayNameSchema.parse("魯迅")).toBe("魯迅");
  });

  it.each(["", "   ", "x".repeat(51), "bell\u0007"])("refuses %j", (name) => {
    expect(displayNameSchema.safeParse(name).success).toBe(false);
  });
});

describe("new password", () => {
  it("accepts 10 to 256 characters that are not common and not the username", () => {
    expect(newPasswordIssue("correct horse", "ada")).toBeNull();
    expect(newPasswordIssue("x1".repeat(128), "ada")).toBeNull();
  });

  it.each([
    ["short", "ada", "Use at least 10 characters."],
    ["123456789", "ada", "Use at least 10 characters."],
    [`${"y2".repeat(128)}z`, "ada", "Use at most 256 characters."],
    ["1234567890", "ada", "That password is too common; choose one that is harder to guess."],
    ["Password123", "ada", "That password is too common; choose one that is harder to guess."],
    ["QWERTYUIOP", "ada", "That password is too common; choose one that is harder to guess."],
    ["aaaaaaaaaaaa", "ada", "That password is too common; choose one that is harder to guess."],
    ["lovelace_ada", "Lovelace_Ada", "Your password must not be your username."],
  ])("refuses %j (username %j)", (password, username, message) => {
    expect(newPasswordIssue(password, username)).toBe(message);
  });

  it("counts characters, not UTF-16 units", () => {
    // Ten emoji are ten characters (twenty UTF-16 units).
    expect(newPasswordIssue("🙂🙃😀😁😂🤣😃😄😅😆", "ada")).toBeNull();
    expect(newPasswordIssue("🙂🙃😀😁😂🤣😃😄😅", "ada")).toBe("Use at least 10 characters.");
  });

  it("knows the common list without regard to case", () => {
    expect(isCommonPassword("PassWord123")).toBe(true);
    expect(isCommonPassword("a rather unusual phrase")).toBe(false);
  });
});

describe("sign-up form", () => {
  it("reports every broken field at once", () => {
    const result = signUpSchema.safeParse({ username: "a", displayName: "", password: "short" });
    expect(result.success).toBe(false);
    const fields = new Set(result.error?.issues.map((i) => i.path[0]));
    expect(fields).toEqual(new Set(["username", "displayName", "password"]));
  });

  it("refuses a password equal to the username", () => {
    const result = signUpSchema.safeParse({
      username: "margin_reader",
      displayName: "M",
      password: "MARGIN_READER",
    });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ["password"],
        message: "Your password must not be your username.",
      }),
    ]);
  });
});

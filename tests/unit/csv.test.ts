/**
 * CSV (app/utils/csv.ts): RFC 4180 quoting, and neutralisation of cells a spreadsheet would run as
 * formulas (OWASP CSV Injection): strings only, never our own numbers.
 */
import { describe, expect, it } from "vitest";
import { csvField, toCsv } from "#app/utils/csv";

describe("RFC 4180 quoting", () => {
  it.each([
    ["plain", "plain"],
    ["with space", "with space"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['"', '""""'],
    ["line\r\nbreak", '"line\r\nbreak"'],
    ["line\nbreak", '"line\nbreak"'],
    ["carriage\rreturn", '"carriage\rreturn"'],
    ["", ""],
    [null, ""],
    [0, "0"],
    [2.5, "2.5"],
    [Number.NaN, ""],
    [Number.POSITIVE_INFINITY, ""],
  ])("%j is written %j", (cell, written) => {
    expect(csvField(cell)).toBe(written);
  });

  it("records end with CRLF, the last one too; fields are joined by commas", () => {
    expect(
      toCsv([
        ["Name", "Score"],
        ["Ada, Countess", 3],
        [null, 0],
      ]),
    ).toBe('Name,Score\r\n"Ada, Countess",3\r\n,0\r\n');
  });

  it("no rows is an empty document", () => {
    expect(toCsv([])).toBe("");
  });
});

describe("formula neutralisation", () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["=1+1", "'=1+1"],
    ["+1", "'+1"],
    ["-1+2", "'-1+2"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ["\r=1", `"'\r=1"`],
  ])("%j becomes %j", (cell, written) => {
    expect(csvField(cell)).toBe(written);
  });

  it("real numbers stay numbers, negative ones included", () => {
    expect(csvField(-1)).toBe("-1");
    expect(csvField(-0.5)).toBe("-0.5");
  });

  it.each([
    "Plain text",
    "2026-12-04T17:00:00.000Z",
    "a=b",
    "email@example.org",
    "x-y",
    "'already quoted",
    " =leading space",
  ])("%j is left as it is", (cell) => {
    expect(csvField(cell)).toBe(cell);
  });

  it("a neutralised cell is quoted too when it must be", () => {
    expect(toCsv([["=1,2", "@a\nb"]])).toBe(`"'=1,2","'@a\nb"\r\n`);
  });
});

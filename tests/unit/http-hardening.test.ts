/**
 * What every response carries and how bad requests are answered: the CSP with a per-request nonce
 * and framing refused, HSTS over https only, private pages kept out of shared caches, a form route
 * answering 415/400 (not 500) to a body that is not a form, and 4xx answers not logged as errors.
 */
import { describe, expect, it, vi } from "vitest";
import { handleDataRequest, handleError } from "#app/entry.server";
import { action as loginAction } from "#app/routes/login";
import { readForm } from "#app/utils/forms.server";
import {
  contentSecurityPolicy,
  newNonce,
  securityHeaders,
} from "#app/utils/security-headers.server";
import { call } from "./factories";

describe("Content-Security-Policy", () => {
  it("allows scripts only with this response's nonce, and no framing", () => {
    const nonce = newNonce();
    const policy = contentSecurityPolicy(nonce);
    const scriptSrc = policy.split("; ").find((d) => d.startsWith("script-src"));
    expect(scriptSrc).toContain(`'nonce-${nonce}'`);
    expect(scriptSrc).not.toContain("unsafe-inline");
    expect(scriptSrc).not.toContain("unsafe-eval");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");
  });

  it("gives every response a new nonce", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });

  it("sends HSTS over https only", () => {
    expect(securityHeaders({ nonce: "n", https: true })["Strict-Transport-Security"]).toMatch(
      /^max-age=\d+/,
    );
    expect(securityHeaders({ nonce: "n", https: false })).not.toHaveProperty(
      "Strict-Transport-Security",
    );
  });
});

describe("private pages", () => {
  it("marks data for a signed-in reader private, no-store; an anonymous reader's is left alone", () => {
    const signedIn = new Request("http://localhost/account.data", {
      headers: { Cookie: "theme=x; auth_session=abc" },
    });
    const anonymous = new Request("http://localhost/articles/x.data");
    const args = (request: Request) =>
      ({ request, params: {}, context: { clientAddress: "x" } }) as Parameters<
        typeof handleDataRequest
      >[1];
    expect(
      (handleDataRequest(new Response("{}"), args(signedIn)) as Response).headers.get(
        "Cache-Control",
      ),
    ).toBe("private, no-store");
    expect(
      (handleDataRequest(new Response("{}"), args(anonymous)) as Response).headers.get(
        "Cache-Control",
      ),
    ).toBeNull();
  });
});

describe("bodies that are not forms", () => {
  const post = (body: BodyInit, type?: string) =>
    new Request("http://localhost/login", {
      method: "POST",
      body,
      headers: type ? { "Content-Type": type } : {},
    });

  it.each([
    ["application/json", '{"username":"a"}'],
    ["text/plain", "username=a"],
    ["application/xml", "<a/>"],
    [undefined, "username=a"],
  ])("answers %s with 415 and a message", async (type, body) => {
    const answer = await call(loginAction, post(body, type));
    expect(answer.status).toBe(415);
    expect(String(answer.body)).toMatch(/form/);
  });

  it("answers a broken multipart body with 400", async () => {
    const answer = await call(
      loginAction,
      post("--x\r\nnot a part", "multipart/form-data; boundary=y"),
    );
    expect(answer.status).toBe(400);
  });

  it("reads an ordinary form", async () => {
    const form = await readForm(
      post("a=1&b=2", "application/x-www-form-urlencoded; charset=UTF-8"),
    );
    expect(form.get("b")).toBe("2");
  });
});

describe("the error log", () => {
  const args = (request = new Request("http://localhost/x")) =>
    ({ request, params: {}, context: {} }) as Parameters<typeof handleError>[1];

  it("does not log a 405 or 404 answer, nor an aborted request", () => {
    const spy = vi.spyOn(console, "error");
    handleError(
      { status: 405, statusText: "Method Not Allowed", internal: true, data: "" },
      args(),
    );
    handleError({ status: 404, statusText: "Not Found", internal: true, data: "" }, args());
    const controller = new AbortController();
    controller.abort();
    handleError(
      new Error("aborted"),
      args(new Request("http://localhost/x", { signal: controller.signal })),
    );
    expect(spy).not.toHaveBeenCalled();
  });

  it("logs a fault", () => {
    const logged: unknown[] = [];
    vi.spyOn(console, "error").mockImplementation((error) => logged.push(error));
    handleError(new Error("a real bug"), args());
    expect(logged).toHaveLength(1);
  });
});

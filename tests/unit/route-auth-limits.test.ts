/**
 * Guesses sent in parallel: the limit is reserved before the awaited password check, so 30 guesses
 * at once get at most 5 checks (sign-in, the account page's password change and deletion).
 */
import { describe, expect, it } from "vitest";
import { action as accountAction } from "#app/routes/account";
import { action as loginAction } from "#app/routes/login";
import { call, createUser, loadContext, postRequest, signIn } from "./factories";

const GUESSES = 30;

function statuses(answers: { status: number }[]) {
  const count = (status: number) => answers.filter((a) => a.status === status).length;
  return {
    checked: count(400),
    limited: count(429),
    other: answers.length - count(400) - count(429),
  };
}

describe("parallel guesses", () => {
  it("sign-in: 30 at once, at most 5 passwords checked", async () => {
    const person = await createUser({ password: "the right password, long" });
    const address = loadContext("198.51.100.30");
    const answers = await Promise.all(
      Array.from({ length: GUESSES }, (_, i) =>
        call(
          loginAction,
          postRequest("/login", { username: person.username, password: `guess number ${i}` }),
          {},
          address,
        ),
      ),
    );
    expect(statuses(answers)).toEqual({ checked: 5, limited: GUESSES - 5, other: 0 });
  });

  it.each([
    ["password", { currentPassword: "wrong", newPassword: "a brand new long phrase" }],
    ["delete", { password: "wrong" }],
  ])("account %s: 30 at once, at most 5 passwords checked", async (intent, fields) => {
    const person = signIn(await createUser({ password: "the right password, long" }));
    const answers = await Promise.all(
      Array.from({ length: GUESSES }, () =>
        call(
          accountAction,
          postRequest("/account", { intent, ...fields }, { as: person }),
          {},
          loadContext("198.51.100.31"),
        ),
      ),
    );
    expect(statuses(answers)).toEqual({ checked: 5, limited: GUESSES - 5, other: 0 });
  });

  it("the right password from the same address still works for someone else", async () => {
    const address = loadContext("198.51.100.32");
    const victim = await createUser({ password: "victim's long password" });
    const classmate = await createUser({ password: "classmate's long password" });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        call(
          loginAction,
          postRequest("/login", { username: victim.username, password: "nope nope" }),
          {},
          address,
        ),
      ),
    );
    const answer = await call(
      loginAction,
      postRequest("/login", {
        username: classmate.username,
        password: "classmate's long password",
      }),
      {},
      address,
    );
    expect(answer.status).toBe(302);
  });
});

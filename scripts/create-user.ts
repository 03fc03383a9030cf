/**
 * `npm run user:create -- <username> [--admin] [--display-name "Name"]`
 * Creates an account in the database named by DATABASE_PATH. The password is never taken from the
 * command line (it would sit in shell history and `ps`): on a terminal it is asked for twice with
 * hidden input; otherwise it is the first line of standard input
 * (`printf '%s\n' "$PASSWORD" | npm run user:create -- ada`). There are no default accounts.
 */
import { parseArgs } from "node:util";
import { createUser } from "#app/models/user.server";
import { FieldValidationError } from "#app/utils/errors";
import { databasePath, migrateDatabase, openDatabase } from "#db/client";

const USAGE = 'usage: npm run user:create -- <username> [--admin] [--display-name "Name"]';

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  return new Promise((resolve, reject) => {
    stderr.write(question);
    let value = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") {
          done();
          resolve(value);
          return;
        }
        if (char === "\u0003") {
          done();
          reject(new Error("cancelled"));
          return;
        }
        if (char === "\u007f" || char === "\b") value = [...value].slice(0, -1).join("");
        else value += char;
      }
    };
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write("\n");
    };
    stdin.on("data", onData);
  });
}

async function readFirstLineOfStdin(): Promise<string> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0] ?? "";
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLineOfStdin();
  const first = await promptHidden("Password: ");
  const second = await promptHidden("Same password again: ");
  if (first !== second) throw new FieldValidationError({ password: "The two passwords differ." });
  return first;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      allowPositionals: true,
      options: {
        admin: { type: "boolean", default: false },
        "display-name": { type: "string" },
      },
    });
  }
  try {
    args = parse();
  } catch (error) {
    console.error(`user:create: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [username, ...extra] = args.positionals;
  if (!username || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const db = openDatabase(databasePath());
  try {
    migrateDatabase(db);
    const password = await readPassword();
    const created = await createUser({
      db,
      username,
      displayName: args.values["display-name"] ?? username,
      password,
      role: args.values.admin ? "admin" : "user",
    });
    console.log(
      `created ${created.role === "admin" ? "site administrator" : "user"} ${created.username} (${created.displayName})`,
    );
    return 0;
  } catch (error) {
    if (error instanceof FieldValidationError) {
      for (const [field, message] of Object.entries(error.errors)) {
        console.error(`user:create: ${field}: ${message}`);
      }
      return 1;
    }
    if ((error as Error).message === "cancelled") {
      console.error("user:create: cancelled");
      return 130;
    }
    throw error;
  } finally {
    db.$client.close();
  }
}

process.exitCode = await main();

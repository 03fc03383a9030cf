/**
 * What the command-line scripts share: reading `<file> [--flags]` with one usage line, the
 * configured database path (an EnvError is a one-line message, not a stack trace), and what a
 * database file holds, in one line.
 */
import { resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type Database from "better-sqlite3";
import { EnvError, env } from "#app/env.server";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * The one file argument, resolved, and the flags; null (after printing why and the usage) when
 * the arguments are wrong.
 */
export function fileArgument<O extends Options>(
  name: string,
  usage: string,
  options: O,
): {
  file: string;
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>["values"];
} | null {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ allowPositionals: true, options });
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    console.error(usage);
    return null;
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length > 0) {
    console.error(usage);
    return null;
  }
  return { file: resolve(file), values: parsed.values };
}

/** DATABASE_PATH as the server reads it, or null after saying what is wrong with it. */
export function configuredDatabasePath(name: string): string | null {
  try {
    return env().databasePath;
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`${name}: ${error.message}`);
      return null;
    }
    throw error;
  }
}

/** "1 article(s), 42 annotation(s), 3 user(s)": what a database holds. */
export function describeContents(db: Database.Database): string {
  const count = (table: string) =>
    (db.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
  return `${count("article")} article(s), ${count("annotation")} annotation(s), ${count("user")} user(s)`;
}

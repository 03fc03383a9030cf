/**
 * `npm run import -- <file> [--slug S] [--byline B] [--publication P] [--date YYYY-MM-DD] [--note N]`
 * Imports an article into the database named by DATABASE_PATH. A changed text for an existing
 * slug becomes its next revision (every annotation re-anchored; `--note` says what changed).
 * Errors are one line and exit 1.
 */
import { parseArgs } from "node:util";
import {
  ImportError,
  importArticle,
  parseArticle,
  readArticleFile,
} from "#app/models/importer.server";
import { databasePath, migrateDatabase, openDatabase } from "#db/client";

function main(): number {
  let args: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      allowPositionals: true,
      options: {
        slug: { type: "string" },
        byline: { type: "string" },
        publication: { type: "string" },
        date: { type: "string" },
        note: { type: "string" },
      },
    });
  }
  try {
    args = parse();
  } catch (error) {
    console.error(`import: ${(error as Error).message}`);
    return 2;
  }
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) {
    console.error(
      "usage: npm run import -- <file> [--slug S] [--byline B] [--publication P] [--date D] [--note N]",
    );
    return 2;
  }
  try {
    const { source, markdown } = readArticleFile(file);
    const parsed = parseArticle(source, { markdown });
    const db = openDatabase(databasePath());
    migrateDatabase(db);
    const result = importArticle(
      db,
      parsed,
      {
        slug: args.values.slug,
        byline: args.values.byline,
        publication: args.values.publication,
        publishedOn: args.values.date,
      },
      { note: args.values.note },
    );
    db.$client.close();
    if (result.status === "unchanged") {
      console.log(`import: "${result.slug}" is already imported with this text; nothing to do`);
    } else if (result.status === "revised") {
      console.log(
        `import: "${result.slug}" revision ${result.revision} (${result.paragraphs} paragraphs): threads ${result.anchored} in place, ${result.moved} moved, ${result.changed} on changed text, ${result.orphaned} orphaned`,
      );
    } else {
      console.log(
        `import: created "${result.slug}" with ${result.paragraphs} paragraphs and ${result.headings} headings`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof ImportError) {
      console.error(`import: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();

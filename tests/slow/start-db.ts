/**
 * One process's start-up database work, as the server does it (open, migrate, seed, render), for
 * the simultaneous-start test. It loads everything first and prints "ready"; on "go" (a line on
 * standard input, sent to every process at once) it opens the database through
 * app/utils/db.server.ts, closes it and exits 0, or prints the error and exits 1.
 */
import { createInterface } from "node:readline";

await import("#app/models/annotation.server");
await import("#app/models/seed.server");
await import("#db/client");
console.log("ready");
await new Promise<void>((resolve) =>
  createInterface({ input: process.stdin }).once("line", () => resolve()),
);
try {
  const { closeDatabase } = await import("#app/utils/db.server");
  closeDatabase();
  console.log("ok");
  process.exit(0);
} catch (error) {
  console.error(`start failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
}

/**
 * The process-level tests (tests/slow): real servers, signals, crashes, backups. One file at a
 * time (they start servers and measure behaviour under load on a small machine), each with
 * generous, bounded timeouts. `npm run test:slow` runs them all; see package.json for subsets.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "#app": fileURLToPath(new URL("../../app", import.meta.url)),
      "#db": fileURLToPath(new URL("../../db", import.meta.url)),
    },
  },
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["tests/slow/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
    reporters: ["verbose"],
  },
});

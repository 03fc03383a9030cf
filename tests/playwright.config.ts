/**
 * Browser tests run in real Chromium against the production build, served on 127.0.0.1 with a
 * throwaway database that is deleted before each run.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";

const root = fileURLToPath(new URL("..", import.meta.url));
const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
// One database per port, so that two runs on one machine never delete each other's data.
const E2E_DATABASE = process.env.E2E_DATABASE_PATH ?? `tests/.tmp/e2e-${E2E_PORT}.db`;
// The test workers (tests/e2e/auth.ts, data.ts) write their fixtures into the same file.
process.env.E2E_DATABASE_PATH = E2E_DATABASE;
const debianChromium = "/usr/bin/chromium";
const PREBUILT = process.env.E2E_PREBUILT === "1" && existsSync(`${root}build/server.js`);

export default defineConfig({
  testDir: "./e2e",
  outputDir: "../test-results",
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      // Debian's Chromium where it exists (browsers cannot be downloaded here), else Playwright's.
      executablePath: existsSync(debianChromium) ? debianChromium : undefined,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    cwd: root,
    // `npm test` builds while the unit tests run and says so with E2E_PREBUILT; alone, this builds.
    command: `rm -f ${E2E_DATABASE} ${E2E_DATABASE}-wal ${E2E_DATABASE}-shm && ${PREBUILT ? "" : "npm run -s build && "}node build/server.js`,
    url: `http://127.0.0.1:${E2E_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: {
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(E2E_PORT),
      DATABASE_PATH: E2E_DATABASE,
      // Generous rate limits would hide the limiter; the e2e suite uses the real ones and distinct users.
    },
  },
});

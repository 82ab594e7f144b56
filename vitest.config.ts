import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "drivers/**/*.test.ts", "energy-apps/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites share one Prosody; files run in parallel workers against it.
    pool: "forks",
    reporters: ["default"],
  },
});

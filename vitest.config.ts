import { defineConfig } from "vitest/config";

// Two projects: pure unit suites run without a server; integration suites share one real
// Prosody started once by the global setup (the same code path as `npm start`).
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts", "drivers/**/*.test.ts", "energy-apps/**/*.test.ts"],
          exclude: ["test/integration/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          pool: "forks",
        },
      },
    ],
  },
});

import { defineConfig } from "vitest/config";

// Unit suites run without a server; the integration suites run twice, each time sharing one real
// server started by the global setup (the same code path as `npm start`): Prosody, then ejabberd.
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
      integration("prosody", 0),
      // After the Prosody run, not beside it: the machine's load, and so the suites' timing, stays as it was.
      integration("ejabberd", 1),
    ],
  },
});

function integration(server: "prosody" | "ejabberd", groupOrder: number) {
  return {
    test: {
      name: server === "prosody" ? "integration" : `integration-${server}`,
      include: ["test/integration/**/*.test.ts"],
      // A cluster of Prosody servers is not a thing: that suite runs on ejabberd only.
      exclude: server === "ejabberd" ? [] : ["test/integration/ejabberd-cluster.test.ts"],
      globalSetup: ["test/integration/global-setup.ts"],
      env: { FLEXFED_SERVER: server },
      sequence: { groupOrder },
      testTimeout: 60_000,
      hookTimeout: 90_000,
      pool: "forks" as const,
    },
  };
}

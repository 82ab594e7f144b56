#!/usr/bin/env node
// Entry point of the `flexfed` command. On a fresh clone it first installs the node modules
// (npm ci), then runs the TypeScript CLI directly through tsx: no build step.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync(new URL("../node_modules/tsx/package.json", import.meta.url))) {
  console.error("flexfed: node modules missing; running npm ci ...");
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (npm.status !== 0) {
    console.error("flexfed: npm ci failed; fix the error above and run it again");
    process.exit(1);
  }
}
const { register } = await import("tsx/esm/api");
register();
await import("../src/cli/main.ts");

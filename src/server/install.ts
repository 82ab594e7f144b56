import { spawnSync } from "node:child_process";
import { hasCommand, isRoot } from "./exec.ts";

/** Debian packages each server needs; Prosody also the SQLite driver for mod_storage_sql. */
export const SERVER_PACKAGES = { prosody: ["prosody", "lua-dbi-sqlite3"], ejabberd: ["ejabberd"] } as const;

function missingPackages(packages: string[]): string[] {
  return packages.filter(
    (p) => spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" }).stdout?.includes("install ok installed") !== true,
  );
}

/**
 * Installs the server packages when missing: with apt-get when running as root, otherwise
 * throws one line telling the user the command to run.
 */
export function ensurePackages(server: keyof typeof SERVER_PACKAGES = "prosody", progress: (line: string) => void = console.log): void {
  const packages = [...SERVER_PACKAGES[server]];
  const missing = hasCommand("dpkg-query") ? missingPackages(packages) : packages.filter((p) => !hasCommand(p));
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(" ")}`;
  if (!isRoot()) throw new Error(`missing ${missing.join(", ")}: install with  sudo sh -c '${command}'`);
  progress(`installing ${missing.join(", ")} with apt-get ...`);
  const result = spawnSync("sh", ["-c", command], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.status !== 0) throw new Error(`'${command}' failed with exit code ${result.status}`);
}

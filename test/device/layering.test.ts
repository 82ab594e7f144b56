// DESIGN.md §1: a driver never sees XMPP. Follows every import of every file under drivers/,
// transitively, and fails naming the chain that reaches XMPP code.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FORBIDDEN = [/^@xmpp\//, /\/src\/xmpp\//, /\/src\/device\/(runtime|publisher|host)\.ts$/, /\/src\/(registry|provisioning)\//];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
}

function imports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  return [...src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm)]
    .map((m) => m[1] ?? m[2]!)
    .map((spec) => (spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : spec));
}

/** The first import chain from `file` to forbidden code, or undefined. */
function reachesXmpp(file: string, seen = new Set<string>()): string[] | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  for (const target of imports(file)) {
    if (FORBIDDEN.some((f) => f.test(target))) return [file, target];
    if (target.startsWith("/") && target.endsWith(".ts")) {
      const chain = reachesXmpp(target, seen);
      if (chain) return [file, ...chain];
    }
  }
  return undefined;
}

describe("layering", () => {
  const drivers = files(path.join(ROOT, "drivers")).filter((f) => !f.endsWith(".test.ts"));

  it("finds the driver sources", () => {
    expect(drivers.length).toBeGreaterThan(20);
  });

  it("keeps XMPP, the registry and provisioning out of every driver", () => {
    const offenders = drivers.map((f) => reachesXmpp(f)).filter(Boolean).map((c) => c!.map((p) => path.relative(ROOT, p)).join(" -> "));
    expect(offenders).toEqual([]);
  });

  it("would notice a driver that imports XMPP code", () => {
    expect(reachesXmpp(path.join(ROOT, "src/device/host.ts"))?.at(-1)).toMatch(/src\/xmpp\/index\.ts$/);
  });
});

import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { congestionFromArgs, endedAt } from "../../src/cli/grid.ts";

const NOW = new Date("2026-11-22T17:00:00Z");
const BIN = path.resolve("bin/flexfed.mjs");

/** Runs `flexfed ...args`; no server is involved. */
function flexfed(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (b: Buffer) => { stdout += b; });
    child.stderr.on("data", (b: Buffer) => { stderr += b; });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("flexfed grid congestion arguments", () => {
  it("makes a signal from now for an hour by default, or as told", () => {
    expect(congestionFromArgs({ feeder: "f-12", limit: "12000", id: "c1" }, NOW))
      .toEqual({ id: "c1", feeder: "f-12", limit: 12_000, start: "2026-11-22T17:00:00.000Z", end: "2026-11-22T18:00:00.000Z" });
    expect(congestionFromArgs({ feeder: "f-12", limit: "9000", start: "2026-11-22T18:00:00Z", minutes: "30", direction: "export" }, NOW))
      .toMatchObject({ direction: "export", start: "2026-11-22T18:00:00.000Z", end: "2026-11-22T18:30:00.000Z", id: expect.stringMatching(/^c-[0-9a-f]{8}$/) });
    expect(congestionFromArgs({ feeder: "f-12", limit: "9000", start: "now", end: "2026-11-22T19:00:00+01:00" }, NOW))
      .toMatchObject({ start: "2026-11-22T17:00:00.000Z", end: "2026-11-22T18:00:00.000Z" });
  });

  it("says what is wrong", () => {
    expect(() => congestionFromArgs({ limit: "1" }, NOW)).toThrow("which --feeder?");
    expect(() => congestionFromArgs({ feeder: "f" }, NOW)).toThrow("which --limit (W)?");
    expect(() => congestionFromArgs({ feeder: "f", limit: "-3" }, NOW)).toThrow(/--limit: /);
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", direction: "up" }, NOW)).toThrow(/--direction: /);
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", id: "no spaces" }, NOW)).toThrow(/--id: must be 1-64 letters/);
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", end: "x", minutes: "2" }, NOW)).toThrow("give --end or --minutes, not both");
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", minutes: "0" }, NOW)).toThrow("--minutes must be a positive number, got '0'");
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", end: "2026-11-22T16:00:00Z" }, NOW)).toThrow("--end must be after --start");
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", start: "soon" }, NOW)).toThrow("--start 'soon' is not an ISO date-time");
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", start: "1" }, NOW)).toThrow("--start '1' is not an ISO date-time");
  });

  it("ends a signal now, an unstarted one at its start, and leaves an ended one as it was", () => {
    const c = { id: "c1", feeder: "f", limit: 5, start: "2026-11-22T16:00:00Z", end: "2026-11-22T18:00:00Z" };
    expect(endedAt(c, NOW)).toEqual({ ...c, end: NOW.toISOString() });
    expect(endedAt({ ...c, start: "2026-11-22T17:30:00.000Z" }, NOW)).toMatchObject({ end: "2026-11-22T17:30:00.000Z" });
    expect(endedAt({ ...c, end: "2026-11-22T16:30:00Z" }, NOW)).toBeUndefined();
  });

  it("exits 2 with the reason on a wrong command line, 1 when there is no server to publish to", async () => {
    const runs = await Promise.all([
      flexfed("grid"),
      flexfed("grid", "congestion", "--limit", "5"),
      flexfed("grid", "congestion", "--feeder", "f", "--limit", "lots"),
      flexfed("grid", "end", "--feeder", "f"),
      flexfed("grid", "congestion", "--feeder", "f", "--volts", "5"),
      flexfed("grid", "congestion", "--feeder", "f", "--limit", "5", "--data-dir", path.resolve("no-such-data-dir")),
    ]);
    expect(runs.map((r) => [r.code, r.stderr.split("\n")[0]])).toEqual([
      [2, "flexfed: grid: say congestion or end"],
      [2, "flexfed: grid congestion: which --feeder?"],
      [2, expect.stringMatching(/^flexfed: grid congestion: --limit: /)],
      [2, "flexfed: grid end: give --feeder and --id"],
      [2, expect.stringMatching(/^flexfed: grid: Unknown option '--volts'/)],
      [1, expect.stringMatching(/^flexfed: no flexfed server prepared in .*no-such-data-dir/)],
    ]);
  });
});

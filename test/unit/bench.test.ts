// The benchmark harness's own logic: statistics, targets, the table, the command line.
import { describe, expect, it } from "vitest";
import { compared, met, table } from "../../bench/lib/report.ts";
import { hotspots } from "../../bench/lib/profile.ts";
import { latency, pool, spread } from "../../bench/lib/stats.ts";
import { main } from "../../bench/run.ts";
import { UsageError } from "../../src/cli/usage.ts";

describe("bench statistics", () => {
  it("reports the median of runs with min and max, odd and even counts", () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  });

  it("takes p50 and p99 from the samples", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 1 .. 100, unsorted
    expect(latency(samples)).toEqual({ p50: 51, p99: 100, count: 100 });
  });

  it("runs a pool with no more calls outstanding than asked", async () => {
    let running = 0, peak = 0;
    const seen: number[] = [];
    await pool(20, 3, async (k) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(k);
      running--;
    });
    expect(peak).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe("bench report", () => {
  it("computes the ratio per run and judges the target on the median ratio", () => {
    const row = compared("round trip", "ms", [{ value: 2, base: 1 }, { value: 3, base: 2 }, { value: 1, base: 1 }], "ping", { op: "<=", value: 1.5 });
    expect(row.ratio).toEqual({ median: 1.5, min: 1, max: 2, runs: 3 });
    expect(met(row)).toBe(true);
    expect(met({ ...row, target: { op: "<", value: 1.5 } })).toBe(false);
    expect(table([row, { ...row, target: { op: ">=", value: 2 } }])).toMatch(/\| 1\.50x \(1\.00-2\.00\) \| <= 1\.5x met \|\n.*>= 2x MISSED/);
  });
});

describe("bench profiles", () => {
  it("ranks functions by self time", () => {
    const frame = (functionName: string) => ({ functionName, url: "file:///x/src/a.ts", lineNumber: 0 });
    const profile = {
      nodes: [{ id: 1, callFrame: frame("(idle)") }, { id: 2, callFrame: frame("decode") }, { id: 3, callFrame: frame("encode") }],
      startTime: 0, endTime: 10, samples: [2, 2, 2, 3, 1], timeDeltas: [1, 1, 1, 1, 6],
    };
    expect(hotspots(profile, 2)).toEqual([
      { fn: "(idle)", where: "src/a.ts:1", selfPct: 60 },
      { fn: "decode", where: "src/a.ts:1", selfPct: 30 },
    ]);
  });
});

describe("bench command line", () => {
  it("refuses an unknown benchmark and runs out of range, naming them", async () => {
    await expect(main(["nope"])).rejects.toThrow(UsageError);
    await expect(main(["nope"])).rejects.toThrow(/^bench: unknown benchmark 'nope' \(codec, registry, control/);
    await expect(main(["codec", "--runs", "2"])).rejects.toThrow(/--runs takes a whole number from 3 to 50/);
    await expect(main(["codec", "--devices", "0"])).rejects.toThrow(UsageError);
  });
});

import { describe, expect, it } from "vitest";
import { DayRecorder } from "../../src/scenario/recorder.ts";
import { formatSummary } from "../../src/scenario/summary.ts";

const H = 3_600_000;

describe("the day recorder", () => {
  it("integrates energy between samples and finds peaks, self-consumption and time above the limit", () => {
    const r = new DayRecorder({ from: 17 * H, to: 19 * H, limitW: 5_000 });
    r.add(0, { a: { netW: 1_000, pvW: 0 }, b: { netW: 500, pvW: 0 } });
    r.add(1 * H, { a: { netW: -2_000, pvW: 4_000 }, b: { netW: 500, pvW: 0 } });
    r.add(2 * H, { a: { netW: 3_000, pvW: 0 }, b: { netW: 0, pvW: 0 } });
    r.add(17 * H, { a: { netW: 4_000, pvW: 0 }, b: { netW: 2_000, pvW: 0 } });
    r.add(18 * H, { a: { netW: 4_000, pvW: 0 }, b: { netW: 2_000, pvW: 0 } });
    r.add(19 * H, { a: { netW: 0, pvW: 0 }, b: { netW: 0, pvW: 0 } });
    const s = r.stats;
    // The energy of each interval is the power measured at its end (hold-last).
    expect(s.sites.a).toMatchObject({ peakImportW: 4_000, peakExportW: 2_000, exportWh: 2_000, pvWh: 4_000, selfConsumption: 0.5 });
    expect(s.sites.a!.importWh).toBe(3_000 + 15 * 4_000 + 4_000);
    expect(s.sites.b!.selfConsumption).toBeUndefined();
    expect(s.feederPeakW).toBe(6_000);
    expect(s.congestionPeakW).toBe(6_000);
    expect(s.minutesOverLimit).toBe(60);
  });

  it("formats the summary with both days side by side", () => {
    const r = new DayRecorder({ from: 0, to: H, limitW: 1_000 });
    r.add(0, { "home-1": { netW: 2_000, pvW: 0 } });
    const text = formatSummary({
      home: "home-1", congestion: { feeder: "f-12", limitW: 1_000, from: "17:00", to: "21:00" },
      without: r.stats, with: r.stats, apps: { balancer: { sent: 3, accepted: 2, rejected: 1, failed: 0 } }, alarmsRaised: 4,
    });
    expect(text).toMatch(/home-1 grid peak import\s+2\.0 kW\s+2\.0 kW/);
    expect(text).toContain("balancer   3 instructions sent, 2 accepted, 1 rejected, 0 failed or timed out");
    expect(text).toContain("4 alarms raised");
  });
});

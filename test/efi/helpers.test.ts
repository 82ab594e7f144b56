import { describe, expect, it } from "vitest";
import {
  adjustableModeValues, elementAt, factorForPower, fillLevelAfter, formatDuration, fromProfile, interpolate, parseDateTime, parseDuration,
  profileDurationMs, reachableRunningModes, sampleProfile, shiftProfile, storageModeValues, sumProfiles, timerState, toProfile,
} from "../../src/efi/index.ts";
import { example } from "./fixtures.ts";

const battery = example("StorageSystemDescription");
const inverter = battery.actuatorBehaviours[0]!;
const [charge, idle, discharge] = inverter.runningModes;
const heatpump = example("AdjustableSystemDescription");
const LEAK = 0.0000058;

describe("durations and date-times", () => {
  it("parses and formats ISO 8601 durations in ms", () => {
    expect(parseDuration("PT5S")).toBe(5000);
    expect(parseDuration("P1DT2H3M4.5S")).toBe(93_784_500);
    expect(parseDuration("PT1.005S")).toBe(1005);
    expect(parseDuration("P0Y0M0DT0H0M5.000S")).toBe(5000); // as JAXB writes it
    expect(() => parseDuration("P1M")).toThrow("years or months");
    expect(() => parseDuration("PT")).toThrow("not an ISO 8601 duration");
    expect(formatDuration(0)).toBe("PT0S");
    expect(formatDuration(93_784_500)).toBe("P1DT2H3M4.5S");
    expect(formatDuration(3_600_000)).toBe("PT1H");
    for (const ms of [1, 999, 61_000, 86_400_000, 123_456_789]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it("needs an offset on date-times and a real calendar day", () => {
    expect(parseDateTime("2025-06-01T12:00:00+02:00")).toBe(Date.parse("2025-06-01T10:00:00Z"));
    expect(() => parseDateTime("2025-06-01T12:00:00")).toThrow("with an offset");
    expect(() => parseDateTime("2025-02-29T12:00:00Z")).toThrow("not a calendar date");
  });
});

describe("running-mode interpolation", () => {
  it("interpolates a continuous storage mode at a fill level and factor", () => {
    const v = storageModeValues(charge!, 50, 0.6)!;
    expect(v.electricalPower).toBeCloseTo(3000);
    expect(v.fillingRate).toBeCloseTo(0.00792);
    expect(v.runningCost).toBeCloseTo(0.00001668);
    expect(storageModeValues(charge!, 95, 1)!.electricalPower).toBe(2000);
    expect(storageModeValues(idle!, 50)).toEqual({ fillingRate: 0, runningCost: 0, electricalPower: 15 });
    expect(storageModeValues(charge!, 100, 1)).toBeUndefined(); // nothing above the top when rising
    expect(storageModeValues(charge!, 100, 1, false)!.electricalPower).toBe(2000);
  });

  it("finds the factor for a wanted power, clamped to the mode's range", () => {
    if (charge!.type !== "continuous") throw new Error("example changed");
    const el = elementAt(charge!.continuousRunningModeElement, 50)!;
    expect(factorForPower(el, 3000)).toBeCloseTo(0.6);
    expect(factorForPower(el, 9000)).toBe(1);
    const on = heatpump.runningModes[1]!;
    if (on.type !== "continuous") throw new Error("example changed");
    expect(factorForPower(on, 1900)).toBeCloseTo(0.5);
    const half = adjustableModeValues(on, 0.5);
    expect(Object.keys(half)).toEqual(["runningCost", "electricalPower", "heatThermalPower"]);
    expect(half.runningCost).toBeCloseTo(0.00002, 12);
    expect(half.electricalPower).toBe(1900);
    expect(half.heatThermalPower).toBe(7000);
    expect(interpolate(on, 0)).toEqual(on.lowerBound);
    expect(adjustableModeValues(heatpump.runningModes[0]!)).toEqual({ runningCost: 0, electricalPower: 10, heatThermalPower: 0 });
  });
});

describe("reachable running modes", () => {
  it("follows transitions and waits for blocking timers", () => {
    const timers = timerState(example("StorageStatus").actuatorStatuses![0]!.timerUpdates);
    expect(reachableRunningModes(inverter, 0, timers, Date.parse("2025-06-01T12:05:00Z"))).toEqual([0]);
    expect(reachableRunningModes(inverter, 0, timers, Date.parse("2025-06-01T12:06:00Z"))).toEqual([0, 1]);
    expect(reachableRunningModes(inverter, 1, new Map([[0, Date.parse("2025-06-01T12:06:30Z")]]), Date.parse("2025-06-01T12:06:00Z"))).toEqual([1]);
    expect(reachableRunningModes(inverter, 1, new Map(), 0)).toEqual([1, 0, 2]);
  });
});

describe("fill level", () => {
  it("charges through the taper above 90 %", () => {
    const level = fillLevelAfter(battery, 50, [{ duration: "PT1H", settings: [{ actuatorId: 0, runningModeId: 0, factor: 1 }] }]);
    const toTaper = 40 / (0.0132 - LEAK);
    expect(level).toBeCloseTo(90 + (3600 - toTaper) * (0.0053 - LEAK), 9);
  });

  it("discharges down to empty and stops there", () => {
    const settings = [{ actuatorId: 0, runningModeId: 2, factor: 1 }];
    expect(fillLevelAfter(battery, 20, [{ duration: 600_000, settings }])).toBeCloseTo(20 - 600 * (0.0146 + LEAK), 9);
    expect(fillLevelAfter(battery, 20, [{ duration: "PT2H", settings }])).toBe(0);
    expect(discharge!.label).toBe("discharge");
  });

  it("leaks while idle, and runs steps one after the other", () => {
    const idleDay = { duration: "P1D", settings: [{ actuatorId: 0, runningModeId: 1 }] };
    expect(fillLevelAfter(battery, 50, [idleDay])).toBeCloseTo(50 - 86_400 * LEAK, 9);
    const chargeHalf = { duration: "PT10M", settings: [{ actuatorId: 0, runningModeId: 0, factor: 0.5 }] };
    expect(fillLevelAfter(battery, 50, [chargeHalf, idleDay])).toBeCloseTo(50 + 600 * (0.0066 - LEAK) - 86_400 * LEAK, 9);
  });
});

describe("profiles", () => {
  const update = example("ShiftableUpdate");
  const [eco, normal] = [update.sequentialProfiles[0]!.sequentialProfileAlternatives[1]!, update.sequentialProfiles[0]!.sequentialProfileAlternatives[0]!];
  const t0 = Date.parse("2025-06-02T02:00:00Z");
  const min = 60_000;

  it("anchors, samples and shifts a profile", () => {
    const p = toProfile(eco.electricityProfile!, "power", t0);
    expect(sampleProfile(p, t0 - 1)).toBeUndefined();
    expect(sampleProfile(p, t0)).toBe(1000);
    expect(sampleProfile(p, t0 + 30 * min)).toBe(100);
    expect(sampleProfile(p, t0 + 120 * min)).toBeUndefined();
    expect(sampleProfile(shiftProfile(p, 30 * min), t0 + 30 * min)).toBe(1000);
    expect(profileDurationMs(eco)).toBe(120 * min);
    expect(fromProfile(p, "power")).toEqual(eco.electricityProfile);
  });

  it("sums profiles over their joint span", () => {
    const a = toProfile(normal.electricityProfile!, "power", t0); // 2000 W 15 min, 150 W 45 min
    const b = shiftProfile(toProfile(eco.electricityProfile!, "power", t0), 10 * min); // 1000 W 30 min, 100 W 90 min
    const sum = sumProfiles(a, b);
    expect(sum.start).toBe(t0);
    expect(sum.steps).toEqual([
      { durationMs: 10 * min, value: 2000 },
      { durationMs: 5 * min, value: 3000 },
      { durationMs: 25 * min, value: 1150 },
      { durationMs: 20 * min, value: 250 },
      { durationMs: 70 * min, value: 100 },
    ]);
  });
});

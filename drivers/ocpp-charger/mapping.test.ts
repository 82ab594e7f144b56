// The pure session rules: which category a session is, when the car leaves, and steps as limits.
import { describe, expect, it } from "vitest";
import { ChargerConfigSchema } from "./config.ts";
import { command, departureAt, sessionCategory, type MappingOptions } from "./mapping.ts";
import { EMPTY, withSamples, withStatus } from "./state.ts";

const options = (car: Record<string, unknown> = {}, rest: Partial<MappingOptions> = {}): MappingOptions =>
  ({ ...ChargerConfigSchema.parse({ chargeBoxId: "CP", car }), resourceId: "ev-1", chargingRateUnit: "A", ...rest });
const T = Date.parse("2025-06-01T18:00:00Z");
const pluggedIn = withStatus(EMPTY, "Preparing", T);
const soc = (pct: string) => withSamples(pluggedIn, [{ measurand: "SoC", unit: "Percent", value: pct }]);
const at = (ms: number) => new Date(T + ms);

describe("sessionCategory", () => {
  it("is Storage once a meter value carries the state of charge, Adjustable after socWaitSeconds without", () => {
    const o = options({ socWaitSeconds: 30 });
    expect(sessionCategory(EMPTY, o, at(0))).toBeUndefined();
    expect(sessionCategory(pluggedIn, o, at(29_999))).toBeUndefined();
    expect(sessionCategory(pluggedIn, o, at(30_000))).toBe("adjustable");
    expect(sessionCategory(soc("35"), o, at(0))).toBe("storage");
    // Late: the Adjustable session becomes Storage, and stays so whatever later samples leave out.
    const late = withSamples(withSamples(pluggedIn, [{ measurand: "SoC", unit: "Percent", value: "35" }]), [{ measurand: "Power.Active.Import", unit: "W", value: "7000" }]);
    expect(sessionCategory(late, o, at(600_000))).toBe("storage");
  });

  it("is Storage at once for every car when cars without state of charge are to be Storage", () => {
    expect(sessionCategory(pluggedIn, options({ withoutSoc: "storage" }), at(0))).toBe("storage");
  });
});

describe("departureAt", () => {
  // Local wall-clock times, whatever the machine's time zone.
  const local = (d: number, h: number, m: number) => new Date(2025, 5, d, h, m).getTime();

  it("is the first configured local time of day after plug-in", () => {
    const car = options({ departure: "07:30" }).car;
    expect(departureAt(local(1, 18, 0), car)).toBe(local(2, 7, 30));
    expect(departureAt(local(2, 6, 0), car)).toBe(local(2, 7, 30));
    expect(departureAt(local(2, 7, 30), car)).toBe(local(3, 7, 30));
  });

  it("is plug-in + stayHours without a departure time", () => {
    expect(departureAt(T, options({ stayHours: 9.5 }).car)).toBe(T + 9.5 * 3_600_000);
  });
});

describe("command", () => {
  it("turns a step of the session's category into a limit, and refuses others", () => {
    const o = options();
    expect(command({ category: "adjustable", runningModeId: 0, factor: 0.5 }, o, "adjustable")).toEqual({ mode: "charge", factor: 0.5, powerW: 7590, limit: 11 });
    expect(command({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 0.5 }, o, "storage")).toEqual({ mode: "charge", factor: 0.5, powerW: 7590, limit: 11 });
    expect(command({ category: "adjustable", runningModeId: 1 }, { ...o, chargingRateUnit: "W" }, "adjustable")).toEqual({ mode: "idle", factor: 0, powerW: 0, limit: 0 });
    expect(command({ category: "adjustable", runningModeId: 0, factor: 1 }, { ...o, chargingRateUnit: "W" }, "adjustable").limit).toBe(11040);
    expect(() => command({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 1 }, o, "adjustable")).toThrow("offered as adjustable; the charger does not take storage steps");
    expect(() => command({ category: "shiftable", sequenceNr: 0, alternativeNr: 0 }, o, "storage")).toThrow("does not take shiftable steps");
    expect(() => command({ category: "storage", actuatorId: 1, runningModeId: 0 }, o, "storage")).toThrow("one actuator, 0, not 1");
    expect(() => command({ category: "adjustable", runningModeId: 2 }, o, "adjustable")).toThrow("running modes 0 charge and 1 idle, not 2");
    expect(() => command({ category: "adjustable", runningModeId: 0, factor: 1.5 }, o, "adjustable")).toThrow("factor 1.5 is outside 0..1");
  });
});

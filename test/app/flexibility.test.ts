import { describe, expect, it } from "vitest";
import { choose, type Flexibility } from "../../src/app/flexibility.ts";

// An EV charger: idle, or charging from 6 A to 16 A on three phases.
const ev: Flexibility = {
  category: "storage", flexibilityUpdateId: "sd-1", actuatorId: 0, currentModeId: 0,
  options: [
    { modeId: 0, label: "charge", minW: 4_140, maxW: 11_040, w0: 4_140, w1: 11_040, continuous: true },
    { modeId: 1, label: "idle", minW: 0, maxW: 0, w0: 0, w1: 0, continuous: false },
  ],
};
// A battery: discharge runs 0 -> -5 kW from factor 0 to 1.
const battery: Flexibility = {
  category: "storage", flexibilityUpdateId: "sd-2", actuatorId: 0, currentModeId: 1,
  options: [
    { modeId: 0, label: "charge", minW: 0, maxW: 5_000, w0: 0, w1: 5_000, continuous: true },
    { modeId: 1, label: "idle", minW: 0, maxW: 0, w0: 0, w1: 0, continuous: false },
    { modeId: 2, label: "discharge", minW: -5_000, maxW: 0, w0: 0, w1: -5_000, continuous: true },
  ],
};

describe("choosing a running mode for a power", () => {
  it("takes the closest power, or the closest that stays under a limit", () => {
    expect(choose(ev, 2_640)).toEqual({ modeId: 0, factor: 0, powerW: 4_140 });
    expect(choose(ev, 2_640, "most")).toEqual({ modeId: 1, powerW: 0 });
    expect(choose(ev, 7_000, "most")).toEqual({ modeId: 0, factor: 0.4, powerW: 4_140 + 0.4 * 6_900 });
  });

  it("counts a discharge factor from the mode's lowerBound (0 W) to its upperBound (-5 kW)", () => {
    expect(choose(battery, -2_000)).toEqual({ modeId: 2, factor: 0.4, powerW: -2_000 });
    // At 0 W, idle (the current mode, no range) rather than charging or discharging at factor 0.
    expect(choose(battery, 0)).toEqual({ modeId: 1, powerW: 0 });
  });
});

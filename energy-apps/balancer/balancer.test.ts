// The balancer against control spaces made by the real drivers' mappings (a SunSpec battery, a
// heat pump with buffer tank, a SunSpec PV inverter) and a connection meter.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeviceState, type Presence } from "../../src/app/model.ts";
import type { TrackedInstruction } from "../../src/app/tracker.ts";
import type { AppAction } from "../../src/app/types.ts";
import { acceptable } from "../../src/app/flexibility.ts";
import * as bat from "../../drivers/sunspec-battery/mapping.ts";
import type { BatteryState } from "../../drivers/sunspec-battery/state.ts";
import * as hp from "../../drivers/appliances/heat-pump/mapping.ts";
import type { HeatPumpState } from "../../drivers/appliances/heat-pump/state.ts";
import * as pvm from "../../drivers/sunspec-pv/mapping.ts";
import type { PvState } from "../../drivers/sunspec-pv/state.ts";
import { PvConfigSchema } from "../../drivers/sunspec-pv/config.ts";
import { balancer } from "./index.ts";

const NOW = new Date("2026-06-21T12:00:00Z");
const SITE = { SITE: "home-1" };
const online = (d: DeviceState) => Object.assign(d, { presence: "online" as Presence, fullJid: `${d.jid}/r` });
const powerSample = (d: DeviceState, w: number) => d.record([{ n: "power", v: w, u: "W", t: NOW.getTime() }]);

function meter(w: number) {
  const d = online(new DeviceState("p1", "p1@d", { ...SITE, ROLE: "grid" }));
  d.put({ kind: "InflexibleRegistration", header: { efiResourceId: "p1", timestamp: NOW.toISOString() }, instructionProcessingDelay: "PT1S", deviceDescription: {}, supportedCommodity: ["ELECTRICITY"] } as never);
  powerSample(d, w);
  return d;
}

function battery(socPct: number, powerW = 0, mode: BatteryState["control"] = { mode: "idle", ratePct: 0 }, minModeSeconds = 0) {
  const s: BatteryState = {
    nameplate: { manufacturer: "SIM", model: "B10", serialNumber: "1" }, socPct, powerW, capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000,
    chargeStatus: "HOLDING", control: mode, reserve: { minPct: 5 },
  } as BatteryState;
  const o = { resourceId: "bat", minModeSeconds };
  const d = online(new DeviceState("bat", "bat@d", SITE));
  d.put(bat.registration(s, o, NOW));
  d.put(bat.systemDescription(s, o, NOW));
  d.put(bat.status(s, o, minModeSeconds ? { mode: bat.currentMode(s).mode, previous: 0, since: NOW.getTime() - 1000 } : { mode: bat.currentMode(s).mode }, NOW));
  powerSample(d, powerW);
  return d;
}

function heatPump(on: boolean, minRunLeftS = 0) {
  const s: HeatPumpState = {
    nameplate: { manufacturer: "SIM", model: "HP", serialNumber: "2" }, bufferC: 45, ambientC: 10, on, thermostat: true, powerW: on ? 2_000 : 0, ratedPowerW: 2_000,
    cop: 3.5, volumeL: 300, heatLossWPerK: 2, minC: 35, maxC: 60, minRunS: 600, minOffS: 300, minRunLeftS, minOffLeftS: 0, energyWh: 0,
  };
  const d = online(new DeviceState("hp", "hp@d", SITE));
  d.put(hp.registration(s, { resourceId: "hp" }, NOW));
  d.put(hp.systemDescription(s, { resourceId: "hp" }, NOW));
  d.put(hp.status(s, { resourceId: "hp" }, NOW));
  powerSample(d, s.powerW);
  return d;
}

function pv(outputW: number) {
  const s: PvState = { nameplate: { manufacturer: "SIM", model: "PV", serialNumber: "3" }, modelId: 103, ratedW: 5_000, outputW, phases: [], limit: { model: 123, enabled: false } };
  const o = { resourceId: "pv", cfg: PvConfigSchema.parse({ transport: { type: "tcp", host: "127.0.0.1", port: 502 }, latitude: 52, longitude: 5 }) };
  const d = online(new DeviceState("pv", "pv@d", SITE));
  d.put(pvm.registration(s, o, NOW));
  d.put(pvm.curtailmentOptions(s, o, NOW, NOW)!);
  powerSample(d, -outputW);
  return d;
}

const app = balancer({ site: "home-1", importLimitW: 5_000, exportLimitW: 3_000 });
const plan = (devices: DeviceState[], instructions = new Map<string, TrackedInstruction>()) =>
  app.plan({ now: NOW, devices: [...devices].sort((a, b) => a.rid.localeCompare(b.rid)), instructions, nodes: new Map() });
const instructs = (actions: AppAction[]) => actions.flatMap((a) => (a.type === "instruct" ? [[a.rid, a.intent]] : []));

describe("the balancer", () => {
  it("discharges the battery by the import above the target during a load peak", () => {
    const actions = plan([meter(7_000), battery(60)]);
    // 7 kW net with the battery idle: it covers 5 kW (its maximum); the rest is import within the limit.
    expect(instructs(actions)).toEqual([["bat", "discharge 1.00"]]);
  });

  it("charges the battery from the PV surplus", () => {
    expect(instructs(plan([meter(-2_000), battery(40), pv(3_000)]))).toEqual([["bat", "charge 0.40"]]);
  });

  it("turns the heat pump off when the battery cannot hold the import limit, unless its minimum run time forbids it", () => {
    expect(instructs(plan([meter(12_000), battery(60, 0), heatPump(true)]))).toEqual([["bat", "discharge 1.00"], ["hp", "off"]]);
    // Minimum run time left: "off" is not reachable, so nothing is asked of it.
    expect(instructs(plan([meter(12_000), battery(60, 0), heatPump(true, 300)]))).toEqual([["bat", "discharge 1.00"]]);
  });

  it("curtails PV by exactly the export above the limit when the battery is full", () => {
    const actions = plan([meter(-6_000), battery(100), pv(6_000)]);
    const cap = actions.find((a) => a.type === "instruct" && a.rid === "pv");
    expect(cap).toMatchObject({ intent: "cap -3000", instruction: { kind: "InflexibleInstruction", curtailmentProfile: { curtailmentProfileElement: [{ value: -3_000 }] } } });
  });

  it("asks for the same thing again when nothing changed (the runtime sends it once)", () => {
    const devices = () => [meter(7_000), battery(60)];
    expect(plan(devices())).toEqual(plan(devices()));
  });

  it("never asks what a device would refuse (random loads, states of charge, minimum-mode timers)", () => {
    fc.assert(fc.property(
      fc.integer({ min: -12_000, max: 15_000 }), fc.integer({ min: 0, max: 100 }), fc.constantFrom<"idle" | "charge" | "discharge">("idle", "charge", "discharge"),
      fc.boolean(), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 8_000 }),
      (net, soc, mode, hpOn, hpLeft, pvW) => {
        const devices = [meter(net), battery(soc, mode === "charge" ? 2_500 : mode === "discharge" ? -2_500 : 0, { mode, ratePct: mode === "idle" ? 0 : 50 }, 30), heatPump(hpOn, hpOn ? hpLeft : 0), pv(pvW)];
        for (const a of plan(devices)) {
          if (a.type !== "instruct") continue;
          const d = devices.find((x) => x.rid === a.rid)!;
          expect(acceptable(d, a.instruction, NOW)).toBe(true);
        }
      },
    ), { numRuns: 300 });
  });
});

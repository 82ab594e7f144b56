// The balancer against control spaces made by the real drivers' mappings (a SunSpec battery, a
// heat pump with buffer tank, a SunSpec PV inverter, a dishwasher, a generator) and a connection meter.
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
import * as dw from "../../drivers/appliances/dishwasher/mapping.ts";
import type { DishwasherState } from "../../drivers/appliances/dishwasher/state.ts";
import * as gen from "../../drivers/appliances/generator/mapping.ts";
import type { GeneratorState } from "../../drivers/appliances/generator/state.ts";
import { formatDateTime } from "../../src/efi/index.ts";
import { balancer } from "./index.ts";

const NOW = new Date("2026-06-21T12:00:00Z");
const HOUR = 3_600_000;
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

/** A loaded dishwasher: program 0 is 20 min at 2 kW, 40 min at 200 W, 30 min at 1 kW (90 min). */
function dishwasher(deadlineMs: number) {
  const s: DishwasherState = {
    nameplate: { manufacturer: "SIM", model: "DW", serialNumber: "4" }, state: "waiting", selected: 0, deadline: deadlineMs, remainingS: 0, powerW: 0, energyWh: 0,
    startedBy: "none", cycle: 1, programs: [{ name: "normal", phases: [{ durationS: 1200, powerW: 2000 }, { durationS: 2400, powerW: 200 }, { durationS: 1800, powerW: 1000 }] }],
  };
  const o = { resourceId: "dw", deviceClass: "Dishwasher" as const };
  const d = online(new DeviceState("dw", "dw@d", SITE));
  d.put(dw.registration(s, o, NOW));
  d.put(dw.update(s, o, NOW)!);
  powerSample(d, 0);
  return d;
}

/** A 1..4 kW generator; its minimum run timer blocks on -> off. */
function generator(outputW = 0, minRunLeftS = 0) {
  const s: GeneratorState = {
    nameplate: { manufacturer: "SIM", model: "G", serialNumber: "5" }, phase: outputW ? "running" : "off", remote: true, setpointW: outputW || 1_000, outputW,
    minPowerW: 1_000, maxPowerW: 4_000, warmUpS: 60, minRunS: 900, warmUpLeftS: 0, minRunLeftS, fuelPct: 80, tankL: 50, fuelAtMinLph: 0.5, fuelAtMaxLph: 1.5, energyWh: 0,
  };
  const o = { resourceId: "gen", currency: "EUR" as const, startCost: 0.5, fuelPrice: 1.8 };
  const d = online(new DeviceState("gen", "gen@d", SITE));
  d.put(gen.registration(s, o, NOW));
  d.put(gen.systemDescription(s, o, NOW));
  d.put(gen.status(s, o, NOW));
  powerSample(d, -outputW);
  return d;
}

/** What the tracker holds after the balancer asked `intent` of the device at `sentAt`. */
function tracked(rid: string, intent: string, actions: AppAction[], sentAt: number): [string, TrackedInstruction] {
  const a = actions.find((x) => x.type === "instruct" && x.rid === rid && x.intent === intent);
  if (a?.type !== "instruct") throw new Error(`no ${intent} for ${rid}`);
  const instruction = { ...a.instruction, header: { efiResourceId: rid, timestamp: formatDateTime(sentAt) }, instructionId: `i-${rid}` } as TrackedInstruction["instruction"];
  return [rid, { id: `i-${rid}`, rid, intent, instruction, state: "ACCEPTED", sentAt, history: [], deadline: sentAt + 60_000 }];
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

  it("charges the battery from the PV surplus, then starts the dishwasher on what is left", () => {
    // 8 kW export: the battery takes its 5 kW; 3 kW are left, enough for the program's 2 kW phase.
    expect(instructs(plan([meter(-8_000), battery(40), pv(8_000), dishwasher(NOW.getTime() + 10 * HOUR)]))).toEqual([["bat", "charge 1.00"], ["dw", "start 0"]]);
    // 4 kW export: the battery takes it all; the dishwasher waits (its deadline is far).
    expect(instructs(plan([meter(-4_000), battery(40), pv(4_000), dishwasher(NOW.getTime() + 10 * HOUR)]))).toEqual([["bat", "charge 0.80"]]);
  });

  it("starts the dishwasher near its latest start when the import limit has room, not on a peak", () => {
    const due = () => dishwasher(NOW.getTime() + 90 * 60_000 + 10 * 60_000); // latest start in 10 min
    const dwOf = (actions: AppAction[]) => instructs(actions).filter(([rid]) => rid === "dw");
    expect(dwOf(plan([meter(2_000), battery(60), due()]))).toEqual([["dw", "start 0"]]);
    // 12 kW, 7 kW after the battery: no room for 2 kW more; the dishwasher starts by itself later.
    expect(dwOf(plan([meter(12_000), battery(60), due()]))).toEqual([]);
  });

  it("starts the generator when the battery cannot hold the import limit, and stops it once not needed", () => {
    // 12 kW - 5 kW of battery = 7 kW: 2 kW above the limit; the generator runs at 2 kW (factor 1/3, rounded).
    const peak = plan([meter(12_000), battery(60), generator()]);
    expect(instructs(peak)).toEqual([["bat", "discharge 1.00"], ["gen", "on 0.35"]]);
    // Later the load is gone: the battery alone covers the site and the generator it started stops.
    const started = new Map([tracked("gen", "on 0.35", peak, NOW.getTime() - 60_000)]);
    expect(instructs(plan([meter(-2_000), battery(60), generator(2_000)], started))).toContainEqual(["gen", "off"]);
    // Its minimum run time still runs: "off" is not reachable, so it runs at its least until then.
    expect(instructs(plan([meter(-2_000), battery(60), generator(2_000, 300)], started))).toContainEqual(["gen", "on 0.00"]);
  });

  it("leaves a device instructed after the meter's reading as asked, counting it at its planned power", () => {
    const first = plan([meter(7_000), battery(60)]);
    const sent = new Map([tracked("bat", "discharge 1.00", first, NOW.getTime() + 500)]);
    // The meter's reading predates the instruction; the battery also still reports 0 W:
    // grid = 7000 - 0 + (-5000) = 2000, within the limit: nothing new, no generator.
    const later = new Date(NOW.getTime() + 1_000);
    const lagging = app.plan({ now: later, devices: [generator(), battery(60), meter(7_000)].sort((a, b) => a.rid.localeCompare(b.rid)), instructions: sent, nodes: new Map() });
    expect(instructs(lagging)).toEqual([]);
    // The battery already reports its new power, the meter not yet: what the meter saw is unknown; the plan holds.
    const moved = battery(60);
    moved.record([{ n: "power", v: -5_000, u: "W", t: NOW.getTime() + 900 }]);
    expect(app.plan({ now: later, devices: [meter(7_000), moved], instructions: sent, nodes: new Map() })).toEqual([]);
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

  it("never asks what a device would refuse (random loads, states of charge, modes, timers, deadlines)", () => {
    fc.assert(fc.property(
      fc.integer({ min: -12_000, max: 15_000 }), fc.integer({ min: 0, max: 100 }), fc.constantFrom<"idle" | "charge" | "discharge">("idle", "charge", "discharge"),
      fc.boolean(), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 8_000 }),
      fc.constantFrom(0, 1_000, 2_500, 4_000), fc.integer({ min: 0, max: 900 }), fc.integer({ min: 90, max: 600 }),
      (net, soc, mode, hpOn, hpLeft, pvW, genW, genLeft, deadlineMin) => {
        const devices = [
          meter(net), battery(soc, mode === "charge" ? 2_500 : mode === "discharge" ? -2_500 : 0, { mode, ratePct: mode === "idle" ? 0 : 50 }, 30),
          heatPump(hpOn, hpOn ? hpLeft : 0), pv(pvW), generator(genW, genW ? genLeft : 0), dishwasher(NOW.getTime() + deadlineMin * 60_000),
        ];
        for (const a of plan(devices)) {
          if (a.type !== "instruct") continue;
          const d = devices.find((x) => x.rid === a.rid)!;
          expect(acceptable(d, a.instruction, NOW)).toBe(true);
          expect(a.instruction.flexibilityUpdateId).toBeTruthy();
        }
      },
    ), { numRuns: 300 });
  });
});

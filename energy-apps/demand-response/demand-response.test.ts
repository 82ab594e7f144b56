import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import * as evAdjustable from "../../drivers/ocpp-charger/adjustable.ts";
import { ChargerConfigSchema } from "../../drivers/ocpp-charger/config.ts";
import type { MappingOptions } from "../../drivers/ocpp-charger/mapping.ts";
import { EMPTY } from "../../drivers/ocpp-charger/state.ts";
import * as bat from "../../drivers/sunspec-battery/mapping.ts";
import type { BatteryState, Control } from "../../drivers/sunspec-battery/state.ts";
import { DeviceState, type Presence } from "../../src/app/model.ts";
import type { TrackedInstruction, TrackedState } from "../../src/app/tracker.ts";
import type { AppAction, InstructionDraft } from "../../src/app/types.ts";
import { checkInstruction, storageModeValues, type EfiContext, type EfiInstruction } from "../../src/efi/index.ts";
import { SETTLE_MAX_MS } from "./feeder.ts";
import { demandResponse, encodeCongestion, feederTotal, type Congestion } from "./index.ts";

const NOW = new Date("2026-11-22T18:00:00Z");
const at = (s: number) => new Date(NOW.getTime() + s * 1000);
const online = (d: DeviceState) => Object.assign(d, { presence: "online" as Presence, fullJid: `${d.jid}/r` });

interface Home { meter: DeviceState; battery: DeviceState; state: BatteryState; minModeSeconds: number }

/** A home on feeder f-12: its connection meter (ROLE=grid) reading `meterW`, and a 10 kWh battery as the real driver describes it. */
function home(n: number, meterW: number, b: { maxW: number; socPct?: number; powerW?: number; control?: Control; minModeSeconds?: number; switchedAt?: Date }): Home {
  const tags = { FEEDER: "f-12", SITE: `home-${n}` };
  const meter = online(new DeviceState(`home-${n}-meter`, `m${n}@d`, { ...tags, ROLE: "grid" }));
  meter.put({ kind: "InflexibleRegistration", header: { efiResourceId: meter.rid, timestamp: NOW.toISOString() }, instructionProcessingDelay: "PT1S", deviceDescription: {}, supportedCommodity: ["ELECTRICITY"] } as never);
  meter.record([{ n: "power", v: meterW, u: "W", t: NOW.getTime() }]);
  const state: BatteryState = {
    nameplate: { manufacturer: "SIM", model: "B", serialNumber: `${n}` }, socPct: b.socPct ?? 60, powerW: b.powerW ?? 0, capacityWh: 10_000,
    maxChargeW: b.maxW, maxDischargeW: b.maxW, control: b.control ?? { mode: "auto", ratePct: 0 }, reserve: { minPct: 5 },
  };
  const h = { meter, battery: online(new DeviceState(`home-${n}-battery`, `b${n}@d`, tags)), state, minModeSeconds: b.minModeSeconds ?? 0 };
  const o = { resourceId: h.battery.rid, minModeSeconds: h.minModeSeconds };
  h.battery.put(bat.registration(state, o, NOW));
  h.battery.put(bat.systemDescription(state, o, NOW));
  const mode = bat.currentMode(state).mode;
  h.battery.put(bat.status(state, o, b.switchedAt ? { mode, previous: bat.MODES.idle, since: b.switchedAt.getTime() } : { mode }, NOW));
  h.battery.put(bat.measurement(state, o, NOW)!);
  return h;
}

/** The battery reports a new power at `when` (its status and Measurement, as its driver would). */
function report(h: Home, powerW: number, when: Date) {
  const s = { ...h.state, powerW }, o = { resourceId: h.battery.rid, minModeSeconds: h.minModeSeconds };
  h.battery.put(bat.status(s, o, { mode: bat.currentMode(s).mode }, when));
  h.battery.put(bat.measurement(s, o, when)!);
}

const devicesOf = (homes: Home[]) => homes.flatMap((h) => [h.meter, h.battery]).sort((a, b) => a.rid.localeCompare(b.rid));
/** Three homes importing 9 kW; batteries of 2.5, 5 and 2.5 kW, idle. */
const threeHomes = () => [home(2, 3_000, { maxW: 2_500 }), home(3, 4_000, { maxW: 5_000 }), home(4, 2_000, { maxW: 2_500 })];

const signal = (over: Partial<Congestion> = {}): Congestion => ({ id: "c1", feeder: "f-12", limit: 6_000, start: "2026-11-22T17:00:00Z", end: "2026-11-22T20:00:00Z", ...over });
const nodes = (...cs: Congestion[]) => new Map([["grid/f-12", new Map<string, Element>(cs.map((c) => [c.id, encodeCongestion(c)]))]]);

function plan(homes: Home[], ns = nodes(signal()), instructions: ReadonlyMap<string, TrackedInstruction> = new Map(), now = NOW) {
  return demandResponse().plan({ now, devices: devicesOf(homes), instructions, nodes: ns });
}
const instructs = (actions: AppAction[]) => actions.flatMap((a) => (a.type === "instruct" ? [a] : []));
const intents = (actions: AppAction[]) => instructs(actions).map((a) => [a.rid, a.intent]);

/** What the device's runtime checks before it accepts an instruction (src/device/runtime.ts #context). */
function deviceAccepts(d: DeviceState, draft: InstructionDraft): boolean {
  const ctx: EfiContext = {};
  const put = <K extends keyof EfiContext>(k: K, v: EfiContext[K] | undefined) => { if (v) ctx[k] = v; };
  put("storageSystemDescription", d.latest("StorageSystemDescription"));
  put("storageStatus", d.latest("StorageStatus"));
  put("adjustableSystemDescription", d.latest("AdjustableSystemDescription"));
  put("adjustableStatus", d.latest("AdjustableStatus"));
  return checkInstruction({ ...draft, header: { efiResourceId: d.rid, timestamp: NOW.toISOString() }, instructionId: "i" } as EfiInstruction, ctx).length === 0;
}

/** The power a battery instruction asks for, W. */
function plannedW(h: Home, draft: InstructionDraft): number {
  if (draft.kind !== "StorageInstruction") throw new Error(draft.kind);
  const a = draft.actuatorInstructions[0]!;
  const mode = h.battery.latest("StorageSystemDescription")!.actuatorBehaviours[0]!.runningModes.find((m) => m.id === a.runningModeId)!;
  return storageModeValues(mode, h.state.socPct, a.runningModeFactor ?? 0)!.electricalPower!;
}

/** The feeder's total once the instructed batteries run as asked, and what each battery moves, W. */
function modeled(homes: Home[], actions: AppAction[]) {
  const moved = new Map(instructs(actions).map((a) => {
    const h = homes.find((x) => x.battery.rid === a.rid)!;
    expect(deviceAccepts(h.battery, a.instruction), a.rid).toBe(true);
    return [h.battery.rid, plannedW(h, a.instruction) - h.state.powerW!] as const;
  }));
  return { total: feederTotal(devicesOf(homes)) + [...moved.values()].reduce((w, m) => w + m, 0), moved };
}

/** The app's record of what it sent, as the runtime keeps it. */
function tracked(actions: AppAction[], sentAt: Date, state: TrackedState = "ACCEPTED"): Map<string, TrackedInstruction> {
  return new Map(instructs(actions).map((a) => [a.rid, {
    id: `dr-${a.rid}`, rid: a.rid, intent: a.intent, instruction: { ...a.instruction, instructionId: `dr-${a.rid}` } as EfiInstruction,
    state, sentAt: sentAt.getTime(), history: [{ state, at: sentAt.getTime() }], deadline: Infinity,
  }]));
}

describe("the demand-response app", () => {
  it("searches and follows the grid node of every feeder it sees, or of the configured ones", () => {
    const other = online(new DeviceState("x", "x@d", { FEEDER: "f-13" }));
    const app = demandResponse();
    expect(app.name).toBe("dr");
    expect(app.search).toEqual([{ op: "strMask", name: "FEEDER", value: "*", wildcard: "*" }]);
    expect(app.follow!([...devicesOf(threeHomes()), other])).toEqual(["grid/f-12", "grid/f-13"]);
    const one = demandResponse({ feeders: ["f-12"] });
    expect(one.search).toEqual([{ op: "strEq", name: "FEEDER", value: "f-12" }]);
    expect(one.follow!([other])).toEqual(["grid/f-12"]);
    expect(() => demandResponse({ feeders: [] })).toThrow();
  });

  it("brings a feeder of three homes under the limit, each battery in proportion to what it can give", () => {
    const homes = threeHomes();
    expect(feederTotal(devicesOf(homes))).toBe(9_000);
    const actions = plan(homes);
    // 9 kW -> 6 kW less 5 % headroom: 3.3 kW, shared 2.5 : 5 : 2.5 (factors in steps of 0.05, rounded up).
    expect(intents(actions)).toEqual([
      ["home-2-battery", "dr import discharge 0.35"], ["home-3-battery", "dr import discharge 0.35"], ["home-4-battery", "dr import discharge 0.35"],
    ]);
    const { total, moved } = modeled(homes, actions);
    expect(total).toBeLessThanOrEqual(6_000 * 0.95);
    expect([...moved.values()]).toEqual([-875, -1_750, -875]);
  });

  it("counts what each device can still give: a charging battery down to idle, one held by its minimum mode time within its mode", () => {
    const homes = [
      home(2, 3_000, { maxW: 2_500 }),
      // Charging at 1 kW: it can give 1 kW (charge at 0 W, or idle; discharging is two steps away, through idle).
      home(3, 5_000, { maxW: 5_000, powerW: 1_000 }),
      // Charging at 2 kW, just switched with a 15 min minimum: it can only charge slower, down to 0 W.
      home(4, 4_000, { maxW: 2_500, powerW: 2_000, minModeSeconds: 900, switchedAt: at(-60) }),
    ];
    const actions = plan(homes);
    // Excess 12 kW - 5.7 kW = 6.3 kW > 2.5 + 1 + 2 kW that can be given: everyone gives all it can.
    expect(intents(actions)).toEqual([
      ["home-2-battery", "dr import discharge 1.00"], ["home-3-battery", "dr import charge 0.00"], ["home-4-battery", "dr import charge 0.00"],
    ]);
    expect([...modeled(homes, actions).moved.values()]).toEqual([-2_500, -1_000, -2_000]);

    // With less to give, the same devices share 2.4 kW in proportion 2.5 : 1 : 2 kW, each at least its share and less than a factor step (0.05 x its range) more.
    const lighter = [home(2, 3_000, { maxW: 2_500 }), home(3, 2_500, { maxW: 5_000, powerW: 1_000 }), home(4, 2_600, { maxW: 2_500, powerW: 2_000, minModeSeconds: 900, switchedAt: at(-60) })];
    const { total, moved } = modeled(lighter, plan(lighter));
    expect(total).toBeLessThanOrEqual(6_000 * 0.95);
    const gives = [2_500, 1_000, 2_000], excess = 8_100 - 5_700;
    [...moved.values()].forEach((m, i) => {
      const extra = -m - (excess * gives[i]!) / 5_500;
      expect(extra).toBeGreaterThanOrEqual(-1);
      expect(extra).toBeLessThan(0.05 * lighter[i]!.state.maxChargeW);
    });
  });

  it("counts a site without a connection meter by its devices' own power", () => {
    const homes = threeHomes();
    const other = online(new DeviceState("home-5-heater", "h5@d", { FEEDER: "f-12", SITE: "home-5" }));
    other.record([{ n: "power", v: 1_500, u: "W", t: NOW.getTime() }]);
    const battery = online(new DeviceState("home-5-battery", "b5@d", { FEEDER: "f-12", SITE: "home-5" }));
    battery.record([{ n: "power", v: -500, u: "W", t: NOW.getTime() }]);
    // The metered homes count by their meters only (their batteries are behind them).
    homes[0]!.battery.record([{ n: "power", v: -2_000, u: "W", t: NOW.getTime() }]);
    expect(feederTotal([...devicesOf(homes), other, battery])).toBe(9_000 + 1_500 - 500);
  });

  it("turns an EV charger (Adjustable) down with the batteries, by the same rule", () => {
    const homes = threeHomes();
    // home-5: an 11 kW charger (3 x 230 V x 6..16 A) charging at full power, behind a meter reading 12 kW.
    const o: MappingOptions = { ...ChargerConfigSchema.parse({ chargeBoxId: "CP" }), resourceId: "home-5-ev", chargingRateUnit: "A" };
    const s = { ...EMPTY, pluggedAt: NOW.getTime() - 3_600_000, powerW: 11_040 };
    const tags = { FEEDER: "f-12", SITE: "home-5" };
    const meter = online(new DeviceState("home-5-meter", "m5@d", { ...tags, ROLE: "grid" }));
    meter.record([{ n: "power", v: 12_000, u: "W", t: NOW.getTime() }]);
    const ev = online(new DeviceState("home-5-ev", "ev5@d", tags));
    ev.put(evAdjustable.registration({ vendor: "SIM", model: "EV" }, o, NOW));
    for (const m of evAdjustable.offer(s, o, undefined, NOW)) ev.put(m);
    ev.record([{ n: "power", v: 11_040, u: "W", t: NOW.getTime() }]);
    const devices = [...devicesOf(homes), ev, meter].sort((a, b) => a.rid.localeCompare(b.rid));

    // 21 kW against 15 kW: 6.75 kW from 2.5 + 5 + 2.5 + 11.04 kW that can be given (the charger down to idle).
    const actions = demandResponse().plan({ now: NOW, devices, instructions: new Map(), nodes: nodes(signal({ limit: 15_000 })) });
    const evAction = instructs(actions).find((a) => a.rid === "home-5-ev")!;
    expect(deviceAccepts(ev, evAction.instruction)).toBe(true);
    if (evAction.instruction.kind !== "AdjustableInstruction") throw new Error(evAction.instruction.kind);
    const evW = 4_140 + 6_900 * evAction.instruction.runningModeFactor!;
    const evShare = (6_750 * 11_040) / 21_040;
    expect(11_040 - evW).toBeGreaterThanOrEqual(evShare);
    expect(11_040 - evW).toBeLessThan(evShare + 0.05 * 6_900);
    const batteries = modeled(homes, actions.filter((a) => a.type === "instruct" && a.rid !== "home-5-ev"));
    expect(21_000 + (batteries.total - 9_000) - (11_040 - evW)).toBeLessThanOrEqual(15_000 * 0.95);
  });

  it("rounds factors towards more relief, so many small shares do not add up past the limit", () => {
    // 2837 W against 2 kW: 937 W from three 2.5 kW batteries, 0.125 each; to the nearest step (0.10) the feeder would stay at 2087 W.
    const homes = [home(2, 946, { maxW: 2_500 }), home(3, 946, { maxW: 2_500 }), home(4, 945, { maxW: 2_500 })];
    const actions = plan(homes, nodes(signal({ limit: 2_000 })));
    expect(intents(actions).map(([, intent]) => intent)).toEqual(Array(3).fill("dr import discharge 0.15"));
    expect(modeled(homes, actions).total).toBeLessThanOrEqual(2_000 * 0.95);
  });

  it("does nothing while the feeder is under the limit, before the signal starts or after it ended", () => {
    expect(plan(threeHomes(), nodes(signal({ limit: 12_000 })))).toEqual([]);
    // Within the headroom but under the limit: nothing either (the headroom is where it aims, not when it acts).
    expect(plan(threeHomes(), nodes(signal({ limit: 9_200 })))).toEqual([]);
    expect(intents(plan(threeHomes(), nodes(signal({ limit: 8_900 }))))).toHaveLength(3);
    expect(plan(threeHomes(), nodes(signal({ start: "2026-11-22T19:00:00Z" })))).toEqual([]);
    expect(plan(threeHomes(), nodes(signal({ end: "2026-11-22T18:00:00Z" })))).toEqual([]);
    expect(plan(threeHomes(), new Map())).toEqual([]);
  });

  it("does not send an unchanged plan again, and waits for readings that show what it asked before asking more", () => {
    const homes = threeHomes();
    const first = plan(homes);
    const sent = tracked(first, at(1));
    // Readings from before the instructions took effect (1 s processing delay): it waits for new ones;
    // past SETTLE_MAX_MS it plans on what it has: the same intents, which the runtime does not send again.
    expect(plan(homes, undefined, sent, at(2))).toEqual([]);
    expect(intents(plan(homes, undefined, sent, at(1 + 1 + SETTLE_MAX_MS / 1000)))).toEqual(intents(first));
    // The batteries report their new power before the meters read again: the plan waits (not 0.70 each).
    const moved = modeled(homes, first).moved;
    for (const h of homes) report(h, moved.get(h.battery.rid)!, at(3));
    expect(plan(homes, undefined, sent, at(3))).toEqual([]);
    // The meters have seen it: under the limit, what was asked holds.
    for (const h of homes) h.meter.record([{ n: "power", v: h.meter.sample("power")!.v + moved.get(h.battery.rid)!, t: at(4).getTime() }]);
    expect(feederTotal(devicesOf(homes))).toBe(5_500);
    expect(plan(homes, undefined, sent, at(5))).toEqual([]);
    // The load rises by 1 kW at home-2: the batteries are asked for more, in the same proportion.
    homes[0]!.meter.record([{ n: "power", v: 3_125, t: at(6).getTime() }]);
    expect(intents(plan(homes, undefined, sent, at(6)))).toEqual([
      ["home-2-battery", "dr import discharge 0.45"], ["home-3-battery", "dr import discharge 0.45"], ["home-4-battery", "dr import discharge 0.45"],
    ]);
  });

  it("revokes what it asked once no signal of that direction is in force", () => {
    const homes = threeHomes();
    const sent = tracked(plan(homes), at(1), "SUCCEEDED");
    const revokes = homes.map((h) => ({ type: "revoke", rid: h.battery.rid }));
    expect(plan(homes, nodes(signal({ end: at(10).toISOString() })), sent, at(10))).toEqual(revokes);
    // An export signal does not keep batteries discharging for an import one.
    expect(plan(homes, nodes(signal({ direction: "export", limit: 20_000 })), sent, at(10))).toEqual(revokes);
    // Another import signal in force keeps them.
    expect(plan(homes, nodes(signal({ end: at(10).toISOString() }), signal({ id: "c2", limit: 7_000 })), sent, at(10))).toEqual([]);
    // Instructions that did not hold are not revoked.
    expect(plan(homes, new Map(), tracked(plan(homes), at(1), "REJECTED"), at(10))).toEqual([]);
  });

  it("holds the tightest limit in force on the feeder", () => {
    expect(intents(plan(threeHomes(), nodes(signal({ limit: 8_000 }), signal({ id: "c2", limit: 6_000 }))))).toEqual(intents(plan(threeHomes())));
  });

  it("holds an export limit with the batteries charging, in the same proportion", () => {
    // A sunny noon: the homes export 9 kW.
    const homes = [home(2, -3_000, { maxW: 2_500 }), home(3, -4_000, { maxW: 5_000 }), home(4, -2_000, { maxW: 2_500 })];
    const actions = plan(homes, nodes(signal({ direction: "export" })));
    expect(intents(actions)).toEqual([
      ["home-2-battery", "dr export charge 0.35"], ["home-3-battery", "dr export charge 0.35"], ["home-4-battery", "dr export charge 0.35"],
    ]);
    expect(-modeled(homes, actions).total).toBeLessThanOrEqual(5_700);
    expect(plan(homes, nodes(signal()))).toEqual([]); // an import limit says nothing of export.
  });

  it("gives no share to a device provisioning does not let it control", () => {
    const refused = new Map([["home-3-battery", { id: "dr-1", rid: "home-3-battery", state: "FAILED", info: "forbidden: dr.d may not ..." } as TrackedInstruction]]);
    // 3.3 kW shared by the two others alone (0.66 each, up to the next factor step: 0.65 would fall short).
    const homes = threeHomes(), actions = plan(homes, undefined, refused);
    expect(intents(actions)).toEqual([["home-2-battery", "dr import discharge 0.70"], ["home-4-battery", "dr import discharge 0.70"]]);
    expect(modeled(homes, actions).total).toBeLessThanOrEqual(6_000 * 0.95);
  });

  it("skips a signal item that does not parse, or names another feeder", () => {
    const bad = x("congestion", { xmlns: "urn:flexfed:grid:0", id: "bad", feeder: "f-12", limit: "lots", start: signal().start, end: signal().end });
    expect(plan(threeHomes(), new Map([["grid/f-12", new Map([["bad", bad]])]]))).toEqual([]);
    expect(plan(threeHomes(), new Map([["grid/f-12", new Map([["c1", encodeCongestion(signal({ feeder: "f-13" }))]])]]))).toEqual([]);
  });
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import * as bat from "../../drivers/sunspec-battery/mapping.ts";
import type { BatteryState } from "../../drivers/sunspec-battery/state.ts";
import { acceptable } from "../../src/app/flexibility.ts";
import { DeviceState, type Presence } from "../../src/app/model.ts";
import type { TrackedInstruction } from "../../src/app/tracker.ts";
import type { AppAction } from "../../src/app/types.ts";
import { REPO_ROOT } from "../../test/efi/xsd.ts";
import { demandResponse, encodeCongestion, feederTotal, parseCongestion, type Congestion } from "./index.ts";

const NOW = new Date("2026-11-22T18:00:00Z");
const online = (d: DeviceState) => Object.assign(d, { presence: "online" as Presence, fullJid: `${d.jid}/r` });

function home(n: number, meterW: number, battery: { socPct: number; maxW: number; powerW?: number }) {
  const tags = { FEEDER: "f-12", SITE: `home-${n}` };
  const meter = online(new DeviceState(`home-${n}-meter`, `m${n}@d`, { ...tags, ROLE: "grid" }));
  meter.put({ kind: "InflexibleRegistration", header: { efiResourceId: meter.rid, timestamp: NOW.toISOString() }, instructionProcessingDelay: "PT1S", deviceDescription: {}, supportedCommodity: ["ELECTRICITY"] } as never);
  meter.record([{ n: "power", v: meterW, u: "W", t: NOW.getTime() }]);
  const s = { nameplate: { manufacturer: "SIM", model: "B", serialNumber: `${n}` }, socPct: battery.socPct, powerW: battery.powerW ?? 0, capacityWh: 10_000, maxChargeW: battery.maxW, maxDischargeW: battery.maxW, control: { mode: "idle", ratePct: 0 }, reserve: { minPct: 5 } } as BatteryState;
  const o = { resourceId: `home-${n}-battery`, minModeSeconds: 0 };
  const b = online(new DeviceState(o.resourceId, `b${n}@d`, tags));
  b.put(bat.registration(s, o, NOW));
  b.put(bat.systemDescription(s, o, NOW));
  b.put(bat.status(s, o, { mode: bat.currentMode(s).mode }, NOW));
  b.record([{ n: "power", v: s.powerW!, u: "W", t: NOW.getTime() }]);
  return [meter, b];
}

const signal = (over: Partial<Congestion> = {}): Congestion => ({ id: "c1", feeder: "f-12", limit: 6_000, start: "2026-11-22T17:00:00Z", end: "2026-11-22T20:00:00Z", ...over });
const nodes = (...cs: Congestion[]) => new Map([["grid/f-12", new Map<string, Element>(cs.map((c) => [c.id, encodeCongestion(c)]))]]);

function plan(devices: DeviceState[], ns = nodes(signal()), instructions = new Map<string, TrackedInstruction>(), now = NOW) {
  return demandResponse().plan({ now, devices: [...devices].sort((a, b) => a.rid.localeCompare(b.rid)), instructions, nodes: ns });
}
const feeder = () => [...home(2, 3_000, { socPct: 60, maxW: 2_500 }), ...home(3, 4_000, { socPct: 80, maxW: 5_000 }), ...home(4, 2_000, { socPct: 50, maxW: 2_500 })];
/** What the planned discharges take off the feeder, W. */
const relief = (actions: AppAction[], devices: DeviceState[]) => actions.reduce((w, a) => {
  if (a.type !== "instruct" || a.instruction.kind !== "StorageInstruction") return w;
  const f = a.instruction.actuatorInstructions[0]!;
  const d = devices.find((x) => x.rid === a.rid)!;
  const max = Number(d.latest("StorageSystemDescription")!.actuatorBehaviours[0]!.runningModes.find((m) => m.id === f.runningModeId)!.label === "discharge" ? 1 : 0);
  const maxW = d.rid === "home-3-battery" ? 5_000 : 2_500;
  return w + max * (f.runningModeFactor ?? 0) * maxW;
}, 0);

describe("the demand-response app", () => {
  it("follows the grid node of every feeder it sees", () => {
    expect(demandResponse().follow!(feeder())).toEqual(["grid/f-12"]);
  });

  it("brings a feeder of three homes under the signal's limit, each battery in proportion to what it can give", () => {
    const devices = feeder();
    expect(feederTotal(devices)).toBe(9_000);
    const actions = plan(devices);
    expect(actions.map((a) => a.type === "instruct" && [a.rid, a.intent])).toEqual([
      // 9 kW -> under 6 kW less 5 % headroom: 3.3 kW, shared 2.5 : 5 : 2.5.
      ["home-2-battery", "dr discharge 0.35"], ["home-3-battery", "dr discharge 0.35"], ["home-4-battery", "dr discharge 0.35"],
    ]);
    expect(9_000 - relief(actions, devices)).toBeLessThanOrEqual(6_000);
    for (const a of actions) if (a.type === "instruct") expect(acceptable(devices.find((d) => d.rid === a.rid)!, a.instruction, NOW)).toBe(true);
  });

  it("does nothing while the feeder is under the limit, or before the signal starts", () => {
    expect(plan(feeder(), nodes(signal({ limit: 12_000 })))).toEqual([]);
    expect(plan(feeder(), nodes(signal({ start: "2026-11-22T19:00:00Z" })))).toEqual([]);
  });

  it("revokes what it asked once the signal has ended", () => {
    const held = new Map([["home-3-battery", { id: "dr-1", rid: "home-3-battery", state: "SUCCEEDED" } as TrackedInstruction]]);
    expect(plan(feeder(), nodes(signal({ end: "2026-11-22T17:30:00Z" })), held)).toEqual([{ type: "revoke", rid: "home-3-battery" }]);
  });

  it("gives no share to a device provisioning does not let it control", () => {
    const refused = new Map([["home-3-battery", { id: "dr-1", rid: "home-3-battery", state: "FAILED", info: "forbidden: dr.d may not ..." } as TrackedInstruction]]);
    // 3.3 kW shared by the two others alone.
    const actions = plan(feeder(), undefined, refused);
    expect(actions.map((a) => a.type === "instruct" && [a.rid, a.intent])).toEqual([["home-2-battery", "dr discharge 0.65"], ["home-4-battery", "dr discharge 0.65"]]);
  });

  it("skips a signal item that does not parse", () => {
    const ns = new Map([["grid/f-12", new Map([["bad", x("congestion", { xmlns: "urn:flexfed:grid:0", id: "bad", feeder: "f-12", limit: "lots" })]])]]);
    expect(plan(feeder(), ns)).toEqual([]);
  });
});

describe("the congestion signal", () => {
  it("round-trips and validates against schemas/grid.xsd", () => {
    const c = signal({ limit: 12_500 });
    expect(parseCongestion(encodeCongestion(c))).toEqual(c);
    const dir = mkdtempSync(path.join(tmpdir(), "grid-"));
    try {
      writeFileSync(path.join(dir, "c.xml"), encodeCongestion(c).toString());
      expect(execFileSync("xmllint", ["--noout", "--schema", path.join(REPO_ROOT, "schemas/grid.xsd"), path.join(dir, "c.xml")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says which attribute is wrong", () => {
    const el = (attrs: Record<string, string>) => x("congestion", { xmlns: "urn:flexfed:grid:0", id: "c", feeder: "f", limit: "5", start: "2026-01-01T00:00:00Z", end: "2026-01-01T01:00:00Z", ...attrs });
    expect(() => parseCongestion(el({ limit: "-5" }))).toThrow(/@limit/);
    expect(() => parseCongestion(el({ end: "2025-01-01T00:00:00Z" }))).toThrow(/@end: must be after start/);
    expect(() => parseCongestion(el({ start: "tomorrow" }))).toThrow(/@start/);
  });
});

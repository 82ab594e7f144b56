import { describe, expect, it } from "vitest";
import { DeviceState, type Presence, type Tags } from "../../src/app/model.ts";
import type { TrackedInstruction, TrackedState } from "../../src/app/tracker.ts";
import type { PlanContext } from "../../src/app/types.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import { encodeAlarm, monitor, parseAlarm, type Alarm } from "./index.ts";

const T0 = Date.parse("2026-11-22T12:00:00Z");
const iso = (t: number) => new Date(t).toISOString();

function device(rid = "p1", tags: Tags = { SITE: "home-1" }, presence: Presence = "online"): DeviceState {
  return Object.assign(new DeviceState(rid, `${rid}@localhost`, tags), { presence, fullJid: `${rid}@localhost/x` });
}

/** A monitor planned at chosen times; each plan's publishes as [node, item id, alarm], checked to be what the item holds. */
function planner(config: unknown = {}) {
  const app = monitor(config);
  return {
    app,
    at(t: number, devices: DeviceState[], instructions = new Map<string, TrackedInstruction>(), nodes: PlanContext["nodes"] = new Map()) {
      return app.plan({ now: new Date(t), devices, instructions, nodes }).map((a) => {
        if (a.type !== "publish") throw new Error(`unexpected ${a.type}`);
        const alarm = parseAlarm(a.payload);
        expect(a.itemId).toBe(alarm.id);
        return { node: a.node, alarm };
      });
    },
  };
}
const states = (changes: { alarm: Alarm }[]) => changes.map(({ alarm: a }) => `${a.id} ${a.state}`);

describe("the monitor's conditions", () => {
  it("raises a voltage alarm once with its value and limit, holds it in the margin and clears it once back inside", () => {
    const p = planner(), d = device();
    d.record([{ n: "1-0:32.7.0", v: 231, u: "V", t: T0 }, { n: "1-0:52.7.0", v: 260, u: "V", t: T0 }]);
    const [raised, ...more] = p.at(T0, [d]);
    expect(more).toEqual([]);
    expect(raised).toEqual({
      node: "alarms/home-1",
      alarm: { id: "voltage:p1", kind: "voltage", device: "p1", state: "raised", severity: "critical", since: iso(T0), value: 260, limit: 253, text: "p1 measures 260 V on 1-0:52.7.0, outside 207-253 V (EN 50160)" },
    });
    expect(p.at(T0 + 1000, [d])).toEqual([]);
    // 252 V is inside the limits but within the 2 V margin: no change either way.
    d.record([{ n: "1-0:52.7.0", v: 252, u: "V", t: T0 + 2000 }]);
    expect(p.at(T0 + 2000, [d])).toEqual([]);
    d.record([{ n: "1-0:52.7.0", v: 231, u: "V", t: T0 + 3000 }]);
    const cleared = p.at(T0 + 3000, [d]);
    expect(cleared).toMatchObject([{ node: "alarms/home-1", alarm: { id: "voltage:p1", state: "cleared", since: iso(T0 + 3000), value: 231, limit: 253 } }]);
    expect(p.at(T0 + 4000, [d])).toEqual([]);
    // Back on the edge: still nothing (the alarm raises only outside 207-253 V).
    d.record([{ n: "1-0:52.7.0", v: 252, u: "V", t: T0 + 5000 }]);
    expect(p.at(T0 + 5000, [d])).toEqual([]);
    expect(p.app.raised).toBe(1);
  });

  it("warns of a low voltage and publishes again when it falls below 230 V - 15 %", () => {
    const p = planner(), d = device();
    d.record([{ n: "voltageL1", v: 205, u: "V", t: T0 }]);
    expect(p.at(T0, [d])[0]!.alarm).toMatchObject({ severity: "warning", value: 205, limit: 207 });
    d.record([{ n: "voltageL1", v: 190, u: "V", t: T0 + 1000 }]);
    expect(p.at(T0 + 1000, [d])[0]!.alarm).toMatchObject({ state: "raised", severity: "critical", value: 190, since: iso(T0) });
    d.record([{ n: "voltageL1", v: 200, u: "V", t: T0 + 2000 }]);
    expect(p.at(T0 + 2000, [d])).toEqual([]);
  });

  it("judges every phase: one above 253 V makes the alarm critical though another is farther below 207 V", () => {
    const d = device();
    d.record([{ n: "voltageL1", v: 198, u: "V", t: T0 }, { n: "voltageL2", v: 254, u: "V", t: T0 }, { n: "voltageL3", v: 230, u: "V", t: T0 }]);
    expect(planner().at(T0, [d])).toMatchObject([{ alarm: { severity: "critical", value: 198, limit: 207 } }]);
  });

  it("ignores a battery's DC voltage", () => {
    const d = device();
    d.record([{ n: "dcVoltage", v: 400, u: "V", t: T0 }]);
    expect(planner().at(T0, [d])).toEqual([]);
  });

  it("raises a critical frequency alarm outside 49.5-50.5 Hz and clears it inside 49.55-50.45 Hz", () => {
    const p = planner(), d = device();
    d.record([{ n: "frequency", v: 49.4, u: "Hz", t: T0 }]);
    expect(p.at(T0, [d])[0]!.alarm).toMatchObject({ kind: "frequency", value: 49.4, limit: 49.5, severity: "critical" });
    d.record([{ n: "frequency", v: 49.52, u: "Hz", t: T0 + 1000 }]);
    expect(p.at(T0 + 1000, [d])).toEqual([]);
    d.record([{ n: "frequency", v: 50.01, u: "Hz", t: T0 + 2000 }]);
    expect(states(p.at(T0 + 2000, [d]))).toEqual(["frequency:p1 cleared"]);
  });

  it("raises offline when the device goes away and clears it when it is back; a lost device says why", () => {
    const p = planner(), d = device("p1", { SITE: "home-1" }, "unknown");
    d.record([{ n: "power", v: 1, u: "W", t: T0 }]);
    expect(p.at(T0, [d])).toEqual([]);
    d.presence = "offline";
    expect(p.at(T0 + 1, [d])).toMatchObject([{ alarm: { id: "offline:p1", state: "raised", severity: "critical" } }]);
    expect(p.at(T0 + 2, [d])).toEqual([]);
    d.presence = "lost";
    d.lostReason = "Modbus timeout";
    const lost = p.at(T0 + 3, [d]);
    expect(states(lost)).toEqual(["offline:p1 cleared", "lost:p1 raised"]);
    expect(lost[1]!.alarm.text).toBe("p1 lost its equipment: Modbus timeout");
    d.presence = "online";
    expect(states(p.at(T0 + 4, [d]))).toEqual(["lost:p1 cleared"]);
  });

  it("raises silent when an online device sends nothing for longer than silentAfterMs, and gives a returning device that long", () => {
    const p = planner({ silentAfterMs: 10_000 }), d = device();
    d.record([{ n: "power", v: 1, u: "W", t: T0 }]);
    expect(p.at(T0, [d])).toEqual([]);
    expect(p.at(T0 + 10_000, [d])).toEqual([]);
    expect(p.at(T0 + 10_001, [d])[0]!.alarm).toMatchObject({ id: "silent:p1", state: "raised", severity: "warning", value: 10, limit: 10 });
    d.record([{ n: "power", v: 1, u: "W", t: T0 + 10_500 }]);
    expect(states(p.at(T0 + 10_600, [d]))).toEqual(["silent:p1 cleared"]);
    // Away for a minute, back without measuring yet: not silent before it had 10 s.
    d.presence = "offline";
    p.at(T0 + 20_000, [d]);
    d.presence = "online";
    expect(states(p.at(T0 + 80_000, [d]))).toEqual(["offline:p1 cleared"]);
    expect(p.at(T0 + 90_000, [d])).toEqual([]);
    expect(states(p.at(T0 + 90_001, [d]))).toEqual(["silent:p1 raised"]);
  });

  it("raises a state-of-charge alarm outside the battery's limits, from telemetry or from its Storage fill level", () => {
    const p = planner(), d = device("bat");
    d.record([{ n: "soc", v: 6, u: "%EL", t: T0 }]);
    expect(p.at(T0, [d])[0]!.alarm).toMatchObject({ id: "soc:bat", value: 6, limit: 10, severity: "warning" });
    expect(planner({ soc: { min: 5, max: 100 } }).at(T0, [d])).toEqual([]);
    d.record([{ n: "soc", v: 11, u: "%EL", t: T0 + 1000 }]);
    expect(p.at(T0 + 1000, [d])).toEqual([]);
    d.record([{ n: "soc", v: 50, u: "%EL", t: T0 + 2000 }]);
    expect(states(p.at(T0 + 2000, [d]))).toEqual(["soc:bat cleared"]);

    const storage = device("storage-1");
    const header = { efiResourceId: "storage-1", timestamp: iso(T0) };
    storage.put({ kind: "StorageRegistration", header, instructionProcessingDelay: "PT1S", fillLevelLabel: "SoC", fillLevelUnit: "%", actuators: [] } as unknown as EfiMessage);
    storage.put({ kind: "StorageStatus", header, flexibilityUpdateId: "u1", currentFillLevel: 97.5 } as unknown as EfiMessage);
    storage.record([{ n: "power", v: 0, u: "W", t: T0 }]);
    expect(planner().at(T0, [storage])[0]!.alarm).toMatchObject({ id: "soc:storage-1", value: 97.5, limit: 95 });
  });

  it("leaves a car's state of charge to its driver", () => {
    const ev = device("ev-1", { SITE: "home-1", CLASS: "Electrical Vehicle" });
    ev.record([{ n: "soc", v: 100, u: "%EL", t: T0 }]);
    expect(planner().at(T0, [ev])).toEqual([]);
  });

  it("raises for a timed-out, failed or aborted instruction and clears when a later one succeeds", () => {
    const p = planner(), d = device();
    d.record([{ n: "power", v: 1, u: "W", t: T0 }]);
    const tracked = (id: string, state: TrackedState, at: number, info?: string) =>
      new Map([["p1", { id, rid: "p1", intent: "x", state, sentAt: at, history: [{ state, at }], deadline: at, ...(info ? { info } : {}) } as unknown as TrackedInstruction]]);
    expect(p.at(T0, [d], tracked("i1", "TIMEOUT", T0, "no answer"))).toMatchObject([{ alarm: { id: "instruction:p1", state: "raised", text: "instruction i1 to p1 ended TIMEOUT: no answer" } }]);
    expect(p.at(T0 + 1, [d], tracked("i2", "ACCEPTED", T0 + 1))).toEqual([]);
    expect(p.at(T0 + 2, [d], tracked("i2", "FAILED", T0 + 2, "forbidden"))).toEqual([]);
    expect(p.at(T0 + 3, [d], tracked("i3", "SUCCEEDED", T0 + 3))).toMatchObject([{ alarm: { state: "cleared", text: "instruction i3 to p1 ended SUCCEEDED" } }]);
    expect(p.at(T0 + 4, [d], tracked("i3", "SUCCEEDED", T0 + 3))).toEqual([]);

    // Another app's instruction, seen on the device's node: an aborted one raises, one its app revoked does not.
    const status = (id: string, status: "ABORTED" | "SUCCEEDED", at: number, debugInformation: string) =>
      d.put({ kind: "InstructionStatusUpdate", header: { efiResourceId: "p1", timestamp: iso(at) }, instructionId: id, status, debugInformation });
    status("b-1", "ABORTED", T0 + 5, "device refused the setpoint");
    expect(p.at(T0 + 5, [d])).toMatchObject([{ alarm: { state: "raised", text: "instruction b-1 to p1 ended ABORTED: device refused the setpoint" } }]);
    status("b-2", "ABORTED", T0 + 6, "revoked by balancer.localhost");
    expect(p.at(T0 + 6, [d])).toMatchObject([{ alarm: { state: "cleared", text: "instruction b-2 to p1 ended revoked by balancer.localhost" } }]);
    status("b-3", "ABORTED", T0 + 7, "superseded by instruction b-4");
    expect(p.at(T0 + 7, [d])).toEqual([]);
  });

  it("watches only the configured sites, and asks the registry for the one site it watches", () => {
    const d = device();
    d.presence = "offline";
    const p = planner({ sites: ["home-2"] });
    expect(p.at(T0, [d])).toEqual([]);
    expect(p.app.search).toEqual([{ op: "strEq", name: "SITE", value: "home-2" }]);
    expect(planner().app.search).toEqual([{ op: "strMask", name: "SITE", value: "*", wildcard: "*" }]);
    expect(planner({ sites: ["home-1", "home-2"] }).at(T0, [d])).toHaveLength(1);
  });

  it("refuses a bad configuration with the field's path", () => {
    expect(() => monitor({ voltage: { min: 250, max: 240 } })).toThrow(/min \+ 2 x margin must be below max/);
    expect(() => monitor({ silentAfterMs: -1 })).toThrow(/silentAfterMs/);
    expect(() => monitor({ colour: "red" })).toThrow(/colour/);
  });
});

describe("the monitor's book across a restart", () => {
  it("follows its sites' alarms nodes, clears what ended while it was away and does not raise twice what still holds", () => {
    const p = planner(), d = device(), bat = device("bat", { SITE: "home-1" });
    d.record([{ n: "voltageL1", v: 260, u: "V", t: T0 }]);
    bat.record([{ n: "power", v: 0, u: "W", t: T0 }]);
    expect(p.app.follow!([d, bat, device("x", {})])).toEqual(["alarms/home-1"]);
    const earlier = (id: string, kind: Alarm["kind"], device: string): [string, ReturnType<typeof encodeAlarm>] =>
      [id, encodeAlarm({ id, kind, device, state: "raised", severity: "critical", since: "2026-11-22T11:00:00Z", text: "earlier" })];
    const nodes = new Map([["alarms/home-1", new Map([earlier("voltage:p1", "voltage", "p1"), earlier("offline:bat", "offline", "bat")])]]);
    expect(states(p.at(T0, [d, bat], new Map(), nodes))).toEqual(["offline:bat cleared"]);
    expect(p.at(T0 + 1000, [d, bat], new Map(), nodes)).toEqual([]);
    expect(p.app.active).toMatchObject([{ id: "voltage:p1", since: "2026-11-22T11:00:00Z" }]);
  });

  it("clears the alarms of a device it no longer finds, after silentAfterMs", () => {
    const p = planner({ silentAfterMs: 10_000 }), d = device();
    d.presence = "offline";
    expect(states(p.at(T0, [d]))).toEqual(["offline:p1 raised"]);
    expect(p.at(T0 + 10_000, [])).toEqual([]);
    expect(p.at(T0 + 10_001, [])).toMatchObject([{ alarm: { id: "offline:p1", state: "cleared", text: expect.stringMatching(/no longer sees p1/) } }]);
  });
});

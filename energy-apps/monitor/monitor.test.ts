import { createElement as x } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { DeviceState, type Presence } from "../../src/app/model.ts";
import type { TrackedInstruction } from "../../src/app/tracker.ts";
import type { AppAction, PlanContext } from "../../src/app/types.ts";
import { REPO_ROOT } from "../../test/efi/xsd.ts";
import { encodeAlarm, monitor, parseAlarm, type Alarm } from "./index.ts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const T0 = Date.parse("2026-11-22T12:00:00Z");
const meter = () => Object.assign(new DeviceState("p1", "p1@d", { SITE: "home-1" }), { presence: "online" as Presence, fullJid: "p1@d/x" });

function planner(config: unknown = {}) {
  const app = monitor(config);
  return {
    app,
    at(t: number, devices: DeviceState[], instructions = new Map<string, TrackedInstruction>()) {
      const ctx: PlanContext = { now: new Date(t), devices, instructions, nodes: new Map() };
      return app.plan(ctx).map((a: AppAction) => {
        if (a.type !== "publish") throw new Error(`unexpected ${a.type}`);
        return { node: a.node, alarm: parseAlarm(a.payload) };
      });
    },
  };
}

describe("the monitor", () => {
  it("raises a voltage alarm once with its value and limit, and clears it once back inside the band", () => {
    const p = planner(), d = meter();
    d.record([{ n: "1-0:32.7.0", v: 231, u: "V", t: T0 }, { n: "1-0:52.7.0", v: 260, u: "V", t: T0 }]);
    const raised = p.at(T0, [d]);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ node: "alarms/home-1", alarm: { id: "voltage:p1", kind: "voltage", state: "raised", value: 260, limit: 253, device: "p1" } });
    expect(p.at(T0 + 1000, [d])).toEqual([]);
    // 252 V is inside the limits but within the 2 V margin: still raised (no flapping).
    d.record([{ n: "1-0:52.7.0", v: 252, u: "V", t: T0 + 2000 }]);
    expect(p.at(T0 + 2000, [d])).toEqual([]);
    d.record([{ n: "1-0:52.7.0", v: 231, u: "V", t: T0 + 3000 }]);
    expect(p.at(T0 + 3000, [d]).map((c) => [c.alarm.id, c.alarm.state])).toEqual([["voltage:p1", "cleared"]]);
    expect(p.app.raised).toBe(1);
  });

  it("ignores a battery's DC voltage", () => {
    const d = meter();
    d.record([{ n: "dcVoltage", v: 400, u: "V", t: T0 }]);
    expect(planner().at(T0, [d])).toEqual([]);
  });

  it("raises a frequency alarm outside 49.5-50.5 Hz", () => {
    const d = meter();
    d.record([{ n: "frequency", v: 49.4, u: "Hz", t: T0 }]);
    expect(planner().at(T0, [d])[0]!.alarm).toMatchObject({ kind: "frequency", value: 49.4, limit: 49.5, severity: "critical" });
  });

  it("raises offline when the device goes away and clears it when it is back; a lost device says why", () => {
    const p = planner(), d = meter();
    d.record([{ n: "power", v: 1, u: "W", t: T0 }]);
    d.presence = "offline";
    expect(p.at(T0, [d]).map((c) => [c.alarm.kind, c.alarm.state])).toEqual([["offline", "raised"]]);
    d.presence = "lost";
    d.lostReason = "Modbus timeout";
    const lost = p.at(T0 + 1, [d]).map((c) => [c.alarm.kind, c.alarm.state, c.alarm.text]);
    expect(lost).toContainEqual(["offline", "cleared", expect.any(String)]);
    expect(lost).toContainEqual(["lost", "raised", "p1 lost its equipment: Modbus timeout"]);
    d.presence = "online";
    expect(p.at(T0 + 2, [d]).map((c) => [c.alarm.kind, c.alarm.state])).toEqual([["lost", "cleared"]]);
  });

  it("raises silent when an online device sends nothing for longer than silentAfterMs", () => {
    const p = planner({ silentAfterMs: 10_000 }), d = meter();
    d.record([{ n: "power", v: 1, u: "W", t: T0 }]);
    expect(p.at(T0 + 10_000, [d])).toEqual([]);
    expect(p.at(T0 + 10_001, [d])[0]!.alarm).toMatchObject({ kind: "silent", limit: 10 });
    d.record([{ n: "power", v: 1, u: "W", t: T0 + 10_500 }]);
    expect(p.at(T0 + 10_600, [d])[0]!.alarm.state).toBe("cleared");
  });

  it("raises a state-of-charge alarm outside the battery's limits", () => {
    const d = meter();
    d.record([{ n: "soc", v: 6, u: "%EL", t: T0 }]);
    expect(planner().at(T0, [d])[0]!.alarm).toMatchObject({ kind: "soc", value: 6, limit: 10 });
    expect(planner({ soc: { min: 5, max: 100 } }).at(T0, [d])).toEqual([]);
  });

  it("raises for an aborted or timed-out instruction and clears when a later one succeeds", () => {
    const p = planner(), d = meter();
    d.record([{ n: "power", v: 1, u: "W", t: T0 }]);
    const tracked = (id: string, state: TrackedInstruction["state"], at: number) =>
      new Map([["p1", { id, rid: "p1", intent: "x", state, sentAt: at, history: [{ state, at }], deadline: at, info: "no answer" } as unknown as TrackedInstruction]]);
    expect(p.at(T0, [d], tracked("i1", "TIMEOUT", T0))[0]!.alarm).toMatchObject({ kind: "instruction", text: "instruction i1 to p1 ended TIMEOUT: no answer" });
    expect(p.at(T0 + 1, [d], tracked("i2", "ACCEPTED", T0 + 1))).toEqual([]);
    expect(p.at(T0 + 2, [d], tracked("i2", "SUCCEEDED", T0 + 2))[0]!.alarm.state).toBe("cleared");
    // Another app's instruction, seen on the device's node.
    d.put({ kind: "InstructionStatusUpdate", header: { efiResourceId: "p1", timestamp: new Date(T0 + 3).toISOString() }, instructionId: "b-1", status: "ABORTED", debugInformation: "device lost" });
    expect(p.at(T0 + 3, [d])[0]!.alarm).toMatchObject({ kind: "instruction", text: "instruction b-1 to p1 ended ABORTED: device lost" });
  });

  it("leaves sites it is not configured for alone", () => {
    const d = meter();
    d.presence = "offline";
    expect(planner({ sites: ["home-2"] }).at(T0, [d])).toEqual([]);
  });
});

describe("the alarm format", () => {
  const alarm: Alarm = { id: "voltage:p1", kind: "voltage", device: "p1", state: "raised", severity: "warning", since: "2026-11-22T12:00:00.000Z", value: 260, limit: 253, text: "p1 measures 260 V" };

  it("round-trips and validates against schemas/alarm.xsd", () => {
    expect(parseAlarm(encodeAlarm(alarm))).toEqual(alarm);
    const dir = mkdtempSync(path.join(tmpdir(), "alarm-"));
    try {
      const file = path.join(dir, "a.xml");
      writeFileSync(file, encodeAlarm(alarm).toString());
      const out = execFileSync("xmllint", ["--noout", "--schema", path.join(REPO_ROOT, "schemas/alarm.xsd"), file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(out).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says what is wrong with a bad alarm", () => {
    expect(() => parseAlarm(x("alarm", { xmlns: "urn:flexfed:alarm:0", id: "a", kind: "smoke", device: "d", state: "raised", severity: "warning", since: "2026-11-22T12:00:00Z" }, "t"))).toThrow(/@kind/);
    expect(() => parseAlarm(x("alarm", { xmlns: "urn:other" }))).toThrow(/expected <alarm/);
  });
});

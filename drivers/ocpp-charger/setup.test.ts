// The central system's set-up of a charge point after boot: what it reads, sets and triggers, and
// how it copes with a charge point that refuses.
import { afterEach, describe, expect, it, vi } from "vitest";
import { logger } from "../../src/log/index.ts";
import { plan, rateUnit, stackLevel, trigger } from "./setup.ts";
import { rig, type Rig } from "./test-rig.ts";

const rigs: Rig[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const r of rigs.splice(0).reverse()) await r.stop();
});
const start = async (...args: Parameters<typeof rig>) => {
  const r = await rig(...args);
  rigs.push(r);
  return r;
};
const key = (k: string, value: string, readonly = false) => ({ key: k, value, readonly });

describe("plan", () => {
  it("reads rate units and the highest stack level, and adds what flexfed samples to what the charge point samples", () => {
    const { configuration, changes } = plan({
      configurationKey: [
        key("ChargingScheduleAllowedChargingRateUnit", "Current, Power", true), key("ChargeProfileMaxStackLevel", "3", true),
        key("MeterValuesSampledData", "Energy.Active.Import.Register,Voltage"), key("MeterValueSampleInterval", "60"),
      ],
      unknownKey: [],
    }, 15);
    expect(configuration).toEqual({ rateUnits: ["A", "W"], maxStackLevel: 3 });
    expect(changes).toEqual([
      ["MeterValueSampleInterval", "15"],
      ["MeterValuesSampledData", "Energy.Active.Import.Register,Voltage,Power.Active.Import,SoC"],
    ]);
  });

  it("changes nothing that is right already, and assumes nothing the charge point does not say", () => {
    const { configuration, changes } = plan({
      configurationKey: [key("MeterValuesSampledData", "SoC,Power.Active.Import,Energy.Active.Import.Register"), key("MeterValueSampleInterval", "10"), key("ChargeProfileMaxStackLevel", "many")],
      unknownKey: ["ChargingScheduleAllowedChargingRateUnit"],
    }, 10);
    expect(configuration).toEqual({});
    expect(changes).toEqual([]);
  });

  it("picks A for auto unless the charge point allows only W, and clamps the stack level", () => {
    expect(rateUnit("auto", {})).toBe("A");
    expect(rateUnit("auto", { rateUnits: ["A", "W"] })).toBe("A");
    expect(rateUnit("auto", { rateUnits: ["W"] })).toBe("W");
    expect(rateUnit("W", { rateUnits: ["A"] })).toBe("W");
    expect(stackLevel(5, { maxStackLevel: 2 })).toBe(2);
    expect(stackLevel(1, { maxStackLevel: 2 })).toBe(1);
    expect(stackLevel(5, {})).toBe(5);
  });
});

describe("set-up after boot, against the simulated charge point", () => {
  it("reads the configuration, sets the sample interval and sampled data, then triggers the connector's status and meter values", async () => {
    const r = await start({ meterIntervalSeconds: 15 });
    await r.connect();
    const calls = r.sim.received;
    expect(calls.map((c) => c.method)).toEqual(["GetConfiguration", "ChangeConfiguration", "ChangeConfiguration", "TriggerMessage", "TriggerMessage"]);
    expect(calls[0]!.params).toEqual({ key: ["ChargingScheduleAllowedChargingRateUnit", "ChargeProfileMaxStackLevel", "MeterValuesSampledData", "MeterValueSampleInterval"] });
    expect(calls.slice(1).map((c) => c.params)).toEqual([
      { key: "MeterValueSampleInterval", value: "15" },
      { key: "MeterValuesSampledData", value: "Energy.Active.Import.Register,Current.Import,Power.Active.Import,SoC" },
      { requestedMessage: "StatusNotification", connectorId: 1 },
      { requestedMessage: "MeterValues", connectorId: 1 },
    ]);
    expect(r.sim.configuration("MeterValueSampleInterval")).toBe("15");
    // The triggered meter values tell the register without waiting for a transaction.
    await expect.poll(() => r.driver.state.registerWh).toBe(1000);
  });

  it("goes on without what a charge point refuses (logged), and limits in W at the highest stack level it allows", async () => {
    const warnings: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((line) => (warnings.push(String(line)), true));
    const r = await start({ stackLevel: 3, remoteStartIdTag: "flexfed" }, {
      configuration: {
        ChargingScheduleAllowedChargingRateUnit: { value: "Power", readonly: true },
        ChargeProfileMaxStackLevel: { value: "0", readonly: true },
        MeterValuesSampledData: { value: "Energy.Active.Import.Register,Power.Active.Import", readonly: true },
        MeterValueSampleInterval: null,
      },
    });
    await r.connect();
    const answers = warnings.filter((w) => w.includes("did not take a configuration key")).map((w) => JSON.parse(w) as Record<string, string>);
    expect(answers.map((a) => [a.key, a.status])).toEqual([["MeterValueSampleInterval", "NotSupported"], ["MeterValuesSampledData", "Rejected"]]);
    // The car tells its state of charge but the charge point does not sample it: after the wait it is Adjustable.
    await r.sim.plugIn({ socPct: 40 });
    await expect.poll(() => r.driver.state.status).toBe("Charging");
    r.advance(30_000);
    await r.reported(() => r.sim.sendMeterValues(), (ms) => ms.some((m) => m.kind === "AdjustableSystemDescription"));
    await r.driver.apply({ category: "adjustable", runningModeId: 0, factor: 0 });
    expect(r.sim.limit()).toEqual({ limit: 4140, unit: "W", purpose: "TxDefaultProfile" });
    const profile = r.sim.received.find((c) => c.method === "SetChargingProfile")!.params as { csChargingProfiles: { stackLevel: number } };
    expect(profile.csChargingProfiles.stackLevel).toBe(0);
  });

  it("tolerates a trigger the charge point does not implement or cannot send", async () => {
    const info = vi.fn();
    const answers: Record<string, unknown> = { StatusNotification: { status: "NotImplemented" } };
    const cp = { id: "CP-X", call: async (_m: string, p: unknown) => answers[(p as { requestedMessage: string }).requestedMessage] ?? Promise.reject(new Error("not connected")) };
    await trigger(cp, [1], { ...logger("test"), info });
    expect(info.mock.calls.map(([, fields]) => [fields.requestedMessage, fields.status])).toEqual([["StatusNotification", "NotImplemented"], ["MeterValues", "not connected"]]);
  });
});

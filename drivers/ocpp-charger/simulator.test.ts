// The simulated charge point's configuration table and triggers, against a bare central system
// (ocpp-rpc's server, strict: every frame is checked against the OCPP 1.6 JSON schemas).
import type { AddressInfo } from "node:net";
import { RPCServer } from "ocpp-rpc";
import type * as ServerClient from "ocpp-rpc/lib/server-client.js";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL } from "./ocpp.ts";
import { ChargePointSimulator, type ChargePointSimulatorOptions } from "./simulator.ts";

type Call = { method: string; params: Record<string, unknown> };
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A central system that accepts everything, records the charge point's calls, and calls it. */
async function centralSystem(options: Partial<ChargePointSimulatorOptions> = {}) {
  const server = new RPCServer({ protocols: [PROTOCOL], strictMode: true });
  const calls: Call[] = [];
  let client: ServerClient.default | undefined;
  server.on("client", (c: ServerClient.default) => {
    client = c;
    c.handle(async ({ method, params }: { method?: string; params?: Record<string, unknown> }) => {
      calls.push({ method: method!, params: params! });
      switch (method) {
        case "BootNotification": return { status: "Accepted", currentTime: new Date().toISOString(), interval: 300 };
        case "StartTransaction": return { idTagInfo: { status: "Accepted" }, transactionId: 5 };
        case "Authorize": return { idTagInfo: { status: "Accepted" } };
        case "Heartbeat": return { currentTime: new Date().toISOString() };
        default: return {};
      }
    });
  });
  const http = await server.listen(0, "127.0.0.1");
  const sim = new ChargePointSimulator({ endpoint: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`, identity: "CP-S", ...options });
  stops.push(() => server.close({ force: true }), () => sim.close());
  await sim.connect();
  const call = (method: string, params: unknown) => client!.call(method, params) as Promise<Record<string, unknown>>;
  /** The measurands of the charge point's latest MeterValues, with their context. */
  const sampled = () => (calls.findLast((c) => c.method === "MeterValues")!.params.meterValue as { sampledValue: { measurand: string; context: string }[] }[])[0]!.sampledValue;
  return { sim, calls, call, sampled };
}

describe("simulated charge point: configuration", () => {
  it("gives its table, all of it or the keys asked for, naming the unknown ones", async () => {
    const { call } = await centralSystem({ configuration: { ChargeProfileMaxStackLevel: { value: "2", readonly: true }, SupportedFeatureProfiles: null } });
    const all = (await call("GetConfiguration", {})).configurationKey as { key: string }[];
    expect(all.map((k) => k.key)).toContain("MeterValuesSampledData");
    expect(all.map((k) => k.key)).not.toContain("SupportedFeatureProfiles");
    expect(await call("GetConfiguration", { key: ["ChargeProfileMaxStackLevel", "MeterValuesSampledData", "NoSuchKey"] })).toEqual({
      configurationKey: [
        { key: "ChargeProfileMaxStackLevel", value: "2", readonly: true },
        { key: "MeterValuesSampledData", value: "Energy.Active.Import.Register,Current.Import", readonly: false },
      ],
      unknownKey: ["NoSuchKey"],
    });
  });

  it("takes a writable key with a valid value, and answers Rejected or NotSupported otherwise", async () => {
    const { sim, call } = await centralSystem();
    const change = async (key: string, value: string) => (await call("ChangeConfiguration", { key, value })).status;
    expect(await change("MeterValuesSampledData", "Energy.Active.Import.Register,SoC")).toBe("Accepted");
    expect(sim.configuration("MeterValuesSampledData")).toBe("Energy.Active.Import.Register,SoC");
    expect(await change("MeterValuesSampledData", "Energy.Active.Import.Register,Frequency")).toBe("Rejected");
    expect(await change("MeterValuesSampledData", "SoC,SoC,SoC,SoC,SoC")).toBe("Rejected"); // longer than MeterValuesSampledDataMaxLength
    expect(await change("MeterValueSampleInterval", "ten")).toBe("Rejected");
    expect(await change("ChargeProfileMaxStackLevel", "3")).toBe("Rejected");
    expect(await change("NoSuchKey", "1")).toBe("NotSupported");
    expect(sim.configuration("MeterValuesSampledData")).toBe("Energy.Active.Import.Register,SoC");
  });

  it("samples what MeterValuesSampledData names, the state of charge only when the car tells it, at MeterValueSampleInterval", async () => {
    const { sim, call, calls, sampled } = await centralSystem();
    await sim.plugIn({ socPct: 40 });
    await sim.sendMeterValues();
    expect(sampled().map((v) => v.measurand)).toEqual(["Energy.Active.Import.Register", "Current.Import", "Current.Import", "Current.Import"]);
    await call("ChangeConfiguration", { key: "MeterValuesSampledData", value: "Power.Active.Import,SoC" });
    // A transaction's first sample goes out at its start.
    await sim.startTransaction();
    expect(sampled()).toEqual([
      expect.objectContaining({ measurand: "Power.Active.Import", context: "Transaction.Begin" }),
      expect.objectContaining({ measurand: "SoC", context: "Transaction.Begin", value: "40.0" }),
    ]);
    const before = calls.filter((c) => c.method === "MeterValues").length;
    expect((await call("ChangeConfiguration", { key: "MeterValueSampleInterval", value: "1" })).status).toBe("Accepted");
    await expect.poll(() => calls.filter((c) => c.method === "MeterValues").length, { timeout: 3_000 }).toBeGreaterThan(before);
    expect(sampled()[0]!.context).toBe("Sample.Periodic");
  });

  it("a car that does not tell its state of charge has none in the samples until it does", async () => {
    const { sim, call, sampled } = await centralSystem();
    await call("ChangeConfiguration", { key: "MeterValuesSampledData", value: "Energy.Active.Import.Register,SoC" });
    await sim.plugIn();
    await sim.sendMeterValues();
    expect(sampled().map((v) => v.measurand)).toEqual(["Energy.Active.Import.Register"]);
    sim.reportSoc();
    await sim.sendMeterValues();
    expect(sampled().map((v) => v.measurand)).toEqual(["Energy.Active.Import.Register", "SoC"]);
  });
});

describe("simulated charge point: TriggerMessage", () => {
  it("answers first, then sends the status or meter values asked for; NotImplemented for what it cannot send", async () => {
    const { sim, call, calls, sampled } = await centralSystem({ connectors: 2 });
    await sim.plugIn({}, 2);
    const count = (method: string) => calls.filter((c) => c.method === method).length;
    const statuses = count("StatusNotification");
    expect(await call("TriggerMessage", { requestedMessage: "StatusNotification", connectorId: 2 })).toEqual({ status: "Accepted" });
    await expect.poll(() => count("StatusNotification")).toBe(statuses + 1);
    expect(calls.at(-1)!.params).toMatchObject({ connectorId: 2, status: "Preparing" });
    expect(await call("TriggerMessage", { requestedMessage: "MeterValues" })).toEqual({ status: "Accepted" });
    await expect.poll(() => count("MeterValues")).toBe(2);
    expect(calls.filter((c) => c.method === "MeterValues").map((c) => c.params.connectorId)).toEqual([1, 2]);
    expect(sampled().every((v) => v.context === "Trigger")).toBe(true);
    expect(await call("TriggerMessage", { requestedMessage: "DiagnosticsStatusNotification" })).toEqual({ status: "NotImplemented" });
  });
});

import type { AddressInfo } from "node:net";
import { RPCServer } from "ocpp-rpc";
import type * as ServerClient from "ocpp-rpc/lib/server-client.js";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL } from "./ocpp.ts";
import { rig, type Rig } from "./test-rig.ts";

/** A back office that answers as a real one would and records what reaches it. */
async function backOffice() {
  const server = new RPCServer({ protocols: [PROTOCOL], strictMode: true });
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  let chargePoint: ServerClient.default | undefined;
  server.on("client", (client: ServerClient.default) => {
    chargePoint = client;
    client.handle(async ({ method, params }: { method?: string; params?: Record<string, unknown> }) => {
      calls.push({ method: method!, params: params! });
      switch (method) {
        case "BootNotification": return { status: "Accepted", currentTime: new Date().toISOString(), interval: 123 };
        case "Authorize": return { idTagInfo: { status: "Accepted" } };
        case "StartTransaction": return { idTagInfo: { status: "Accepted" }, transactionId: 777 };
        default: return {};
      }
    });
  });
  const http = await server.listen(0, "127.0.0.1");
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ocpp`,
    calls,
    methods: () => calls.map((c) => c.method),
    call: (method: string, params: unknown) => chargePoint!.call(method, params),
    identity: () => chargePoint?.identity,
    close: () => server.close({ force: true }),
  };
}

let r: Rig | undefined;
let bo: Awaited<ReturnType<typeof backOffice>> | undefined;
afterEach(async () => {
  await r?.stop();
  await bo?.close();
});

describe("ocpp-charger as a transparent proxy to a back office", () => {
  it("relays both ways, observes everything, and still sets its own charging profile", async () => {
    bo = await backOffice();
    r = await rig({ upstream: bo.url });
    const { sim, driver, sink } = r;
    await r.connect();
    // The charge point's calls reach the back office under its own identity, even the first, and
    // so do those flexfed's set-up triggers (the set-up's own calls go to the charge point only).
    expect(bo.identity()).toBe("CP-1");
    await expect.poll(() => bo!.methods()).toEqual(["BootNotification", "StatusNotification", "StatusNotification", "MeterValues"]);
    expect(sim.received.map((c) => c.method)).toEqual(["GetConfiguration", "ChangeConfiguration", "ChangeConfiguration", "TriggerMessage", "TriggerMessage"]);
    expect(bo.calls[0]!.params).toMatchObject({ chargePointVendor: "Alfen", chargePointSerialNumber: "ACE0123" });

    // The back office's answers go back to the charge point: its transaction id, observed by flexfed too.
    await sim.plugIn({ socPct: 50 });
    expect(await sim.startTransaction("CARD-7")).toBe(777);
    await expect.poll(() => driver.state).toMatchObject({ transactionId: 777, status: "Charging" });
    expect(bo.methods()).toEqual(expect.arrayContaining(["Authorize", "StartTransaction"]));
    await sim.sendMeterValues();
    expect(bo.calls.at(-1)).toMatchObject({ method: "MeterValues", params: { transactionId: 777 } });
    expect(sink.reading("power")).toEqual({ n: "power", u: "W", v: 11_000 });

    // The back office's calls go to the charge point, and its answers back.
    expect(await bo.call("SetChargingProfile", {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: "TxDefaultProfile", chargingProfileKind: "Absolute",
        chargingSchedule: { chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
      },
    })).toEqual({ status: "Accepted" });
    expect(sim.limit()).toMatchObject({ limit: 10 });

    // flexfed injects its own profile on top (a higher stack level).
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 0 });
    expect(sim.limit()).toMatchObject({ limit: 6, unit: "A" });

    expect(await bo.call("RemoteStopTransaction", { transactionId: 777 })).toEqual({ status: "Accepted" });
    await expect.poll(() => bo!.methods()).toContain("StopTransaction");
    await expect.poll(() => driver.state.transactionId).toBeUndefined();
  });

  it("answers the charge point itself while the back office is unreachable", async () => {
    bo = await backOffice();
    const url = bo.url;
    await bo.close();
    bo = undefined;
    r = await rig({ upstream: url, remoteStartIdTag: "flexfed" });
    const identity = r.sink.next((e) => e.type === "identity");
    await r.sim.connect();
    await identity;
    await r.sim.plugIn();
    await expect.poll(() => r!.driver.state.status).toBe("Charging");
  });
});

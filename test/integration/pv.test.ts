// A PV inverter end to end: the real sunspec-pv driver against its SunSpec simulator over Modbus
// TCP on loopback, hosted by the device runtime on a real Prosody with registry and provisioning.
// Its control space (registration, forecast, curtailment options) is on its node; an app's
// InflexibleInstruction caps the simulated output and the cap is lifted when the profile ends.
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PvSimulator, sunspecPv } from "../../drivers/sunspec-pv/index.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import {
  decode, EFI_NS, encodeElement, formatDateTime, type InflexibleCurtailmentOptions, type InflexibleInstruction, type InstructionStatusUpdate,
} from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { PubsubClient, type XmppConnection } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const RID = "pv-roof-1";

describe("curtailing a SunSpec PV inverter", () => {
  let server: OwnServer, services: ThingServices, device: HostedDevice, sim: PvSimulator;
  let owner: XmppConnection, app: XmppConnection;
  const updates: InstructionStatusUpdate[] = [];
  /** The inverter after every control write: what the driver did to it, in order. */
  const written: { outputW: number; limitPct: number | undefined }[] = [];

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app"], accounts: [RID, "owner"] });
    services = await startThingServices(server);
    [owner, app] = await Promise.all([server.account("owner"), server.component("app")]);
    app.handleIq("set", EFI_NS, "InstructionStatusUpdate", (req) => { updates.push(decode(req.element) as InstructionStatusUpdate); });
    // A steady sun, so what the test sees does not depend on the time of day it runs.
    sim = new PvSimulator({ ratedW: 5_000, sunW: () => 4_000 });
    const write = sim.write.bind(sim);
    sim.write = (address, values) => {
      write(address, values);
      const { outputW, limitPct } = sim.state;
      written.push({ outputW, limitPct });
    };
    const { port } = await sim.listen();
    const [resolved] = resolveDevices({
      resourceId: RID, tags: { SITE: "home-3" },
      driver: { type: "sunspec-pv", transport: { type: "tcp", host: "127.0.0.1", port }, pollMs: 100, latitude: 52.1, longitude: 5.1 },
    }, [sunspecPv]);
    device = await startDevice(server, resolved!);
    await new RegistryClient(owner, services.registryJid).claim(device.runtime.tags);
    await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: app.jid }), x("tag", { name: "SITE", value: "home-3" })));
    await services.provisioning.idle();
  });
  afterAll(async () => {
    await device?.stop();
    await sim?.stop();
    await Promise.all([owner, app].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("publishes the inverter's control space: registration, forecast and curtailment options", async () => {
    const pubsub = new PubsubClient(app, server.info.pubsub);
    const kinds = ["InflexibleRegistration", "InflexibleForecast", "InflexibleCurtailmentOptions"];
    await expect.poll(async () => (await pubsub.items(`efi/${RID}`)).map((i) => i.id), { timeout: 15_000 }).toEqual(expect.arrayContaining(kinds));
    const items = await pubsub.items(`efi/${RID}`, { ids: kinds });
    const byKind = Object.fromEntries(items.map((i) => [i.id, decode(i.payload!)]));
    expect(byKind.InflexibleRegistration).toMatchObject({ deviceDescription: { deviceClass: "PV Panel" }, supportedCommodities: ["ELECTRICITY"] });
    expect(byKind.InflexibleForecast).toMatchObject({ kind: "InflexibleForecast", forecastProfiles: { electricityProfile: expect.any(Array) } });
    expect(byKind.InflexibleCurtailmentOptions).toMatchObject({
      curtailmentOptions: [{ curtailmentQuantity: "ELECTRICITY.POWER", curtailmentRange: [{ lowerBound: -5000, upperBound: 0 }] }],
    });
  });

  it("caps the output on an app's InflexibleInstruction, lifts the cap when the profile ends: ACCEPTED -> STARTED -> SUCCEEDED", async () => {
    const options = device.runtime.controlSpace.latest("InflexibleCurtailmentOptions") as InflexibleCurtailmentOptions;
    const instruction: InflexibleInstruction = {
      kind: "InflexibleInstruction",
      header: { efiResourceId: RID, timestamp: formatDateTime(Date.now()) },
      instructionId: "dr-congestion-1",
      flexibilityUpdateId: options.flexibilityUpdateId,
      isEmergencyInstruction: false,
      curtailmentProfile: {
        curtailmentQuantity: "ELECTRICITY.POWER",
        startTime: formatDateTime(Date.now()),
        curtailmentProfileElement: [{ duration: "PT1S", value: -1500 }, { duration: "PT1S", value: -2500 }],
      },
    };
    const reply = await app.iq(device.runtime.conn.jid, "set", encodeElement(instruction));
    expect(decode(reply!)).toMatchObject({ kind: "InstructionStatusUpdate", instructionId: "dr-congestion-1", status: "ACCEPTED" });
    await expect.poll(() => updates.filter((u) => u.instructionId === "dr-congestion-1").map((u) => u.status), { timeout: 15_000 }).toEqual(["STARTED", "SUCCEEDED"]);
    // 1500 W then 2500 W of 5000 W (30 %, 50 %), each held while the sun gives 4000 W, then no limit.
    expect(written).toContainEqual({ outputW: 1500, limitPct: 30 });
    expect(written).toContainEqual({ outputW: 2500, limitPct: 50 });
    expect(written.at(-1)).toEqual({ outputW: 4000, limitPct: undefined });
    expect(sim.state).toMatchObject({ outputW: 4000, limitPct: undefined, status: "MPPT" });
  });
});

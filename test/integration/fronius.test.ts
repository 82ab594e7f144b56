// A Fronius inverter end to end: the real fronius-solar-api driver against its Solar API simulator
// over HTTP on loopback, hosted by the device runtime on a real Prosody with registry and
// provisioning. Its node holds what the simulated system reports, telemetry carries the site's
// flows, a failing API revokes the flexibility with the reason until it answers again, and a
// curtailment is refused: the Solar API is read-only, so the device offers none.
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FroniusSimulator, froniusSolarApi, type FroniusFault } from "../../drivers/fronius-solar-api/index.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import {
  decode, EFI_NS, encodeElement, formatDateTime, type InflexibleCurtailmentOptions, type InflexibleInstruction, type InstructionStatusUpdate,
} from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { packFromXml, resolve } from "../../src/telemetry/index.ts";
import { onPresence, PubsubClient, sendPresence, type Presence, type XmppConnection, type XmppError } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const RID = "fronius-roof-1";

describe("a Fronius inverter through the Solar API", () => {
  let server: OwnServer, services: ThingServices, device: HostedDevice, sim: FroniusSimulator;
  let owner: XmppConnection, app: XmppConnection;
  const updates: InstructionStatusUpdate[] = [];
  /** The device's presence as the app sees it, latest last. */
  const presences: Presence[] = [];
  const efiItems = async () => (await new PubsubClient(app, server.info.pubsub).items(`efi/${RID}`)).map((i) => i.id);

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app"], accounts: [RID, "owner"] });
    services = await startThingServices(server);
    [owner, app] = await Promise.all([server.account("owner"), server.component("app")]);
    app.handleIq("set", EFI_NS, "InstructionStatusUpdate", (req) => { updates.push(decode(req.element) as InstructionStatusUpdate); });
    onPresence(app, (p) => { if (p.from.startsWith(`${RID}@`) && (p.type === "available" || p.type === "unavailable")) presences.push(p); });
    // Steady flows, so what the test sees does not depend on the time of day it runs.
    sim = new FroniusSimulator({ pvW: () => 3_200, loadW: () => 700, socPct: 80 });
    const { url } = await sim.listen();
    const [resolved] = resolveDevices({
      resourceId: RID, tags: { SITE: "home-5" },
      driver: { type: "fronius-solar-api", url, pollMs: 100, timeoutMs: 1_000, peakW: 4_000, label: "Fronius Symo" },
    }, [froniusSolarApi]);
    device = await startDevice(server, resolved!);
    await new RegistryClient(owner, services.registryJid).claim(device.runtime.tags);
    await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: app.jid }), x("tag", { name: "SITE", value: "home-5" })));
    await services.provisioning.idle();
    // Right after start-up an IQ to the device's full JID may go unanswered for a moment.
    await vi.waitFor(() => app.iq(device.runtime.conn.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" })), { timeout: 10_000, interval: 100 });
    await sendPresence(app, { to: `${RID}@${server.info.domain}`, type: "subscribe" });
  });
  afterAll(async () => {
    await device?.stop();
    await sim?.stop();
    await Promise.all([owner, app].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("publishes what the simulated system reports: registration, production and that it offers no curtailment", async () => {
    const kinds = ["InflexibleRegistration", "InflexibleCurtailmentOptions", "Measurement"];
    await expect.poll(efiItems, { timeout: 15_000 }).toEqual(expect.arrayContaining(kinds));
    const items = await new PubsubClient(app, server.info.pubsub).items(`efi/${RID}`, { ids: kinds });
    const byKind = Object.fromEntries(items.map((i) => [i.id, decode(i.payload!)]));
    expect(byKind.InflexibleRegistration).toMatchObject({
      header: { efiResourceId: RID }, deviceDescription: { deviceClass: "PV Panel", label: "Fronius Symo" }, supportedCommodities: ["ELECTRICITY"],
    });
    expect(byKind.InflexibleCurtailmentOptions).toMatchObject({ kind: "InflexibleCurtailmentOptions", flexibilityUpdateId: expect.any(String) });
    expect(byKind.InflexibleCurtailmentOptions).not.toHaveProperty("curtailmentOptions");
    // EFI's sign: production is negative.
    expect(byKind.Measurement).toMatchObject({ electricityMeasurement: { power: -3_200 } });
    expect(device.runtime.tags).toEqual(expect.arrayContaining([
      { type: "str", name: "MAN", value: "Fronius" }, { type: "str", name: "EFI", value: "inflexible" }, { type: "num", name: "PMAX", value: 4_000 },
    ]));
  });

  it("publishes the site's flows as SenML on telemetry/<rid>", async () => {
    await expect.poll(() => device.runtime.telemetry.published, { timeout: 10_000 }).toBeGreaterThan(0);
    const [latest] = await new PubsubClient(app, server.info.telemetry).items(`telemetry/${RID}`, { max: 1 });
    const records = resolve(packFromXml(latest!.payload!));
    const value = (n: string) => records.find((r) => r.n === `${RID}/${n}`);
    expect(value("power")).toMatchObject({ u: "W", v: -3_200 });
    expect(value("gridPower")).toMatchObject({ u: "W", v: -2_500 });
    expect(value("loadPower")).toMatchObject({ u: "W", v: 700 });
    expect(value("batteryPower")).toMatchObject({ u: "W", v: 0 });
    expect(value("soc")).toMatchObject({ u: "%EL", v: 80 });
    expect(value("energyExport")).toMatchObject({ u: "J", v: expect.any(Number) });
  });

  for (const [fault, reason] of [
    ["http-500", /answered HTTP 500 Internal Server Error/],
    ["api-error", /reports error 255: Collection not available/],
  ] as [FroniusFault, RegExp][]) {
    it(`revokes its flexibility with the reason while the API fails (${fault}), and offers it again when it answers`, async () => {
      await expect.poll(() => presences.at(-1)?.type, { timeout: 10_000 }).toBe("available");
      sim.fault = fault;
      try {
        await expect.poll(efiItems, { timeout: 15_000 }).toContain("FlexibilityRevoke");
        expect(device.runtime.lostReason).toMatch(reason);
        await expect.poll(() => presences.at(-1), { timeout: 10_000 }).toMatchObject({ show: "xa", status: expect.stringMatching(reason) });
        expect(presences.at(-1)!.status).toMatch(/^device lost: /);
      } finally {
        sim.fault = "none";
      }
      await expect.poll(efiItems, { timeout: 15_000 }).not.toContain("FlexibilityRevoke");
      expect(device.runtime.lostReason).toBeUndefined();
      await expect.poll(() => presences.at(-1)?.show, { timeout: 10_000 }).toBeUndefined();
      expect(await efiItems()).toEqual(expect.arrayContaining(["InflexibleRegistration", "InflexibleCurtailmentOptions", "Measurement"]));
    });
  }

  it("refuses a curtailment: the read-only inverter offers none (not-acceptable, REJECTED on the node)", async () => {
    const options = device.runtime.controlSpace.latest("InflexibleCurtailmentOptions") as InflexibleCurtailmentOptions;
    const instruction: InflexibleInstruction = {
      kind: "InflexibleInstruction",
      header: { efiResourceId: RID, timestamp: formatDateTime(Date.now()) },
      instructionId: "dr-fronius-1",
      flexibilityUpdateId: options.flexibilityUpdateId,
      isEmergencyInstruction: false,
      curtailmentProfile: { curtailmentQuantity: "ELECTRICITY.POWER", startTime: formatDateTime(Date.now()), curtailmentProfileElement: [{ duration: "PT1M", value: -1_000 }] },
    };
    const refused = await app.iq(device.runtime.conn.jid, "set", encodeElement(instruction)).then(() => undefined, (e: XmppError) => e);
    expect(refused?.condition).toBe("not-acceptable");
    expect(refused?.text).toMatch(/curtailmentQuantity: the device offers no curtailment of ELECTRICITY\.POWER$/);
    const [status] = await new PubsubClient(app, server.info.pubsub).items(`efi/${RID}`, { ids: ["InstructionStatusUpdate"] });
    expect(decode(status!.payload!)).toMatchObject({ instructionId: "dr-fronius-1", status: "REJECTED" });
    // Refused before anything was applied: no STARTED or ABORTED follows.
    expect(updates).toEqual([]);
  });
});

// The OCPP charger end to end: a simulated charge point dials the device's central system over
// OCPP-J on loopback; the device runtime publishes the plugged-in car's control space through a
// real Prosody with registry and provisioning; an app's StorageInstruction becomes a charging
// profile at the charge point; a rejected profile aborts with the charger's reason; unplugging
// revokes the flexibility. A car without state of charge makes the device Adjustable (its node
// then holds no Storage items, the registry's EFI tag follows) and takes AdjustableInstructions;
// a state of charge that comes up late makes it Storage again.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChargePointSimulator, ocppCharger } from "../../drivers/ocpp-charger/index.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import {
  decode, EFI_NS, encode, encodeElement, formatDateTime, type AdjustableInstruction, type InstructionStatusUpdate, type StorageInstruction,
  type StorageSystemDescription,
} from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { PubsubClient, type XmppConnection, type XmppError } from "../../src/xmpp/index.ts";
import { xsdErrors } from "../efi/xsd.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";
import { freePort } from "../../src/server/ports.ts";

const RID = "charger-1";
let serial = 0;

describe("an OCPP charge point as a device", () => {
  let server: OwnServer, services: ThingServices, device: HostedDevice, sim: ChargePointSimulator;
  let owner: XmppConnection, app: XmppConnection;
  const updates: InstructionStatusUpdate[] = [];

  const items = async () => (await new PubsubClient(app, server.info.pubsub).items(`efi/${RID}`)).map((i) => ({ id: i.id, message: decode(i.payload!) }));
  const description = () => device.runtime.controlSpace.latest("StorageSystemDescription") as StorageSystemDescription;
  const instruction = (runningModeId: number, factor?: number, flexibilityUpdateId = description().flexibilityUpdateId): StorageInstruction => ({
    kind: "StorageInstruction",
    header: { efiResourceId: RID, timestamp: formatDateTime(Date.now()) },
    instructionId: `app-${++serial}`,
    flexibilityUpdateId,
    isEmergencyInstruction: false,
    actuatorInstructions: [{ actuatorId: 0, runningModeId, ...(factor !== undefined ? { runningModeFactor: factor } : {}), startTime: formatDateTime(Date.now()) }],
  });
  const adjustable = (runningModeId: number, factor?: number, start = Date.now()): AdjustableInstruction => ({
    kind: "AdjustableInstruction",
    header: { efiResourceId: RID, timestamp: formatDateTime(Date.now()) },
    instructionId: `app-${++serial}`,
    flexibilityUpdateId: device.runtime.controlSpace.latest("AdjustableSystemDescription")!.flexibilityUpdateId,
    isEmergencyInstruction: false,
    runningModeId, ...(factor !== undefined ? { runningModeFactor: factor } : {}), startTime: formatDateTime(start),
  });
  const send = async (payload: Element) => decode((await app.iq(device.runtime.conn.jid, "set", payload))!) as InstructionStatusUpdate;
  const statuses = (id: string) => updates.filter((u) => u.instructionId === id).map((u) => u.status);
  const ids = async () => (await items()).map((i) => i.id).sort();
  /** The EFI tag the registry holds for the device (the owner's search). */
  const efiTag = async () => (await new RegistryClient(owner, services.registryJid).search([{ op: "strEq", name: "RID", value: RID }])).things[0]?.tags.find((t) => t.name === "EFI")?.value;

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app"], accounts: [RID, "owner"] });
    services = await startThingServices(server);
    [owner, app] = await Promise.all([server.account("owner"), server.component("app")]);
    app.handleIq("set", EFI_NS, "InstructionStatusUpdate", (req) => { updates.push(decode(req.element) as InstructionStatusUpdate); });
    const port = await freePort();
    const [resolved] = resolveDevices({
      resourceId: RID, tags: { SITE: "garage" },
      // A car that has told no state of charge one second after plug-in is one without.
      driver: { type: "ocpp-charger", listen: { host: "127.0.0.1", port }, chargeBoxId: "CP-GARAGE", remoteStartIdTag: "flexfed", maxCurrentA: 16, car: { socWaitSeconds: 1 } },
    }, [ocppCharger]);
    sim = new ChargePointSimulator({ endpoint: `ws://127.0.0.1:${port}`, identity: "CP-GARAGE", vendor: "Alfen", model: "Eve Single", serialNumber: "ACE0456" });
    // The device waits for the charge point's nameplate; the charge point dials until the device listens.
    [device] = await Promise.all([startDevice(server, resolved!), sim.dial(50)]);
    await new RegistryClient(owner, services.registryJid).claim(device.runtime.tags);
    await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: app.jid }), x("tag", { name: "SITE", value: "garage" })));
    await services.provisioning.idle();
  });
  afterAll(async () => {
    await sim?.close();
    await device?.stop();
    await Promise.all([owner, app].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("registers with the charge point's nameplate and publishes the plugged-in car's control space: Storage with a state of charge", async () => {
    expect(device.runtime.tags).toEqual(expect.arrayContaining([
      { type: "str", name: "MAN", value: "Alfen" }, { type: "str", name: "SN", value: "ACE0456" }, { type: "str", name: "CLASS", value: "Electrical Vehicle" },
      { type: "num", name: "PMAX", value: 11040 }, { type: "str", name: "EFI", value: "storage" },
    ]));
    // Set up after boot: the charge point samples power and the state of charge for flexfed.
    expect(sim.configuration("MeterValuesSampledData")).toBe("Energy.Active.Import.Register,Current.Import,Power.Active.Import,SoC");
    await sim.plugIn({ socPct: 30, maxPowerW: 11_000 });
    await expect.poll(async () => (await items()).map((i) => i.id).sort(), { timeout: 10_000 }).toEqual(
      expect.arrayContaining(["StorageFillLevelTargetProfile", "StorageRegistration", "StorageStatus", "StorageSystemDescription"]),
    );
    const sd = (await items()).find((i) => i.id === "StorageSystemDescription")!.message as StorageSystemDescription;
    expect(sd.actuatorBehaviours[0]!.runningModes.map((m) => m.label)).toEqual(["charge", "idle"]);
    await expect.poll(() => sim.connector().status).toBe("Charging");
  });

  it("turns an app's StorageInstruction into a charging profile with the right limit", async () => {
    const i = instruction(0, 0.5);
    expect((await send(encodeElement(i))).status).toBe("ACCEPTED");
    await expect.poll(() => statuses(i.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(sim.limit()).toEqual({ limit: 11, unit: "A", purpose: "TxDefaultProfile" });
    expect(sim.connector().powerW).toBeCloseTo(7590, 6);
    const idle = instruction(1);
    await send(encodeElement(idle));
    await expect.poll(() => statuses(idle.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(sim.limit()).toMatchObject({ limit: 0 });
    await expect.poll(() => sim.connector().status).toBe("SuspendedEVSE");
  });

  it("aborts with the charger's reason when it rejects the profile", async () => {
    sim.rejectProfiles = true;
    try {
      const i = instruction(0, 1);
      expect((await send(encodeElement(i))).status).toBe("ACCEPTED");
      await expect.poll(() => statuses(i.instructionId)).toEqual(["ABORTED"]);
      expect(updates.find((u) => u.instructionId === i.instructionId)?.debugInformation).toBe(
        "the charge point rejected the charging profile (TxDefaultProfile 16 A on connector 1: Rejected)",
      );
      expect(sim.limit()).toMatchObject({ limit: 0 });
    } finally {
      sim.rejectProfiles = false;
    }
  });

  it("revokes the flexibility when the car is unplugged", async () => {
    await sim.unplug();
    await expect.poll(async () => (await items()).map((i) => i.id), { timeout: 10_000 }).toContain("FlexibilityRevoke");
    // Unplugging is no fault: the device is not lost, and flexfed's profile is cleared for the next car.
    expect(device.runtime.lostReason).toBeUndefined();
    await expect.poll(() => sim.limit()).toBeUndefined();
    const late = instruction(0, 1);
    await send(encodeElement(late));
    await expect.poll(() => statuses(late.instructionId)).toEqual(["ABORTED"]);
    expect(updates.find((u) => u.instructionId === late.instructionId)?.debugInformation).toBe("no car is plugged in to CP-GARAGE connector 1");
  });

  it("offers the next car, one without state of charge, as Adjustable: a new category, its items only, the revoke ended", async () => {
    await sim.plugIn({ maxPowerW: 11_000 });
    await expect.poll(ids, { timeout: 10_000 }).toEqual(["AdjustableRegistration", "AdjustableStatus", "AdjustableSystemDescription", "InstructionStatusUpdate", "Measurement"]);
    expect(device.runtime.category).toBe("adjustable");
    expect(device.runtime.controlSpace.latest("StorageSystemDescription")).toBeUndefined();
    expect(device.runtime.tags).toContainEqual({ type: "str", name: "EFI", value: "adjustable" });
    await expect.poll(efiTag).toBe("adjustable");
    const published = await items();
    expect(xsdErrors(published.map((i) => encode(i.message)))).toEqual([]);
    const sd = published.find((i) => i.id === "AdjustableSystemDescription")!.message;
    expect(sd).toMatchObject({ runningModes: [{ id: 0, label: "charge", lowerBound: { electricalPower: 4140 }, upperBound: { electricalPower: 11040 } }, { id: 1, label: "idle", electricalPower: 0 }] });
  });

  it("turns an AdjustableInstruction into a charging profile, and refuses a StorageInstruction", async () => {
    await expect.poll(() => sim.connector().status).toBe("Charging");
    const i = adjustable(0, 0.5);
    expect((await send(encodeElement(i))).status).toBe("ACCEPTED");
    await expect.poll(() => statuses(i.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(sim.limit()).toEqual({ limit: 11, unit: "A", purpose: "TxDefaultProfile" });
    expect(sim.connector().powerW).toBeCloseTo(7590, 6);
    await expect.poll(() => device.runtime.controlSpace.latest("AdjustableStatus")?.runningModeFactor).toBe(0.5);
    const storage = instruction(0, 1, i.flexibilityUpdateId);
    const refused = await send(encodeElement(storage)).then(() => undefined, (e: XmppError) => e);
    expect(refused).toMatchObject({ condition: "not-acceptable", text: `${RID} is an adjustable device; it does not take StorageInstruction` });
  });

  it("becomes Storage when the car's state of charge comes up late: Adjustable items retracted, a waiting Adjustable instruction aborted and released", async () => {
    const waiting = adjustable(1, undefined, Date.now() + 60_000);
    expect((await send(encodeElement(waiting))).status).toBe("ACCEPTED");
    sim.reportSoc();
    await sim.sendMeterValues();
    await expect.poll(ids, { timeout: 10_000 }).toEqual([
      "InstructionStatusUpdate", "Measurement", "StorageFillLevelTargetProfile", "StorageRegistration", "StorageStatus", "StorageSystemDescription",
    ]);
    expect(device.runtime.category).toBe("storage");
    expect(device.runtime.controlSpace.latest("AdjustableSystemDescription")).toBeUndefined();
    await expect.poll(() => statuses(waiting.instructionId)).toEqual(["ABORTED"]);
    expect(updates.find((u) => u.instructionId === waiting.instructionId)?.debugInformation).toBe(`${RID} is now a storage device`);
    await expect.poll(efiTag).toBe("storage");
    // With its instructions void the charger goes back to its own behaviour: flexfed's profile is cleared.
    await expect.poll(() => sim.limit()).toBeUndefined();
    const i = instruction(0, 1);
    expect((await send(encodeElement(i))).status).toBe("ACCEPTED");
    await expect.poll(() => statuses(i.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(sim.limit()).toMatchObject({ limit: 16 });
  });
});

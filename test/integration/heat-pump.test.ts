// A heat pump with a buffer tank end to end: the real heat-pump driver against its Modbus TCP
// simulator on loopback, hosted by the device runtime on a real Prosody with registry and
// provisioning. Its node holds EFI Storage consistent with the simulated tank (fill level = buffer
// temperature); an app's StorageInstruction switches the simulated compressor on, an early stop is
// refused by the minimum-run timer, and a revoke hands the heat pump back to its thermostat.
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { heatPump, HeatPumpSimulator } from "../../drivers/appliances/index.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import {
  decode, EFI_NS, encodeElement, formatDateTime, type EfiMessage, type InstructionRevoke, type InstructionStatusUpdate, type StorageInstruction,
  type StorageStatus, type StorageSystemDescription,
} from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { PubsubClient, type XmppConnection, type XmppError } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const RID = "heat-pump-1";
const KINDS = ["StorageRegistration", "StorageSystemDescription", "StorageStatus", "Measurement"] as const;

describe("a heat pump with a buffer tank over Modbus", () => {
  let server: OwnServer, services: ThingServices, device: HostedDevice, sim: HeatPumpSimulator;
  let owner: XmppConnection, app: XmppConnection;
  /** How far the simulator's clock is ahead of the wall clock: the test skips the minimum run time. */
  let skippedMs = 0;
  const updates: InstructionStatusUpdate[] = [];
  const statuses = (id: string) => updates.filter((u) => u.instructionId === id).map((u) => u.status);
  const header = () => ({ efiResourceId: RID, timestamp: formatDateTime(Date.now()) });
  const send = async (el: EfiMessage) => decode((await app.iq(device.runtime.conn.jid, "set", encodeElement(el)))!) as InstructionStatusUpdate;
  /** The messages on the device's node, as an allowed app reads and decodes them. */
  const onNode = async () => {
    const items = await new PubsubClient(app, server.info.pubsub).items(`efi/${RID}`);
    return Object.fromEntries(items.map((i) => [i.id, decode(i.payload!)])) as Partial<Record<string, EfiMessage>>;
  };
  const nodeStatus = async () => (await onNode()).StorageStatus as StorageStatus | undefined;
  const description = () => device.runtime.controlSpace.latest("StorageSystemDescription") as StorageSystemDescription;
  const instruction = (id: string, steps: { mode: number; at: number }[]): StorageInstruction => ({
    kind: "StorageInstruction", header: header(), instructionId: id, flexibilityUpdateId: description().flexibilityUpdateId, isEmergencyInstruction: false,
    actuatorInstructions: steps.map((s) => ({ actuatorId: 0, runningModeId: s.mode, startTime: formatDateTime(s.at) })),
  });

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app"], accounts: [RID, "owner"] });
    services = await startThingServices(server);
    [owner, app] = await Promise.all([server.account("owner"), server.component("app")]);
    app.handleIq("set", EFI_NS, "InstructionStatusUpdate", (req) => { updates.push(decode(req.element) as InstructionStatusUpdate); });
    // Off at 47 degC, between its thermostat's 45 and 50; no hot water drawn, so only the compressor and the loss move the tank.
    sim = new HeatPumpSimulator({ serialNumber: "HP2-4711", tempC: 47, minRunS: 600, minOffS: 300, drawW: () => 0, now: () => Date.now() + skippedMs });
    const { port } = await sim.listen();
    const [resolved] = resolveDevices({
      resourceId: RID, tags: { SITE: "home-6" }, driver: { type: "heat-pump", transport: { type: "tcp", host: "127.0.0.1", port }, pollMs: 100 },
    }, [heatPump]);
    device = await startDevice(server, resolved!);
    await new RegistryClient(owner, services.registryJid).claim(device.runtime.tags);
    await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: app.jid }), x("tag", { name: "SITE", value: "home-6" })));
    await services.provisioning.idle();
    // Right after start-up an IQ to the device's full JID may go unanswered for a moment.
    await vi.waitFor(() => app.iq(device.runtime.conn.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" })), { timeout: 10_000, interval: 100 });
  });
  afterAll(async () => {
    await device?.stop();
    await sim?.stop();
    await Promise.all([owner, app].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("holds EFI Storage on its node consistent with the simulated tank: buffer temperature as fill level, compressor off, no timer running", async () => {
    await expect.poll(async () => Object.keys(await onNode()), { timeout: 15_000 }).toEqual(expect.arrayContaining([...KINDS]));
    const node = await onNode();
    expect(node.StorageRegistration).toMatchObject({
      deviceDescription: { deviceClass: "Heatpump", serialNumber: "HP2-4711" }, fillLevelUnit: "degC", actuators: [{ id: 0, label: "compressor" }],
    });
    const sd = node.StorageSystemDescription as StorageSystemDescription;
    expect(sd.flexibilityUpdateId).toBe(description().flexibilityUpdateId);
    expect(sd.actuatorBehaviours[0]).toMatchObject({
      runningModes: [{ id: 0, label: "off" }, { id: 1, label: "on", discreteRunningModeElement: [{ electricalPower: 2000, fillLevelUpperBound: 60 }] }],
      timers: [{ id: 0, duration: "PT10M" }, { id: 1, duration: "PT5M" }],
    });
    // Leakage to 20 degC ambient: the 40-50 degC band loses 2.5 W/K x 25 K from 200 L of water.
    expect(sd.leakageBehaviour).toContainEqual({ fillLevelLowerBound: 40, fillLevelUpperBound: 50, leakageRate: 0.0000746536 });
    const status = node.StorageStatus as StorageStatus;
    expect(status.currentFillLevel).toBeCloseTo(sim.state.tempC, 1);
    expect(status.actuatorStatuses).toEqual([{ actuatorId: 0, currentRunningMode: 0, timerUpdates: [] }]);
    expect(sim.state).toMatchObject({ on: false, control: "thermostat" });
    expect(node.Measurement).toMatchObject({ electricityMeasurement: { power: 0 }, heatMeasurement: { temperature: status.currentFillLevel } });
  });

  let held: StorageInstruction;

  it("switches the simulated compressor on when an app instructs running mode on", async () => {
    // On now, off in an hour (after the minimum run): the instruction stays running until then.
    held = instruction("hp-on-1", [{ mode: 1, at: Date.now() }, { mode: 0, at: Date.now() + 3_600_000 }]);
    expect((await send(held)).status).toBe("ACCEPTED");
    await expect.poll(() => statuses(held.instructionId)).toEqual(["STARTED"]);
    expect(sim.state).toMatchObject({ on: true, control: "on", powerW: 2000 });
    // The node follows: running mode on, the minimum-run timer (0) running.
    await expect.poll(async () => (await nodeStatus())?.actuatorStatuses?.[0], { timeout: 10_000 })
      .toMatchObject({ currentRunningMode: 1, timerUpdates: [{ timerId: 0, finishedAt: expect.any(String) }] });
  });

  it("refuses to go off within the minimum run time: not-acceptable, blocked by timer 0; the compressor keeps running", async () => {
    await expect.poll(() => (device.runtime.controlSpace.latest("StorageStatus") as StorageStatus | undefined)?.actuatorStatuses?.[0]?.timerUpdates?.map((t) => t.timerId)).toEqual([0]);
    const early = instruction("hp-off-early", [{ mode: 0, at: Date.now() }]);
    const refused = await send(early).then(() => undefined, (e: XmppError) => e);
    expect(refused?.condition).toBe("not-acceptable");
    expect(refused?.text).toMatch(/transition 1 -> 0 is blocked by timer 0 at this time/);
    expect(sim.state).toMatchObject({ on: true, control: "on" });
    // A refused instruction supersedes nothing.
    expect(statuses(held.instructionId)).toEqual(["STARTED"]);
  });

  it("hands the heat pump back to its thermostat on a revoke: above its 50 degC it stops once the minimum run is over", async () => {
    // Eleven minutes on: the minimum run is over and the tank is well above the thermostat's 50 degC.
    skippedMs = 11 * 60_000;
    expect(sim.state.tempC).toBeGreaterThan(51);
    expect(sim.state).toMatchObject({ on: true, control: "on", minRunLeftS: 0 });
    await expect.poll(async () => (await nodeStatus())?.currentFillLevel ?? 0, { timeout: 10_000 }).toBeGreaterThan(51);
    const revoke: InstructionRevoke = { kind: "InstructionRevoke", header: header(), instructionId: held.instructionId };
    expect(await send(revoke)).toMatchObject({ instructionId: held.instructionId, status: "ABORTED" });
    expect(sim.state).toMatchObject({ control: "thermostat", on: false, powerW: 0 });
    await expect.poll(() => statuses(held.instructionId)).toEqual(["STARTED", "ABORTED"]);
    expect(updates.findLast((u) => u.instructionId === held.instructionId)?.debugInformation).toMatch(/^revoked by /);
    // The node shows the thermostat's decision: off, the minimum-off timer (1) running, the tank where the simulator has it.
    await expect.poll(async () => (await nodeStatus())?.actuatorStatuses?.[0], { timeout: 10_000 })
      .toMatchObject({ currentRunningMode: 0, timerUpdates: [{ timerId: 1 }] });
    expect((await nodeStatus())!.currentFillLevel).toBeCloseTo(sim.state.tempC, 1);
  });
});

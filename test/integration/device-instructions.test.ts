// Instructions end to end (DESIGN.md §5): an app sends EFI instructions to a battery device (real
// driver, SunSpec simulator over Modbus TCP on loopback) through a real Prosody with registry and
// provisioning; the simulator's registers change and the status goes ACCEPTED -> STARTED -> SUCCEEDED.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BatterySimulator, sunspecBattery } from "../../drivers/sunspec-battery/index.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import {
  decode, EFI_NS, encodeElement, formatDateTime, type InstructionStatusUpdate, type StorageInstruction, type StorageSystemDescription,
} from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { PubsubClient, type XmppConnection, type XmppError } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const RID = "battery-1";
let serial = 0;

describe("instructions to a SunSpec battery", () => {
  let server: OwnServer, services: ThingServices, device: HostedDevice, sim: BatterySimulator;
  let owner: XmppConnection, app: XmppConnection, app2: XmppConnection;
  const updates: InstructionStatusUpdate[] = [];
  let to = "";

  const description = () => device.runtime.controlSpace.latest("StorageSystemDescription") as StorageSystemDescription;
  const modeId = (label: string) => {
    const b = description().actuatorBehaviours[0]!;
    const modes = "continuousRunningMode" in b.runningModes ? [] : b.runningModes;
    return (modes as { id: number; label?: string }[]).find((m) => m.label === label)?.id ?? (() => { throw new Error(`no mode ${label}`); })();
  };
  const instruction = (mode: string, over: Partial<StorageInstruction> = {}, factor?: number): StorageInstruction => ({
    kind: "StorageInstruction",
    header: { efiResourceId: RID, timestamp: formatDateTime(Date.now()) },
    instructionId: `app-${++serial}`,
    flexibilityUpdateId: description().flexibilityUpdateId,
    isEmergencyInstruction: false,
    actuatorInstructions: [{ actuatorId: 0, runningModeId: modeId(mode), ...(factor !== undefined ? { runningModeFactor: factor } : {}), startTime: formatDateTime(Date.now()) }],
    ...over,
  });
  const send = async (from: XmppConnection, payload: Element) => {
    const reply = await from.iq(to, "set", payload);
    return decode(reply!) as InstructionStatusUpdate;
  };
  const refusal = (from: XmppConnection, payload: Element) => send(from, payload).then(() => { throw new Error("expected a refusal"); }, (e: XmppError) => e);
  const statuses = (id: string) => updates.filter((u) => u.instructionId === id).map((u) => u.status);

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app", "app2"], accounts: [RID, "owner"] });
    services = await startThingServices(server);
    [owner, app, app2] = await Promise.all([server.account("owner"), server.component("app"), server.component("app2")]);
    app.handleIq("set", EFI_NS, "InstructionStatusUpdate", (req) => { updates.push(decode(req.element) as InstructionStatusUpdate); });
    sim = new BatterySimulator({ socPct: 40, capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000 });
    const { port } = await sim.listen();
    const [resolved] = resolveDevices({
      resourceId: RID, tags: { SITE: "home-2" },
      driver: { type: "sunspec-battery", transport: { type: "tcp", host: "127.0.0.1", port }, pollMs: 100, minModeSeconds: 0 },
    }, [sunspecBattery]);
    device = await startDevice(server, resolved!);
    to = device.runtime.conn.jid;
    // Prosody sometimes drops a session right after login (xmpp.js stream-management ack race); the
    // device reconnects by itself: instruct once it answers a ping.
    await vi.waitFor(() => app.iq(to, "get", x("ping", { xmlns: "urn:xmpp:ping" })), { timeout: 15_000, interval: 100 });
    await new RegistryClient(owner, services.registryJid).claim(device.runtime.tags);
    const policy = await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: app.jid }), x("tag", { name: "SITE", value: "home-2" })));
    policyId = policy!.attrs.id as string;
    await services.provisioning.idle();
  });
  let policyId = "";
  afterAll(async () => {
    await device?.stop();
    await sim?.stop();
    await Promise.all([owner, app, app2].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("accepts an allowed app's StorageInstruction, writes the registers, and reports STARTED then SUCCEEDED", async () => {
    const i = instruction("charge", {}, 0.5);
    const accepted = await send(app, encodeElement(i));
    expect(accepted).toMatchObject({ kind: "InstructionStatusUpdate", instructionId: i.instructionId, status: "ACCEPTED" });
    await expect.poll(() => statuses(i.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(sim.state).toMatchObject({ storCtlMod: 1, inWRtePct: 50 });
    await expect.poll(() => sim.state.powerW).toBe(2_500);
    // The node holds the latest status for anyone allowed to read.
    await expect.poll(async () => {
      const [item] = await new PubsubClient(app, server.info.pubsub).items(`efi/${RID}`, { ids: ["InstructionStatusUpdate"] });
      return item && (decode(item.payload!) as InstructionStatusUpdate).status;
    }).toBe("SUCCEEDED");
    // The status the device publishes follows: charging at half power.
    await expect.poll(() => device.runtime.controlSpace.latest("StorageStatus")?.actuatorStatuses?.[0]).toMatchObject({ currentRunningMode: modeId("charge"), runningModeFactor: 0.5 });
  });

  it("applies steps at their start times, and answers a repeated instruction with its status without applying it again", async () => {
    // Charging to discharging goes through idle (the battery's transitions say so).
    const i = instruction("idle");
    i.actuatorInstructions.push({ actuatorId: 0, runningModeId: modeId("discharge"), runningModeFactor: 0.2, startTime: formatDateTime(Date.now() + 400) });
    await send(app, encodeElement(i));
    await expect.poll(() => statuses(i.instructionId)).toEqual(["STARTED"]);
    expect(sim.state.storCtlMod).toBe(3);
    await expect.poll(() => statuses(i.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(sim.state).toMatchObject({ storCtlMod: 2, outWRtePct: 20 });
    expect((await send(app, encodeElement(i))).status).toBe("SUCCEEDED");
    await new Promise((r) => setTimeout(r, 200));
    expect(statuses(i.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
  });

  it("refuses: forbidden to an app provisioning does not allow, not-acceptable for a stale update, bad-request for malformed XML", async () => {
    const forbidden = await refusal(app2, encodeElement(instruction("idle")));
    expect(forbidden.condition).toBe("forbidden");
    expect(forbidden.text).toContain("StorageInstruction");
    const stale = await refusal(app, encodeElement(instruction("idle", { flexibilityUpdateId: "sd-from-yesterday" })));
    expect(stale.condition).toBe("not-acceptable");
    expect(stale.text).toMatch(/flexibilityUpdateId/);
    const unknownMode = instruction("idle");
    unknownMode.actuatorInstructions[0]!.runningModeId = 7;
    expect((await refusal(app, encodeElement(unknownMode))).text).toMatch(/no running mode 7/);
    const malformed = encodeElement(instruction("idle"));
    malformed.children = malformed.children.filter((c) => typeof c === "string" || c.getName() !== "instructionId");
    const bad = await refusal(app, malformed);
    expect(bad.condition).toBe("bad-request");
    expect(bad.text).toMatch(/instructionId/);
  });

  it("revokes an instruction: ABORTED, and the battery goes back to its own behaviour", async () => {
    // Idle now, charge in a minute: revoked in between, the second step never happens.
    const i = instruction("idle");
    i.actuatorInstructions.push({ actuatorId: 0, runningModeId: modeId("charge"), runningModeFactor: 1, startTime: formatDateTime(Date.now() + 60_000) });
    await send(app, encodeElement(i));
    await expect.poll(() => statuses(i.instructionId)).toEqual(["STARTED"]);
    expect(sim.state.storCtlMod).toBe(3);
    const revoke = x("efi:InstructionRevoke", { "xmlns:efi": EFI_NS, "efi:efiVersion": "2.0" },
      x("efi:header", {}, x("efi:efiResourceId", {}, RID), x("efi:timestamp", {}, formatDateTime(Date.now()))),
      x("efi:instructionId", {}, i.instructionId));
    const answer = await app.iq(to, "set", revoke);
    expect((decode(answer!) as InstructionStatusUpdate).status).toBe("ABORTED");
    expect(sim.state.storCtlMod).toBe(0);
    expect(statuses(i.instructionId)).toEqual(["STARTED", "ABORTED"]);
    revoke.getChild("instructionId")!.children = ["never-sent"];
    expect((await app.iq(to, "set", revoke).catch((e: XmppError) => e) as XmppError).condition).toBe("item-not-found");
  });

  it("aborts with the device's reason when the battery refuses the write", async () => {
    sim.refuseWrites(4);
    try {
      const i = instruction("discharge", {}, 0.5);
      expect((await send(app, encodeElement(i))).status).toBe("ACCEPTED");
      await expect.poll(() => statuses(i.instructionId)).toEqual(["ABORTED"]);
      expect(updates.find((u) => u.instructionId === i.instructionId)?.debugInformation).toMatch(/Modbus exception 4/);
    } finally {
      sim.refuseWrites(undefined);
    }
  });

  it("revokes its flexibility while the battery is gone and offers it again when it is back", async () => {
    const items = async () => (await new PubsubClient(app, server.info.pubsub).items(`efi/${RID}`)).map((i) => i.id);
    await sim.disappear();
    await expect.poll(items, { timeout: 15_000 }).toContain("FlexibilityRevoke");
    expect(device.runtime.lostReason).toBeTruthy();
    const refused = await refusal(app, encodeElement(instruction("idle")));
    expect(refused.condition).toBe("not-acceptable");
    expect(refused.text).toMatch(/unavailable/);
    await sim.reappear();
    await expect.poll(items, { timeout: 15_000 }).not.toContain("FlexibilityRevoke");
    expect(device.runtime.lostReason).toBeUndefined();
    expect((await send(app, encodeElement(instruction("idle")))).status).toBe("ACCEPTED");
  });

  it("forgets cached permissions when provisioning clears its cache: a revoked app is refused", async () => {
    expect((await send(app, encodeElement(instruction("idle")))).status).toBe("ACCEPTED");
    const cleared = device.runtime.provisioning.cleared;
    await owner.iq(services.provisioningJid, "set", x("revoke", { xmlns: NS_POLICY, id: policyId }));
    await expect.poll(() => device.runtime.provisioning.cleared).toBeGreaterThan(cleared);
    expect((await refusal(app, encodeElement(instruction("idle")))).condition).toBe("forbidden");
  });
});

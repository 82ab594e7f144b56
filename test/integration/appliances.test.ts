// Appliances end to end (DESIGN.md §5): an app instructs a dishwasher (Shiftable) and a generator (Adjustable) through a real
// Prosody with registry and provisioning; the device runtime checks the instruction against what
// the driver published, the driver writes the simulator's registers over Modbus TCP on loopback.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dishwasher, DishwasherSimulator, generator, GeneratorSimulator } from "../../drivers/appliances/index.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import {
  decode, EFI_NS, encodeElement, formatDateTime, type AdjustableInstruction, type EfiInstruction, type InstructionStatusUpdate, type ShiftableInstruction,
} from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import type { DriverFamily } from "../../src/device/driver.ts";
import { PubsubClient, type XmppConnection, type XmppError } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const GEN = "generator-1";
const DISH = "dishwasher-1";
let serial = 0;

describe("instructions to appliances", () => {
  let server: OwnServer, services: ThingServices, owner: XmppConnection, app: XmppConnection;
  const devices = new Map<string, HostedDevice>();
  const stops: (() => Promise<void>)[] = [];
  const simulators: { gen?: GeneratorSimulator; dish?: DishwasherSimulator } = {};
  const updates: InstructionStatusUpdate[] = [];
  const statuses = (id: string) => updates.filter((u) => u.instructionId === id).map((u) => u.status);
  const header = (rid: string) => ({ efiResourceId: rid, timestamp: formatDateTime(Date.now()) });
  const send = async (rid: string, i: EfiInstruction) => decode((await app.iq(devices.get(rid)!.runtime.conn.jid, "set", encodeElement(i)))!) as InstructionStatusUpdate;
  const refusal = (rid: string, i: EfiInstruction) => send(rid, i).then(() => { throw new Error("expected a refusal"); }, (e: XmppError) => e);

  /** Starts a device of `family` on a simulator listening on loopback, claimed by owner, controllable by app. */
  async function device(rid: string, family: DriverFamily, port: number, settings: Record<string, unknown> = {}): Promise<HostedDevice> {
    const [resolved] = resolveDevices({ resourceId: rid, tags: { SITE: "farm-1" }, driver: { type: family.type, transport: { type: "tcp", host: "127.0.0.1", port }, pollMs: 100, ...settings } }, [family]);
    const hosted = await startDevice(server, resolved!);
    devices.set(rid, hosted);
    stops.push(() => hosted.stop());
    await new RegistryClient(owner, services.registryJid).claim(hosted.runtime.tags);
    return hosted;
  }

  /**
   * Right after start-up an IQ to a device's full JID is sometimes answered service-unavailable for
   * a few hundred ms (seen here with two devices; the runtime is not this suite's subject): wait
   * until the device answers a ping (XEP-0199).
   */
  async function reachable(rid: string): Promise<void> {
    const to = devices.get(rid)!.runtime.conn.jid;
    await vi.waitFor(() => app.iq(to, "get", x("ping", { xmlns: "urn:xmpp:ping" })), { timeout: 10_000, interval: 100 });
  }

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app"], accounts: [GEN, DISH, "owner"] });
    services = await startThingServices(server);
    [owner, app] = await Promise.all([server.account("owner"), server.component("app")]);
    app.handleIq("set", EFI_NS, "InstructionStatusUpdate", (req) => { updates.push(decode(req.element) as InstructionStatusUpdate); });
    const gen = new GeneratorSimulator({ serialNumber: "G20-7", warmUpS: 1, minRunS: 600 });
    stops.push(() => gen.stop());
    simulators.gen = gen;
    await device(GEN, generator, (await gen.listen()).port);
    const dish = new DishwasherSimulator({ serialNumber: "DW-9" });
    stops.push(() => dish.stop());
    simulators.dish = dish;
    await device(DISH, dishwasher, (await dish.listen()).port);
    await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: app.jid }), x("tag", { name: "SITE", value: "farm-1" })));
    await services.provisioning.idle();
    await Promise.all([GEN, DISH].map(reachable));
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await Promise.all([owner, app].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  const adjustable = (runningModeId: number, factor?: number): AdjustableInstruction => {
    const cs = devices.get(GEN)!.runtime.controlSpace;
    return {
      kind: "AdjustableInstruction", header: header(GEN), instructionId: `gen-${++serial}`,
      flexibilityUpdateId: cs.latest("AdjustableSystemDescription")!.flexibilityUpdateId, isEmergencyInstruction: false,
      runningModeId, ...(factor !== undefined ? { runningModeFactor: factor } : {}), startTime: formatDateTime(Date.now()),
    };
  };

  it("the dishwasher starts the instructed program at the instructed time: STARTED, then SUCCEEDED; the running program is no offer any more", async () => {
    const sim = simulators.dish!;
    sim.load(0, Date.now() + 8 * 3_600_000);
    const cs = devices.get(DISH)!.runtime.controlSpace;
    const onNode = async () => (await new PubsubClient(app, server.info.pubsub).items(`efi/${DISH}`)).map((item) => item.id);
    await expect.poll(() => cs.latest("ShiftableUpdate")?.sequentialProfiles[0]?.sequentialProfileAlternatives.length).toBe(2);
    await expect.poll(onNode, { timeout: 10_000 }).toContain("ShiftableUpdate");
    const start = Date.now() + 400;
    const i: ShiftableInstruction = {
      kind: "ShiftableInstruction", header: header(DISH), instructionId: `dish-${++serial}`, flexibilityUpdateId: cs.latest("ShiftableUpdate")!.flexibilityUpdateId,
      isEmergencyInstruction: false, sequentialProfileInstructions: [{ sequenceNr: 0, alternativeNr: 1, startTime: formatDateTime(start) }],
    };
    expect((await send(DISH, i)).status).toBe("ACCEPTED");
    expect(sim.state.state).toBe("waiting");
    await expect.poll(() => statuses(i.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(sim.state).toMatchObject({ state: "running", program: 1, startedBy: "remote", phase: 0, powerW: 1000 });
    expect(sim.state.startedAt).toBeGreaterThanOrEqual(start);
    await expect.poll(() => cs.latest("ShiftableUpdate")).toBeUndefined();
    await expect.poll(onNode, { timeout: 10_000 }).not.toContain("ShiftableUpdate");
    expect(await onNode()).toEqual(expect.arrayContaining(["ShiftableRegistration", "InstructionStatusUpdate"]));
  });

  it("the generator follows an AdjustableInstruction, and a stop within its minimum run time is refused by the blocking timer", async () => {
    const sim = simulators.gen!;
    const start = adjustable(1, 0.5);
    expect((await send(GEN, start)).status).toBe("ACCEPTED");
    await expect.poll(() => statuses(start.instructionId)).toEqual(["STARTED", "SUCCEEDED"]);
    expect(sim.state).toMatchObject({ remote: true, setpointW: 12500 });
    await expect.poll(() => sim.state.phase).toBe("running");
    // The status the device publishes carries the minimum-run timer; an early stop is not acceptable.
    await expect.poll(() => devices.get(GEN)!.runtime.controlSpace.latest("AdjustableStatus")?.timerUpdates.map((t) => t.timerId)).toContain(1);
    const stop = adjustable(0);
    const refused = await refusal(GEN, stop);
    expect(refused.condition).toBe("not-acceptable");
    expect(refused.text).toMatch(/transition 1 -> 0 is blocked by timer 1/);
    expect(sim.state.phase).toBe("running");
  });
});

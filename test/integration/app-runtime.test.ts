// The energy-app runtime against a real Prosody with registry and provisioning, and real devices (a
// SunSpec battery and a SunSpec meter on their Modbus simulators): a late-joining app rebuilds every
// control space from the nodes, follows changes, instructs and tracks; an app provisioning does not
// allow sees and controls nothing; a device restart is survived; a new device is found at once
// through the registry's change notices.
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BatterySimulator, sunspecBattery } from "../../drivers/sunspec-battery/index.ts";
import { MeterSimulator, sunspecMeter } from "../../drivers/sunspec-meter/index.ts";
import { AppRuntime } from "../../src/app/runtime.ts";
import { resolveDevices, type ResolvedDevice } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import { encodeElement, formatDateTime, type StorageSystemDescription } from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import type { XmppConnection, XmppError } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const SITE = "home-9";
const [BAT, METER, LATE] = ["bat-9", "meter-9", "meter-9b"];

describe("the energy-app runtime", () => {
  let server: OwnServer, services: ThingServices, owner: XmppConnection, appConn: XmppConnection, outsiderConn: XmppConnection;
  let battery: BatterySimulator, meter: MeterSimulator, lateMeter: MeterSimulator;
  let app: AppRuntime, outsider: AppRuntime;
  let meterW = 800;
  const devices = new Map<string, HostedDevice>();
  const configs = new Map<string, ResolvedDevice>();

  const start = async (rid: string) => {
    const d = await startDevice(server, configs.get(rid)!);
    devices.set(rid, d);
    // Prosody may drop a session right after login (xmpp.js stream-management race): wait until it answers.
    await vi.waitFor(() => owner.iq(d.runtime.conn.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" })), { timeout: 15_000, interval: 100 });
    return d;
  };
  const claim = async (rid: string) => {
    await new RegistryClient(owner, services.registryJid).claim(devices.get(rid)!.runtime.tags);
    await services.provisioning.idle();
  };

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app", "app2"], accounts: [BAT, METER, LATE, "owner"] });
    services = await startThingServices(server);
    [owner, appConn, outsiderConn] = await Promise.all([server.account("owner"), server.component("app"), server.component("app2")]);
    battery = new BatterySimulator({ socPct: 50, capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000 });
    meter = new MeterSimulator({ serialNumber: "M-9", powerW: () => meterW });
    lateMeter = new MeterSimulator({ serialNumber: "M-9b", powerW: () => 300 });
    const ports = await Promise.all([battery.listen(), meter.listen(), lateMeter.listen()]);
    const tcp = (i: number) => ({ type: "tcp", host: "127.0.0.1", port: ports[i]!.port });
    for (const [d] of [
      resolveDevices({ resourceId: BAT, tags: { SITE }, driver: { type: "sunspec-battery", transport: tcp(0), pollMs: 200, minModeSeconds: 0 } }, [sunspecBattery]),
      resolveDevices({ resourceId: METER, tags: { SITE, ROLE: "grid" }, driver: { type: "sunspec-meter", transport: tcp(1), pollMs: 200 } }, [sunspecMeter]),
      resolveDevices({ resourceId: LATE, tags: { SITE }, driver: { type: "sunspec-meter", transport: tcp(2), pollMs: 200 } }, [sunspecMeter]),
    ]) configs.set(d!.config.resourceId, d!);
    await Promise.all([start(BAT), start(METER)]);
    await claim(BAT);
    await claim(METER);
    await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: appConn.jid }), x("tag", { name: "SITE", value: SITE })));
    await services.provisioning.idle();
    // The devices have published before any app exists.
    await vi.waitFor(() => expect(devices.get(BAT)!.runtime.controlSpace.latest("StorageStatus")).toBeDefined());
  });
  afterAll(async () => {
    await Promise.all([app?.stop(), outsider?.stop()]);
    await Promise.all([...devices.values()].map((d) => d.stop()));
    await Promise.all([battery, meter, lateMeter].map((s) => s?.stop()));
    await Promise.all([owner, appConn, outsiderConn].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("joining late, rebuilds every device's control space from the nodes and learns where they are", async () => {
    app = new AppRuntime({ conn: appConn, search: [{ op: "strEq", name: "SITE", value: SITE }], researchMs: 600_000 });
    await app.start();
    expect([...app.model.devices.keys()].sort()).toEqual([BAT, METER]);
    const bat = app.model.devices.get(BAT)!;
    await expect.poll(() => bat.presence, { timeout: 10_000 }).toBe("online");
    expect(bat.fullJid).toBe(devices.get(BAT)!.runtime.conn.jid);
    const published = devices.get(BAT)!.runtime.controlSpace;
    await expect.poll(() => bat.latest("StorageSystemDescription")?.flexibilityUpdateId).toBe(published.latest("StorageSystemDescription")!.flexibilityUpdateId);
    expect(bat.latest("StorageRegistration")).toEqual(published.latest("StorageRegistration"));
    expect(bat.category).toBe("storage");
    expect(bat.controllable).toBe(true);
    const m = app.model.devices.get(METER)!;
    expect(m.category).toBe("inflexible");
    expect(m.tags.ROLE).toBe("grid");
    // The first reads may come before provisioning made the app a member: retried until allowed.
    await expect.poll(() => app.refused.size).toBe(0);
  });

  it("follows measurements as they change", async () => {
    meterW = 2_345;
    await expect.poll(() => app.model.devices.get(METER)!.sample("power")?.v, { timeout: 10_000 }).toBe(2_345);
  });

  it("instructs and tracks the status to SUCCEEDED; the battery's registers change", async () => {
    const bat = app.model.devices.get(BAT)!;
    const description = bat.latest("StorageSystemDescription") as StorageSystemDescription;
    const modes = description.actuatorBehaviours[0]!.runningModes as { id: number; label?: string }[];
    const discharge = modes.find((mo) => mo.label === "discharge")!.id;
    const statuses: string[] = [];
    app.on("status", (t) => statuses.push(t.state));
    const t = await app.instruct(BAT, "discharge 1", {
      kind: "StorageInstruction", flexibilityUpdateId: description.flexibilityUpdateId, isEmergencyInstruction: false,
      actuatorInstructions: [{ actuatorId: 0, runningModeId: discharge, runningModeFactor: 1, startTime: formatDateTime(Date.now()) }],
    });
    expect(["ACCEPTED", "STARTED", "SUCCEEDED"]).toContain(t.state);
    await expect.poll(() => t.state).toBe("SUCCEEDED");
    expect(t.history.map((h) => h.state)).toEqual(["SENT", "ACCEPTED", "STARTED", "SUCCEEDED"]);
    await expect.poll(() => battery.state.powerW).toBeLessThan(0);
    expect(app.tracker.latest.get(BAT)).toBe(t);
  });

  it("records a refusal by the device's EFI rules as REJECTED with its reason", async () => {
    const t = await app.instruct(BAT, "stale", {
      kind: "StorageInstruction", flexibilityUpdateId: "not-the-current-one", isEmergencyInstruction: false,
      actuatorInstructions: [{ actuatorId: 0, runningModeId: 0, startTime: formatDateTime(Date.now()) }],
    });
    expect(t.state).toBe("REJECTED");
    expect(t.info).toMatch(/flexibilityUpdateId/);
  });

  it("an app provisioning does not allow sees nothing and controls nothing", async () => {
    outsider = new AppRuntime({ conn: outsiderConn, search: [{ op: "strEq", name: "SITE", value: SITE }], researchMs: 600_000 });
    await outsider.start();
    // The registry lists public things to anyone; their control spaces and presence stay closed.
    await expect.poll(() => [...outsider.refused.keys()].sort()).toEqual([BAT, METER]);
    for (const d of outsider.model.devices.values()) {
      expect(d.items).toEqual([]);
      expect(d.fullJid).toBeUndefined();
      expect(d.samples.size).toBe(0);
    }
    const bat = app.model.devices.get(BAT)!;
    const description = bat.latest("StorageSystemDescription")!;
    const err = await outsiderConn.iq(bat.fullJid!, "set", encodeElement({
      kind: "StorageInstruction", header: { efiResourceId: BAT, timestamp: formatDateTime(Date.now()) }, instructionId: "outsider-1",
      flexibilityUpdateId: description.flexibilityUpdateId, isEmergencyInstruction: false,
      actuatorInstructions: [{ actuatorId: 0, runningModeId: 0, startTime: formatDateTime(Date.now()) }],
    })).catch((e: XmppError) => e);
    expect((err as XmppError).condition).toBe("forbidden");
  });

  it("reads the site's shared alarms node, which provisioning created and the outsider cannot read", async () => {
    await app.followNode(`alarms/${SITE}`);
    expect(app.nodes.get(`alarms/${SITE}`)).toEqual(new Map());
    const denied = await outsider.pubsub.items(`alarms/${SITE}`).catch((e: XmppError) => e.condition);
    expect(denied).toBe("forbidden");
    // Members read; only the configured publisher (the monitor) publishes.
    const refused = await app.pubsub.publish(`alarms/${SITE}`, x("test", { xmlns: "urn:example" }), "x").catch((e: XmppError) => e.condition);
    expect(refused).toBe("forbidden");
  });

  it("finds a newly claimed device at once, through the registry's change notice", async () => {
    await start(LATE);
    await claim(LATE);
    // researchMs is 10 minutes: only the notice can bring it this soon.
    await expect.poll(() => app.model.devices.get(LATE)?.latest("InflexibleRegistration"), { timeout: 10_000 }).toBeDefined();
    await expect.poll(() => app.model.devices.get(LATE)!.presence).toBe("online");
  });

  it("survives a device restart: offline, then online at its new session with its control space", async () => {
    const bat = app.model.devices.get(BAT)!;
    const before = bat.fullJid;
    await devices.get(BAT)!.stop();
    await expect.poll(() => bat.presence, { timeout: 10_000 }).toBe("offline");
    expect(bat.controllable).toBe(false);
    await start(BAT);
    await expect.poll(() => bat.presence, { timeout: 15_000 }).toBe("online");
    expect(bat.fullJid).toBeDefined();
    expect(bat.fullJid).toBe(devices.get(BAT)!.runtime.conn.jid);
    expect(before).toBeDefined();
    const description = bat.latest("StorageSystemDescription") as StorageSystemDescription;
    const idle = (description.actuatorBehaviours[0]!.runningModes as { id: number; label?: string }[]).find((mo) => mo.label === "idle")!.id;
    const t = await app.instruct(BAT, "idle", {
      kind: "StorageInstruction", flexibilityUpdateId: description.flexibilityUpdateId, isEmergencyInstruction: false,
      actuatorInstructions: [{ actuatorId: 0, runningModeId: idle, startTime: formatDateTime(Date.now()) }],
    });
    expect(t.state).not.toBe("FAILED");
    await expect.poll(() => t.state).toBe("SUCCEEDED");
  });
});

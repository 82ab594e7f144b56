// The device runtime against a real Prosody with the registry and provisioning: a P1 meter
// (simulated meter on a mock serial port, real driver) registers, is claimed, publishes its control
// space and telemetry, answers presence subscriptions through provisioning, and keeps telemetry
// through a server restart.
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dsmrP1, P1Simulator } from "../../drivers/dsmr-p1/index.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import { decode } from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { packFromXml } from "../../src/telemetry/index.ts";
import { onPresence, PubsubClient, sendPresence, type Presence, type XmppConnection } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const RID = "p1-meter-1";
const PATH = `/dev/flexfed-p1-it-${process.pid}`;

describe("device runtime with a P1 meter", () => {
  let server: OwnServer, services: ThingServices, device: HostedDevice;
  let owner: XmppConnection, app: XmppConnection, app2: XmppConnection;
  const sim = new P1Simulator({ path: PATH });

  /** Writes one telegram and waits until its telemetry pack went into the runtime. */
  const telegram = async () => {
    const before = device.runtime.telemetry.outbox.size + device.runtime.telemetry.published;
    expect(sim.tick()).toBeDefined();
    await expect.poll(() => device.runtime.telemetry.outbox.size + device.runtime.telemetry.published).toBeGreaterThan(before);
  };

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry", "provisioning", "app", "app2"], accounts: [RID, "owner"] });
    services = await startThingServices(server);
    [owner, app, app2] = await Promise.all([server.account("owner"), server.component("app"), server.component("app2")]);
    const [resolved] = resolveDevices({ resourceId: RID, tags: { SITE: "home-1", KEY: "k-123" }, driver: { type: "dsmr-p1", path: PATH, simulated: true, staleAfterSeconds: 600 } }, [dsmrP1]);
    const starting = startDevice(server, resolved!, { identityTimeoutMs: 5_000 });
    // The runtime registers once the driver read a telegram (the nameplate is in it).
    const ticker = setInterval(() => sim.tick(), 50);
    device = await starting.finally(() => clearInterval(ticker));
  });
  afterAll(async () => {
    await device?.stop();
    sim.stop();
    await Promise.all([owner, app, app2].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("registers with its own tags and what the meter told it, and is claimed by them", async () => {
    const tags = Object.fromEntries(device.runtime.tags.map((t) => [t.name, t.value]));
    expect(tags).toMatchObject({ RID, EFI: "inflexible", NODE: `efi/${RID}`, SITE: "home-1", KEY: "k-123", CLASS: "Miscellaneous" });
    expect(tags.SN).toBeTruthy();
    const claimed = new Promise<string>((resolve) => device.runtime.once("claimed", resolve));
    const answer = await new RegistryClient(owner, services.registryJid).claim(device.runtime.tags);
    expect(answer.jid).toBe(`${RID}@${server.info.domain}`);
    expect(await claimed).toBe(`owner@${server.info.domain}`);
  });

  it("gives a late subscriber the whole control space once the owner allows it", async () => {
    await owner.iq(services.provisioningJid, "set",
      x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: app.jid }), x("tag", { name: "SITE", value: "home-1" })));
    await services.provisioning.idle();
    await telegram();
    const ps = new PubsubClient(app, server.info.pubsub);
    await expect.poll(async () => (await ps.items(`efi/${RID}`).catch(() => [])).map((i) => i.id).sort(), { timeout: 10_000 })
      .toEqual(["InflexibleRegistration", "Measurement"]);
    for (const item of await ps.items(`efi/${RID}`)) {
      const m = decode(item.payload!);
      expect(m.kind).toBe(item.id);
      expect(m.header.efiResourceId).toBe(RID);
    }
    const other = await new PubsubClient(app2, server.info.pubsub).items(`efi/${RID}`).catch((e: { condition?: string }) => e.condition);
    expect(other).toBe("forbidden");
  });

  it("answers presence subscriptions as provisioning says: friends yes, others no", async () => {
    const answer = (from: XmppConnection) => new Promise<Presence>((resolve) => {
      const off = onPresence(from, (p) => { if (p.from.startsWith(RID) && (p.type === "subscribed" || p.type === "unsubscribed")) { off(); resolve(p); } });
    });
    const [yes, no] = [answer(app), answer(app2)];
    await sendPresence(app, { to: `${RID}@${server.info.domain}`, type: "subscribe" });
    await sendPresence(app2, { to: `${RID}@${server.info.domain}`, type: "subscribe" });
    expect((await yes).type).toBe("subscribed");
    expect((await no).type).toBe("unsubscribed");
  });

  it("publishes SenML telemetry with the OBIS names", async () => {
    await telegram();
    const ps = new PubsubClient(app, server.info.telemetry);
    await expect.poll(() => device.runtime.telemetry.outbox.size).toBe(0);
    const [latest] = await ps.items(`telemetry/${RID}`, { max: 1 });
    const records = packFromXml(latest!.payload!);
    expect(records[0]).toMatchObject({ bn: `${RID}/` });
    const voltage = records.find((r) => r.n === "1-0:32.7.0");
    expect(voltage).toMatchObject({ u: "V" });
    expect(voltage!.v).toBeCloseTo(sim.state!.power.voltage[0], 0);
  });

  it("keeps telemetry while the server is down and delivers all of it, in order, once, when it is back", async () => {
    await expect.poll(() => device.runtime.telemetry.outbox.size).toBe(0);
    const sentBefore = device.runtime.telemetry.published;
    const node = `telemetry/${RID}`;
    const itemsBefore = new Set((await new PubsubClient(app, server.info.telemetry).items(node)).map((i) => i.id));
    let queued = 0;
    await server.restart({
      whileDown: async () => {
        await expect.poll(() => device.runtime.conn.online).toBe(false);
        for (let i = 0; i < 5; i++) await telegram();
        queued = device.runtime.telemetry.outbox.size;
      },
    });
    expect(queued).toBeGreaterThanOrEqual(5);
    await expect.poll(() => device.runtime.telemetry.outbox.size, { timeout: 30_000 }).toBe(0);
    expect(device.runtime.telemetry.published - sentBefore).toBe(queued);
    // What the node holds beyond what it held before (none of it on Prosody, whose telemetry items
    // live in memory; all of it on ejabberd, which keeps them: xep/servers.md) is exactly what was queued.
    await expect.poll(() => app.online, { timeout: 30_000 }).toBe(true);
    const items = await new PubsubClient(app, server.info.telemetry).items(node);
    // Packs that queued up go several to an item (each starting with its base name and time).
    const fresh = items.filter((i) => !itemsBefore.has(i.id));
    expect(new Set(fresh.map((i) => i.id)).size).toBe(fresh.length);
    const times = fresh.flatMap((i) => packFromXml(i.payload!).flatMap((r) => (r.bt === undefined ? [] : [r.bt])));
    expect(times).toHaveLength(queued);
  });

  it("stops publishing when its owner removes it, and registers again to be claimed anew", async () => {
    // After the restart above, the owner and the registry reconnect with back-off.
    const answers = () => owner.iq(services.registryJid, "get", x("ping", { xmlns: "urn:xmpp:ping" })).then(() => true, () => false);
    await expect.poll(answers, { timeout: 30_000 }).toBe(true);
    const released = new Promise<string>((resolve) => device.runtime.once("released", resolve));
    const registered = new Promise<string>((resolve) => device.runtime.once("registered", resolve));
    await new RegistryClient(owner, services.registryJid).remove(`${RID}@${server.info.domain}`);
    expect(await released).toBe("removed");
    expect(device.runtime.claimed).toBe(false);
    expect(await registered).toContain(`RID:${RID}`);
    expect(services.things.get(`${RID}@${server.info.domain}`)).toMatchObject({ owner: null });
  });
});

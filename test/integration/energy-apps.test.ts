// The three energy apps against a real Prosody with registry and provisioning and real devices on
// their Modbus simulators: the balancer holds a 5 kW import limit through a load peak with the
// battery; the demand-response app brings a feeder of three homes under a congestion signal's
// limit and hands the batteries back when it ends; the monitor raises and clears a voltage alarm
// and an offline alarm on alarms/<site>.
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BatterySimulator, sunspecBattery } from "../../drivers/sunspec-battery/index.ts";
import { MeterSimulator, sunspecMeter } from "../../drivers/sunspec-meter/index.ts";
import { balancer } from "../../energy-apps/balancer/index.ts";
import { demandResponse, encodeCongestion } from "../../energy-apps/demand-response/index.ts";
import { monitor, parseAlarm } from "../../energy-apps/monitor/index.ts";
import { hostApp, type HostedApp } from "../../src/app/host.ts";
import { AppRuntime } from "../../src/app/runtime.ts";
import type { EnergyApp } from "../../src/app/types.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { PubsubClient, type XmppConnection } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const FEEDER = "f-9";
/** home-7 has a balancer; home-8..10 are the feeder's other homes. */
const HOMES = ["home-7", "home-8", "home-9", "home-10"];

interface Home {
  site: string;
  load: number;
  meter: MeterSimulator;
  battery: BatterySimulator;
  /** What the connection meter measures: the household and the battery. */
  netW(): number;
}

describe("energy apps", () => {
  let server: OwnServer, services: ThingServices, owner: XmppConnection, operator: XmppConnection;
  const homes = new Map<string, Home>();
  const devices = new Map<string, HostedDevice>();
  const apps: HostedApp[] = [];
  const configs = new Map<string, Parameters<typeof startDevice>[1]>();

  const startHosted = async (rid: string) => {
    const d = await startDevice(server, configs.get(rid)!);
    devices.set(rid, d);
    await vi.waitFor(() => owner.iq(d.runtime.conn.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" })), { timeout: 15_000, interval: 100 });
    return d;
  };
  const allow = (app: string, actions: string, tag: [string, string]) =>
    owner.iq(services.provisioningJid, "set", x("policy", { xmlns: NS_POLICY, effect: "allow", actions }, x("subject", { jid: `${app}.${server.info.domain}` }), x("tag", { name: tag[0], value: tag[1] })));
  const host = async (app: EnergyApp) => {
    const conn = await server.component(app.name);
    const runtime = new AppRuntime({ conn, search: app.search, researchMs: 600_000 });
    await runtime.start();
    const hosted = hostApp(app, runtime, { tickMs: 1_000 });
    apps.push(hosted);
    return hosted;
  };

  /** What an app knows of a device, so that a failure shows why it cannot control it. */
  const known = (a: HostedApp, rid: string) => {
    const d = a.runtime.model.devices.get(rid);
    return { controllable: d?.controllable, presence: d?.presence, fullJid: !!d?.fullJid, revoked: d?.revoked, items: d?.items.map((m) => m.kind).sort(), refused: a.runtime.refused.get(rid) };
  };

  beforeAll(async () => {
    const rids = HOMES.flatMap((h) => [`${h}-meter`, `${h}-battery`]);
    server = await startOwnServer({ components: ["registry", "provisioning", "balancer", "dr", "monitor"], accounts: [...rids, "owner", "operator"] });
    services = await startThingServices(server);
    [owner, operator] = await Promise.all([server.account("owner"), server.account("operator")]);
    for (const site of HOMES) {
      const battery = new BatterySimulator({ socPct: 70, capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000, serialNumber: `B-${site}` });
      const home = { site, load: 1_000, battery, netW: () => home.load + battery.state.powerW } as Home;
      home.meter = new MeterSimulator({ serialNumber: `M-${site}`, powerW: () => home.netW() });
      homes.set(site, home);
      const [m, b] = await Promise.all([home.meter.listen(), battery.listen()]);
      const tags = { SITE: site, FEEDER };
      const tcp = (port: number) => ({ type: "tcp", host: "127.0.0.1", port });
      configs.set(`${site}-meter`, resolveDevices({ resourceId: `${site}-meter`, tags: { ...tags, ROLE: "grid" }, driver: { type: "sunspec-meter", transport: tcp(m.port), pollMs: 200 } }, [sunspecMeter])[0]!);
      configs.set(`${site}-battery`, resolveDevices({ resourceId: `${site}-battery`, tags, driver: { type: "sunspec-battery", transport: tcp(b.port), pollMs: 200, minModeSeconds: 0 } }, [sunspecBattery])[0]!);
    }
    await Promise.all(rids.map(startHosted));
    const registry = new RegistryClient(owner, services.registryJid);
    for (const rid of rids) await registry.claim(devices.get(rid)!.runtime.tags);
    // The home's CEM controls home-7; the grid operator's app reads the feeder and controls the
    // homes without a CEM; the monitor reads everything.
    await allow("balancer", "read control", ["SITE", "home-7"]);
    await allow("dr", "read", ["FEEDER", FEEDER]);
    for (const site of HOMES.slice(1)) await allow("dr", "control", ["SITE", site]);
    await allow("monitor", "read", ["FEEDER", FEEDER]);
    await services.provisioning.idle();
  });
  afterAll(async () => {
    for (const a of apps) { await a.stop(); await a.runtime.stop(); await a.runtime.conn.stop(); }
    await Promise.all([...devices.values()].map((d) => d.stop()));
    for (const h of homes.values()) await Promise.all([h.meter.stop(), h.battery.stop()]);
    await Promise.all([owner, operator].map((c) => c?.stop()));
    await services?.stop();
    await server?.dispose();
  });

  it("the balancer holds a 5 kW import limit through a load peak, with the battery", async () => {
    const home = homes.get("home-7")!;
    const b = await host(balancer({ site: "home-7", importLimitW: 5_000, exportLimitW: 3_000 }));
    await expect.poll(() => known(b, "home-7-battery"), { timeout: 30_000 }).toMatchObject({ controllable: true });
    home.load = 8_000;
    // Without the battery the connection would import 8 kW.
    await expect.poll(() => home.netW(), { timeout: 20_000 }).toBeLessThanOrEqual(5_000);
    expect(home.battery.state.powerW).toBeLessThan(-2_900);
    const t = b.runtime.tracker.latest.get("home-7-battery")!;
    expect(t.intent).toMatch(/^discharge/);
    await expect.poll(() => t.state).toBe("SUCCEEDED");
    // It holds: a second later the site is still within the limit.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(home.netW()).toBeLessThanOrEqual(5_000);
    home.load = 1_000;
  });

  it("the demand-response app brings the feeder under a congestion limit and hands the batteries back when it ends", async () => {
    const others = HOMES.slice(1).map((s) => homes.get(s)!);
    for (const h of others) h.load = 3_000;
    const total = () => HOMES.reduce((w, s) => w + homes.get(s)!.netW(), 0);
    const dr = await host(demandResponse({ feeders: [FEEDER] }));
    await expect.poll(() => dr.runtime.nodes.has(`grid/${FEEDER}`), { timeout: 40_000 }).toBe(true);
    await expect.poll(() => dr.runtime.model.view().filter((d) => d.controllable).length, { timeout: 15_000 }).toBe(8);
    const limit = total() - 4_000;
    const now = Date.now();
    const signal = { id: "c-test", feeder: FEEDER, limit, start: new Date(now - 1_000).toISOString(), end: new Date(now + 600_000).toISOString() };
    await new PubsubClient(operator, server.info.pubsub).publish(`grid/${FEEDER}`, encodeCongestion(signal), signal.id);
    await expect.poll(total, { timeout: 20_000 }).toBeLessThanOrEqual(limit);
    // Shared by the homes it may control, each in proportion to what it can give (all equal here).
    const powers = others.map((h) => h.battery.state.powerW);
    for (const p of powers) expect(p).toBeLessThan(-1_000);
    expect(Math.max(...powers) - Math.min(...powers)).toBeLessThan(600);
    // home-7's battery is its own balancer's: the app was refused and gave it no share.
    expect(dr.runtime.tracker.latest.get("home-7-battery")?.state ?? "none").not.toMatch(/ACCEPTED|STARTED|SUCCEEDED/);
    // The operator ends the signal: the app revokes, the batteries return to their own control.
    await new PubsubClient(operator, server.info.pubsub).publish(`grid/${FEEDER}`, encodeCongestion({ ...signal, end: new Date().toISOString() }), signal.id);
    await expect.poll(() => others.map((h) => h.battery.state.storCtlMod), { timeout: 20_000 }).toEqual([0, 0, 0]);
    for (const h of others) h.load = 1_000;
  });

  it("the monitor raises and clears a voltage alarm and an offline alarm on the site's alarms node", async () => {
    const m = await host(monitor({ silentAfterMs: 600_000 }));
    const alarms = new PubsubClient(owner, server.info.pubsub);
    const alarm = async (id: string) => {
      const [item] = await alarms.items("alarms/home-9", { ids: [id] }).catch(() => []);
      return item?.payload ? parseAlarm(item.payload) : undefined;
    };
    await expect.poll(() => m.runtime.model.devices.get("home-9-meter")?.sample("voltageL1")?.v, { timeout: 15_000 }).toBe(230);
    homes.get("home-9")!.meter.voltageV = 262;
    await expect.poll(() => alarm("voltage:home-9-meter"), { timeout: 15_000 }).toMatchObject({ state: "raised", kind: "voltage", value: 262, limit: 253 });
    homes.get("home-9")!.meter.voltageV = 231;
    await expect.poll(async () => (await alarm("voltage:home-9-meter"))?.state, { timeout: 15_000 }).toBe("cleared");

    await devices.get("home-9-battery")!.stop();
    await expect.poll(() => alarm("offline:home-9-battery"), { timeout: 15_000 }).toMatchObject({ state: "raised", kind: "offline", severity: "critical" });
    await startHosted("home-9-battery");
    await expect.poll(async () => (await alarm("offline:home-9-battery"))?.state, { timeout: 20_000 }).toBe("cleared");
    expect((m.app as ReturnType<typeof monitor>).raised).toBeGreaterThanOrEqual(2);
  });

  it("every app survives a device restart: the balancer controls the restarted battery again", async () => {
    const home = homes.get("home-7")!;
    const b = apps.find((a) => a.app.name === "balancer")!;
    const before = b.runtime.tracker.latest.get("home-7-battery")?.id;
    await devices.get("home-7-battery")!.stop();
    await expect.poll(() => b.runtime.model.devices.get("home-7-battery")?.presence, { timeout: 15_000 }).toBe("offline");
    await startHosted("home-7-battery");
    await expect.poll(() => known(b, "home-7-battery"), { timeout: 30_000 }).toMatchObject({ controllable: true });
    home.load = 9_000;
    await expect.poll(() => home.netW(), { timeout: 20_000 }).toBeLessThanOrEqual(5_000);
    // A new instruction to the device's new session did it.
    const after = b.runtime.tracker.latest.get("home-7-battery")!;
    expect(after.id).not.toBe(before);
    await expect.poll(() => after.state).toBe("SUCCEEDED");
    // The monitor and the demand-response app still see every device.
    for (const name of ["monitor", "dr"]) {
      const a = apps.find((x) => x.app.name === name)!;
      await expect.poll(() => a.runtime.model.view().filter((d) => d.presence === "online").length, { timeout: 15_000 }).toBe(8);
    }
    home.load = 1_000;
  });
});

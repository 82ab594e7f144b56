// Two domains federated over real server-to-server XMPP: agg.test, an aggregator's domain with
// the devices, their owner, the registry and provisioning; grid.test, the grid operator's domain
// with its apps and its operator. Each domain has its own server (the project's: Prosody or
// ejabberd, vitest.config.ts) on its own loopback address and
// its own CA; s2s authenticates by certificate. Peers dial each other through TCP proxies that
// the last test cuts to drop the link.
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { BatterySimulator, sunspecBattery } from "../../drivers/sunspec-battery/index.ts";
import { MeterSimulator, sunspecMeter } from "../../drivers/sunspec-meter/index.ts";
import { demandResponse, encodeCongestion } from "../../energy-apps/demand-response/index.ts";
import { hostApp, type HostedApp } from "../../src/app/host.ts";
import { AppRuntime } from "../../src/app/runtime.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import { decode, formatDateTime, type StorageSystemDescription } from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { accountOptions, componentOptions } from "../../src/server/endpoints.ts";
import { S2S_PORT, startFederation, type Federation } from "../../src/server/federation.ts";
import { RegistryClient, type SearchOperatorInput } from "../../src/registry/index.ts";
import { isNewerItem } from "../../src/telemetry/index.ts";
import { PubsubClient, XmppConnection } from "../../src/xmpp/index.ts";
import { TEST_SERVER } from "./fixtures.ts";
import { freeLoopbackAddresses, testServer } from "./harness.ts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";

const AGG = "agg.test", GRID = "grid.test";
/** home-1 and home-2 on feeder f-1 (readable by grid.test); home-3 on f-2 (no policy at all). */
const DEVICES = [
  { rid: "home-1-meter", site: "home-1", feeder: "f-1", kind: "meter" },
  { rid: "home-1-battery", site: "home-1", feeder: "f-1", kind: "battery" },
  { rid: "home-2-meter", site: "home-2", feeder: "f-1", kind: "meter" },
  { rid: "home-2-battery", site: "home-2", feeder: "f-1", kind: "battery" },
  { rid: "home-3-battery", site: "home-3", feeder: "f-2", kind: "battery" },
] as const;

describe("federation over server-to-server XMPP", () => {
  let base: string, fed: Federation, proxies: TcpProxy[], services: ThingServices;
  let owner: XmppConnection, operator: XmppConnection;
  const conns: XmppConnection[] = [];
  const devices = new Map<string, HostedDevice>();
  const batteries = new Map<string, BatterySimulator>();
  const meters = new Map<string, MeterSimulator>();
  const loads = new Map<string, number>([["home-1", 2_000], ["home-2", 2_000], ["home-3", 2_000]]);
  const apps: HostedApp[] = [];
  const runtimes: AppRuntime[] = [];

  const agg = () => fed.servers[0]!;
  const grid = () => fed.servers[1]!;
  const allow = (subject: { jid: string } | { domain: string }, actions: string, tag: [string, string]) =>
    owner.iq(services.provisioningJid, "set", x("policy", { xmlns: NS_POLICY, effect: "allow", actions }, x("subject", subject), x("tag", { name: tag[0], value: tag[1] })));
  /** A runtime of grid.test's component `label` working with agg.test's devices. */
  const runtime = async (label: string, search: readonly SearchOperatorInput[]) => {
    const conn = await XmppConnection.component(componentOptions(grid(), label));
    conns.push(conn);
    const r = new AppRuntime({ conn, search, domain: AGG, researchMs: 600_000, linkCheckMs: 500 });
    runtimes.push(r);
    await r.start();
    return r;
  };

  beforeAll(async () => {
    const [aggAt, gridAt, aggProxyAt, gridProxyAt] = await freeLoopbackAddresses(4, S2S_PORT);
    base = await mkdtemp(path.join(os.tmpdir(), "flexfed-fed-"));
    await chmod(base, 0o755); // the servers' data dirs inside are theirs (they may run as the prosody user)
    fed = await startFederation(path.join(base, "shared"), [
      { server: TEST_SERVER, dataDir: path.join(base, "agg"), domain: AGG, address: aggAt!, reachAt: aggProxyAt, smacksHibernation: 5,
        caDir: path.dirname(testServer().info.caCert), components: ["registry", "provisioning"], accounts: ["owner", ...DEVICES.map((d) => d.rid)] },
      { server: TEST_SERVER, dataDir: path.join(base, "grid"), domain: GRID, address: gridAt!, reachAt: gridProxyAt, smacksHibernation: 5,
        caDir: inject("peerCaDir"), components: ["app", "dr"], accounts: ["operator"] },
    ]);
    proxies = await Promise.all([
      startTcpProxy({ host: aggProxyAt!, port: S2S_PORT }, { host: aggAt!, port: S2S_PORT }),
      startTcpProxy({ host: gridProxyAt!, port: S2S_PORT }, { host: gridAt!, port: S2S_PORT }),
    ]);
    // The aggregator lets the grid operator's account publish the congestion signals of its feeders.
    services = await startThingServices(agg(), { publishers: { grid: [`operator@${GRID}`], alarms: [] } });
    [owner, operator] = await Promise.all([
      XmppConnection.client(accountOptions(agg(), "owner", "test")),
      XmppConnection.client(accountOptions(grid(), "operator", "test")),
    ]);
    for (const d of DEVICES) {
      const tcp = (port: number) => ({ type: "tcp", host: "127.0.0.1", port });
      const tags = { SITE: d.site, FEEDER: d.feeder };
      let config;
      if (d.kind === "battery") {
        const b = new BatterySimulator({ socPct: 70, capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000, serialNumber: `B-${d.rid}` });
        batteries.set(d.site, b);
        config = { resourceId: d.rid, tags, driver: { type: "sunspec-battery", transport: tcp((await b.listen()).port), pollMs: 200, minModeSeconds: 0 } };
      } else {
        const m = new MeterSimulator({ serialNumber: `M-${d.rid}`, powerW: () => loads.get(d.site)! + (batteries.get(d.site)?.state.powerW ?? 0) });
        meters.set(d.site, m);
        config = { resourceId: d.rid, tags: { ...tags, ROLE: "grid" }, driver: { type: "sunspec-meter", transport: tcp((await m.listen()).port), pollMs: 200 } };
      }
      const hosted = await startDevice(agg(), resolveDevices(config, [sunspecBattery, sunspecMeter])[0]!);
      devices.set(d.rid, hosted);
      await vi.waitFor(() => owner.iq(hosted.runtime.conn.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" })), { timeout: 15_000, interval: 100 });
    }
    const registry = new RegistryClient(owner, services.registryJid);
    for (const d of devices.values()) await registry.claim(d.runtime.tags);
    // The owner's policies name the other domain (read) and its apps' JIDs (control); home-2 may
    // be read but not controlled, home-3 not even read.
    await allow({ domain: GRID }, "read", ["FEEDER", "f-1"]);
    await allow({ jid: `app.${GRID}` }, "control", ["SITE", "home-1"]);
    await allow({ jid: `dr.${GRID}` }, "control", ["SITE", "home-1"]);
    await services.provisioning.idle();
  });

  afterAll(async () => {
    for (const a of apps) await a.stop();
    for (const r of runtimes) await r.stop();
    await Promise.all([...conns, owner, operator].map((c) => c?.stop()));
    await Promise.all([...devices.values()].map((d) => d.stop()));
    await Promise.all([...batteries.values(), ...meters.values()].map((s) => s.stop()));
    await services?.stop();
    await Promise.all((proxies ?? []).map((p) => p.close()));
    await fed?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  // A failure prints the servers' own account of their links: CI keeps nothing else.
  afterEach(async ({ task }) => {
    if (task.result?.state !== "fail") return;
    for (const s of fed.servers) {
      const logs = await Promise.all(["prosody.log", "logs/ejabberd.log"].map((f) => readFile(path.join(s.info.dataDir, f), "utf8").catch(() => "")));
      const lines = logs.join("").split("\n").filter((l) => /s2s|dialback/i.test(l));
      console.error(`--- ${s.info.domain}: last s2s log lines ---\n${lines.slice(-80).join("\n")}`);
    }
  });

  let app: AppRuntime;

  it("an app of grid.test finds agg.test's devices in its registry and reads those the owner's policies let it read", async () => {
    app = await runtime("app", [{ op: "strMask", name: "SITE", value: "home-*", wildcard: "*" }]);
    await expect.poll(() => [...app.model.devices.keys()].sort(), { timeout: 15_000 }).toEqual(DEVICES.map((d) => d.rid).sort());
    await expect.poll(() => app.model.devices.get("home-1-battery")?.controllable, { timeout: 30_000 }).toBe(true);
    expect(app.model.devices.get("home-1-battery")!.latest("StorageSystemDescription")).toBeDefined();
    await expect.poll(() => app.model.devices.get("home-1-meter")?.sample("power")?.v, { timeout: 15_000 }).toBe(2_000);
    // home-3 is on another feeder: no policy lets grid.test read it.
    await expect.poll(() => app.refused.get("home-3-battery"), { timeout: 15_000 }).toBe("forbidden");
    expect(app.model.devices.get("home-3-battery")!.items).toEqual([]);
  });

  it("instructs a device of agg.test across the link; a device whose owner did not allow control refuses (forbidden)", async () => {
    const instruct = async (rid: string) => {
      await expect.poll(() => app.model.devices.get(rid)?.controllable, { timeout: 30_000 }).toBe(true);
      const description = app.model.devices.get(rid)!.latest("StorageSystemDescription") as StorageSystemDescription;
      const modes = description.actuatorBehaviours[0]!.runningModes as { id: number; label?: string }[];
      return app.instruct(rid, "discharge", {
        kind: "StorageInstruction", flexibilityUpdateId: description.flexibilityUpdateId, isEmergencyInstruction: false,
        actuatorInstructions: [{ actuatorId: 0, runningModeId: modes.find((m) => m.label === "discharge")!.id, runningModeFactor: 0.4, startTime: formatDateTime(Date.now()) }],
      });
    };
    const allowed = await instruct("home-1-battery");
    await expect.poll(() => allowed.state, { timeout: 15_000 }).toBe("SUCCEEDED");
    await expect.poll(() => batteries.get("home-1")!.state.powerW, { timeout: 10_000 }).toBeLessThan(-1_000);
    const refused = await instruct("home-2-battery");
    expect(refused.state).toBe("FAILED");
    expect(refused.info).toMatch(/^forbidden/);
    expect(batteries.get("home-2")!.state.powerW).toBe(0);
    await app.revoke("home-1-battery");
    await expect.poll(() => batteries.get("home-1")!.state.storCtlMod, { timeout: 10_000 }).toBe(0);
  });

  it("the grid operator's demand-response app acts on the aggregator's devices through the aggregator's policies only", async () => {
    const rt = await runtime("dr", demandResponse({ feeders: ["f-1"] }).search);
    const dr = hostApp(demandResponse({ feeders: ["f-1"] }), rt, { tickMs: 1_000 });
    apps.push(dr);
    await expect.poll(() => rt.nodes.has("grid/f-1"), { timeout: 40_000 }).toBe(true);
    await expect.poll(() => rt.model.view().filter((d) => d.controllable).map((d) => d.rid).sort(), { timeout: 30_000 })
      .toEqual(["home-1-battery", "home-1-meter", "home-2-battery", "home-2-meter"]);
    const total = () => ["home-1", "home-2"].reduce((w, s) => w + loads.get(s)! + batteries.get(s)!.state.powerW, 0);
    const limit = total() - 1_500;
    const now = Date.now();
    const signal = { id: "c-fed", feeder: "f-1", limit, start: new Date(now - 1_000).toISOString(), end: new Date(now + 600_000).toISOString() };
    // operator@grid.test publishes on agg.test's grid/f-1, across the link.
    const signals = new PubsubClient(operator, `pubsub.${AGG}`);
    await signals.publish("grid/f-1", encodeCongestion(signal), signal.id);
    await expect.poll(total, { timeout: 20_000 }).toBeLessThanOrEqual(limit);
    // Only home-1 relieved the feeder: home-2's owner allowed reading, not control.
    expect(batteries.get("home-1")!.state.powerW).toBeLessThan(-1_000);
    expect(batteries.get("home-2")!.state.powerW).toBe(0);
    expect(rt.tracker.latest.get("home-2-battery")?.state ?? "none").not.toMatch(/ACCEPTED|STARTED|SUCCEEDED/);
    await signals.publish("grid/f-1", encodeCongestion({ ...signal, end: new Date().toISOString() }), signal.id);
    await expect.poll(() => batteries.get("home-1")!.state.storCtlMod, { timeout: 20_000 }).toBe(0);
    await dr.stop();
    apps.splice(apps.indexOf(dr), 1);
  });

  it("a server-to-server link that drops while the devices keep publishing: once it is back, the app has everything", async () => {
    const seen = new Map<string, string[]>();
    app.on("telemetry", (rid, id) => seen.set(rid, [...(seen.get(rid) ?? []), id]));
    const links: boolean[] = [];
    app.on("link", (up) => links.push(up));
    const readable = ["home-1-meter", "home-1-battery", "home-2-meter", "home-2-battery"];
    await expect.poll(() => readable.every((rid) => (seen.get(rid)?.length ?? 0) > 0), { timeout: 15_000 }).toBe(true);

    for (const p of proxies) p.cut();
    await expect.poll(() => links.at(-1), { timeout: 10_000 }).toBe(false);
    // Meanwhile the devices keep publishing, and home-1's load changes: the node fills with packs
    // the app does not get.
    loads.set("home-1", 3_300);
    const telemetry = new PubsubClient(owner, `telemetry.${AGG}`);
    const missed = async (rid: string) => (await telemetry.items(`telemetry/${rid}`)).filter((i) => !seen.get(rid)!.includes(i.id)).length;
    await expect.poll(() => missed("home-1-meter"), { timeout: 10_000 }).toBeGreaterThan(5);
    const beforeHeal = seen.get("home-1-meter")!.length;

    for (const p of proxies) p.heal();
    // Within the servers' s2s connect timeout (20 s) even if a link attempt stalled in the cut.
    await expect.poll(() => links.at(-1), { timeout: 40_000 }).toBe(true);
    // Every pack published while the link was down reached the app, once and in order. (ejabberd
    // 23.01 now and then drops a stanza sent as its s2s connection to a peer's host comes back:
    // the app's read then times out after 15 s and its retry brings the packs; xep/servers.md.)
    for (const rid of readable) {
      await expect.poll(async () => {
        const onNode = (await telemetry.items(`telemetry/${rid}`)).map((i) => i.id);
        const first = seen.get(rid)![0]!;
        return onNode.filter((id) => !seen.get(rid)!.includes(id) && isNewerItem(id, first)).length;
      }, { timeout: 40_000 }).toBe(0);
      const ids = seen.get(rid)!;
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(seen.get("home-1-meter")!.length).toBeGreaterThan(beforeHeal + 5);
    await expect.poll(() => app.model.devices.get("home-1-meter")!.sample("power")?.v, { timeout: 10_000 }).toBe(3_300);
    // And each control space is the one on the device's node.
    const efi = new PubsubClient(owner, `pubsub.${AGG}`);
    for (const rid of readable) {
      await expect.poll(async () => {
        const onNode = (await efi.items(`efi/${rid}`)).flatMap((i) => (i.payload ? [decode(i.payload)] : []));
        const known = app.model.devices.get(rid)!.items;
        return onNode.every((m) => JSON.stringify(known.find((k) => k.kind === m.kind)) === JSON.stringify(m)) && known.length === onNode.length;
      }, { timeout: 10_000 }).toBe(true);
    }
  }, 120_000);
});

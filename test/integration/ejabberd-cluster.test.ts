// One domain on a two-node ejabberd cluster (src/server/cluster.ts, README "Scaling out"): the
// registry, provisioning and the owner on the first node; the device and the app on the second.
// What flexfed needs from the cluster: accounts, sessions, component routes and pubsub shared, so
// registration, claims, node reads and notifications, and instructions to a device's full JID
// all cross from one node to the other. Runs in the ejabberd project only (vitest.config.ts).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createElement as x } from "ltx/lib/ltx.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BatterySimulator, sunspecBattery } from "../../drivers/sunspec-battery/index.ts";
import { AppRuntime } from "../../src/app/runtime.ts";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import { formatDateTime, type StorageSystemDescription } from "../../src/efi/index.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { startEjabberdCluster, type Cluster } from "../../src/server/cluster.ts";
import { clusterNodes, erlangNode } from "../../src/server/ejabberd.ts";
import { accountOptions, componentOptions } from "../../src/server/endpoints.ts";
import { XmppConnection } from "../../src/xmpp/index.ts";
import { freeLoopbackAddresses, testServer } from "./harness.ts";

const DOMAIN = "cluster.test";
const RID = "battery-c1";

describe("one domain on a two-node ejabberd cluster", () => {
  let base: string, cluster: Cluster, services: ThingServices, device: HostedDevice, sim: BatterySimulator;
  let owner: XmppConnection, appConn: XmppConnection, app: AppRuntime;
  const first = () => cluster.nodes[0]!;
  const second = () => cluster.nodes[1]!;

  beforeAll(async () => {
    const addresses = await freeLoopbackAddresses(2, 0);
    base = await mkdtemp(path.join(os.tmpdir(), "flexfed-cluster-"));
    await chmod(base, 0o711); // the nodes' data dirs inside belong to the ejabberd user
    cluster = await startEjabberdCluster(path.join(base, "nodes"), {
      domain: DOMAIN, caDir: path.dirname(testServer().info.caCert), smacksHibernation: 5,
      components: ["registry", "provisioning", "app"], accounts: ["owner", RID],
    }, addresses);
    services = await startThingServices(first());
    owner = await XmppConnection.client(accountOptions(first(), "owner", "test"));
    sim = new BatterySimulator({ socPct: 60, capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000, serialNumber: "B-C1" });
    const { port } = await sim.listen();
    const [resolved] = resolveDevices({
      resourceId: RID, tags: { SITE: "home-c" },
      driver: { type: "sunspec-battery", transport: { type: "tcp", host: "127.0.0.1", port }, pollMs: 200, minModeSeconds: 0 },
    }, [sunspecBattery]);
    device = await startDevice(second(), resolved!);
    await vi.waitFor(() => owner.iq(device.runtime.conn.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" })), { timeout: 15_000, interval: 100 });
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all([appConn, owner].map((c) => c?.stop()));
    await device?.stop();
    await sim?.stop();
    await services?.stop();
    await cluster?.stop();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it("forms one cluster: each node lists both", async () => {
    const names = cluster.nodes.map((n) => erlangNode(n.info.dataDir, { address: n.info.address, cluster: { distPort: 1 } })).sort();
    expect(await clusterNodes(first().info)).toEqual(names);
    expect(await clusterNodes(second().info)).toEqual(names);
    expect(first().info.address).not.toBe(second().info.address);
  });

  it("a device on the second node registers with the first node's registry and is claimed there", async () => {
    const registry = new RegistryClient(owner, services.registryJid);
    await registry.claim(device.runtime.tags);
    await expect.poll(() => services.policies.devicesWithNodes().length, { timeout: 15_000 }).toBe(1);
  });

  it("an app on the second node finds it, reads its node, follows its telemetry and instructs it", async () => {
    for (const actions of ["read", "control"]) {
      await owner.iq(services.provisioningJid, "set", x("policy", { xmlns: NS_POLICY, effect: "allow", actions },
        x("subject", { jid: `app.${DOMAIN}` }), x("tag", { name: "SITE", value: "home-c" })));
    }
    await services.provisioning.idle();
    appConn = await XmppConnection.component(componentOptions(second(), "app"));
    app = new AppRuntime({ conn: appConn, search: [{ op: "strEq", name: "SITE", value: "home-c" }], researchMs: 600_000 });
    await app.start();
    await expect.poll(() => app.model.devices.get(RID)?.controllable, { timeout: 30_000 }).toBe(true);
    const d = app.model.devices.get(RID)!;
    expect(d.presence).toBe("online");
    await expect.poll(() => d.sample("soc")?.v, { timeout: 15_000 }).toBeGreaterThan(50);
    const description = d.latest("StorageSystemDescription") as StorageSystemDescription;
    const modes = description.actuatorBehaviours[0]!.runningModes as { id: number; label?: string }[];
    const tracked = await app.instruct(RID, "discharge", {
      kind: "StorageInstruction", flexibilityUpdateId: description.flexibilityUpdateId, isEmergencyInstruction: false,
      actuatorInstructions: [{ actuatorId: 0, runningModeId: modes.find((m) => m.label === "discharge")!.id, runningModeFactor: 0.5, startTime: formatDateTime(Date.now()) }],
    });
    await expect.poll(() => tracked.state, { timeout: 15_000 }).toBe("SUCCEEDED");
    await expect.poll(() => sim.state.powerW, { timeout: 10_000 }).toBeLessThan(-1_000);
  });
});

// N devices of the bench driver in one device-runtime process (startDevice, one XMPP session
// each), on a Prosody of the bench's own with the registry and provisioning; optionally claimed by
// an owner who lets the app components read and control them. Main side: startFleet. Child side:
// fleetRole (the measured runtime process), to which a bench adds its own requests.
import type { ChildProcess } from "node:child_process";
import { createElement as x } from "ltx/lib/ltx.js";
import { resolveDevices } from "../../src/device/config.ts";
import { startDevice, type HostedDevice } from "../../src/device/host.ts";
import { NS_POLICY } from "../../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../../src/provisioning/services.ts";
import { RegistryClient, type Tag } from "../../src/registry/index.ts";
import { accountOptions } from "../../src/server/endpoints.ts";
import { readServerInfo } from "../../src/server/prosody.ts";
import { XmppConnection } from "../../src/xmpp/index.ts";
import { benchStorage } from "./driver.ts";
import { ask, forkRole, memory, procStats, serve, stopChild } from "./proc.ts";
import { benchServer, type BenchServer } from "./server.ts";
import { latency, pool, seconds, type Latency } from "./stats.ts";

export const SITE = "bench";
export const rid = (i: number) => `dev-${String(i + 1).padStart(5, "0")}`;

export interface DeviceInfo { rid: string; jid: string; tags: Tag[] }
export interface Memory { rss: number; heapUsed: number }
export interface Started { devices: DeviceInfo[]; startS: number; loginMs: Latency; failed: number; before: Memory; after: Memory }

export interface Fleet {
  bench: BenchServer;
  server: ReturnType<typeof readServerInfo>;
  services: ThingServices;
  runtime: ChildProcess;
  started: Started;
  claimS: number;
  /** Prosody's PID (its RSS and CPU are read from /proc). */
  prosodyPid: number | undefined;
  stop(): Promise<void>;
}

export interface FleetOptions {
  devices: number;
  /** The role of the runtime process (a bench's fleetRole with its own requests). */
  role: string;
  /** App components (labels) the owner allows to read and control the devices. */
  apps?: string[];
  claim?: boolean;
  /** Devices logging in at once. */
  concurrency?: number;
  /** Extra accounts (bare clients). */
  accounts?: string[];
  /** Extra components with no policy; they may create pubsub nodes (Prosody admins). */
  admins?: string[];
}

/** Server, services, the runtime process with its devices; claimed by the owner unless claim is false. */
export async function startFleet(name: string, opts: FleetOptions): Promise<Fleet> {
  const apps = opts.apps ?? ["app"];
  const rids = Array.from({ length: opts.devices }, (_, i) => rid(i));
  const admins = ["registry", "provisioning", ...(opts.admins ?? [])];
  const bench = await benchServer(name, { components: [...admins, ...apps], admins, accounts: ["owner", ...(opts.accounts ?? [])], bulkAccounts: rids });
  const server = readServerInfo(bench.dataDir);
  const children: ChildProcess[] = [];
  let services: ThingServices | undefined;
  let owner: XmppConnection | undefined;
  const stop = async () => {
    for (const c of children) await stopChild(c);
    await owner?.stop();
    await services?.stop();
    await bench.stop();
  };
  try {
    services = await startThingServices(server);
    owner = await XmppConnection.client(accountOptions(server, "owner", "bench"));
    for (const app of apps) {
      await owner.iq(services.provisioningJid, "set",
        x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: `${app}.${server.info.domain}` }), x("tag", { name: "SITE", value: SITE })));
    }
    const runtime = forkRole(opts.role, [bench.dataDir], ["--expose-gc"]);
    children.push(runtime);
    const started = await ask<Started>(runtime, { type: "start", devices: opts.devices, concurrency: opts.concurrency ?? 50 });
    let claimS = 0;
    if (opts.claim !== false) {
      const registry = new RegistryClient(owner, services.registryJid);
      const t0 = performance.now();
      let done = 0;
      await pool(started.devices.length, 20, async (k) => {
        await registry.claim(started.devices[k]!.tags);
        if (++done % 250 === 0 || done === started.devices.length) console.log(`${name}: claimed ${done}/${started.devices.length}`);
      });
      await services.provisioning.idle();
      claimS = seconds(t0);
      const { restarted } = await ask<{ restarted: string[] }>(runtime, { type: "settle" });
      if (restarted.length) {
        console.log(`${name}: ${restarted.length} devices missed their claim notice and were restarted`);
        await services.provisioning.idle();
      }
    }
    return { bench, server, services, runtime, started, claimS, prosodyPid: bench.server.pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The devices hosted by this (runtime) process. */
export const hosted: HostedDevice[] = [];

/** The runtime process: starts the devices on request; `extra` adds a bench's own requests. */
export async function fleetRole(args: string[], extra: Record<string, (m: Record<string, unknown>) => unknown> = {}): Promise<void> {
  const server = readServerInfo(args[0]!);
  let configs: ReturnType<typeof resolveDevices> = [];
  serve({
    start: async (m) => {
      const n = m.devices as number;
      configs = resolveDevices({
        devices: Array.from({ length: n }, (_, i) => ({ resourceId: rid(i), tags: { SITE }, driver: { type: benchStorage.type } })),
      }, [benchStorage], "bench");
      const before = memory();
      const ms: number[] = [];
      let failed = 0;
      const t0 = performance.now();
      await pool(n, m.concurrency as number, async (k) => {
        const t = performance.now();
        try {
          hosted[k] = await startDevice(server, configs[k]!);
          ms.push(performance.now() - t);
        } catch (err) {
          if (++failed <= 3) console.error(`device ${rid(k)}: ${(err as Error).message}`);
        }
        const done = ms.length + failed;
        if (done % 500 === 0 || done === n) console.log(`devices online ${ms.length}/${n}${failed ? `, ${failed} failed` : ""} (${(done / seconds(t0)).toFixed(0)}/s)`);
      });
      const startS = seconds(t0);
      const devices = hosted.filter(Boolean).map((h) => ({ rid: h.runtime.resourceId, jid: h.runtime.conn.jid, tags: h.runtime.tags }));
      return { devices, startS, loginMs: latency(ms), failed, before, after: memory() } satisfies Started;
    },
    settle: async () => {
      // A device learns of its claim from the registry's notice; one that missed it registers again.
      const missed = hosted.flatMap((h, k) => (h && !h.runtime.claimed ? [k] : []));
      await pool(missed.length, 50, async (i) => {
        const k = missed[i]!;
        await hosted[k]!.stop();
        hosted[k] = await startDevice(server, configs[k]!);
      });
      return { restarted: missed.map(rid) };
    },
    memory: () => ({ memory: memory(), cpuS: procStats(process.pid).cpuS }),
    ...extra,
  });
}

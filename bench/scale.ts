// How many devices one runtime process and one Prosody hold (issue 9): N devices (1 000, then
// 10 000) start in device-runtime processes (startDevice: TLS, SCRAM, bind, stream management,
// directed presence, registration answered "claimed", the control space published on efi/<rid>),
// next to the same accounts logging in as bare clients (XmppConnection.client: TLS, SCRAM, bind,
// stream management, nothing else) in the same run. Start rate, latency, CPU and memory per device
// in the client processes and in Prosody, and how many were connected at once.
//
// Prosody is restarted before each side, so that each side's Prosody memory is measured over a
// fresh process (Lua keeps what closed sessions used and reuses it) and the runtime side reads its
// nodes from SQLite as after a server restart. Before the runs the owner claims every device once
// (provisioning creates the nodes), which is set-up and not measured.
import type { ChildProcess } from "node:child_process";
import os from "node:os";
import { resolveDevices } from "../src/device/config.ts";
import { startDevice } from "../src/device/host.ts";
import { startThingServices, type ThingServices } from "../src/provisioning/services.ts";
import { RegistryClient, type Tag } from "../src/registry/index.ts";
import { accountOptions } from "../src/server/endpoints.ts";
import { readServerInfo } from "../src/server/prosody.ts";
import { XmppConnection } from "../src/xmpp/index.ts";
import type { Bench } from "./lib/bench.ts";
import { benchStorage, controlSpace } from "./lib/driver.ts";
import { rid, SITE, type Memory } from "./lib/fleet.ts";
import { ask, forkRole, memory, procStats, serve, stopChild } from "./lib/proc.ts";
import { compared, record, type Row } from "./lib/report.ts";
import { benchServer, type BenchServer } from "./lib/server.ts";
import { latency, pool, seconds, sleep, spread, wallMs } from "./lib/stats.ts";

const DEFAULT_DEVICES = [1_000, 10_000];
/** Logins in flight at once over all processes of a side (Prosody took ~200 TLS logins/s here). */
const CONCURRENCY = 50;
/** Devices one runtime process hosts at most; more are split over several processes. */
const PER_PROCESS = 10_000;
/** A device whose control space is not on its node by then counts as failed. */
const PUBLISH_TIMEOUT_MS = 120_000;
/** Items of the bench driver's control space: publishes a started device has had acknowledged. */
const CONTROL_SPACE_ITEMS = controlSpace("x").length;
const MiB = 2 ** 20;

type Kind = "runtime" | "bare";
/** A slice of the devices for one process: rid(first) .. rid(first + count - 1). */
interface Slice { first: number; count: number }
/** What a client process answers to `start`. */
interface Logins { t0: number; t1: number; ms: number[]; failed: number; cpuS: number; before: Memory; tags?: Tag[][] }
interface Side {
  connected: number; failed: number; perS: number; p50: number; p99: number;
  clientMiB: number; clientCpuMs: number; prosodyMiB: number; prosodyCpuMs: number; prosodyBusyPct: number;
}

const slices = (n: number, processes: number): Slice[] => {
  const per = Math.ceil(n / processes);
  return Array.from({ length: processes }, (_, p) => ({ first: p * per, count: Math.min(per, n - p * per) }));
};

/** The bench's Prosody with the registry and provisioning, restartable together. */
class Site {
  services: ThingServices | undefined;
  readonly children: ChildProcess[] = [];
  readonly server: ReturnType<typeof readServerInfo>;
  constructor(readonly bs: BenchServer, readonly processes: number) { this.server = readServerInfo(bs.dataDir); }

  get pid() { return this.bs.server.pid; }

  async startServices(): Promise<void> {
    this.services = await startThingServices(this.server);
    await this.services.provisioning.idle(); // its reconciliation at start-up
  }

  async restart(): Promise<void> {
    await this.services?.stop();
    this.services = undefined;
    await this.bs.restart();
    await this.startServices();
  }

  /** One child per slice, each loaded (modules imported) before anything is timed. */
  async fork(kind: Kind): Promise<ChildProcess[]> {
    const children = Array.from({ length: this.processes }, () => forkRole(`scale:${kind}`, [this.bs.dataDir], ["--expose-gc"]));
    this.children.push(...children);
    await Promise.all(children.map((c) => ask(c, { type: "ready" })));
    return children;
  }

  /** Starts rid(0 .. n-1) over the children, CONCURRENCY in flight in all. */
  start(children: ChildProcess[], n: number, opts: { publish: boolean; tags?: boolean }): Promise<Logins[]> {
    const per = Math.ceil(CONCURRENCY / children.length);
    return Promise.all(slices(n, children.length).map((s, p) => ask<Logins>(children[p]!, { type: "start", ...s, concurrency: per, ...opts })));
  }

  async stop(): Promise<void> {
    for (const c of this.children) await stopChild(c);
    await this.services?.stop();
    await this.bs.stop();
  }
}

/** Set-up: every device registers once and the owner claims it; provisioning creates its nodes. */
async function claimAll(site: Site, n: number): Promise<number> {
  const children = await site.fork("runtime");
  const owner = await XmppConnection.client(accountOptions(site.server, "owner", "bench"));
  try {
    const tags = (await site.start(children, n, { publish: false, tags: true })).flatMap((l) => l.tags ?? []);
    const registry = new RegistryClient(owner, site.services!.registryJid);
    const t0 = performance.now();
    let done = 0;
    await pool(tags.length, 20, async (k) => {
      await registry.claim(tags[k]!);
      if (++done % 1_000 === 0 || done === tags.length) console.log(`scale: claimed ${done}/${tags.length} (${(done / seconds(t0)).toFixed(0)}/s)`);
    });
    if (tags.length < n) throw new Error(`only ${tags.length} of ${n} devices registered for the claim`);
    // Offline now (they would retry their publishes until provisioning has made every node), with
    // their streams closed: 1 000 devices whose process just ended left Prosody 0.12.3 spinning at
    // 100 % CPU with their sockets in CLOSE-WAIT, answering nothing for minutes.
    await Promise.all(children.map((c) => ask(c, { type: "close" })));
    for (const c of children) await stopChild(c);
    const t1 = performance.now();
    const services = site.services!;
    const shown = setInterval(() => {
      const made = services.policies.devicesWithNodes().length;
      console.log(`scale: provisioning made the nodes of ${made}/${n} devices (${(made / seconds(t1)).toFixed(1)}/s)`);
    }, 15_000);
    try {
      await services.provisioning.idle();
    } finally {
      clearInterval(shown);
    }
    return seconds(t0);
  } finally {
    await owner.stop();
    for (const c of children) await stopChild(c);
  }
}

/** One side of a run on a freshly started Prosody: N log in, then measured with all connected. */
async function side(site: Site, kind: Kind, n: number): Promise<Side> {
  await site.restart();
  const children = await site.fork(kind);
  try {
    const prosody0 = procStats(site.pid);
    const logins = await site.start(children, n, { publish: kind === "runtime" });
    const prosody1 = procStats(site.pid);
    await sleep(2_000); // presence and its answers settle
    const prosodyRss = procStats(site.pid).rss;
    const after = await Promise.all(children.map((c) => ask<{ memory: Memory }>(c, { type: "memory" })));
    const ms = logins.flatMap((l) => l.ms);
    const connected = ms.length;
    const wallS = (Math.max(...logins.map((l) => l.t1)) - Math.min(...logins.map((l) => l.t0))) / 1000;
    const { p50, p99 } = latency(ms);
    await Promise.all(children.map((c) => ask(c, { type: "close" }))); // see claimAll
    return {
      connected, failed: logins.reduce((f, l) => f + l.failed, 0), perS: connected / wallS, p50, p99,
      clientMiB: after.reduce((m, a, p) => m + a.memory.rss - logins[p]!.before.rss, 0) / connected / MiB,
      clientCpuMs: (1000 * logins.reduce((s, l) => s + l.cpuS, 0)) / connected,
      prosodyMiB: (prosodyRss - prosody0.rss) / connected / MiB,
      prosodyCpuMs: (1000 * (prosody1.cpuS - prosody0.cpuS)) / connected,
      prosodyBusyPct: (100 * (prosody1.cpuS - prosody0.cpuS)) / wallS,
    };
  } finally {
    // Before the next restart (a failed side's clients would reconnect to it).
    for (const c of children) await stopChild(c);
  }
}

async function runOne(devices: number, runs: number): Promise<void> {
  const loadavgBefore = os.loadavg();
  const processes = Math.ceil(devices / PER_PROCESS);
  const bs = await benchServer("scale", { components: ["registry", "provisioning"], accounts: ["owner"], bulkAccounts: Array.from({ length: devices }, (_, i) => rid(i)) });
  const site = new Site(bs, processes);
  try {
    await site.startServices();
    const claimS = await claimAll(site, devices);
    const results: { runtime: Side; bare: Side }[] = [];
    for (let r = 0; r < runs; r++) {
      // Alternating which side goes first, so a drift of the machine weighs on both.
      const order: Kind[] = r % 2 ? ["runtime", "bare"] : ["bare", "runtime"];
      const res: Partial<Record<Kind, Side>> = {};
      for (const kind of order) res[kind] = await side(site, kind, devices);
      const { runtime, bare } = res as Record<Kind, Side>;
      results.push({ runtime, bare });
      console.log(`scale ${devices}: run ${r + 1}/${runs}: runtime ${runtime.connected} started at ${runtime.perS.toFixed(0)}/s (p99 ${runtime.p99.toFixed(0)} ms), ${runtime.clientMiB.toFixed(3)} MiB/device, Prosody ${runtime.prosodyMiB.toFixed(3)} MiB/device; bare ${bare.connected} at ${bare.perS.toFixed(0)}/s (p99 ${bare.p99.toFixed(0)} ms), ${bare.clientMiB.toFixed(3)} MiB/connection, Prosody ${bare.prosodyMiB.toFixed(3)} MiB/session`);
    }
    const pairs = (f: (s: Side) => number) => results.map((x) => ({ value: f(x.runtime), base: f(x.bare) }));
    const perProcess = Math.ceil(devices / processes);
    const rows: Row[] = [
      {
        name: `devices connected to one Prosody at once, ${processes} runtime process${processes > 1 ? "es" : ""} of up to ${perProcess}`,
        unit: "devices", value: spread(results.map((x) => x.runtime.connected)), target: { op: ">=", value: devices },
      },
      compared("device starts/s (login + register + control space on its node)", "/s", pairs((s) => s.perS), `bare logins, ${CONCURRENCY} in flight`),
      compared("start p50", "ms", pairs((s) => s.p50), "bare login"),
      compared("start p99", "ms", pairs((s) => s.p99), "bare login"),
      compared("client CPU per device", "ms", pairs((s) => s.clientCpuMs), "bare login"),
      compared("Prosody CPU per device", "ms", pairs((s) => s.prosodyCpuMs), "bare login"),
      compared("Prosody busy while they start", "% of a core", pairs((s) => s.prosodyBusyPct), "bare logins"),
      compared("memory per device in its process (RSS)", "MiB", pairs((s) => s.clientMiB), "bare client connection"),
      compared("Prosody memory per connected device (RSS over a fresh start)", "MiB", pairs((s) => s.prosodyMiB), "bare client session"),
    ];
    const failed = results.reduce((f, x) => f + x.runtime.failed + x.bare.failed, 0);
    record("scale", { runs, devices, processes, perProcess, concurrency: CONCURRENCY, failed, accountsS: Number(bs.accountsS.toFixed(1)), claimS: Number(claimS.toFixed(1)), loadavgBefore }, rows, { results });
  } finally {
    await site.stop();
  }
}

/** A device or a bare connection: what a client process holds. */
interface Session { stop(): Promise<void> }

/** A client process: logs in its slice of the devices with `connect` and holds them. */
function clientRole(label: string, connect: (server: ReturnType<typeof readServerInfo>, k: number, m: Record<string, unknown>) => Promise<{ session: Session; tags?: Tag[] }>) {
  return async (args: string[]): Promise<void> => {
    const server = readServerInfo(args[0]!);
    const held: Session[] = [];
    serve({
      ready: () => ({}),
      start: async (m) => {
        const { first, count } = m as unknown as Slice;
        const before = memory();
        const cpu0 = procStats(process.pid).cpuS;
        const ms: number[] = [];
        const tags: Tag[][] = [];
        let failed = 0;
        const t0 = wallMs();
        await pool(count, m.concurrency as number, async (i) => {
          const t = performance.now();
          try {
            const started = await connect(server, first + i, m);
            held.push(started.session);
            ms.push(performance.now() - t);
            if (m.tags && started.tags) tags.push(started.tags);
          } catch (err) {
            if (++failed <= 3) console.error(`${label} ${rid(first + i)}: ${(err as Error).message}`);
          }
          const done = ms.length + failed;
          if (done % 1_000 === 0 || done === count) console.log(`${label} ${rid(first)}..: ${ms.length}/${count} online${failed ? `, ${failed} failed` : ""} (${(done / ((wallMs() - t0) / 1000)).toFixed(0)}/s)`);
        });
        const t1 = wallMs();
        return { t0, t1, ms, failed, cpuS: procStats(process.pid).cpuS - cpu0, before, ...(m.tags ? { tags } : {}) } satisfies Logins;
      },
      memory: () => ({ memory: memory() }),
      close: async () => {
        await pool(held.length, CONCURRENCY, async (k) => { await held[k]!.stop(); });
        held.length = 0;
        return {};
      },
    });
  };
}

/** Resolves when `conn` has had `count` IQ results from `service` (the control space's publishes). */
function acknowledged(conn: XmppConnection, service: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let acks = 0;
    const timer = setTimeout(() => { off(); reject(new Error(`control space not published in ${PUBLISH_TIMEOUT_MS} ms`)); }, PUBLISH_TIMEOUT_MS);
    const off = conn.onStanza("iq", (el) => {
      if (el.attrs.type !== "result" || el.attrs.from !== service || ++acks < count) return;
      off();
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Device runtimes: started when the registry has answered; with `publish`, when their control space is on the node. */
const runtimeRole = clientRole("devices", async (server, k, m) => {
  const [config] = resolveDevices({ devices: [{ resourceId: rid(k), tags: { SITE }, driver: { type: benchStorage.type } }] }, [benchStorage], "bench");
  const device = await startDevice(server, config!);
  // The publishes go out once the registration's "claimed" answer is in, and their results come in
  // on later reads of the socket: listening after startDevice returns misses none.
  if (m.publish) await acknowledged(device.runtime.conn, server.info.pubsub, CONTROL_SPACE_ITEMS);
  return { session: device, tags: device.runtime.tags };
});

/** Bare clients of the same accounts: the login and nothing else. */
const bareRole = clientRole("bare clients", (server, k) => XmppConnection.client(accountOptions(server, rid(k), "bare")).then((session) => ({ session })));

export const bench: Bench = {
  name: "scale",
  summary: "devices per runtime process and connections to one Prosody, login rate, memory",
  async run({ devices, runs }) {
    for (const n of devices.length ? devices : DEFAULT_DEVICES) await runOne(n, runs);
  },
  roles: { runtime: runtimeRole, bare: bareRole },
};

// How many devices one runtime process and one Prosody hold: N devices (1 000, then 10 000) log in
// from one device-runtime process (startDevice: TLS, SCRAM, bind, stream management, presence,
// registration), next to the same accounts logging in as bare clients (TLS, SCRAM, bind, stream
// management, presence) from a process of their own, in the same run. Login rate, memory per
// device in the logging-in process and in Prosody, and how many stayed connected.
import type { ChildProcess } from "node:child_process";
import { startThingServices, type ThingServices } from "../src/provisioning/services.ts";
import { accountOptions } from "../src/server/endpoints.ts";
import { readServerInfo } from "../src/server/prosody.ts";
import { sendPresence, XmppConnection } from "../src/xmpp/index.ts";
import type { Bench } from "./lib/bench.ts";
import { fleetRole, hosted, rid, type Memory, type Started } from "./lib/fleet.ts";
import { ask, forkRole, memory, procStats, serve, stopChild } from "./lib/proc.ts";
import { compared, record, type Row } from "./lib/report.ts";
import { benchServer } from "./lib/server.ts";
import { latency, pool, seconds, sleep, spread } from "./lib/stats.ts";

const DEFAULT_DEVICES = [1_000, 10_000];
/** Logins in flight at once, on both sides. */
const CONCURRENCY = 50;
const MiB = 2 ** 20;

interface Side { perS: number; connected: number; clientMiBPerDevice: number; prosodyMiBPerDevice: number; loginP50: number; loginP99: number }

/**
 * Logs N in through `child` (a fleet runtime or bare clients), measures, and logs them out.
 * Prosody's figure is its RSS with N connected over its RSS before the first login of the bench:
 * Lua keeps the memory of sessions that closed, so a delta per side would count reuse as free.
 */
async function side(child: ChildProcess, prosody: { pid: number | undefined; rssAtStart: number }, n: number): Promise<Side> {
  const started = await ask<Started>(child, { type: "start", devices: n, concurrency: CONCURRENCY });
  await sleep(2_000); // presence and registration answers settle
  const prosodyAfter = procStats(prosody.pid).rss;
  const { memory: after } = await ask<{ memory: Memory }>(child, { type: "memory" });
  const connected = started.devices.length;
  await ask(child, { type: "close" });
  return {
    perS: connected / started.startS, connected,
    clientMiBPerDevice: (after.rss - started.before.rss) / connected / MiB,
    prosodyMiBPerDevice: (prosodyAfter - prosody.rssAtStart) / connected / MiB,
    loginP50: started.loginMs.p50, loginP99: started.loginMs.p99,
  };
}

async function runOne(devices: number, runs: number): Promise<void> {
  const bs = await benchServer("scale", { components: ["registry", "provisioning"], bulkAccounts: Array.from({ length: devices }, (_, i) => rid(i)) });
  const server = readServerInfo(bs.dataDir);
  let services: ThingServices | undefined;
  const children: ChildProcess[] = [];
  try {
    services = await startThingServices(server);
    const prosody = { pid: bs.server.pid, rssAtStart: procStats(bs.server.pid).rss };
    const results: { runtime: Side; bare: Side }[] = [];
    for (let r = 0; r < runs; r++) {
      const bareChild = forkRole("scale:bare", [bs.dataDir], ["--expose-gc"]);
      children.push(bareChild);
      const bare = await side(bareChild, prosody, devices);
      await stopChild(bareChild);
      const runtimeChild = forkRole("scale:runtime", [bs.dataDir], ["--expose-gc"]);
      children.push(runtimeChild);
      const runtime = await side(runtimeChild, prosody, devices);
      await stopChild(runtimeChild);
      results.push({ runtime, bare });
      console.log(`scale ${devices}: run ${r + 1}/${runs}: runtime ${runtime.connected} online at ${runtime.perS.toFixed(0)}/s, ${runtime.clientMiBPerDevice.toFixed(3)} MiB/device, Prosody ${runtime.prosodyMiBPerDevice.toFixed(3)} MiB/device; bare ${bare.connected} at ${bare.perS.toFixed(0)}/s, ${bare.clientMiBPerDevice.toFixed(3)} MiB/connection`);
    }
    const pairs = (f: (s: Side) => number) => results.map((x) => ({ value: f(x.runtime), base: f(x.bare) }));
    const rows: Row[] = [
      { name: `devices connected to one Prosody from one runtime process`, unit: "devices", value: spread(results.map((x) => x.runtime.connected)), target: { op: ">=", value: devices } },
      compared("logins/s (device runtime: + registration)", "/s", pairs((s) => s.perS), `bare clients, ${CONCURRENCY} in flight`),
      compared("login p99", "ms", pairs((s) => s.loginP99), "bare client"),
      compared("memory per device in its process (RSS)", "MiB", pairs((s) => s.clientMiBPerDevice), "bare client connection"),
      compared("Prosody memory per connected device (RSS over its start)", "MiB", pairs((s) => s.prosodyMiBPerDevice), "bare client session"),
    ];
    record("scale", { runs, devices, concurrency: CONCURRENCY, accountsS: Number(bs.accountsS.toFixed(1)) }, rows, { results });
  } finally {
    for (const c of children) await stopChild(c);
    await services?.stop();
    await bs.stop();
  }
}

/** The device-runtime process: the bench's fleet, and a way to log every device out. */
const runtimeRole = (args: string[]) => fleetRole(args, {
  close: async () => {
    await pool(hosted.length, CONCURRENCY, async (k) => { await hosted[k]?.stop(); });
    hosted.length = 0;
    return {};
  },
});

/** Bare clients of the same accounts: login and presence, nothing else. */
async function bareRole(args: string[]): Promise<void> {
  const server = readServerInfo(args[0]!);
  const conns: XmppConnection[] = [];
  serve({
    start: async (m) => {
      const n = m.devices as number;
      const before = memory();
      const ms: number[] = [];
      let failed = 0;
      const t0 = performance.now();
      await pool(n, m.concurrency as number, async (k) => {
        const t = performance.now();
        try {
          const conn = await XmppConnection.client(accountOptions(server, rid(k), "bare"));
          await sendPresence(conn);
          conns.push(conn);
          ms.push(performance.now() - t);
        } catch (err) {
          if (++failed <= 3) console.error(`bare ${rid(k)}: ${(err as Error).message}`);
        }
        const done = ms.length + failed;
        if (done % 1_000 === 0 || done === n) console.log(`bare clients online ${ms.length}/${n} (${(done / seconds(t0)).toFixed(0)}/s)`);
      });
      const startS = seconds(t0);
      return { devices: conns.map((c) => ({ rid: "", jid: c.jid, tags: [] })), startS, loginMs: latency(ms), failed, before, after: memory() } satisfies Started;
    },
    memory: () => ({ memory: memory() }),
    close: async () => {
      await pool(conns.length, CONCURRENCY, async (k) => { await conns[k]!.stop(); });
      conns.length = 0;
      return {};
    },
  });
}

export const bench: Bench = {
  name: "scale",
  summary: "devices per runtime process and connections to one Prosody, login rate, memory",
  async run({ devices, runs }) {
    for (const n of devices.length ? devices : DEFAULT_DEVICES) await runOne(n, runs);
  },
  roles: { runtime: runtimeRole, bare: bareRole },
};

// Instructions through the runtimes: an energy app (AppRuntime, its own process) instructs devices
// of one device-runtime process (bench driver: steps apply at once) and times app -> device ->
// ACCEPTED (the IQ result) and -> SUCCEEDED (the device's status IQ after applying), sequential and
// with many in flight, next to a bare IQ ping app -> device over the same sessions in the same run.
// The device's first instruction (it asks provisioning canControl, then caches) is not measured.
import { createElement as x } from "ltx/lib/ltx.js";
import { AppRuntime } from "../src/app/runtime.ts";
import type { TrackedInstruction } from "../src/app/tracker.ts";
import type { InstructionDraft } from "../src/app/types.ts";
import { formatDateTime, type StorageSystemDescription } from "../src/efi/index.ts";
import { componentOptions } from "../src/server/endpoints.ts";
import { readServerInfo } from "../src/server/prosody.ts";
import { XmppConnection } from "../src/xmpp/index.ts";
import type { Bench } from "./lib/bench.ts";
import { controlSpace } from "./lib/driver.ts";
import { fleetRole, SITE, startFleet } from "./lib/fleet.ts";
import { ask, forkRole, procStats, serve, stopChild } from "./lib/proc.ts";
import { compared, record, type Row } from "./lib/report.ts";
import { latency, pool, seconds, sleep, spread, type Latency } from "./lib/stats.ts";

const DEFAULT_DEVICES = 100;
const SEQUENTIAL = 200;
const IN_FLIGHT = 32; // fewer than the devices (one request per device at a time)
const PARALLEL = 2_000;
const MiB = 2 ** 20;

interface Phase { ms: Latency; perS: number; failed: number }
interface RunResult { ping: Phase; accepted: Phase; succeeded: Latency; pingPar: Phase; acceptedPar: Phase; prosodyCpuPct: number }

/** The app's instruction to stay idle (running mode 1 of the bench driver's description). */
function draft(description: StorageSystemDescription): InstructionDraft {
  return {
    kind: "StorageInstruction",
    flexibilityUpdateId: description.flexibilityUpdateId,
    isEmergencyInstruction: false,
    actuatorInstructions: [{ actuatorId: 0, runningModeId: 1, startTime: formatDateTime(Date.now()) }],
  } as InstructionDraft;
}

async function runOne(devices: number, runs: number): Promise<void> {
  const fleet = await startFleet("control", { devices, role: "control:runtime" });
  const app = forkRole("control:app", [fleet.bench.dataDir]);
  try {
    await ask(app, { type: "ready", devices: fleet.started.devices.map((d) => d.rid) });
    const results: RunResult[] = [];
    for (let r = 0; r < runs; r++) {
      const cpu0 = procStats(fleet.prosodyPid).cpuS, t0 = performance.now();
      const res = await ask<RunResult>(app, { type: "run" });
      res.prosodyCpuPct = (100 * (procStats(fleet.prosodyPid).cpuS - cpu0)) / seconds(t0);
      results.push(res);
      console.log(`control: run ${r + 1}/${runs}: ping p50 ${res.ping.ms.p50.toFixed(2)} ms, ACCEPTED p50 ${res.accepted.ms.p50.toFixed(2)} ms, SUCCEEDED p50 ${res.succeeded.p50.toFixed(2)} ms; ${IN_FLIGHT} in flight: ${res.pingPar.perS.toFixed(0)} pings/s, ${res.acceptedPar.perS.toFixed(0)} instructions/s`);
    }
    const { memory } = await ask<{ memory: { rss: number; heapUsed: number } }>(fleet.runtime, { type: "memory" });
    const pairs = (f: (r: RunResult) => { value: number; base: number }) => results.map(f);
    const failed = results.reduce((n, r) => n + r.ping.failed + r.accepted.failed + r.pingPar.failed + r.acceptedPar.failed, 0);
    const rows: Row[] = [
      compared("instruction -> ACCEPTED, sequential: p50", "ms", pairs((r) => ({ value: r.accepted.ms.p50, base: r.ping.ms.p50 })), "IQ ping p50", { op: "<=", value: 1.5 }),
      compared("instruction -> ACCEPTED, sequential: p99", "ms", pairs((r) => ({ value: r.accepted.ms.p99, base: r.ping.ms.p99 })), "IQ ping p99", { op: "<=", value: 1.5 }),
      compared("instruction -> SUCCEEDED, sequential: p50", "ms", pairs((r) => ({ value: r.succeeded.p50, base: r.ping.ms.p50 })), "IQ ping p50", undefined, "2 more IQs + status publishes"),
      compared(`instruction -> ACCEPTED, ${IN_FLIGHT} in flight: p50`, "ms", pairs((r) => ({ value: r.acceptedPar.ms.p50, base: r.pingPar.ms.p50 })), "IQ ping p50", { op: "<=", value: 1.5 }),
      compared(`instruction -> ACCEPTED, ${IN_FLIGHT} in flight: p99`, "ms", pairs((r) => ({ value: r.acceptedPar.ms.p99, base: r.pingPar.ms.p99 })), "IQ ping p99"),
      compared(`instructions/s, ${IN_FLIGHT} in flight`, "/s", pairs((r) => ({ value: r.acceptedPar.perS, base: r.pingPar.perS })), "IQ pings/s"),
      { name: "Prosody CPU during a run", unit: "% of a core", value: spread(results.map((r) => r.prosodyCpuPct)) },
      { name: `device runtime memory per device (${devices} devices, RSS)`, unit: "MiB", value: spread([(memory.rss - fleet.started.before.rss) / devices / MiB]) },
    ];
    record("control", { runs, devices, sequential: SEQUENTIAL, parallel: PARALLEL, inFlight: IN_FLIGHT, failed }, rows, { results });
    if (failed > 0.01 * runs * (2 * SEQUENTIAL + 2 * PARALLEL)) throw new Error(`${failed} requests failed`);
  } finally {
    await stopChild(app);
    await fleet.stop();
  }
}

/** The energy app's process: AppRuntime on the app component. */
async function appRole(args: string[]): Promise<void> {
  const server = readServerInfo(args[0]!);
  const conn = await XmppConnection.component(componentOptions(server, "app"));
  const runtime = new AppRuntime({ conn, search: [{ op: "strEq", name: "SITE", value: SITE }] });
  const succeeded = new Map<string, (at: number) => void>();
  runtime.on("status", (t: TrackedInstruction) => { if (t.state === "SUCCEEDED") succeeded.get(t.id)?.(performance.now()); });
  let rids: string[] = [];
  const drafts = new Map<string, InstructionDraft>();
  const pick = () => rids[Math.floor(Math.random() * rids.length)]!;
  const jidOf = (rid: string) => runtime.model.devices.get(rid)?.fullJid ?? "";
  const ping = (rid: string) => conn.iq(jidOf(rid), "get", x("ping", { xmlns: "urn:xmpp:ping" })).then(() => undefined);
  const instruct = async (rid: string): Promise<TrackedInstruction> => {
    const t = await runtime.instruct(rid, "idle", drafts.get(rid)!);
    if (t.state !== "ACCEPTED" && t.state !== "STARTED" && t.state !== "SUCCEEDED") throw new Error(`${rid}: ${t.state} ${t.info ?? ""}`);
    return t;
  };
  /** `request` may resolve to its own sample (ms): the accepted phase goes on waiting past it. */
  async function phase(rounds: number, inFlight: number, request: (rid: string) => Promise<unknown>): Promise<Phase> {
    const ms: number[] = [];
    let failed = 0;
    // One request per device at a time: a second instruction would supersede the first (ABORTED).
    const busy = new Set<string>();
    const t0 = performance.now();
    await pool(rounds, inFlight, async () => {
      let rid = pick();
      while (busy.has(rid)) rid = pick();
      busy.add(rid);
      const t = performance.now();
      try {
        const sample = await request(rid);
        ms.push(typeof sample === "number" ? sample : performance.now() - t);
      } catch (err) {
        if (++failed <= 3) console.error(`control: ${(err as Error).message}`);
      } finally {
        busy.delete(rid);
      }
    });
    return { ms: latency(ms), perS: rounds / seconds(t0), failed };
  }
  serve({
    ready: async (m) => {
      rids = m.devices as string[];
      await runtime.start();
      const all = rids;
      for (const until = Date.now() + 60_000; ;) {
        rids = all.filter((rid) => runtime.model.devices.get(rid)?.fullJid && !runtime.refused.has(rid));
        if (rids.length === all.length) break;
        if (Date.now() > until) {
          // A device whose presence the app never learned is left out (said, not hidden).
          const missing = all.filter((rid) => !rids.includes(rid));
          console.log(`control: ${missing.length} of ${all.length} devices not followed after 60 s, left out: ${missing.slice(0, 5).map((rid) => `${rid} (${runtime.refused.get(rid) ?? `presence ${runtime.model.devices.get(rid)?.presence ?? "not found"}`})`).join(", ")}`);
          if (rids.length < 0.95 * all.length) throw new Error(`only ${rids.length} of ${all.length} devices followed`);
          break;
        }
        await sleep(250);
      }
      for (const rid of rids) drafts.set(rid, draft(controlSpace(rid)[1] as StorageSystemDescription));
      // Warm-up: every device's first instruction (canControl asked once, then cached), JIT.
      await pool(rids.length, IN_FLIGHT, async (k) => { await instruct(rids[k]!); });
      await phase(200, IN_FLIGHT, ping);
      console.log(`control: app follows ${rids.length} devices`);
      return { followed: rids.length };
    },
    run: async () => {
      const succeededMs: number[] = [];
      const pingSeq = await phase(SEQUENTIAL, 1, ping);
      const accepted = await phase(SEQUENTIAL, 1, async (rid) => {
        const t0 = performance.now();
        // The status IQs may overtake the IQ result's continuation: listen before sending.
        let resolveDone!: (at: number) => void;
        const done = new Promise<number>((r) => (resolveDone = r));
        const pending: { id?: string } = {};
        const early = new Map<string, number>();
        const listener = (t: TrackedInstruction) => { if (t.state === "SUCCEEDED") early.set(t.id, performance.now()); };
        runtime.on("status", listener);
        try {
          const t = await instruct(rid);
          const acceptedMs = performance.now() - t0;
          pending.id = t.id;
          const at = early.get(t.id);
          if (at !== undefined) resolveDone(at);
          else succeeded.set(t.id, resolveDone);
          const end = await Promise.race([done, sleep(5_000).then(() => NaN)]);
          if (Number.isNaN(end)) throw new Error(`${rid}: no SUCCEEDED in 5 s`);
          succeededMs.push(end - t0);
          return acceptedMs;
        } finally {
          runtime.off("status", listener);
          if (pending.id) succeeded.delete(pending.id);
        }
      });
      const pingPar = await phase(PARALLEL, IN_FLIGHT, ping);
      const acceptedPar = await phase(PARALLEL, IN_FLIGHT, instruct);
      await sleep(500); // the last statuses
      return { ping: pingSeq, accepted, succeeded: latency(succeededMs), pingPar, acceptedPar, prosodyCpuPct: NaN } satisfies RunResult;
    },
  });
}

export const bench: Bench = {
  name: "control",
  summary: "instruction round trip app -> device -> ACCEPTED / SUCCEEDED against a bare IQ ping",
  async run({ devices, runs }) {
    for (const n of devices.length ? devices : [DEFAULT_DEVICES]) await runOne(n, runs);
  },
  roles: { runtime: (args) => fleetRole(args), app: appRole },
};

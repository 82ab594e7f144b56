// One device runtime process hosting many simulated batteries, each its own XMPP session, against
// a Prosody of its own (temp dir, free ports). Not a test: it prints a table and appends one JSON
// line to bench/results/devices.jsonl.
// Run: node --import tsx bench/devices.ts [--devices N]   (default 1 000 devices)
//
// Processes, so that what is measured owns its memory and event loop:
//   main        temp dir, Prosody, the device accounts (prosodyctl, with progress); then --measure
//   --measure   trusts the CA (NODE_EXTRA_CA_CERTS is read only at start-up): registry and
//               provisioning, the owner's claims and policy; forks the three below and reports
//   --simulators  N SunSpec batteries on N loopback ports (Modbus TCP)
//   --runtime     the measured process: N devices via startDevice; memory before and after
//   --app         the energy app component: bare IQ ping round trips, then instruction round trips
// Children talk to --measure over Node's IPC channel and exit when it goes away.
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createElement as x } from "ltx/lib/ltx.js";
import { BatterySimulator, sunspecBattery } from "../drivers/sunspec-battery/index.ts";
import { resolveDevices } from "../src/device/config.ts";
import { startDevice, type HostedDevice } from "../src/device/host.ts";
import {
  decode, EFI_NS, encodeElement, formatDateTime, type InstructionStatusUpdate, type StorageInstruction, type StorageSystemDescription,
} from "../src/efi/index.ts";
import { nodesOf } from "../src/provisioning/nodes.ts";
import { NS_POLICY } from "../src/provisioning/protocol.ts";
import { startThingServices, type ThingServices } from "../src/provisioning/services.ts";
import { RegistryClient, type Tag } from "../src/registry/index.ts";
import { accountOptions, componentOptions } from "../src/server/endpoints.ts";
import { addAccounts, readServerInfo, startServer } from "../src/server/prosody.ts";
import { PubsubClient, XmppConnection, type XmppError } from "../src/xmpp/index.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const DEFAULT_DEVICES = 1_000;
const ACCOUNT_BATCH = 100; // one progress line per batch
const START_CONCURRENCY = 50; // devices logging in at once
const CLAIM_CONCURRENCY = 20;
const IN_FLIGHT = 20; // app requests outstanding at any time
const ROUNDS = 2_000;
const POLL_MS = 30_000; // each battery read every 30 s: ~33 polls/s with 1 000 devices, a modest steady load
const SITE = "bench";
const MAX_ERROR_RATE = 0.01;
const MiB = 2 ** 20;
/** Logins derive SCRAM keys with Node's PBKDF2 (src/xmpp/scram.ts); earlier runs recorded "stock" too. */
type Scram = "native";

const rid = (i: number) => `bat-${String(i + 1).padStart(4, "0")}`;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const seconds = (t0: number) => (performance.now() - t0) / 1000;

interface Stats { median: number; p99: number; count: number }
const stats = (ms: number[]): Stats => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), count: sorted.length };
};

/** Runs fn(0 .. count-1) with at most `concurrency` calls outstanding. */
async function pool(count: number, concurrency: number, fn: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let k = next++; k < count; k = next++) await fn(k);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

// ---- processes and their messages ------------------------------------------------------------

interface Memory { rss: number; heapUsed: number }
interface DeviceInfo { rid: string; jid: string; tags: Tag[] }
interface Started { type: "started"; devices: DeviceInfo[]; startS: number; startMs: Stats; before: Memory; after: Memory }
interface Phase { ms: Stats; perS: number; errors: Record<string, number>; failed: number }
interface AppResult { type: "result"; ping: Phase; first: Phase; instruction: Phase; statusUpdates: number }

function forkRole(role: string, args: string[], extraExecArgv: string[] = []): ChildProcess {
  return fork(SELF, [role, ...args], { execArgv: [...process.execArgv, ...extraExecArgv] });
}

/** The child's next IPC message of `type`; rejects if the child exits first. */
function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type?: string }) => {
      if (m?.type !== type) return;
      cleanup();
      resolve(m as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${child.spawnargs[child.spawnargs.indexOf(SELF) + 1]} process exited (${signal ?? `code ${code}`}) before '${type}'`));
    };
    const cleanup = () => { child.off("message", onMessage); child.off("exit", onExit); };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** SIGTERM to the child by its PID, SIGKILL if it is still there after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/** A child whose parent has gone has nobody to report to: it ends rather than linger. */
function exitWithParent(): void {
  process.on("disconnect", () => process.exit(0));
}

const send = (message: object) => process.send!(message);

// ---- main: server and accounts ---------------------------------------------------------------

/** prosodyctl takes ~55 ms an account (4 in parallel): batches, so that long set-ups show progress. */
async function createAccounts(dataDir: string, names: string[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < names.length; i += ACCOUNT_BATCH) {
    await addAccounts(dataDir, names.slice(i, i + ACCOUNT_BATCH));
    const done = Math.min(i + ACCOUNT_BATCH, names.length);
    console.log(`accounts ${done}/${names.length} (${(done / seconds(t0)).toFixed(0)}/s)`);
  }
  return seconds(t0);
}

async function main(devices: number, scram: Scram): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-bench-devices-"));
  try {
    console.log("starting Prosody ...");
    const server = await startServer({ dataDir, components: ["registry", "provisioning", "app"], accounts: ["owner"], logLevel: "warn" });
    try {
      const accountsS = await createAccounts(dataDir, Array.from({ length: devices }, (_, i) => rid(i)));
      const run = spawnSync(process.execPath, [...process.execArgv, SELF, "--measure", dataDir, String(devices), String(accountsS), scram], {
        stdio: "inherit",
        env: { ...process.env, NODE_EXTRA_CA_CERTS: server.info.caCert },
      });
      if (run.status !== 0) throw new Error(`measurement failed (exit ${run.status ?? run.signal})`);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ---- --measure: services, owner, children, report -----------------------------------------

/** One owner policy: the app may read and control every device of the bench site. */
async function allowApp(owner: XmppConnection, services: ThingServices, domain: string): Promise<void> {
  await owner.iq(services.provisioningJid, "set",
    x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read control" }, x("subject", { jid: `app.${domain}` }), x("tag", { name: "SITE", value: SITE })));
}

async function claimAll(owner: XmppConnection, services: ThingServices, devices: DeviceInfo[]): Promise<number> {
  const registry = new RegistryClient(owner, services.registryJid);
  const t0 = performance.now();
  let done = 0;
  await pool(devices.length, CLAIM_CONCURRENCY, async (k) => {
    await registry.claim(devices[k]!.tags);
    if (++done % 100 === 0 || done === devices.length) console.log(`claimed ${done}/${devices.length}`);
  });
  // Provisioning creates each device's nodes on the claim; the app reads them next.
  await services.provisioning.idle();
  return seconds(t0);
}

/** Prosody's /proc file `name` (Linux), found by its pidfile; undefined elsewhere. */
function prosodyProc(dataDir: string, name: string): string | undefined {
  try {
    const pid = readFileSync(path.join(dataDir, "prosody.pid"), "utf8").trim();
    return readFileSync(`/proc/${pid}/${name}`, "utf8");
  } catch {
    return undefined;
  }
}

const prosodyRss = (dataDir: string) => {
  const kb = /VmRSS:\s+(\d+)/.exec(prosodyProc(dataDir, "status") ?? "")?.[1];
  return kb ? Number(kb) * 1024 : undefined;
};

/** Prosody's CPU time so far, s (utime + stime, in clock ticks of 1/100 s on Linux). */
const prosodyCpuS = (dataDir: string) => {
  const fields = prosodyProc(dataDir, "stat")?.split(") ")[1]?.split(" ");
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : NaN;
};

async function measure(dataDir: string, devices: number, accountsS: number, scram: Scram): Promise<void> {
  const server = readServerInfo(dataDir);
  const children: ChildProcess[] = [];
  let services: ThingServices | undefined;
  let owner: XmppConnection | undefined;
  try {
    services = await startThingServices(server);
    owner = await XmppConnection.client(accountOptions(server, "owner", "bench"));
    await allowApp(owner, services, server.info.domain);

    const simulators = forkRole("--simulators", [String(devices)]);
    children.push(simulators);
    const { ports } = await nextMessage<{ ports: number[] }>(simulators, "ports");
    console.log(`${ports.length} battery simulators listening`);

    const runtime = forkRole("--runtime", [dataDir, scram], ["--expose-gc"]);
    children.push(runtime);
    const started = nextMessage<Started>(runtime, "started");
    runtime.send({ type: "start", ports });
    const devicesUp = await started;
    const claimS = await claimAll(owner, services, devicesUp.devices);
    const { restarted } = await ask<{ restarted: string[] }>(runtime, "settle", "settled");
    if (restarted.length) {
      console.log(`${restarted.length} devices missed their claim notice and were restarted: ${restarted.join(", ")}`);
      await services.provisioning.idle();
    }
    const { memory: claimed } = await memoryOf(runtime);

    // Prosody is single-threaded: its CPU share while the app runs says whether it is the bottleneck.
    const cpu0 = prosodyCpuS(dataDir), t0 = performance.now();
    const app = forkRole("--app", [dataDir]);
    children.push(app);
    const result = nextMessage<AppResult>(app, "result");
    app.send({ type: "run", devices: devicesUp.devices.map(({ rid, jid }) => ({ rid, jid })) });
    const load = await result;
    const prosodyCpuPct = (100 * (prosodyCpuS(dataDir) - cpu0)) / seconds(t0);
    const { memory: afterLoad, spuriousRejections } = await memoryOf(runtime);
    report({ devices, scram, restarted, spuriousRejections, accountsS, claimS, started: devicesUp, claimed, afterLoad, load, prosodyRss: prosodyRss(dataDir), prosodyCpuPct });
  } finally {
    // The runtime first, so that devices are not left polling simulators that are gone.
    for (const child of [...children].reverse()) await stopChild(child);
    await owner?.stop();
    await services?.stop();
  }
}

/** Sends `{type}` to the child and waits for its `answer`. */
async function ask<T>(child: ChildProcess, type: string, answer = type): Promise<T> {
  const reply = nextMessage<T>(child, answer);
  child.send({ type });
  return reply;
}

const memoryOf = (runtime: ChildProcess) => ask<{ memory: Memory; spuriousRejections: string }>(runtime, "memory");

interface Report {
  devices: number; scram: Scram; restarted: string[]; spuriousRejections: string; accountsS: number; claimS: number; started: Started; claimed: Memory; afterLoad: Memory; load: AppResult; prosodyRss: number | undefined; prosodyCpuPct: number;
}

function report(r: Report): void {
  const { ping, first, instruction } = r.load;
  const n = r.devices;
  const perDevice = (m: Memory, key: keyof Memory) => (m[key] - r.started.before[key]) / n / MiB;
  const mem = {
    before: r.started.before, registered: r.started.after, claimed: r.claimed, afterLoad: r.afterLoad,
    rssPerDeviceMiB: perDevice(r.claimed, "rss"), heapPerDeviceMiB: perDevice(r.claimed, "heapUsed"),
    rssPerDeviceAfterLoadMiB: perDevice(r.afterLoad, "rss"), heapPerDeviceAfterLoadMiB: perDevice(r.afterLoad, "heapUsed"),
    prosodyRssMiB: r.prosodyRss === undefined ? undefined : r.prosodyRss / MiB,
  };
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const errors = (p: Phase) => (p.failed ? `${p.failed} failed` : "");
  const rows = [
    [`IQ ping app -> device, ${IN_FLIGHT} in flight`, ms(ping.ms.median), ms(ping.ms.p99), `${ping.perS.toFixed(0)} /s`, errors(ping)],
    ["instruction app -> device -> ACCEPTED", ms(instruction.ms.median), ms(instruction.ms.p99), `${instruction.perS.toFixed(0)} /s`, errors(instruction)],
    ["instruction / ping", `${(instruction.ms.median / ping.ms.median).toFixed(2)}x`, `${(instruction.ms.p99 / ping.ms.p99).toFixed(2)}x`, `${(instruction.perS / ping.perS).toFixed(2)}x`, ""],
    ["first instruction per device (asks canControl)", ms(first.ms.median), ms(first.ms.p99), `${first.perS.toFixed(0)} /s`, errors(first)],
    [`runtime memory per device, ${n} claimed (RSS / heap)`, `${mem.rssPerDeviceMiB.toFixed(3)} MiB`, "", "", `heap ${mem.heapPerDeviceMiB.toFixed(3)} MiB`],
    ["same after the load (RSS / heap)", `${mem.rssPerDeviceAfterLoadMiB.toFixed(3)} MiB`, "", "", `heap ${mem.heapPerDeviceAfterLoadMiB.toFixed(3)} MiB`],
    ["runtime process RSS, before -> after the load", `${(r.started.before.rss / MiB).toFixed(0)} -> ${(r.afterLoad.rss / MiB).toFixed(0)} MiB`, "", "", mem.prosodyRssMiB ? `Prosody ${mem.prosodyRssMiB.toFixed(0)} MiB` : ""],
    ["Prosody CPU while the app runs", `${r.prosodyCpuPct.toFixed(0)} %`, "", "", "of one core"],
    [`device start-up, ${START_CONCURRENCY} at a time, ${r.scram} SCRAM (per device)`, ms(r.started.startMs.median), ms(r.started.startMs.p99), `${(n / r.started.startS).toFixed(0)} /s`, `all in ${r.started.startS.toFixed(1)} s`],
    ["claims by the owner (incl. provisioning's nodes)", "", "", `${(n / r.claimS).toFixed(0)} /s`, `all in ${r.claimS.toFixed(1)} s`],
    ["devices restarted after missing the claim notice", String(r.restarted.length), "", "", `unhandled rejections ${r.spuriousRejections}`],
    ["accounts (prosodyctl)", "", "", `${(n / r.accountsS).toFixed(0)} /s`, `all in ${r.accountsS.toFixed(1)} s`],
  ];
  const head = ["", "median", "p99", "rate", ""];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((v, c) => (c === 0 || c === 4 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join("  ").trimEnd();
  console.log([line(head), ...rows.map(line)].join("\n"));
  for (const [name, p] of Object.entries({ ping, first, instruction })) if (p.failed) console.log(`${name} errors: ${JSON.stringify(p.errors)}`);

  const failedPhases = Object.entries({ ping, first, instruction }).filter(([, p]) => p.failed > MAX_ERROR_RATE * (p.ms.count + p.failed));
  const result = {
    bench: "devices", date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model.trim(), cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, devices: n, scram: r.scram, inFlight: IN_FLIGHT, rounds: ROUNDS, pollMs: POLL_MS,
    pingMs: ping.ms, instructionMs: instruction.ms, firstInstructionMs: first.ms, ratio: instruction.ms.median / ping.ms.median,
    ratioP99: instruction.ms.p99 / ping.ms.p99, pingPerS: ping.perS, instructionPerS: instruction.perS, firstInstructionPerS: first.perS,
    errors: { ping: ping.errors, first: first.errors, instruction: instruction.errors }, statusUpdates: r.load.statusUpdates,
    memory: mem, startS: r.started.startS, startPerS: n / r.started.startS, startMs: r.started.startMs, startConcurrency: START_CONCURRENCY,
    claimS: r.claimS, accountsS: r.accountsS, prosodyCpuPct: r.prosodyCpuPct, restartedAfterClaim: r.restarted.length, spuriousRejections: r.spuriousRejections, passed: failedPhases.length === 0,
  };
  mkdirSync(path.join(HERE, "results"), { recursive: true });
  appendFileSync(path.join(HERE, "results/devices.jsonl"), JSON.stringify(result) + "\n");
  if (failedPhases.length) throw new Error(`more than ${MAX_ERROR_RATE * 100} % of requests failed in: ${failedPhases.map(([k]) => k).join(", ")}`);
}

// ---- --simulators ----------------------------------------------------------------------------

async function simulators(count: number): Promise<void> {
  exitWithParent();
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    // A serial number of its own, as real batteries have: it becomes the device's SN tag.
    const sim = new BatterySimulator({ socPct: 50, capacityWh: 10_000, maxChargeW: 5_000, maxDischargeW: 5_000, serialNumber: `SIM-${rid(i)}` });
    ports.push((await sim.listen()).port);
  }
  send({ type: "ports", ports });
  // The listening sockets keep the process up until --measure ends it.
}

// ---- --runtime: the measured process ---------------------------------------------------------

/**
 * xmpp.js 0.14's IQ caller used to leave early error replies unobserved (an unhandled rejection
 * that ends the process); src/xmpp/connection.ts observes them now. Counted here to show it stays 0.
 */
let spuriousRejections = 0;
let lateHandled = 0;
function countSpuriousRejections(): void {
  process.on("unhandledRejection", (err) => {
    spuriousRejections++;
    if (spuriousRejections === 1) console.error(`unhandled rejection (counted, not fatal here): ${(err as Error)?.message ?? err}`);
  });
  // A listener also keeps Node from printing a PromiseRejectionHandledWarning for each.
  process.on("rejectionHandled", () => lateHandled++);
}

/**
 * Restarts the devices that missed the registry's `claimed` notice: their stream was closed by
 * Prosody at that moment (see the report), and a device learns of a claim only from that notice
 * or when it registers again. Returns their ids.
 */
async function restartUnclaimed(server: ReturnType<typeof readServerInfo>, configs: ReturnType<typeof resolveDevices>, hosted: HostedDevice[]): Promise<string[]> {
  const missed = hosted.flatMap((h, k) => (h.runtime.claimed ? [] : [k]));
  await pool(missed.length, START_CONCURRENCY, async (i) => {
    const k = missed[i]!;
    await hosted[k]!.stop();
    hosted[k] = await startDevice(server, configs[k]!);
  });
  return missed.map((k) => configs[k]!.config.resourceId);
}

function memory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.(); // a second pass collects what the first one's finalizers released
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

async function runtime(dataDir: string, scram: Scram): Promise<void> {
  exitWithParent();
  countSpuriousRejections();
  const server = readServerInfo(dataDir);
  const { ports } = await new Promise<{ ports: number[] }>((resolve) => process.once("message", resolve as (m: unknown) => void));
  const configs = resolveDevices({
    devices: ports.map((port, i) => ({
      resourceId: rid(i),
      tags: { SITE },
      driver: { type: sunspecBattery.type, transport: { type: "tcp", host: "127.0.0.1", port }, pollMs: POLL_MS, minModeSeconds: 0 },
    })),
  }, [sunspecBattery], "bench");
  const before = memory();
  const hosted: HostedDevice[] = [];
  const startMs: number[] = [];
  const t0 = performance.now();
  await pool(configs.length, START_CONCURRENCY, async (k) => {
    const t = performance.now();
    hosted[k] = await startDevice(server, configs[k]!);
    startMs.push(performance.now() - t);
    if (startMs.length % 100 === 0 || startMs.length === configs.length) {
      console.log(`devices registered ${startMs.length}/${configs.length} (${(startMs.length / seconds(t0)).toFixed(0)}/s)`);
    }
  });
  const startS = seconds(t0);
  const after = memory();
  process.on("message", (m: { type?: string }) => {
    if (m?.type === "memory") send({ type: "memory", memory: memory(), spuriousRejections: `${spuriousRejections} (${lateHandled} handled later)` });
    if (m?.type === "settle") void restartUnclaimed(server, configs, hosted).then((restarted) => send({ type: "settled", restarted }));
  });
  const devices = hosted.map((h) => ({ rid: h.runtime.resourceId, jid: h.runtime.conn.jid, tags: h.runtime.tags }));
  send({ type: "started", devices, startS, startMs: stats(startMs), before, after } satisfies Started);
}

// ---- --app: the energy app component ---------------------------------------------------------

interface Target { rid: string; jid: string; description: StorageSystemDescription; next: "charge" | "idle" }

/** The device's current StorageSystemDescription from its efi/ node, waiting until it is published. */
async function description(pubsub: PubsubClient, rid: string, patienceMs = 60_000): Promise<StorageSystemDescription> {
  for (const until = Date.now() + patienceMs; ;) {
    const [item] = await pubsub.items(nodesOf(rid).efi, { ids: ["StorageSystemDescription"] }).catch(() => []);
    if (item?.payload) return decode(item.payload) as StorageSystemDescription;
    if (Date.now() > until) throw new Error(`${rid} published no StorageSystemDescription in ${patienceMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const modeId = (sd: StorageSystemDescription, label: string): number => {
  const b = sd.actuatorBehaviours[0]!;
  const modes = "continuousRunningMode" in b.runningModes ? [] : (b.runningModes as { id: number; label?: string }[]);
  const mode = modes.find((m) => m.label === label);
  if (!mode) throw new Error(`no running mode '${label}' in ${sd.header.efiResourceId}'s description`);
  return mode.id;
};

let serial = 0;
/** Charge and idle alternate per device: the battery allows charge <-> idle both ways (no timer with minModeSeconds 0). */
function instruction(t: Target): StorageInstruction {
  const mode = t.next;
  t.next = mode === "charge" ? "idle" : "charge";
  return {
    kind: "StorageInstruction",
    header: { efiResourceId: t.rid, timestamp: formatDateTime(Date.now()) },
    instructionId: `bench-${process.pid}-${++serial}`,
    flexibilityUpdateId: t.description.flexibilityUpdateId,
    isEmergencyInstruction: false,
    actuatorInstructions: [{
      actuatorId: 0, runningModeId: modeId(t.description, mode), ...(mode === "charge" ? { runningModeFactor: 0.2 } : {}), startTime: formatDateTime(Date.now()),
    }],
  };
}

/** `rounds` requests with IN_FLIGHT outstanding; a request that throws counts as failed, by reason. */
async function phase(rounds: number, request: (k: number) => Promise<void>): Promise<Phase> {
  const ms: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  const t0 = performance.now();
  await pool(rounds, IN_FLIGHT, async (k) => {
    const t = performance.now();
    try {
      await request(k);
      ms.push(performance.now() - t);
    } catch (err) {
      failed++;
      const why = (err as XmppError).condition ?? (err as Error).message;
      errors[why] = (errors[why] ?? 0) + 1;
    }
  });
  return { ms: stats(ms), perS: rounds / seconds(t0), errors, failed };
}

async function app(dataDir: string): Promise<void> {
  exitWithParent();
  const server = readServerInfo(dataDir);
  const { devices } = await new Promise<{ devices: { rid: string; jid: string }[] }>((resolve) => process.once("message", resolve as (m: unknown) => void));
  const conn = await XmppConnection.component(componentOptions(server, "app"));
  let statusUpdates = 0;
  conn.handleIq("set", EFI_NS, "InstructionStatusUpdate", () => { statusUpdates++; });
  const pubsub = new PubsubClient(conn, server.info.pubsub);
  const targets: Target[] = new Array(devices.length);
  await pool(devices.length, IN_FLIGHT, async (k) => {
    const d = devices[k]!;
    targets[k] = { ...d, description: await description(pubsub, d.rid), next: "charge" };
  });
  console.log(`app: ${targets.length} control spaces read; measuring`);

  const random = () => targets[Math.floor(Math.random() * targets.length)]!;
  const ping = async (t: Target) => { await conn.iq(t.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" })); };
  const instruct = async (t: Target) => {
    const reply = await conn.iq(t.jid, "set", encodeElement(instruction(t)));
    const status = reply && (decode(reply) as InstructionStatusUpdate).status;
    if (status !== "ACCEPTED") throw new Error(`answered ${status ?? "without a status"}`);
  };
  await phase(200, () => ping(random())); // warm-up: connections, JIT
  const pingPhase = await phase(ROUNDS, () => ping(random()));
  // One instruction to every device first: the device asks provisioning canControl once and caches
  // the answer, so the measured phase below is the steady state an app sees.
  const first = await phase(targets.length, (k) => instruct(targets[k]!));
  const instructionPhase = await phase(ROUNDS, () => instruct(random()));
  send({ type: "result", ping: pingPhase, first, instruction: instructionPhase, statusUpdates } satisfies AppResult);
  await conn.stop();
}

// ---- entry -----------------------------------------------------------------------------------

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function entry(): Promise<void> {
  const [role, a, b, c, d] = process.argv.slice(2);
  if (role === "--measure") return measure(a!, Number(b), Number(c), d as Scram);
  if (role === "--simulators") return simulators(Number(a));
  if (role === "--runtime") return runtime(a!, b as Scram);
  if (role === "--app") return app(a!);
  const devices = Number(flag("--devices") ?? DEFAULT_DEVICES);
  if (!Number.isInteger(devices) || devices < 1 || devices > 9_999) throw new Error("--devices: a whole number from 1 to 9999");
  return main(devices, "native");
}

entry().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
  // A child's IPC channel would keep it (and its devices or simulators) alive after a failure.
  if (process.send) process.exit();
});

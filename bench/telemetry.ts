// Telemetry through the runtimes: N devices of one device-runtime process publish SenML packs
// (and EFI Measurements on their efi/ node) to one energy app (AppRuntime, its own process).
// Next to it, in the same run and over the same sessions: the ceiling, the devices' own XMPP
// connections publishing the same bytes to nodes of their own on the same telemetry service with
// a bare subscriber counting notifications; and Mosquitto carrying the same payload, QoS 0 and 1.
//
// Two phases per channel: a burst (every device sends its share of packs at once, one publish in
// flight per device, as the runtime's outbox does) gives publishes/s and notifications/s; a paced
// phase (a pack every few ms across the devices, well below the ceiling) gives the publish ->
// callback latency without queueing. Latency: the pack's base time (Date's whole ms, when the
// sample is handed over) to the callback (sub-ms), on one machine's clock. Figures count packs:
// flexfed may carry a backlog's packs in one item, the bare client and MQTT send one per message.
import { connectAsync, type MqttClient } from "mqtt";
import { AppRuntime } from "../src/app/runtime.ts";
import { encodeElement } from "../src/efi/index.ts";
import { EFI_NODE_CONFIG, nodesOf, TELEMETRY_NODE_CONFIG } from "../src/provisioning/nodes.ts";
import { componentOptions } from "../src/server/endpoints.ts";
import { readServerInfo } from "../src/server/prosody.ts";
import { pack, packToXml, telemetryItemId, type Reading } from "../src/telemetry/index.ts";
import { bare, onPubsubEvent, PubsubClient, XmppConnection } from "../src/xmpp/index.ts";
import type { Bench } from "./lib/bench.ts";
import { measurement, sinks } from "./lib/driver.ts";
import { fleetRole, hosted, SITE, startFleet } from "./lib/fleet.ts";
import { findMosquitto, startMosquitto, type Broker } from "./lib/mosquitto.ts";
import { ask, procStats, serve, stopChild, forkRole } from "./lib/proc.ts";
import { compared, record, type Row } from "./lib/report.ts";
import { latency, pool, seconds, sleep, spread, wallMs, type Latency } from "./lib/stats.ts";

const DEFAULT_DEVICES = [1, 100, 1_000];
/** Packs per burst, over all devices (at least 5 per device). */
const BURST_TOTAL = 6_000;
/** The paced phase: packs per second over all devices, and its length. */
const PACED_RATE = 300;
const PACED_TOTAL = 1_200;
const WAIT_MS = 120_000;
/** How often the device runtime sends a device's Measurement (ControlSpacePublisher). */
const MEASUREMENT_INTERVAL_MS = 10_000;

type Channel = "flexfed" | "bare" | "mqtt0" | "mqtt1";
interface Phase { mode: "burst" | "paced"; perDevice: number; intervalMs: number }
interface Sent { sentS: number }
interface Received { count: number; lastAt: number; ms: Latency }
interface Measured { publishesPerS: number; notificationsPerS: number; ms: Latency; lost: number }

const READINGS = 4;
const readings = (k: number): Reading[] => [
  { n: "power", u: "W", v: 1_000 + (k % 500) }, { n: "energy", u: "J", v: 3.6e6 + k }, { n: "voltage", u: "V", v: 230.1 }, { n: "soc", u: "%", v: 50 + (k % 50) },
];
/** The bare channel's nodes of a device: the same services and configurations as telemetry/ and efi/<rid>. */
const bareNode = (rid: string) => `bench/${rid}`;
const btMs = (bt: string | undefined) => Number(bt) * 1000;

function phases(devices: number): Record<"burst" | "paced", Phase> {
  return {
    burst: { mode: "burst", perDevice: Math.max(5, Math.ceil(BURST_TOTAL / devices)), intervalMs: 0 },
    paced: { mode: "paced", perDevice: Math.max(2, Math.ceil(PACED_TOTAL / devices)), intervalMs: (devices / PACED_RATE) * 1000 },
  };
}

/** One channel, one phase: the receiver counts while the runtime process sends. */
async function measure(fleet: { runtime: import("node:child_process").ChildProcess }, app: import("node:child_process").ChildProcess, channel: Channel, phase: Phase, devices: number, url?: string): Promise<Measured> {
  const total = phase.perDevice * devices;
  await ask(app, { type: "reset", channel });
  const t0 = wallMs();
  const [sent, got] = await Promise.all([
    ask<Sent>(fleet.runtime, { type: "send", channel, phase, url }),
    ask<Received>(app, { type: "wait", channel, total }),
  ]);
  return {
    publishesPerS: total / sent.sentS,
    notificationsPerS: got.count / ((got.lastAt - t0) / 1000),
    ms: got.ms,
    lost: total - got.count,
  };
}

async function runOne(devices: number, runs: number, mosquitto: string | undefined): Promise<void> {
  const fleet = await startFleet("telemetry", { devices, role: "telemetry:runtime", admins: ["sink"] });
  const app = forkRole("telemetry:app", [fleet.bench.dataDir]);
  let broker: Broker | undefined;
  try {
    await ask(app, { type: "ready", devices: fleet.started.devices.map((d) => ({ rid: d.rid, jid: bare(d.jid) })) });
    broker = mosquitto ? await startMosquitto(mosquitto) : undefined;
    if (broker) await ask(app, { type: "mqtt", url: broker.url });
    const channels: Channel[] = broker ? ["flexfed", "bare", "mqtt0", "mqtt1"] : ["flexfed", "bare"];
    const ph = phases(devices);
    const results: Record<string, Measured[]> = {};
    let prosodyCpu = 0, prosodyS = 0;
    for (let r = 0; r < runs; r++) {
      for (const channel of channels) {
        for (const phase of [ph.burst, ph.paced]) {
          const cpu0 = procStats(fleet.prosodyPid).cpuS, t0 = performance.now();
          const m = await measure(fleet, app, channel, phase, devices, broker?.url);
          if (channel === "flexfed" && phase.mode === "burst") { prosodyCpu += procStats(fleet.prosodyPid).cpuS - cpu0; prosodyS += seconds(t0); }
          (results[`${channel}:${phase.mode}`] ??= []).push(m);
          console.log(`telemetry ${devices} devices, run ${r + 1}/${runs}, ${channel} ${phase.mode}: ${m.publishesPerS.toFixed(0)} publishes/s, ${m.notificationsPerS.toFixed(0)} notifications/s, p50 ${m.ms.p50} ms, p99 ${m.ms.p99} ms${m.lost ? `, ${m.lost} not received` : ""}`);
        }
      }
    }
    const pair = (a: string, b: string, f: (m: Measured) => number) => results[a]!.map((m, i) => ({ value: f(m), base: f(results[b]![i]!) }));
    const rows: Row[] = [
      compared("packs notified/s, burst", "/s", pair("flexfed:burst", "bare:burst", (m) => m.notificationsPerS), "bare client", { op: ">=", value: 0.9 }),
      compared("packs published/s, burst", "/s", pair("flexfed:burst", "bare:burst", (m) => m.publishesPerS), "bare client"),
      compared(`publish -> callback p50, paced ${PACED_RATE}/s`, "ms", pair("flexfed:paced", "bare:paced", (m) => m.ms.p50), "bare client"),
      compared(`publish -> callback p99, paced ${PACED_RATE}/s`, "ms", pair("flexfed:paced", "bare:paced", (m) => m.ms.p99), "bare client", { op: "<=", value: 1.2 }),
      ...(broker ? [
        compared("packs notified/s, burst, vs Mosquitto QoS 0", "/s", pair("flexfed:burst", "mqtt0:burst", (m) => m.notificationsPerS), "Mosquitto QoS 0", { op: ">=", value: 0.333 }),
        compared("packs notified/s, burst, vs Mosquitto QoS 1", "/s", pair("flexfed:burst", "mqtt1:burst", (m) => m.notificationsPerS), "Mosquitto QoS 1", { op: ">=", value: 0.333 }),
        compared(`publish -> callback p50, paced, vs Mosquitto QoS 1`, "ms", pair("flexfed:paced", "mqtt1:paced", (m) => m.ms.p50), "Mosquitto QoS 1"),
      ] : []),
      { name: "Prosody CPU during the flexfed burst", unit: "% of a core", value: spread([(100 * prosodyCpu) / prosodyS]) },
    ];
    const lost = Object.entries(results).map(([k, ms]) => [k, ms.reduce((n, m) => n + m.lost, 0)] as const).filter(([, n]) => n > 0);
    record("telemetry", { runs, devices, burstPerDevice: ph.burst.perDevice, pacedPerDevice: ph.paced.perDevice, pacedRatePerS: PACED_RATE, inFlightPerDevice: 1, lost: Object.fromEntries(lost) }, rows, { results });
    if (lost.some(([k]) => k.startsWith("flexfed"))) throw new Error(`flexfed lost packs: ${JSON.stringify(lost)}`);
  } finally {
    await stopChild(app);
    await broker?.stop();
    await fleet.stop();
  }
}

/** The device-runtime process: the fleet, and the senders of every channel. */
function runtimeRole(args: string[]): Promise<void> {
  const server = readServerInfo(args[0]!);
  const epoch = Date.now();
  let seq = 0;
  const measuredAt: number[] = [];
  const mqtt = new Map<string, MqttClient[]>();
  const clients = async (url: string) => {
    if (!mqtt.has(url)) {
      const list: MqttClient[] = [];
      await pool(hosted.length, 50, async (k) => { list[k] = await connectAsync(url, { clientId: `${hosted[k]!.runtime.resourceId}-${k}`, reconnectPeriod: 0 }); });
      mqtt.set(url, list);
    }
    return mqtt.get(url)!;
  };
  /** Sends `perDevice` packs from every device through `one`, back to back (burst) or spaced (paced). */
  const each = async (phase: Phase, one: (k: number, i: number) => Promise<void>) => {
    await Promise.all(hosted.map(async (_h, k) => {
      if (phase.mode === "paced") await sleep(Math.random() * phase.intervalMs);
      for (let i = 0; i < phase.perDevice; i++) {
        const t = performance.now();
        await one(k, i);
        if (phase.mode === "paced") await sleep(phase.intervalMs - (performance.now() - t));
      }
    }));
  };
  const senders: Record<Channel, (phase: Phase, url?: string) => Promise<void>> = {
    // As a driver does: hand the sample to the runtime, which publishes it from its outbox.
    flexfed: async (phase) => {
      const target = hosted.map((h) => h.runtime.telemetry.published + phase.perDevice);
      await each(phase, async (k, i) => {
        const rid = hosted[k]!.runtime.resourceId;
        sinks.get(rid)!.telemetry(readings(i), new Date());
        // The EFI Measurement with every sample, as drivers do: the runtime sends it at most every 10 s.
        sinks.get(rid)!.controlSpace([measurement(rid, readings(i)[0]!.v)]);
      });
      for (const until = Date.now() + WAIT_MS; hosted.some((h, k) => h.runtime.telemetry.published < target[k]!); await sleep(10)) {
        if (Date.now() > until) throw new Error("flexfed: packs still in the outbox after 120 s");
      }
    },
    // The same bytes: each pack, and the Measurement on a persistent node as often as the runtime sends it.
    bare: async (phase) => {
      const telemetry = hosted.map((h) => new PubsubClient(h.runtime.conn, `telemetry.${server.info.domain}`));
      const efi = hosted.map((h) => new PubsubClient(h.runtime.conn, `pubsub.${server.info.domain}`));
      const measurements: Promise<unknown>[] = [];
      await each(phase, async (k, i) => {
        const rid = hosted[k]!.runtime.resourceId;
        if (Date.now() - (measuredAt[k] ?? 0) >= MEASUREMENT_INTERVAL_MS) {
          measuredAt[k] = Date.now();
          measurements.push(efi[k]!.publish(bareNode(rid), encodeElement(measurement(rid, readings(i)[0]!.v)), "Measurement"));
        }
        await telemetry[k]!.publish(bareNode(rid), packToXml(pack(`${rid}/`, new Date(), readings(i))), telemetryItemId(epoch, ++seq));
      });
      await Promise.all(measurements);
    },
    mqtt0: (phase, url) => mqttSend(phase, url!, 0),
    mqtt1: (phase, url) => mqttSend(phase, url!, 1),
  };
  const mqttSend = async (phase: Phase, url: string, qos: 0 | 1) => {
    const list = await clients(url);
    await each(phase, async (k, i) => {
      const rid = hosted[k]!.runtime.resourceId;
      await list[k]!.publishAsync(`telemetry/${rid}`, packToXml(pack(`${rid}/`, new Date(), readings(i))).toString(), { qos });
    });
  };
  return fleetRole(args, {
    send: async (m) => {
      const t0 = performance.now();
      await senders[m.channel as Channel](m.phase as Phase, m.url as string | undefined);
      return { sentS: seconds(t0) } satisfies Sent;
    },
  }).then(() => {
    process.on("exit", () => { for (const list of mqtt.values()) for (const c of list) c.end(true); });
  });
}

/** The receivers: the energy app (AppRuntime), the bare subscriber, the MQTT subscriber. */
async function appRole(args: string[]): Promise<void> {
  const server = readServerInfo(args[0]!);
  const conn = await XmppConnection.component(componentOptions(server, "app"));
  const runtime = new AppRuntime({ conn, search: [{ op: "strEq", name: "SITE", value: SITE }] });
  const sink = await XmppConnection.component(componentOptions(server, "sink"));
  const sinkTelemetry = new PubsubClient(sink, `telemetry.${server.info.domain}`);
  const sinkEfi = new PubsubClient(sink, `pubsub.${server.info.domain}`);
  let mqttClient: MqttClient | undefined;
  const counters = new Map<Channel, { count: number; lastAt: number; ms: number[]; total: number; done?: () => void }>();
  const got = (channel: Channel, sentAt: number) => {
    const c = counters.get(channel);
    if (!c) return;
    const now = wallMs(); // sub-ms; the sent time is Date's whole ms, for every channel alike
    c.count++;
    c.lastAt = now;
    c.ms.push(now - sentAt);
    if (c.count >= c.total) c.done?.();
  };
  // An item may carry several packs (a backlog goes in one publish): every pack counts.
  runtime.on("telemetry", (_rid, _id, records) => { for (let i = 0; i < records.length; i += READINGS) got("flexfed", records[i]!.t * 1000); });
  onPubsubEvent(sink, (e) => {
    if (e.service === sinkTelemetry.service) for (const item of e.items) got("bare", btMs(item.payload?.getChild("senml")?.attrs.bt));
  });
  serve({
    ready: async (m) => {
      const devices = m.devices as { rid: string; jid: string }[];
      await runtime.start();
      for (const until = Date.now() + 120_000; devices.some((d) => !runtime.isRead(d.rid)); await sleep(250)) {
        if (Date.now() > until) throw new Error(`the app follows ${devices.filter((d) => runtime.isRead(d.rid)).length} of ${devices.length} devices after 120 s`);
      }
      // The bare channel's nodes: same service and configuration, the device publishes, the sink subscribes.
      await pool(devices.length, 20, async (i) => {
        const { rid, jid } = devices[i]!;
        for (const [ps, config] of [[sinkTelemetry, TELEMETRY_NODE_CONFIG], [sinkEfi, EFI_NODE_CONFIG]] as const) {
          await ps.createNode(bareNode(rid), config);
          await ps.setAffiliations(bareNode(rid), { [jid]: "publisher" });
        }
        await sinkTelemetry.subscribe(bareNode(rid));
        await sinkEfi.subscribe(bareNode(rid)); // the app gets the Measurements too
      });
      console.log(`telemetry: the app follows ${devices.length} devices (${nodesOf(devices[0]!.rid).telemetry} ...); bare nodes ready`);
      return {};
    },
    reset: (m) => {
      counters.set(m.channel as Channel, { count: 0, lastAt: 0, ms: [], total: Infinity });
      return {};
    },
    wait: async (m) => {
      const channel = m.channel as Channel;
      const c = counters.get(channel)!;
      c.total = m.total as number;
      if (c.count < c.total) await Promise.race([new Promise<void>((r) => (c.done = r)), sleep(WAIT_MS)]);
      counters.delete(channel);
      return { count: c.count, lastAt: c.lastAt, ms: latency(c.ms) } satisfies Received;
    },
    // One subscription at QoS 1 serves both MQTT channels: a message comes at its publish's QoS.
    mqtt: async (m) => {
      mqttClient = await connectAsync(m.url as string, { clientId: "bench-app", reconnectPeriod: 0 });
      mqttClient.on("message", (_topic, payload) => {
        const channel = counters.has("mqtt1") ? "mqtt1" : "mqtt0";
        got(channel, btMs(/ bt="([^"]+)"/.exec(payload.toString())?.[1]));
      });
      await mqttClient.subscribeAsync("telemetry/#", { qos: 1 });
      return {};
    },
  });
  process.on("exit", () => mqttClient?.end(true));
}

export const bench: Bench = {
  name: "telemetry",
  summary: "devices -> app through the runtimes against bare clients and Mosquitto (QoS 0, 1)",
  async run({ devices, runs }) {
    const mosquitto = findMosquitto();
    for (const n of devices.length ? devices : DEFAULT_DEVICES) await runOne(n, runs, mosquitto);
  },
  roles: { runtime: runtimeRole, app: appRole },
};

// Thing registry speed over XMPP on a Prosody of its own (temp dir, free ports). Not a test: it
// prints a table and appends one JSON line to bench/results/registry.jsonl.
// Run: node --import tsx bench/registry.ts
// The process starts the server, then runs the measurements in a child that trusts the server's
// CA (clients use STARTTLS; Node reads NODE_EXTRA_CA_CERTS only at start-up), then stops it.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createElement as x } from "ltx/lib/ltx.js";
import { RegistryClient, startRegistry, ThingStore, type SearchOperator, type Tag } from "../src/registry/index.ts";
import { accountOptions, componentOptions } from "../src/server/endpoints.ts";
import { readServerInfo, startServer } from "../src/server/prosody.ts";
import { XmppConnection } from "../src/xmpp/index.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const THINGS = 100_000;
const CLIENTS = 20;
const REGISTRATIONS = 10_000; // ~10 s: long enough to call the rate sustained
const IN_FLIGHT = 10; // per client connection
const ROUNDS = 300;
const TARGETS = { searchMedianMs: 20, registrationsPerS: 1_000 };
const EFI = ["inflexible", "shiftable", "storage", "adjustable"];
const accounts = Array.from({ length: CLIENTS }, (_, i) => `bench${i}`);

function population(i: number): Tag[] {
  return [
    { type: "str", name: "RID", value: `dev-${i}` },
    { type: "str", name: "EFI", value: EFI[i % 4]! },
    { type: "str", name: "SITE", value: `site-${i % 100}` },
    { type: "str", name: "MAN", value: `man${i % 10}.example` },
    { type: "str", name: "SN", value: String(10_000_000 + i) },
    { type: "num", name: "PMAX", value: (i * 7919) % 20_000 },
    { type: "str", name: "KEY", value: `key-${i}` },
  ];
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function timed(rounds: number, fn: (i: number) => Promise<unknown>): Promise<{ median: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: quantile(ms, 0.5), p99: quantile(ms, 0.99) };
}

async function measure(dataDir: string): Promise<void> {
  const server = readServerInfo(dataDir);
  const store = new ThingStore(path.join(dataDir, "things.sqlite"));
  let t0 = performance.now();
  store.db.transaction(() => {
    for (let i = 0; i < THINGS; i++) store.register({ jid: `dev${i}@${server.info.domain}` }, population(i), { selfOwned: true });
  })();
  const fillS = (performance.now() - t0) / 1000;
  console.log(`filled ${THINGS} things in ${fillS.toFixed(1)} s`);

  const component = await XmppConnection.component(componentOptions(server, "registry"));
  const registry = startRegistry({ conn: component, db: store });
  const clients = await Promise.all(accounts.map((a) => XmppConnection.client(accountOptions(server, a, "bench"))));
  const [searcher] = clients;
  const client = new RegistryClient(searcher!, component.jid);

  // Two AND-ed operators, a page of 20 out of ~700 matches, a different site each round.
  const search = (i: number) => {
    const ops: SearchOperator[] = [
      { op: "strEq", name: "SITE", value: `site-${i % 100}` },
      { op: "numRange", name: "PMAX", min: 3_000, max: 17_000, minIncluded: true, maxIncluded: false },
    ];
    return client.search(ops, { offset: 0, maxCount: 20 }).then((r) => {
      if (r.things.length !== 20 || !r.more) throw new Error(`expected a full page, got ${r.things.length}`);
    });
  };
  const ping = () => searcher!.iq(component.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" }));
  await timed(30, search); // warm up: statements prepared, pages cached
  await timed(30, ping);
  const pingMs = await timed(ROUNDS, ping);
  const searchMs = await timed(ROUNDS, search);
  const t1 = performance.now();
  for (let i = 0; i < ROUNDS; i++) store.search([{ op: "strEq", name: "SITE", value: `site-${i % 100}` }, { op: "numRange", name: "PMAX", min: 3_000, max: 17_000, minIncluded: true, maxIncluded: false }], { maxCount: 20 });
  const storeSearchMs = (performance.now() - t1) / ROUNDS;

  // Registrations come from another process, as things do: the clients' TLS and XML work must not
  // share this process's event loop with the component being measured.
  await Promise.all(clients.map((c) => c.stop()));
  const load = await runLoad(dataDir);
  const perS = load.registrationsPerS;
  if (store.count() !== THINGS + REGISTRATIONS) throw new Error(`expected ${THINGS + REGISTRATIONS} things, found ${store.count()}`);

  registry.stop();
  await component.stop();
  store.close();

  const rows = [
    ["search, 2 AND-ed operators, page of 20 (XMPP)", `${searchMs.median.toFixed(2)} ms`, `${searchMs.p99.toFixed(2)} ms`, `< ${TARGETS.searchMedianMs} ms median`],
    ["IQ ping round trip to the component", `${pingMs.median.toFixed(2)} ms`, `${pingMs.p99.toFixed(2)} ms`, ""],
    ["search / ping (median)", `${(searchMs.median / pingMs.median).toFixed(2)}x`, "", ""],
    ["same search in the store alone (mean)", `${storeSearchMs.toFixed(2)} ms`, "", ""],
    [`registrations, ${CLIENTS} clients x ${IN_FLIGHT} in flight`, `${perS.toFixed(0)} /s`, "", `>= ${TARGETS.registrationsPerS} /s`],
    ["IQ pings, same clients and concurrency", `${load.pingPerS.toFixed(0)} /s`, "", ""],
    ["registrations / pings (rate)", `${(perS / load.pingPerS).toFixed(2)}x`, "", ""],
    [`fill ${THINGS} things (store, one transaction)`, `${fillS.toFixed(1)} s`, "", ""],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ["", "median", "p99", "target"][c]!.length));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join("  ");
  console.log([line(["", "median", "p99", "target"]), ...rows.map(line)].join("\n"));

  const result = {
    bench: "registry", date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model.trim(), cores: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, things: THINGS,
    searchMs, pingMs, ratio: searchMs.median / pingMs.median, storeSearchMs, registrations: REGISTRATIONS, clients: CLIENTS,
    inFlightPerClient: IN_FLIGHT, registrationsPerS: perS, pingPerS: load.pingPerS, registrationRatio: perS / load.pingPerS, fillS, targets: TARGETS,
    met: { search: searchMs.median < TARGETS.searchMedianMs, registrations: perS >= TARGETS.registrationsPerS },
  };
  mkdirSync(path.join(HERE, "results"), { recursive: true });
  appendFileSync(path.join(HERE, "results/registry.jsonl"), JSON.stringify(result) + "\n");
}

/** Runs --load in a child process and returns what it measured. */
function runLoad(dataDir: string): Promise<{ pingPerS: number; registrationsPerS: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--load", dataDir], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load process failed (exit ${code})`))));
  });
}

/**
 * Each client is a concentrator registering nodes, IN_FLIGHT at a time. The baseline is the same
 * traffic pattern with IQ pings to the component. Prints both rates as JSON.
 */
async function load(dataDir: string): Promise<void> {
  const server = readServerInfo(dataDir);
  const registry = `registry.${server.info.domain}`;
  const clients = await Promise.all(accounts.map((a) => XmppConnection.client(accountOptions(server, a, "load"))));
  const perClient = REGISTRATIONS / CLIENTS;
  const rate = async (request: (c: XmppConnection, ci: number, k: number) => Promise<unknown>) => {
    const t0 = performance.now();
    await Promise.all(clients.map(async (c, ci) => {
      let next = 0;
      const lane = async () => {
        for (let k = next++; k < perClient; k = next++) await request(c, ci, k);
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    }));
    return REGISTRATIONS / ((performance.now() - t0) / 1000);
  };
  const pingPerS = await rate((c) => c.iq(registry, "get", x("ping", { xmlns: "urn:xmpp:ping" })));
  const registrationsPerS = await rate((c, ci, k) =>
    new RegistryClient(c, registry).register(population(THINGS + ci * perClient + k), { nodeId: `n${k}` }));
  await Promise.all(clients.map((c) => c.stop()));
  process.stdout.write(JSON.stringify({ pingPerS, registrationsPerS }));
}

async function main(): Promise<void> {
  const child = process.argv.indexOf("--measure");
  if (child >= 0) return measure(process.argv[child + 1]!);
  const loader = process.argv.indexOf("--load");
  if (loader >= 0) return load(process.argv[loader + 1]!);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-bench-registry-"));
  try {
    console.log("starting Prosody ...");
    const server = await startServer({ dataDir, components: ["registry"], accounts, logLevel: "warn" });
    try {
      const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--measure", dataDir], {
        stdio: "inherit",
        env: { ...process.env, NODE_EXTRA_CA_CERTS: server.info.caCert },
      });
      if (run.status !== 0) throw new Error(`measurement failed (exit ${run.status})`);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

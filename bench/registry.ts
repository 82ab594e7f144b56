// Thing registry speed over XMPP on a Prosody of the bench's own: a search over 100 000 things
// against an IQ ping to the same component (both sequential), and registrations by concentrators
// (another process, CLIENTS connections x IN_FLIGHT) against IQ pings with the same pattern.
import path from "node:path";
import { createElement as x } from "ltx/lib/ltx.js";
import { RegistryClient, startRegistry, ThingStore, type SearchOperator, type Tag } from "../src/registry/index.ts";
import { accountOptions, componentOptions } from "../src/server/endpoints.ts";
import { readServerInfo } from "../src/server/prosody.ts";
import { XmppConnection } from "../src/xmpp/index.ts";
import type { Bench } from "./lib/bench.ts";
import { ask, forkRole, serve, stopChild } from "./lib/proc.ts";
import { compared, record } from "./lib/report.ts";
import { benchServer } from "./lib/server.ts";
import { latency, spread } from "./lib/stats.ts";

const THINGS = 100_000;
const CLIENTS = 20;
const REGISTRATIONS = 4_000; // per run
const IN_FLIGHT = 10; // per client connection
const ROUNDS = 200; // sequential searches (and pings) per run
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

async function timed(rounds: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return ms;
}

const searchOps = (i: number): SearchOperator[] => [
  { op: "strEq", name: "SITE", value: `site-${i % 100}` },
  { op: "numRange", name: "PMAX", min: 3_000, max: 17_000, minIncluded: true, maxIncluded: false },
];

async function run(runs: number): Promise<void> {
  const bs = await benchServer("registry", { components: ["registry"], accounts });
  const server = readServerInfo(bs.dataDir);
  const store = new ThingStore(path.join(bs.dataDir, "things.sqlite"));
  let component: XmppConnection | undefined;
  let registry: ReturnType<typeof startRegistry> | undefined;
  const clients: XmppConnection[] = [];
  const loader = forkRole("registry:load", [bs.dataDir]);
  try {
    const t0 = performance.now();
    store.db.transaction(() => {
      for (let i = 0; i < THINGS; i++) store.register({ jid: `dev${i}@${server.info.domain}` }, population(i), { selfOwned: true });
    })();
    const fillS = (performance.now() - t0) / 1000;
    console.log(`registry: filled ${THINGS} things in ${fillS.toFixed(1)} s`);
    component = await XmppConnection.component(componentOptions(server, "registry"));
    registry = startRegistry({ conn: component, db: store });
    const searcher = await XmppConnection.client(accountOptions(server, accounts[0]!, "bench"));
    clients.push(searcher);
    const client = new RegistryClient(searcher, component.jid);
    const search = (i: number) => client.search(searchOps(i), { offset: 0, maxCount: 20 }).then((r) => {
      if (r.things.length !== 20 || !r.more) throw new Error(`expected a full page, got ${r.things.length}`);
    });
    const ping = () => searcher.iq(component!.jid, "get", x("ping", { xmlns: "urn:xmpp:ping" }));
    await timed(30, search); // warm up: statements prepared, pages cached
    await timed(30, ping);
    const searches: { value: number; base: number }[] = [];
    const searchP99: { value: number; base: number }[] = [];
    const regs: { value: number; base: number }[] = [];
    const storeMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const p = latency(await timed(ROUNDS, ping));
      const s = latency(await timed(ROUNDS, search));
      searches.push({ value: s.p50, base: p.p50 });
      searchP99.push({ value: s.p99, base: p.p99 });
      const t1 = performance.now();
      for (let i = 0; i < ROUNDS; i++) store.search(searchOps(i), { maxCount: 20 });
      storeMs.push((performance.now() - t1) / ROUNDS);
      // Registrations come from another process, as things do: the clients' TLS and XML work must
      // not share this process's event loop with the component being measured.
      const load = await ask<{ pingPerS: number; registrationsPerS: number }>(loader, { type: "load", run: r });
      regs.push({ value: load.registrationsPerS, base: load.pingPerS });
      console.log(`registry: run ${r + 1}/${runs}: search p50 ${s.p50.toFixed(2)} ms (ping ${p.p50.toFixed(2)} ms), ${load.registrationsPerS.toFixed(0)} registrations/s (pings ${load.pingPerS.toFixed(0)}/s)`);
    }
    if (store.count() !== THINGS + runs * REGISTRATIONS) throw new Error(`expected ${THINGS + runs * REGISTRATIONS} things, found ${store.count()}`);
    const rows = [
      compared(`search over ${THINGS / 1000}k things, 2 AND-ed operators, page of 20: p50`, "ms", searches, "IQ ping to the component"),
      { ...compared("same search: p50 (target on the figure itself)", "ms", searches, "IQ ping"), ratio: undefined, target: { op: "<", value: 20 } as const },
      compared("same search: p99", "ms", searchP99, "IQ ping p99"),
      { name: "same search in the store alone (mean)", unit: "ms", value: spread(storeMs) },
      compared(`registrations, ${CLIENTS} clients x ${IN_FLIGHT} in flight`, "/s", regs, "IQ pings, same pattern"),
    ];
    record("registry", { runs, things: THINGS, rounds: ROUNDS, registrationsPerRun: REGISTRATIONS, clients: CLIENTS, inFlightPerClient: IN_FLIGHT }, rows, { fillS });
  } finally {
    await stopChild(loader);
    for (const c of clients) await c.stop();
    registry?.stop();
    await component?.stop();
    store.close();
    await bs.stop();
  }
}

/**
 * The concentrators: each client registers nodes, IN_FLIGHT at a time. The baseline is the same
 * traffic pattern with IQ pings to the component.
 */
async function load(args: string[]): Promise<void> {
  const server = readServerInfo(args[0]!);
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
  serve({
    load: async (m) => {
      const first = THINGS + (m.run as number) * REGISTRATIONS;
      const pingPerS = await rate((c) => c.iq(registry, "get", x("ping", { xmlns: "urn:xmpp:ping" })));
      const registrationsPerS = await rate((c, ci, k) =>
        new RegistryClient(c, registry).register(population(first + ci * perClient + k), { nodeId: `n${first + ci * perClient + k}` }));
      return { pingPerS, registrationsPerS };
    },
  });
}

export const bench: Bench = {
  name: "registry",
  summary: "search over 100 000 things and registration rate, against IQ pings",
  run: ({ runs }) => run(runs),
  roles: { load },
};

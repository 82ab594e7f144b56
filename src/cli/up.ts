// `flexfed up`: installs what is missing, starts Prosody and the platform on loopback, prints
// what runs where, and on Ctrl-C stops everything it started, by PID, in reverse order.
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensurePackages } from "../server/install.ts";
import { startFederation } from "../server/federation.ts";
import { SERVER_NAMES, serverOf, startServer, type RunningServer, type ServerKind } from "../server/prosody.ts";
import { EXAMPLE_SITES, SCENARIO_OPTIONS, SCENARIO_OPTIONS_HELP, scenarioConfig } from "./scenario.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { SMOKE_ADMIN, SMOKE_APP, SMOKE_DEVICE } from "./smoke.ts";
import { parseCommand, UsageError } from "./usage.ts";
import { stopSignal } from "./signals.ts";

/** The two domains of `up --federation`: the aggregator's with the sites, and the grid operator's. */
const FEDERATION = [
  { domain: "aggregator.test", address: "127.0.0.2", components: ["registry", "provisioning", "balancer", "monitor"], accounts: ["owner"] },
  { domain: "grid.test", address: "127.0.0.3", components: ["registry", "provisioning", "dr"], accounts: ["operator"] },
] as const;

const USAGE = `usage: flexfed up [options]

Starts Prosody on loopback, the registry and provisioning components (\`flexfed services\`), the
scenario (\`flexfed scenario\`: the example sites ${EXAMPLE_SITES.join(" and ")}, a home and a
feeder of three homes whose simulated devices speak their real protocols, each a device on XMPP
claimed by "owner"; the balancer, demand-response and monitor apps; a simulated day with a
congestion event, without and then with flexibility, and its summary), and the smoke scenario
(one device account and one app component). The account "owner" is also for \`flexfed claim\`,
\`flexfed policy\` and \`flexfed watch\`; "operator" for \`flexfed grid\`.
Ctrl-C stops everything it started.

With --federation it starts two federated domains instead, each its own server (Prosody, or
ejabberd with --server ejabberd) with its own CA:
${FEDERATION.map((d) => `${d.domain} on ${d.address}`).join(" and ")} (s2s on port 5269 of each, authenticated by
certificate). The sites, their owner, the balancer and the monitor belong to ${FEDERATION[0].domain}; the
grid operator's account and its demand-response app to ${FEDERATION[1].domain}, which acts on the
devices across the link as far as the owner's policies allow. Data in <data dir>/federation/.

options:
${SERVER_OPTIONS_HELP}
${SCENARIO_OPTIONS_HELP}
  --smoke-count N        stop the smoke scenario after N publications, then shut down
  --federation           two federated domains (see above) instead of one
  --addresses A,B        their loopback addresses (default ${FEDERATION.map((d) => d.address).join(",")})`;



const BIN = fileURLToPath(new URL("../../bin/flexfed.mjs", import.meta.url));

/** Starts `flexfed <args>` as a child process that trusts the server's CA. */
function startChild(args: string[], caCert: string): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caCert },
  });
}

function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => { clearTimeout(timer); resolve(); });
    child.kill("SIGTERM");
  });
}

/** The scenario options given to `up`, passed on. */
function scenarioArgs(v: Record<string, string | boolean | undefined>): string[] {
  return Object.keys(SCENARIO_OPTIONS).flatMap((k) => (v[k] === undefined ? [] : v[k] === true ? [`--${k}`] : [`--${k}`, String(v[k])]));
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {
    name: "up",
    usage: USAGE,
    options: { ...SERVER_OPTIONS, ...SCENARIO_OPTIONS, "smoke-count": { type: "string" }, federation: { type: "boolean" }, addresses: { type: "string" } },
  });
  if (!args) return 0;
  const spec = serverSpecFrom(args.values);
  scenarioConfig(args.values); // a wrong scenario option stops here, before anything starts
  if (args.values.federation && (args.values.domain || args.values["smoke-count"])) {
    throw new UsageError(`up --federation: its domains are ${FEDERATION.map((d) => d.domain).join(" and ")}; --domain and --smoke-count do not apply`);
  }
  const addresses = args.values.addresses?.split(",") ?? FEDERATION.map((d) => d.address);
  if (addresses.length !== 2 || addresses.some((a) => !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)) || addresses[0] === addresses[1]) {
    throw new UsageError(`up: --addresses takes two different loopback addresses, e.g. 127.0.0.2,127.0.0.3 (got '${args.values.addresses}')`);
  }
  ensurePackages(serverOf(spec));
  if (args.values.federation) return runFederation(spec, addresses, scenarioArgs(args.values));

  console.log(`flexfed: preparing ${spec.dataDir} and starting ${SERVER_NAMES[serverOf(spec)]} ...`);
  const server: RunningServer = await startServer({
    ...spec,
    components: ["registry", "provisioning", "balancer", "dr", "monitor", SMOKE_APP, SMOKE_ADMIN],
    admins: ["registry", "provisioning", SMOKE_ADMIN],
    // "owner" owns the sites (`flexfed claim`, `flexfed policy`, `flexfed watch`); "operator" is the grid operator (`flexfed grid`).
    accounts: [SMOKE_DEVICE, "owner", "operator"],
  });
  const { info } = server;
  console.log(`${describe(server)}\nflexfed: Ctrl-C stops everything.`);

  const smokeArgs = ["smoke", "--data-dir", spec.dataDir];
  if (args.values["smoke-count"]) smokeArgs.push("--count", args.values["smoke-count"], "--interval", "1");
  const children = [
    startChild(["services", "--data-dir", spec.dataDir], info.caCert),
    // One process for both sites and the apps: accounts are added to secrets.json by one writer.
    startChild(["scenario", ...EXAMPLE_SITES, "--data-dir", spec.dataDir, ...scenarioArgs(args.values)], info.caCert),
    startChild(smokeArgs, info.caCert),
  ];

  return supervise(children, () => server.stop());
}

/** Where each server keeps pubsub items and its log (xep/servers.md). */
const STORES: Record<ServerKind, string> = { prosody: "SQLite and memory", ejabberd: "both in mnesia on disk" };
const LOGS: Record<ServerKind, string> = { prosody: "prosody.log", ejabberd: "logs/ejabberd.log" };

/** What runs where on one server. */
function describe(server: RunningServer): string {
  const { info } = server;
  return [
    `flexfed: ${SERVER_NAMES[info.server]} (pid ${server.pid}) serves ${info.domain} on ${info.address}`,
    `  clients (STARTTLS + SCRAM)  xmpp://${info.address}:${info.ports.c2s}`,
    `  components (XEP-0114)       xmpp://${info.address}:${info.ports.component}  ${info.components.map((c) => `${c}.${info.domain}`).join(", ")}`,
    ...(info.trust ? [`  federation (s2s, TLS)      ${info.address}:${info.ports.s2s}, peers' certificates checked against ${info.trust}`] : []),
    `  pubsub                      ${info.pubsub} (control spaces), ${info.telemetry} (telemetry): ${STORES[info.server]}`,
    `  CA certificate              ${info.caCert}  (clients: NODE_EXTRA_CA_CERTS=${info.trust ?? info.caCert})`,
    `  secrets                     ${info.dataDir}/secrets.json (mode 0600)`,
    `  logs                        ${info.dataDir}/${LOGS[info.server]}`,
  ].join("\n");
}

/** Waits for Ctrl-C or a child's exit, then stops the children and the servers. */
async function supervise(children: ChildProcess[], stopServers: () => Promise<void>): Promise<number> {
  const anyExit = Promise.race(children.map((c) => new Promise<number>((r) => c.once("exit", (code) => r(code ?? 1)))));
  // Ctrl-C reaches the whole foreground group: the children stop themselves, we stop the rest.
  const signalled = stopSignal().then(() => 0);
  const code = await Promise.race([anyExit, signalled]);
  console.log("flexfed: stopping ...");
  await Promise.all(children.map((c) => stopChild(c)));
  await stopServers();
  console.log("flexfed: stopped.");
  return code;
}

/** `up --federation`: the aggregator's and the grid operator's domains, federated, and the scenario across them. */
async function runFederation(spec: ReturnType<typeof serverSpecFrom>, addresses: string[], scenario: string[]): Promise<number> {
  const base = path.join(spec.dataDir, "federation");
  // The servers may run as the prosody user: it must pass through to their data dirs (not list them).
  await mkdir(base, { recursive: true });
  await Promise.all([spec.dataDir, base].map((d) => chmod(d, 0o711)));
  console.log(`flexfed: preparing ${base} and starting ${FEDERATION.map((d, i) => `${d.domain} (${addresses[i]})`).join(" and ")} ...`);
  const fed = await startFederation(path.join(base, "shared"), FEDERATION.map((d, i) => ({
    ...d, server: spec.server, address: addresses[i]!, components: [...d.components], accounts: [...d.accounts], dataDir: path.join(base, d.domain),
    ports: { c2s: spec.ports.c2s, component: spec.ports.component },
  })));
  const [agg, grid] = fed.servers as [RunningServer, RunningServer];
  console.log(`${fed.servers.map(describe).join("\n")}\nflexfed: Ctrl-C stops everything.`);
  const children = [
    startChild(["services", "--data-dir", agg.info.dataDir, "--grid-publishers", `operator@${grid.info.domain}`], fed.trust),
    startChild(["services", "--data-dir", grid.info.dataDir], fed.trust),
    startChild(["scenario", ...EXAMPLE_SITES, "--data-dir", agg.info.dataDir, "--grid-data-dir", grid.info.dataDir, ...scenario], fed.trust),
  ];
  return supervise(children, fed.stop);
}

// `flexfed up`: installs what is missing, starts Prosody and the platform on loopback, prints
// what runs where, and on Ctrl-C stops everything it started, by PID, in reverse order.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensurePackages } from "../server/install.ts";
import { startServer, type RunningServer } from "../server/prosody.ts";
import { EXAMPLE_SITES, SCENARIO_OPTIONS, SCENARIO_OPTIONS_HELP, scenarioConfig } from "./scenario.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { SMOKE_ADMIN, SMOKE_APP, SMOKE_DEVICE } from "./smoke.ts";
import { parseCommand } from "./usage.ts";
import { stopSignal } from "./signals.ts";

const USAGE = `usage: flexfed up [options]

Starts Prosody on loopback, the registry and provisioning components (\`flexfed services\`), the
scenario (\`flexfed scenario\`: the example sites ${EXAMPLE_SITES.join(" and ")}, a home and a
feeder of three homes whose simulated devices speak their real protocols, each a device on XMPP
claimed by "owner"; the balancer, demand-response and monitor apps; a simulated day with a
congestion event, without and then with flexibility, and its summary), and the smoke scenario
(one device account and one app component). The account "owner" is also for \`flexfed claim\`,
\`flexfed policy\` and \`flexfed watch\`; "operator" for \`flexfed grid\`.
Ctrl-C stops everything it started.

options:
${SERVER_OPTIONS_HELP}
${SCENARIO_OPTIONS_HELP}
  --smoke-count N        stop the smoke scenario after N publications, then shut down`;

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
    options: { ...SERVER_OPTIONS, ...SCENARIO_OPTIONS, "smoke-count": { type: "string" } },
  });
  if (!args) return 0;
  const spec = serverSpecFrom(args.values);
  scenarioConfig(args.values); // a wrong scenario option stops here, before anything starts
  ensurePackages();

  console.log(`flexfed: preparing ${spec.dataDir} and starting Prosody ...`);
  const server: RunningServer = await startServer({
    ...spec,
    components: ["registry", "provisioning", "balancer", "dr", "monitor", SMOKE_APP, SMOKE_ADMIN],
    admins: ["registry", "provisioning", SMOKE_ADMIN],
    // "owner" owns the sites (`flexfed claim`, `flexfed policy`, `flexfed watch`); "operator" is the grid operator (`flexfed grid`).
    accounts: [SMOKE_DEVICE, "owner", "operator"],
  });
  const { info } = server;
  console.log(
    [
      `flexfed: Prosody (pid ${server.pid}) serves ${info.domain} on ${info.address}`,
      `  clients (STARTTLS + SCRAM)  xmpp://${info.address}:${info.ports.c2s}`,
      `  components (XEP-0114)       xmpp://${info.address}:${info.ports.component}  ${info.components.map((c) => `${c}.${info.domain}`).join(", ")}`,
      `  pubsub                      ${info.pubsub} (control spaces, SQLite), ${info.telemetry} (telemetry, memory)`,
      `  CA certificate              ${info.caCert}  (clients: NODE_EXTRA_CA_CERTS=${info.caCert})`,
      `  secrets                     ${info.dataDir}/secrets.json (mode 0600)`,
      `  logs                        ${info.dataDir}/prosody.log`,
      `flexfed: Ctrl-C stops everything.`,
    ].join("\n"),
  );

  const smokeArgs = ["smoke", "--data-dir", spec.dataDir];
  if (args.values["smoke-count"]) smokeArgs.push("--count", args.values["smoke-count"], "--interval", "1");
  const children = [
    startChild(["services", "--data-dir", spec.dataDir], info.caCert),
    // One process for both sites and the apps: accounts are added to secrets.json by one writer.
    startChild(["scenario", ...EXAMPLE_SITES, "--data-dir", spec.dataDir, ...scenarioArgs(args.values)], info.caCert),
    startChild(smokeArgs, info.caCert),
  ];

  const anyExit = Promise.race(children.map((c) => new Promise<number>((r) => c.once("exit", (code) => r(code ?? 1)))));
  // Ctrl-C reaches the whole foreground group: the children stop themselves, we stop the rest.
  const signalled = stopSignal().then(() => 0);
  const code = await Promise.race([anyExit, signalled]);
  console.log("flexfed: stopping ...");
  await Promise.all(children.map((c) => stopChild(c)));
  await server.stop();
  console.log("flexfed: stopped.");
  return code;
}

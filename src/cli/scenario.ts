// `flexfed scenario`: the example sites, the three energy apps and a simulated day with a
// congestion event, twice (without and with flexibility), then a summary. `flexfed up` runs it.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ScenarioConfigSchema } from "../scenario/config.ts";
import { runScenario, ScenarioStopped } from "../scenario/run.ts";
import { formatSummary } from "../scenario/summary.ts";
import { readServerInfo } from "../server/prosody.ts";
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { rerunTrustingCa } from "./session.ts";
import { stopSignal } from "./signals.ts";
import { parseCommand, UsageError } from "./usage.ts";

export const EXAMPLE_SITES = ["home.yaml", "feeder.yaml"].map((f) => path.relative(process.cwd(), fileURLToPath(new URL(`../../examples/sites/${f}`, import.meta.url))));

export const SCENARIO_OPTIONS = {
  "day-minutes": { type: "string" }, date: { type: "string" }, "congestion-limit": { type: "string" }, once: { type: "boolean" },
  "grid-data-dir": { type: "string" },
} as const;
export const SCENARIO_OPTIONS_HELP = `  --day-minutes N        wall-clock minutes a simulated day takes (default 4; the day runs twice)
  --date YYYY-MM-DD      the simulated day (default 2026-06-21)
  --congestion-limit W   the feeder's limit during the 17:00-21:00 congestion event (default 6000)
  --once                 stop after the summary instead of running on until Ctrl-C
  --grid-data-dir DIR    the grid operator's own (federated) domain: its operator and its
                         demand-response app act on the devices across the s2s link`;

const USAGE = `usage: flexfed scenario [FILE...] [options]

Runs the devices of the site FILEs (default ${EXAMPLE_SITES.join(" and ")}) with the balancer,
demand-response and monitor apps through one simulated day twice: without flexibility (the devices
on their own), then with the apps, and prints what changed: grid peaks, PV self-consumption,
instructions, alarms. Then the second day's devices and apps run on until Ctrl-C.

options:
${SCENARIO_OPTIONS_HELP}
${SERVER_OPTIONS_HELP}`;

/** The scenario's settings from command-line values; a wrong one is a usage error. */
export function scenarioConfig(v: { "day-minutes"?: string; date?: string; "congestion-limit"?: string }) {
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const parsed = ScenarioConfigSchema.safeParse({
    ...(v["day-minutes"] !== undefined ? { dayMinutes: num(v["day-minutes"]) } : {}),
    ...(v.date !== undefined ? { date: v.date } : {}),
    ...(v["congestion-limit"] !== undefined ? { congestion: { limitW: num(v["congestion-limit"]) } } : {}),
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const option = { dayMinutes: "--day-minutes", date: "--date", congestion: "--congestion-limit" }[String(i.path[0]) as "date"] ?? i.path.join(".");
    throw new UsageError(`scenario: ${option}: ${i.message}`);
  }
  return parsed.data;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "scenario", usage: USAGE, options: { ...SERVER_OPTIONS, ...SCENARIO_OPTIONS }, positionals: true });
  if (!args) return 0;
  const cfg = scenarioConfig(args.values);
  const server = readServerInfo(serverSpecFrom(args.values).dataDir);
  const grid = args.values["grid-data-dir"] ? readServerInfo(path.resolve(args.values["grid-data-dir"])) : undefined;
  const rerun = rerunTrustingCa(server.info);
  if (rerun !== undefined) return rerun;
  const files = args.positionals.length ? args.positionals : EXAMPLE_SITES;
  const stopped = stopSignal();
  let scenario;
  try {
    scenario = await runScenario(server, files, cfg, (line) => console.log(line), stopped, grid);
  } catch (err) {
    if (err instanceof ScenarioStopped) return 0;
    throw err;
  }
  try {
    console.log(formatSummary(scenario.summary));
    if (!args.values.once) {
      console.log("scenario: the devices and apps run on; Ctrl-C stops them");
      await stopped;
    }
  } finally {
    await scenario.stop();
  }
  return 0;
}

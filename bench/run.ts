// The benchmark harness: `npm run bench [-- <name> ...] [--devices N[,N]] [--runs K]`, or
// `flexfed bench ...`. Each bench starts its own servers on loopback, reports every figure as a
// ratio to a baseline measured in the same run (median of K runs, min-max), prints a table and
// appends a JSON line to bench/results/<name>.jsonl. Not a test: it ends by itself.
//
// The runner makes a CA in a temp dir and runs itself again trusting it (Node reads
// NODE_EXTRA_CA_CERTS only at start-up) with a raised open-files limit; benches fork their
// measured processes from here too (--role <bench>:<role>).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommand, UsageError } from "../src/cli/usage.ts";
import { ensureCa } from "../src/server/certs.ts";
import type { Bench } from "./lib/bench.ts";
import { interrupted } from "./lib/proc.ts";
import { printProfiles } from "./lib/profile.ts";

const SELF = fileURLToPath(import.meta.url);
/** In the order `npm run bench` runs them: cheap first. */
const BENCHES: Record<string, () => Promise<{ bench: Bench }>> = {
  codec: () => import("./codec.ts"),
  registry: () => import("./registry.ts"),
  control: () => import("./control.ts"),
  telemetry: () => import("./telemetry.ts"),
  scale: () => import("./scale.ts"),
};
const OPEN_FILES = 65_536;

export const USAGE = `usage: npm run bench -- [name ...] [--devices N[,N...]] [--runs K]
       flexfed bench [name ...] [--devices N[,N...]] [--runs K]

benchmarks (all, in this order, when none is named):
  codec      EFI decode+validate and encode against plain ltx parse / serialize
  registry   search over 100 000 things, registration rate, against an IQ ping
  control    instruction round trip app -> device -> ACCEPTED / SUCCEEDED against a bare IQ
  telemetry  devices -> app through the runtimes against bare clients and Mosquitto (QoS 0, 1)
  scale      devices per runtime process and connections to one Prosody, login rate, memory

options:
  --devices  device counts (telemetry: 1,100,1000; control: 100; scale: 1000,10000)
  --runs     runs per figure, the median is reported with min and max (default 3, at least 3)
  --profile  a folder: the measured processes write CPU profiles there (node --cpu-prof, one
             folder per process role); their busiest functions are printed at the end
results: a table on stdout and a JSON line in bench/results/<name>.jsonl`;

/** The command line; null when --help was asked (and printed). Wrong arguments throw UsageError. */
function options(argv: string[]) {
  const parsed = parseCommand(argv, {
    name: "bench", usage: USAGE, positionals: true,
    options: { devices: { type: "string" }, runs: { type: "string" }, profile: { type: "string" } },
  });
  if (!parsed) return null;
  const { values, positionals } = parsed;
  const names = positionals.length ? positionals : Object.keys(BENCHES);
  for (const n of names) if (!BENCHES[n]) throw new UsageError(`bench: unknown benchmark '${n}' (${Object.keys(BENCHES).join(", ")})`);
  const devices = values.devices ? values.devices.split(",").map(Number) : [];
  if (devices.some((d) => !Number.isInteger(d) || d < 1 || d > 20_000)) throw new UsageError("bench: --devices takes whole numbers from 1 to 20000, comma-separated");
  const runs = Number(values.runs ?? 3);
  if (!Number.isInteger(runs) || runs < 3 || runs > 50) throw new UsageError("bench: --runs takes a whole number from 3 to 50");
  return { names, devices, runs, profile: values.profile && path.resolve(values.profile) };
}

/** The parent: the CA, then this file again trusting it, with more open files allowed. */
async function outer(argv: string[]): Promise<number> {
  const caDir = await mkdtemp(path.join(os.tmpdir(), "flexfed-bench-ca-"));
  try {
    const { caCert } = await ensureCa(caDir, "bench");
    // `flexfed bench` loads TypeScript through tsx's API, which a new process does not inherit.
    const execArgv = process.execArgv.some((a) => a.includes("tsx")) ? process.execArgv : ["--import", import.meta.resolve("tsx"), ...process.execArgv];
    const child = spawn("sh", ["-c", `ulimit -n ${OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`, process.execPath, ...execArgv, SELF, ...argv], {
      stdio: "inherit",
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caCert, FLEXFED_BENCH_CA: caDir },
    });
    // Ctrl-C reaches the child too (same process group): it stops its servers; we wait for it.
    process.on("SIGINT", () => undefined);
    return await new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await rm(caDir, { recursive: true, force: true });
  }
}

async function inner(argv: string[]): Promise<number> {
  const opts = options(argv)!;
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void interrupted(signal));
  // Read by forkRole: each measured process writes a CPU profile there.
  if (opts.profile) process.env.FLEXFED_BENCH_PROF = opts.profile;
  let failed = 0;
  for (const name of opts.names) {
    const { bench } = await BENCHES[name]!();
    const t0 = performance.now();
    console.log(`\n== ${name}: ${bench.summary} (${opts.runs} runs${opts.devices.length ? `, devices ${opts.devices.join(",")}` : ""}; open files ${await openFiles()})`);
    try {
      await bench.run({ devices: opts.devices, runs: opts.runs });
      console.log(`== ${name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } catch (err) {
      failed++;
      console.error(`== ${name} FAILED: ${(err as Error).stack ?? err}`);
    }
  }
  if (opts.profile) printProfiles(opts.profile);
  return failed ? 1 : 0;
}

async function openFiles(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const limits = await readFile("/proc/self/limits", "utf8").catch(() => "");
  return /Max open files\s+(\d+)/.exec(limits)?.[1] ?? "?";
}

async function role(spec: string, args: string[]): Promise<void> {
  const [name, r] = spec.split(":");
  const load = BENCHES[name!];
  const fn = load && r ? (await load()).bench.roles?.[r] : undefined;
  if (!fn) throw new Error(`no role '${spec}'`);
  await fn(args);
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--role") {
    await role(argv[1]!, argv.slice(2));
    return 0;
  }
  if (!options(argv)) return 0; // --help
  return process.env.FLEXFED_BENCH_CA ? inner(argv) : outer(argv);
}

if (process.argv[1] === SELF) {
  main(process.argv.slice(2)).then(
    (code) => { if (process.argv[2] !== "--role") process.exit(code); },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}

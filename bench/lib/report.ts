// What every benchmark prints and records: a table of figures (median of runs, min-max) with their
// ratio to the in-run baseline and the target, and one JSON line in bench/results/<bench>.jsonl
// with the machine, the versions and the load it ran under.
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spread, type Spread } from "./stats.ts";

export const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "../results");

export interface Target { op: "<=" | ">=" | "<"; value: number }

/** One line of a table: a figure, its baseline and their ratio (each the median of runs). */
export interface Row {
  name: string;
  unit: string;
  value: Spread;
  baseline?: { name: string; value: Spread };
  ratio?: Spread;
  /** On the ratio when there is a baseline, else on the value. */
  target?: Target;
  note?: string;
}

export const met = (r: Row): boolean | undefined => {
  if (!r.target) return undefined;
  const v = (r.ratio ?? r.value).median;
  return r.target.op === "<=" ? v <= r.target.value : r.target.op === ">=" ? v >= r.target.value : v < r.target.value;
};

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  return a >= 1000 ? n.toFixed(0) : a >= 100 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : a >= 1 ? n.toFixed(2) : n.toFixed(3);
}
const range = (s: Spread) => (s.runs > 1 ? ` (${fmt(s.min)}-${fmt(s.max)})` : "");

/** The table as markdown (README and NOTES take it as printed). */
export function table(rows: readonly Row[]): string {
  const head = ["measure", "flexfed: median (min-max)", "baseline: median", "ratio: median (min-max)", "target"];
  const lines = rows.map((r) => {
    const ok = met(r);
    return [
      r.name,
      `${fmt(r.value.median)}${range(r.value)} ${r.unit}`,
      r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value.median)} ${r.unit}` : "",
      r.ratio ? `${fmt(r.ratio.median)}x${range(r.ratio)}` : "",
      r.target ? `${r.target.op} ${r.target.value}${r.ratio ? "x" : ` ${r.unit}`} ${ok ? "met" : "MISSED"}` : (r.note ?? ""),
    ];
  });
  return [head, head.map(() => "---"), ...lines].map((l) => `| ${l.join(" | ")} |`).join("\n");
}

function version(cmd: string, args: string[], pattern: RegExp): string | undefined {
  try {
    const out = execFileSync(cmd, args, { encoding: "utf8", timeout: 5_000, stdio: ["ignore", "pipe", "pipe"] });
    return pattern.exec(out)?.[1];
  } catch (err) {
    const out = `${(err as { stdout?: string }).stdout ?? ""}${(err as { stderr?: string }).stderr ?? ""}`;
    return pattern.exec(out)?.[1];
  }
}

let versions: Record<string, string | undefined> | undefined;
/** The machine and the software the figures were measured with. */
export function machine(): Record<string, unknown> {
  versions ??= {
    node: process.version,
    prosody: version("dpkg-query", ["-W", "-f=${Version}", "prosody"], /^(\S+)/),
    mosquitto: version("mosquitto", ["-h"], /mosquitto version (\S+)/),
  };
  return {
    cpu: os.cpus()[0]?.model.trim(), cores: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`, ...versions, loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** Prints the table and appends the JSON line; returns the line. */
export function record(bench: string, params: Record<string, unknown>, rows: readonly Row[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const loadBefore = params.loadavgBefore;
  const line = {
    bench, date: new Date().toISOString(), ...machine(), ...(loadBefore ? { loadavgBefore: loadBefore } : {}), params,
    rows: rows.map((r) => ({ ...r, met: met(r) })), ...extra,
  };
  console.log(`\n${bench}: ${Object.entries(params).filter(([k]) => k !== "loadavgBefore").map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")}`);
  console.log(table(rows));
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(path.join(RESULTS, `${bench}.jsonl`), JSON.stringify(line) + "\n");
  return line;
}

/** A figure measured once per run next to its baseline: value, baseline and ratio as spreads. */
export function compared(name: string, unit: string, runs: readonly { value: number; base: number }[], baseName: string, target?: Target, note?: string): Row {
  return {
    name, unit, value: spread(runs.map((r) => r.value)),
    baseline: { name: baseName, value: spread(runs.map((r) => r.base)) },
    ratio: spread(runs.map((r) => r.value / r.base)),
    ...(target ? { target } : {}), ...(note ? { note } : {}),
  };
}

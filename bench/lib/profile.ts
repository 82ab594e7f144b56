// Summaries of the CPU profiles the measured processes write (bench/run.ts --profile DIR): the
// functions with the most self time, so a table's figure can be tied to the code that bounds it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

export interface Hotspot { fn: string; where: string; selfPct: number }

/** The `top` functions by self time (% of the profile's samples), idle and GC named as such. */
export function hotspots(profile: CpuProfile, top = 12): Hotspot[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { fn: string; where: string; ms: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const where = frame.url ? `${frame.url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, "$1/")}:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName}@${where}`;
    const entry = self.get(key) ?? { fn: frame.functionName || "(anonymous)", where, ms: 0 };
    entry.ms += dt;
    self.set(key, entry);
  });
  return [...self.values()].sort((a, b) => b.ms - a.ms).slice(0, top).map((e) => ({ fn: e.fn, where: e.where, selfPct: (100 * e.ms) / total }));
}

const IDLE = new Set(["(idle)", "(program)"]);

/** Prints the hotspots of every profile under `dir` (one folder per role), but of idle threads. */
export function printProfiles(dir: string, top = 12): void {
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".cpuprofile")).sort()) {
    const spots = hotspots(JSON.parse(readFileSync(path.join(dir, file), "utf8")) as CpuProfile, top + IDLE.size);
    const busy = 100 - spots.filter((s) => IDLE.has(s.fn)).reduce((sum, s) => sum + s.selfPct, 0);
    if (busy < 2) continue; // the loader thread
    console.log(`\nprofile ${file}: busy ${busy.toFixed(0)}% of the time; self time:`);
    for (const s of spots.filter((x) => !IDLE.has(x.fn)).slice(0, top)) console.log(`  ${s.selfPct.toFixed(1).padStart(5)}%  ${s.fn}  ${s.where}`);
  }
}

// EFI codec speed against ltx on the same bytes, in the same process. Not a test: it prints a
// table and appends one JSON line to bench/results/codec.jsonl.
// Run: node --import tsx bench/codec.ts
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "ltx/lib/ltx.js";
import { decode, encode, type EfiMessage } from "../src/efi/index.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUNS = 7;
const BATCH = 2_000;

const file = readFileSync(path.join(HERE, "../test/efi/examples/StorageSystemDescription.xml"), "utf8");
const message: EfiMessage = decode(file);
const wire = encode(message);
// Both sides of the encode pair walk BATCH distinct structures, as a driver building messages
// would hand them over: encode gets copies of the message, toString equivalent ltx trees.
const copies = Array.from({ length: BATCH }, () => structuredClone(message));
const trees = copies.map((m) => parse(encode(m)));

/** Mean µs per call over one batch. */
function micros(fn: (i: number) => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / BATCH / 1000;
}

interface Pair {
  name: string;
  target: number;
  ours: (i: number) => unknown;
  base: (i: number) => unknown;
  baseName: string;
}

const pairs: Pair[] = [
  { name: "decode+validate (wire form)", target: 3, ours: () => decode(wire), base: () => parse(wire), baseName: "ltx parse" },
  { name: "decode+validate (file: indented, comments)", target: 3, ours: () => decode(file), base: () => parse(file), baseName: "ltx parse" },
  { name: "encode (validated)", target: 2, ours: (i) => encode(copies[i]!), base: (i) => trees[i]!.toString(), baseName: "ltx toString" },
];

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
};

const results = pairs.map((p) => {
  for (let i = 0; i < 3; i++) micros(p.ours), micros(p.base); // warm-up
  const ratios: number[] = [];
  const ours: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    // Interleaved, so a slow moment of the machine hits both sides of a ratio.
    const b = micros(p.base);
    const o = micros(p.ours);
    ours.push(o);
    base.push(b);
    ratios.push(o / b);
  }
  return { name: p.name, baseline: p.baseName, target: p.target, ratio: stats(ratios), oursUs: stats(ours).median, baseUs: stats(base).median };
});

const fmt = (n: number, d = 2) => n.toFixed(d);
console.log(`EFI codec vs ltx, StorageSystemDescription (${wire.length} bytes wire, ${file.length} bytes file); ${RUNS} runs x ${BATCH} calls`);
console.log("| operation | ours µs | baseline | baseline µs | ratio median (min-max) | target |");
console.log("|---|---|---|---|---|---|");
for (const r of results) {
  const ok = r.ratio.median <= r.target ? "met" : "MISSED";
  console.log(`| ${r.name} | ${fmt(r.oursUs, 1)} | ${r.baseline} | ${fmt(r.baseUs, 1)} | ${fmt(r.ratio.median)} (${fmt(r.ratio.min)}-${fmt(r.ratio.max)}) | <= ${r.target}x ${ok} |`);
}

const outDir = path.join(HERE, "results");
mkdirSync(outDir, { recursive: true });
const line = {
  bench: "codec",
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  os: `${os.type()} ${os.release()}`,
  runs: RUNS,
  batch: BATCH,
  bytes: { wire: wire.length, file: file.length },
  results,
};
appendFileSync(path.join(outDir, "codec.jsonl"), `${JSON.stringify(line)}\n`);

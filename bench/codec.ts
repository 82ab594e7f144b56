// EFI codec speed against ltx on the same bytes, in the same process: decode+validate against a
// plain ltx parse, encode (validated) against ltx's toString of an equivalent tree. Batches of the
// two sides are interleaved, so a slow moment of the machine hits both sides of a ratio.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "ltx/lib/ltx.js";
import { decode, encode, type EfiMessage } from "../src/efi/index.ts";
import type { Bench } from "./lib/bench.ts";
import { compared, record, type Target } from "./lib/report.ts";

const EXAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), "../test/efi/examples");
const BATCH = 2_000;

/** Mean µs per call over one batch. */
function micros(fn: (i: number) => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / BATCH / 1000;
}

interface Pair { name: string; target?: Target; ours: (i: number) => unknown; base: (i: number) => unknown; baseName: string }

function pairs(kind: string): Pair[] {
  const file = readFileSync(path.join(EXAMPLES, `${kind}.xml`), "utf8");
  const message: EfiMessage = decode(file);
  const wire = encode(message);
  // Both sides of the encode pair walk BATCH distinct structures, as a driver building messages
  // would hand them over: encode gets copies of the message, toString equivalent ltx trees.
  const copies = Array.from({ length: BATCH }, () => structuredClone(message));
  const trees = copies.map((m) => parse(encode(m)));
  return [
    { name: `${kind} decode+validate (wire form, ${wire.length} B)`, target: { op: "<=", value: 3 }, ours: () => decode(wire), base: () => parse(wire), baseName: "ltx parse" },
    { name: `${kind} decode+validate (file: indented, comments)`, target: { op: "<=", value: 3 }, ours: () => decode(file), base: () => parse(file), baseName: "ltx parse" },
    { name: `${kind} encode (validated)`, ours: (i) => encode(copies[i]!), base: (i) => trees[i]!.toString(), baseName: "ltx toString" },
  ];
}

export const bench: Bench = {
  name: "codec",
  summary: "EFI decode+validate and encode against plain ltx parse / serialize",
  async run({ runs }) {
    const rows = ["StorageSystemDescription", "Measurement"].flatMap(pairs).map((p) => {
      for (let i = 0; i < 3; i++) micros(p.ours), micros(p.base); // warm-up
      const measured = Array.from({ length: runs }, () => {
        const base = micros(p.base);
        return { base, value: micros(p.ours) };
      });
      return compared(p.name, "µs", measured, p.baseName, p.target, p.target ? undefined : "no target");
    });
    record("codec", { runs, batch: BATCH }, rows);
  },
};

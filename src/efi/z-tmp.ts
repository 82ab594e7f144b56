import { readFileSync } from "node:fs";
import { parse } from "ltx/lib/ltx.js";
import { decode } from "./codec/decode.ts";
import { encode } from "./codec/encode.ts";
const xml = readFileSync("test/efi/examples/StorageSystemDescription.xml", "utf8");
const m = decode(xml);
const compact = encode(m);
const tree = parse(compact);
function time(name: string, f: () => unknown, n = 20000) { for (let i = 0; i < 2000; i++) f(); const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); const us = Number(process.hrtime.bigint() - t) / n / 1000; console.log(name, us.toFixed(1), "us"); return us; }
const a = time("ltx parse", () => parse(compact));
const b = time("decode", () => decode(compact));
const c = time("toString", () => tree.toString());
const d = time("encode", () => encode(m));
console.log((b / a).toFixed(2), (d / c).toFixed(2), compact.length);
import { MESSAGES } from "./model/messages.ts";
const s = MESSAGES.StorageSystemDescription.schema;
time("zod safeParse", () => s.safeParse(m));

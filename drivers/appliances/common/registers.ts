// A register map as data: the one description that the simulator serves, the adapter decodes and
// README.md documents (markdownTable), so the three can never disagree.
import { ModbusException } from "../../modbus/index.ts";

export type RegisterType = "u16" | "s16" | "u32" | "string";

export interface Register {
  address: number;
  type: RegisterType;
  /** Registers a string takes (two ASCII characters each, NUL-padded). */
  length?: number;
  /** Engineering value = raw * scale (default 1). */
  scale?: number;
  unit?: string;
  /** RW registers are commands or settings; only single-register ones are writable. */
  access: "R" | "RW";
  doc: string;
}

export type RegisterMap = Readonly<Record<string, Register>>;
export type RegisterValues<M extends RegisterMap> = { [K in keyof M]: M[K]["type"] extends "string" ? string : number };

export const words = (r: Register): number => (r.type === "u32" ? 2 : r.type === "string" ? (r.length ?? 1) : 1);

/** The first address and the number of registers a map covers (one read, when it fits). */
export function extent(map: RegisterMap): { start: number; count: number } {
  const regs = Object.values(map);
  const start = Math.min(...regs.map((r) => r.address));
  const end = Math.max(...regs.map((r) => r.address + words(r)));
  return { start, count: end - start };
}

/** Raw words as the engineering value; throws a ModbusException(3) for a value that does not fit. */
export function encode(r: Register, value: number | string): number[] {
  if (r.type === "string") {
    const bytes = Buffer.alloc(words(r) * 2);
    bytes.write(String(value).slice(0, bytes.length), "latin1");
    return Array.from({ length: words(r) }, (_, i) => bytes.readUInt16BE(2 * i));
  }
  const raw = Math.round(Number(value) / (r.scale ?? 1));
  const [min, max] = { u16: [0, 0xffff], s16: [-0x8000, 0x7fff], u32: [0, 0xffffffff] }[r.type];
  if (!(raw >= min! && raw <= max!)) throw new ModbusException(3, `${value} does not fit a ${r.type} register at ${r.address}`);
  if (r.type === "u32") return [Math.floor(raw / 0x10000), raw % 0x10000];
  return [raw & 0xffff];
}

export function decode(r: Register, w: readonly number[]): number | string {
  if (r.type === "string") {
    const bytes = Buffer.alloc(w.length * 2);
    w.forEach((v, i) => bytes.writeUInt16BE(v, 2 * i));
    return bytes.toString("latin1").replace(/\0+$/, "").trim();
  }
  const raw = r.type === "u32" ? w[0]! * 0x10000 + w[1]! : r.type === "s16" && w[0]! >= 0x8000 ? w[0]! - 0x10000 : w[0]!;
  // Rounding keeps 0.1 * 3 from reading 0.30000000000000004.
  return Number((raw * (r.scale ?? 1)).toPrecision(12));
}

/** Every register of `map` from a block read at `start`. */
export function decodeAll<M extends RegisterMap>(map: M, block: readonly number[], start: number): RegisterValues<M> {
  const out: Record<string, number | string> = {};
  for (const [name, r] of Object.entries(map)) out[name] = decode(r, block.slice(r.address - start, r.address - start + words(r)));
  return out as RegisterValues<M>;
}

/** The map as a Markdown table, as README.md shows it. */
export function markdownTable(map: RegisterMap): string {
  const rows = Object.entries(map).map(([name, r]) => {
    const type = r.type === "string" ? `string[${words(r) * 2}]` : r.type;
    const scale = r.scale && r.scale !== 1 ? ` x ${r.scale}` : "";
    return `| ${r.address} | ${name} | ${type} | ${r.unit ? r.unit + scale : scale.trim() || "-"} | ${r.access} | ${r.doc} |`;
  });
  return ["| address | name | type | unit | access | meaning |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

/** Every appliance starts with this block: who made it and which register map it speaks. */
export const IDENTIFICATION = {
  manufacturer: { address: 0, type: "string", length: 8, access: "R", doc: "manufacturer, ASCII" },
  model: { address: 8, type: "string", length: 8, access: "R", doc: "model, ASCII" },
  serialNumber: { address: 16, type: "string", length: 8, access: "R", doc: "serial number, ASCII" },
  deviceType: { address: 24, type: "u16", access: "R", doc: "1 dishwasher, 2 heat pump, 3 generator" },
  mapVersion: { address: 25, type: "u16", access: "R", doc: "version of this register map: 1" },
} as const satisfies RegisterMap;

export const DEVICE_TYPES = { dishwasher: 1, heatPump: 2, generator: 3 } as const;
export const MAP_VERSION = 1;

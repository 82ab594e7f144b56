// SunSpec values from registers and back. Not-implemented markers decode to undefined; scale
// factors apply as value x 10^SF, dividing for negative SFs so 553 x 10^-1 is 55.3 exactly.
import { pointSize, type ModelDef, type ModelValues, type Point, type PointType } from "./points.ts";

/** A word's raw reading in each type, from big-endian registers (high word first). */
export function decodeRaw(type: PointType, regs: readonly number[]): number | string | undefined {
  const buf = Buffer.alloc(regs.length * 2);
  regs.forEach((r, i) => buf.writeUInt16BE(r & 0xffff, 2 * i));
  switch (type) {
    case "int16":
    case "sunssf": {
      const v = buf.readInt16BE(0);
      return v === -0x8000 ? undefined : v;
    }
    case "uint16":
    case "enum16":
    case "bitfield16": {
      const v = buf.readUInt16BE(0);
      return v === 0xffff ? undefined : v;
    }
    case "acc16": {
      const v = buf.readUInt16BE(0);
      return v === 0 ? undefined : v;
    }
    case "int32": {
      const v = buf.readInt32BE(0);
      return v === -0x80000000 ? undefined : v;
    }
    case "uint32":
    case "bitfield32": {
      const v = buf.readUInt32BE(0);
      return v === 0xffffffff ? undefined : v;
    }
    case "acc32": {
      const v = buf.readUInt32BE(0);
      return v === 0 ? undefined : v;
    }
    case "float32": {
      const v = buf.readFloatBE(0);
      return Number.isNaN(v) ? undefined : v;
    }
    case "string": {
      const end = buf.indexOf(0);
      const s = buf.subarray(0, end < 0 ? buf.length : end).toString("utf8").trimEnd();
      return s === "" ? undefined : s;
    }
  }
}

/** value x 10^sf without binary noise. */
export function scale(raw: number, sf: number): number {
  return sf < 0 ? raw / 10 ** -sf : raw * 10 ** sf;
}

/** Registers of a point (in a model block starting at the ID register), decoded and scaled. */
export function decodePoint(def: ModelDef, block: readonly number[], name: string): number | string | undefined {
  const p = def.points[name];
  if (!p) throw new RangeError(`model ${def.name} has no point ${name}`);
  const raw = decodeRaw(p.type, block.slice(p.offset, p.offset + pointSize(p)));
  if (raw === undefined || typeof raw === "string" || !p.sf) return raw;
  const sf = decodePoint(def, block, p.sf);
  // A value whose scale factor is not implemented cannot be read.
  return sf === undefined ? undefined : scale(raw, sf as number);
}

/** Every point of a model block (read from the ID register on). */
export function decodeModel<M extends ModelDef>(def: M, block: readonly number[]): ModelValues<M> {
  const out: Record<string, number | string | undefined> = {};
  for (const name of Object.keys(def.points)) out[name] = decodePoint(def, block, name);
  return out as ModelValues<M>;
}

const RANGES: Partial<Record<PointType, [number, number]>> = {
  // The top (or bottom) value of each type means "not implemented", so it cannot be written.
  int16: [-0x7fff, 0x7fff],
  sunssf: [-10, 10],
  uint16: [0, 0xfffe],
  enum16: [0, 0xfffe],
  bitfield16: [0, 0x7fff],
  acc16: [0, 0xffff],
  int32: [-0x7fffffff, 0x7fffffff],
  uint32: [0, 0xfffffffe],
  bitfield32: [0, 0x7fffffff],
  acc32: [0, 0xffffffff],
};

/** Registers for a value (engineering units; `sf` the point's scale factor). Throws RangeError when it does not fit. */
export function encodeValue(name: string, p: Point, value: number | string, sf = 0): number[] {
  const size = pointSize(p);
  const buf = Buffer.alloc(size * 2);
  if (p.type === "string") {
    if (typeof value !== "string") throw new TypeError(`${name} is a string`);
    const bytes = Buffer.from(value, "utf8");
    if (bytes.length > buf.length) throw new RangeError(`${name}: '${value}' is longer than ${buf.length} bytes`);
    bytes.copy(buf);
  } else {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${name} needs a finite number, not ${String(value)}`);
    if (p.type === "float32") buf.writeFloatBE(value);
    else {
      const raw = Math.round(sf < 0 ? value * 10 ** -sf : value / 10 ** sf);
      const [min, max] = RANGES[p.type]!;
      if (raw < min || raw > max) throw new RangeError(`${name}: ${value} (raw ${raw} with SF ${sf}) does not fit ${p.type} (${min}..${max})`);
      if (size === 1) buf.writeUInt16BE(raw & 0xffff);
      else buf.writeUInt32BE(raw >>> 0);
    }
  }
  return Array.from({ length: size }, (_, i) => buf.readUInt16BE(2 * i));
}

/** The registers that mean "not implemented" for a point. */
export function notImplemented(p: Point): number[] {
  const size = pointSize(p);
  switch (p.type) {
    case "int16":
    case "sunssf":
      return [0x8000];
    case "int32":
      return [0x8000, 0];
    case "float32":
      return [0x7fc0, 0];
    case "acc16":
    case "acc32":
    case "string":
      return new Array<number>(size).fill(0);
    default:
      return new Array<number>(size).fill(0xffff);
  }
}

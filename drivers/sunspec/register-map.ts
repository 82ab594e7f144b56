// Register maps for batteries that do not speak SunSpec (as Storage4Grid's ESS connector did with
// its XML maps): where each role lives, in which type, scale and word order. JSON, zod-checked.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { MAX_READ } from "../modbus/index.ts";
import { decodeRaw } from "./codec.ts";

const address = z.number().int("must be an integer").min(0, "must be 0..65535").max(65535, "must be 0..65535");

export const MapPointSchema = z.strictObject({
  address,
  type: z.enum(["uint16", "int16", "uint32", "int32", "float32"]).default("uint16"),
  /** value = raw x scale. */
  scale: z.number().refine((s) => s !== 0 && Number.isFinite(s), "must be a finite number other than 0").default(1),
  unit: z.string().optional(),
  access: z.enum(["read", "write", "readwrite"]).default("read"),
  /** For 32-bit types: "big" sends the high word first. */
  wordOrder: z.enum(["big", "little"]).default("big"),
});
export type MapPoint = z.infer<typeof MapPointSchema>;

const modeValue = z.number().int().min(0, "must be 0..65535").max(65535, "must be 0..65535");

export const ModePointSchema = MapPointSchema.extend({
  access: z.enum(["write", "readwrite"]).default("readwrite"),
  /** The register value for each mode; "auto" hands control back to the device. */
  values: z.strictObject({ charge: modeValue, idle: modeValue, discharge: modeValue, auto: modeValue }),
});

const writable = MapPointSchema.extend({ access: z.enum(["write", "readwrite"]).default("readwrite") });
const watts = z.number().positive("must be above 0");

export const RegisterMapSchema = z
  .strictObject({
    name: z.string().optional(),
    nameplate: z
      .strictObject({
        manufacturer: z.string().optional(),
        model: z.string().optional(),
        serialNumber: z.string().optional(),
        capacityWh: watts.optional(),
        maxChargeW: watts.optional(),
        maxDischargeW: watts.optional(),
      })
      .default({}),
    /** How the device signs its power register. */
    powerSign: z.enum(["charge-positive", "discharge-positive"]).default("charge-positive"),
    points: z.strictObject({
      /** State of charge, %. */
      soc: MapPointSchema,
      /** Battery power, W, signed as powerSign says. */
      power: MapPointSchema,
      capacityWh: MapPointSchema.optional(),
      maxChargeW: MapPointSchema.optional(),
      maxDischargeW: MapPointSchema.optional(),
      mode: ModePointSchema,
      /** Charge and discharge power setpoints, W (positive). */
      chargeSetpointW: writable,
      dischargeSetpointW: writable,
    }),
  })
  .superRefine((m, ctx) => {
    for (const role of ["capacityWh", "maxChargeW", "maxDischargeW"] as const) {
      if (!m.points[role] && m.nameplate[role] === undefined) {
        ctx.addIssue({ code: "custom", path: ["points", role], message: `needs a register, or nameplate.${role}` });
      }
    }
    for (const [role, p] of Object.entries(m.points)) {
      if (p && p.address + words(p) > 65536) ctx.addIssue({ code: "custom", path: ["points", role, "address"], message: "runs past register 65535" });
    }
  });
export type RegisterMap = z.infer<typeof RegisterMapSchema>;
export type Role = keyof RegisterMap["points"];

export class RegisterMapError extends Error {
  override name = "RegisterMapError";
}

/** "points.soc.address: must be 0..65535" lines, one per problem. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(top)"}: ${i.message}`).join("; ");
}

export function parseRegisterMap(input: unknown, source = "register map"): RegisterMap {
  const r = RegisterMapSchema.safeParse(input);
  if (!r.success) throw new RegisterMapError(`${source}: ${describeIssues(r.error)}`);
  return r.data;
}

export async function loadRegisterMap(file: string): Promise<RegisterMap> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new RegisterMapError(`register map ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RegisterMapError(`register map ${file}: not JSON (${(err as Error).message})`);
  }
  return parseRegisterMap(json, `register map ${file}`);
}

export function words(p: MapPoint): number {
  return p.type.endsWith("32") ? 2 : 1;
}

/** A point's value from its registers (in device order); undefined for float NaN. */
export function decodeMapPoint(p: MapPoint, regs: readonly number[]): number | undefined {
  const ordered = p.wordOrder === "little" ? [...regs].reverse() : regs;
  const buf = Buffer.alloc(4);
  ordered.forEach((r, i) => buf.writeUInt16BE(r & 0xffff, 2 * i));
  // The map's types have no not-implemented markers (unlike SunSpec): every raw value counts.
  const raw = p.type === "float32" ? (decodeRaw("float32", ordered) as number | undefined) : readInt(p.type, buf);
  return raw === undefined ? undefined : raw * p.scale;
}

function readInt(type: MapPoint["type"], buf: Buffer): number {
  switch (type) {
    case "int16": return buf.readInt16BE(0);
    case "uint32": return buf.readUInt32BE(0);
    case "int32": return buf.readInt32BE(0);
    default: return buf.readUInt16BE(0);
  }
}

/** Registers (device order) for a value in engineering units; RangeError when it does not fit. */
export function encodeMapPoint(role: string, p: MapPoint, value: number): number[] {
  const buf = Buffer.alloc(4);
  if (p.type === "float32") buf.writeFloatBE(value / p.scale);
  else {
    const raw = Math.round(value / p.scale);
    const [min, max] = { uint16: [0, 0xffff], int16: [-0x8000, 0x7fff], uint32: [0, 0xffffffff], int32: [-0x80000000, 0x7fffffff] }[p.type];
    if (raw < min! || raw > max!) throw new RangeError(`${role}: ${value} does not fit ${p.type} at scale ${p.scale}`);
    if (words(p) === 1) buf.writeUInt16BE(raw & 0xffff);
    else buf.writeUInt32BE(raw >>> 0);
  }
  const regs = Array.from({ length: words(p) }, (_, i) => buf.readUInt16BE(2 * i));
  return p.wordOrder === "little" ? regs.reverse() : regs;
}

export interface ReadBlock {
  address: number;
  count: number;
}

/** Few reads covering the given points: neighbours (gaps up to `gap` registers) share a read of at most 125. */
export function planReads(points: readonly MapPoint[], gap = 8): ReadBlock[] {
  const spans = points.map((p) => ({ start: p.address, end: p.address + words(p) })).sort((a, b) => a.start - b.start);
  const blocks: ReadBlock[] = [];
  for (const s of spans) {
    const last = blocks.at(-1);
    if (last && s.start <= last.address + last.count + gap && s.end - last.address <= MAX_READ) {
      last.count = Math.max(last.count, s.end - last.address);
    } else blocks.push({ address: s.start, count: s.end - s.start });
  }
  return blocks;
}

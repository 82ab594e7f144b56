// A P1 telegram's content: OBIS lines `A-B:C.D.E(value*unit)(...)` read into a validated Telegram.
// Values are normalised by the unit the meter wrote (kW or W, kWh or Wh); an unknown unit on a
// value flexfed reads rejects the telegram. OBIS codes flexfed does not read are kept raw.
import { z } from "zod";
import { parseP1Timestamp } from "./timestamp.ts";

/** The units values are normalised to, with the units meters write for each and their factor. */
const UNITS = {
  W: { W: 1, kW: 1000 },
  Wh: { Wh: 1, kWh: 1000 },
  V: { V: 1 },
  A: { A: 1 },
  m3: { m3: 1 },
} as const;
export type BaseUnit = keyof typeof UNITS;

/** The electricity registers flexfed reads (DSMR 5.0.2 §6.12 names), each in its normalised unit. */
export const REGISTERS = {
  "1-0:1.7.0": "W", // power delivered to the client (import)
  "1-0:2.7.0": "W", // power received from the client (export)
  "1-0:21.7.0": "W", "1-0:41.7.0": "W", "1-0:61.7.0": "W", // import L1, L2, L3
  "1-0:22.7.0": "W", "1-0:42.7.0": "W", "1-0:62.7.0": "W", // export L1, L2, L3
  "1-0:32.7.0": "V", "1-0:52.7.0": "V", "1-0:72.7.0": "V", // voltage L1, L2, L3
  "1-0:31.7.0": "A", "1-0:51.7.0": "A", "1-0:71.7.0": "A", // current L1, L2, L3
  "1-0:1.8.0": "Wh", "1-0:1.8.1": "Wh", "1-0:1.8.2": "Wh", // energy delivered: total (not on Dutch meters), tariff 1, tariff 2
  "1-0:2.8.0": "Wh", "1-0:2.8.1": "Wh", "1-0:2.8.2": "Wh", // energy received: total, tariff 1, tariff 2
} as const satisfies Record<string, BaseUnit>;
export type RegisterCode = keyof typeof REGISTERS;
const REGISTER_CODES = Object.keys(REGISTERS) as RegisterCode[];

const issue = (ctx: z.RefinementCtx, message: string) => {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
};

/** `value*unit` as the number in `base`. */
export function quantity(base: BaseUnit) {
  const units: Record<string, number> = UNITS[base];
  return z.string().transform((text, ctx) => {
    const m = /^(-?\d+(?:\.\d+)?)\*(\S+)$/.exec(text);
    if (!m) return issue(ctx, `'${text}' is not a number with a unit (value*unit)`);
    const factor = units[m[2]!];
    if (factor === undefined) return issue(ctx, `unit '${m[2]}' is not one of ${Object.keys(units).join(", ")}`);
    // Scaling a decimal like 0.244 by 1000 must give 244, not 244.00000000000003.
    return Number((Number(m[1]) * factor).toPrecision(12));
  });
}

const timestamp = z.string().transform((text, ctx) => parseP1Timestamp(text) ?? issue(ctx, `'${text}' is not a P1 timestamp YYMMDDhhmmss followed by S or W`));
const digits = z.string().regex(/^\d+$/, "expected digits");

export const GasReadingSchema = z.object({
  /** M-Bus channel (the n of 0-n:24.2.1). */
  channel: z.number().int().min(1).max(4),
  timestamp,
  volume: quantity("m3"),
});

export const TelegramSchema = z.object({
  /** The identification line without its '/': manufacturer flag (3 letters), baud-rate digit, identification. */
  header: z.string().regex(/^[A-Za-z]{3}\d/, "the identification line starts with a 3-letter manufacturer flag and a digit"),
  /** 1-3:0.2.8: P1 version, e.g. "50" (absent before DSMR 4). */
  version: digits.optional(),
  /** 0-0:1.0.0 (absent before DSMR 4). */
  timestamp: timestamp.optional(),
  /** 0-0:96.1.1 as sent (usually hex-encoded ASCII). */
  equipmentId: z.string().optional(),
  /** 0-0:96.14.0: the tariff in force, 1 (low) or 2 (normal) in the Netherlands. */
  tariff: digits.transform(Number).optional(),
  registers: z.partialRecord(z.enum(REGISTER_CODES), z.string()).transform((raw, ctx) => {
    const out: Partial<Record<RegisterCode, number>> = {};
    for (const code of REGISTER_CODES) {
      const text = raw[code];
      if (text === undefined) continue;
      const r = quantity(REGISTERS[code]).safeParse(text);
      if (r.success) out[code] = r.data;
      else for (const i of r.error.issues) ctx.addIssue({ code: "custom", path: [code], message: i.message });
    }
    return out;
  }),
  gas: GasReadingSchema.optional(),
  /** Every COSEM object of the telegram as sent, by OBIS code: what flexfed does not read stays here. */
  objects: z.record(z.string(), z.array(z.string())),
});
export type Telegram = z.output<typeof TelegramSchema>;
export type GasReading = z.output<typeof GasReadingSchema>;

export class P1ParseError extends Error {
  override name = "P1ParseError";
}

// One COSEM object per line; the F group (*255) that some meters add is implied and dropped.
const LINE = /^(\d+-\d+:\d+\.\d+\.\d+)(?:\*\d+)?((?:\([^()]*\))+)$/;
const GAS = /^0-([1-4]):24\.2\.1$/;
const GAS_METER = 3; // M-Bus device type (0-n:24.1.0) of a gas meter

/** Reads a telegram body ('/' .. '!'); throws P1ParseError saying which object is wrong and why. */
export function parseTelegram(body: string): Telegram {
  const [first = "", ...lines] = body.split(/\r?\n/);
  const objects: Record<string, string[]> = {};
  // Lines that are not objects (the blank line, '!', DSMR 2.2's gas value on a line of its own) are skipped.
  for (const line of lines) {
    const m = LINE.exec(line.trim());
    if (m) objects[m[1]!] = [...m[2]!.matchAll(/\(([^()]*)\)/g)].map((v) => v[1]!);
  }
  const value = (code: string) => objects[code]?.[0];
  const registers = Object.fromEntries(REGISTER_CODES.flatMap((code) => (objects[code] ? [[code, value(code)]] : [])));
  const result = TelegramSchema.safeParse({
    header: first.replace(/^\//, "").trim(),
    version: value("1-3:0.2.8"),
    timestamp: value("0-0:1.0.0"),
    equipmentId: value("0-0:96.1.1") || undefined,
    tariff: value("0-0:96.14.0"),
    registers,
    gas: gasReading(objects),
    objects,
  });
  if (!result.success) {
    throw new P1ParseError(result.error.issues.map((i) => `${i.path.map(String).join(".") || "telegram"}: ${i.message}`).join("; "));
  }
  return result.data;
}

/** The gas meter's latest reading: from the channel whose device type says gas, else from one that declares no type. */
function gasReading(objects: Record<string, string[]>): { channel: number; timestamp?: string; volume?: string } | undefined {
  const typeOf = (n: number) => objects[`0-${n}:24.1.0`]?.[0];
  const channels = Object.keys(objects).flatMap((code) => {
    const m = GAS.exec(code);
    return m ? [Number(m[1])] : [];
  });
  const channel = channels.find((n) => Number(typeOf(n)) === GAS_METER) ?? channels.find((n) => typeOf(n) === undefined);
  if (channel === undefined) return undefined;
  const [ts, volume] = objects[`0-${channel}:24.2.1`]!;
  return { channel, timestamp: ts, volume };
}

// SunSpec discovery: the 'SunS' marker at one of the well-known bases, then the chain of models
// [ID, L, L registers] until ID 0xFFFF.
import { MAX_READ, ModbusError } from "../modbus/index.ts";

/** What discovery needs of a Modbus link (ModbusLink has it). */
export interface RegisterReader {
  readonly where: string;
  readHoldingRegisters(address: number, count: number): Promise<number[]>;
}

export const SUNS = [0x5375, 0x6e53] as const;
/** pysunspec2's order is 0, 40000, 50000; 40000 first here, where nearly every device has it. */
export const BASES = [40000, 0, 50000] as const;
const END = 0xffff;
const MAX_MODELS = 200;

export interface ModelLocation {
  id: number;
  /** Address of the model's ID register. */
  address: number;
  /** L: registers after ID and L. */
  length: number;
}

export interface SunSpecMap {
  base: number;
  models: ModelLocation[];
}

export class SunSpecError extends Error {
  override name = "SunSpecError";
}

/** Finds the marker and walks the model chain. Connection failures propagate; a base the device refuses is skipped. */
export async function discover(reader: RegisterReader, bases: readonly number[] = BASES): Promise<SunSpecMap> {
  let timeout: ModbusError | undefined;
  for (const base of bases) {
    let marker: number[];
    try {
      marker = await reader.readHoldingRegisters(base, 2);
    } catch (err) {
      // A device without registers there answers with an exception (or, some, not at all).
      if (err instanceof ModbusError && err.failure === "exception") continue;
      if (err instanceof ModbusError && err.failure === "timeout") {
        timeout ??= err;
        continue;
      }
      throw err;
    }
    if (marker[0] === SUNS[0] && marker[1] === SUNS[1]) return { base, models: await walk(reader, base + 2) };
  }
  if (timeout) throw timeout;
  throw new SunSpecError(`no SunSpec device at ${reader.where}: no 'SunS' marker at ${bases.join(", ")}`);
}

async function walk(reader: RegisterReader, start: number): Promise<SunSpecMap["models"]> {
  const models: ModelLocation[] = [];
  let address = start;
  while (models.length < MAX_MODELS && address + 2 <= 0x10000) {
    const [id, length] = (await reader.readHoldingRegisters(address, 2)) as [number, number];
    if (id === END || id === 0) return models;
    models.push({ id, address, length });
    address += 2 + length;
  }
  throw new SunSpecError(`the SunSpec model chain at ${reader.where} has no end marker (0xFFFF) after ${models.length} models`);
}

/** A model's registers from its ID register on (ID, L and L registers), in reads of at most 125. */
export async function readModel(reader: RegisterReader, loc: ModelLocation): Promise<number[]> {
  const total = loc.length + 2;
  const out: number[] = [];
  for (let off = 0; off < total; off += MAX_READ) out.push(...(await reader.readHoldingRegisters(loc.address + off, Math.min(MAX_READ, total - off))));
  return out;
}

/** The first model with one of `ids`. */
export function findModel(map: SunSpecMap, ids: readonly number[]): ModelLocation | undefined {
  return map.models.find((m) => ids.includes(m.id));
}

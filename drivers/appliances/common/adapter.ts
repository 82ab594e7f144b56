// The I/O half every appliance driver shares: one read of the identification block and one of the
// appliance's own map per poll, checked to be the device the configuration says it is.
import { z } from "zod";
import { MAX_READ, type ModbusLink } from "../../modbus/index.ts";
import { decodeAll, extent, IDENTIFICATION, MAP_VERSION, type RegisterMap, type RegisterValues } from "./registers.ts";

/** Device data that does not make sense: says which values, and why. */
export class DeviceDataError extends Error {
  override name = "DeviceDataError";
}

export type Identification = RegisterValues<typeof IDENTIFICATION>;

export async function readRegisters<M extends RegisterMap>(link: ModbusLink, map: M, deviceType: number, noun: string): Promise<{ id: Identification; values: RegisterValues<M> }> {
  const head = extent(IDENTIFICATION);
  const id = decodeAll(IDENTIFICATION, await link.readHoldingRegisters(head.start, head.count), head.start);
  if (id.deviceType !== deviceType) throw new DeviceDataError(`${link.where} is not a ${noun}: its device type register says ${id.deviceType}, a ${noun} is ${deviceType}`);
  if (id.mapVersion !== MAP_VERSION) throw new DeviceDataError(`${link.where} speaks register map version ${id.mapVersion}; this driver knows version ${MAP_VERSION}`);
  const { start, count } = extent(map);
  if (count > MAX_READ) throw new RangeError(`the ${noun} map spans ${count} registers; one read takes at most ${MAX_READ}`);
  return { id, values: decodeAll(map, await link.readHoldingRegisters(start, count), start) };
}

/** Parses what the device sent into the driver's state; a DeviceDataError names the fields at fault. */
export function parseState<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new DeviceDataError(`${where} sent values that make no sense: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

export const NameplateSchema = z.object({
  manufacturer: z.string().min(1, "is empty"),
  model: z.string().min(1, "is empty"),
  serialNumber: z.string().min(1, "is empty"),
});
export type Nameplate = z.infer<typeof NameplateSchema>;

export const nameplateOf = (id: Identification): Nameplate => ({ manufacturer: id.manufacturer, model: id.model, serialNumber: id.serialNumber });

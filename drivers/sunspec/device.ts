// What every adapter (the I/O half of a driver) does around its own models: discovery kept until
// a read fails, the nameplate from the common model, and device data checked against its state schema.
import { z } from "zod";
import { decodeModel } from "./codec.ts";
import { readModel, type ModelLocation, type RegisterReader } from "./discovery.ts";
import { COMMON } from "./models.ts";
import { describeIssues } from "./register-map.ts";

/** Device data that does not make sense, or a device that is not what the driver drives. */
export class DeviceDataError extends Error {
  override name = "DeviceDataError";
}

/** Parses what the device sent into the driver's state; a DeviceDataError names the fields at fault. */
export function parseState<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new DeviceDataError(`${where} sent values that make no sense: ${describeIssues(r.error)}`);
  return r.data;
}

export const NameplateSchema = z.object({
  manufacturer: z.string().min(1),
  model: z.string().min(1),
  serialNumber: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
});
export type Nameplate = z.infer<typeof NameplateSchema>;

/** The nameplate in the common model (1). */
export async function readNameplate(reader: RegisterReader, common: ModelLocation): Promise<Nameplate> {
  const c = decodeModel(COMMON, await readModel(reader, common));
  return { manufacturer: c.Mn ?? "unknown", model: c.Md ?? "unknown", serialNumber: c.SN, version: c.Vr };
}

/** What discovery found, kept until a read fails: the device may have been replaced or reconfigured meanwhile. */
export class Discovered<F> {
  #found: F | undefined;

  constructor(private readonly discover: () => Promise<F>) {}

  /** What discovery found; it runs first when nothing is known. */
  async get(): Promise<F> {
    return (this.#found ??= await this.discover());
  }

  /** One read of the device; after a failure the next call discovers it again. */
  async read<T>(read: (found: F) => Promise<T>): Promise<T> {
    try {
      return await read(await this.get());
    } catch (err) {
      this.#found = undefined;
      throw err;
    }
  }
}

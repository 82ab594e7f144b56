// Device configuration files (`flexfed device run --config FILE`): one device, or several that one
// process hosts. The driver part is checked against its family's own schema.
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { DriverFamily } from "./driver.ts";

export const ResourceId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "must be 1-63 of a-z 0-9 . _ - (it is the device's account name and node name), starting with a letter or digit");

export const DeviceConfigSchema = z.object({
  resourceId: ResourceId,
  /** Registry tags of the device's place and owner's choosing (SITE, FEEDER, NAME, KEY ...). */
  tags: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  outboxCapacity: z.number().int().positive().optional(),
  driver: z.looseObject({ type: z.string({ error: "is missing (the driver family, e.g. sunspec-battery)" }) }),
});
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

export const DeviceFileSchema = z.union([z.object({ devices: z.array(DeviceConfigSchema).min(1) }), DeviceConfigSchema]);

/** A configuration error: the message names the file and the path of each field at fault. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** One line per issue: `file: devices.0.driver.port: must be ...`. */
function describe(where: string, err: z.ZodError, prefix: readonly (string | number)[] = []): string {
  return err.issues.map((i) => {
    const at = [...prefix, ...i.path].join(".");
    return `${where}${at ? `: ${at}` : ""}: ${i.message}`;
  }).join("\n");
}

/** A device with its driver configuration parsed by the family's schema. */
export interface ResolvedDevice {
  config: DeviceConfig;
  family: DriverFamily;
  driverConfig: unknown;
}

/** Parses a device file's content (already JSON-decoded) and every driver part. */
export function resolveDevices(input: unknown, families: readonly DriverFamily[], where = "config"): ResolvedDevice[] {
  const parsed = DeviceFileSchema.safeParse(input);
  if (!parsed.success) {
    // The union hides the useful issues: report those of the shape the input looks like.
    const shape = typeof input === "object" && input !== null && "devices" in input ? z.object({ devices: z.array(DeviceConfigSchema).min(1) }) : DeviceConfigSchema;
    throw new ConfigError(describe(where, shape.safeParse(input).error ?? parsed.error));
  }
  const list = "devices" in parsed.data ? parsed.data.devices : [parsed.data];
  const ids = new Set<string>();
  return list.map((config, i) => {
    const prefix = "devices" in parsed.data ? ["devices", i] : [];
    const fail = (path: string, message: string) => new ConfigError(`${where}: ${[...prefix, path].join(".")}: ${message}`);
    if (ids.has(config.resourceId)) throw fail("resourceId", `'${config.resourceId}' appears twice`);
    ids.add(config.resourceId);
    const family = families.find((f) => f.type === config.driver.type);
    if (!family) throw fail("driver.type", `'${config.driver.type}' is unknown (known: ${families.map((f) => f.type).join(", ")})`);
    const { type: _type, ...rest } = config.driver;
    const driver = family.config.safeParse(rest);
    if (!driver.success) throw new ConfigError(describe(where, driver.error, [...prefix, "driver"]));
    return { config, family, driverConfig: driver.data };
  });
}

export function loadDeviceFile(file: string, families: readonly DriverFamily[]): ResolvedDevice[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  return resolveDevices(json, families, file);
}

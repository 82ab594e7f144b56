// Site and device configuration files (`flexfed site run FILE`, `flexfed device run --config FILE`),
// YAML or JSON: one device, or a site of devices that one process hosts. The driver part of each
// device is checked against its family's own schema; errors name the file, the path and a hint.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { DriverFamily, Simulation } from "./driver.ts";
import { SimulatedWorld } from "./simulation.ts";

export const ResourceId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "must be 1-63 of a-z 0-9 . _ - (it is the device's account name and node name), starting with a letter or digit");

const Tags = z.record(z.string(), z.union([z.string(), z.number()]));

export const DeviceConfigSchema = z.object({
  resourceId: ResourceId,
  /** Registry tags of the device's place and owner's choosing (SITE, FEEDER, NAME, KEY ...). */
  tags: Tags.default({}),
  outboxCapacity: z.number().int().positive().optional(),
  driver: z.looseObject({ type: z.string({ error: "is missing (the driver family, e.g. sunspec-battery)" }) }),
  /** Run the family's simulator in this process and reach it instead of real equipment (its options, or true). */
  simulate: z.union([z.literal(true), z.record(z.string(), z.unknown())]).optional(),
});
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

const SiteSchema = z.object({
  /** The SITE tag of every device. */
  site: z.string().min(1).optional(),
  /** Tags every device of the site carries (FEEDER ...); a device's own tags win. */
  tags: Tags.default({}),
  devices: z.array(DeviceConfigSchema).min(1, "lists no device"),
});

export const SiteFileSchema = z.union([SiteSchema, DeviceConfigSchema]);

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
  /** Where its simulator listens, for simulated devices. */
  simulated?: string;
}

interface Entry {
  config: DeviceConfig;
  family: DriverFamily;
  prefix: (string | number)[];
}

/** Checks the file's shape, tags and driver types; driver settings come later. */
function entries(input: unknown, families: readonly DriverFamily[], where: string): Entry[] {
  if (input === null || input === undefined) throw new ConfigError(`${where}: is empty; it lists a site's devices, or describes one device`);
  const parsed = SiteFileSchema.safeParse(input);
  if (!parsed.success) {
    // The union hides the useful issues: report those of the shape the input looks like.
    const shape = typeof input === "object" && input !== null && "devices" in input ? SiteSchema : DeviceConfigSchema;
    throw new ConfigError(describe(where, shape.safeParse(input).error ?? parsed.error));
  }
  const site = "devices" in parsed.data ? parsed.data : undefined;
  const list = site ? site.devices : [parsed.data as DeviceConfig];
  const ids = new Set<string>();
  return list.map((device, i) => {
    const prefix = site ? ["devices", i] : [];
    const fail = (path: string, message: string) => new ConfigError(`${where}: ${[...prefix, path].join(".")}: ${message}`);
    if (ids.has(device.resourceId)) throw fail("resourceId", `'${device.resourceId}' appears twice`);
    ids.add(device.resourceId);
    const family = families.find((f) => f.type === device.driver.type);
    if (!family) throw fail("driver.type", `'${device.driver.type}' is unknown (known: ${families.map((f) => f.type).join(", ")})`);
    if (device.simulate && !family.simulate) throw fail("simulate", `${family.type} has no simulator`);
    const tags = { ...(site?.site ? { SITE: site.site } : {}), ...site?.tags, ...device.tags };
    return { config: { ...device, tags }, family, prefix };
  });
}

function resolve(e: Entry, where: string, simulation?: Simulation): ResolvedDevice {
  const { type, ...settings } = e.config.driver;
  // The simulator decides how it is reached (port, path); the rest comes from the file.
  const driver = e.family.config.safeParse({ ...settings, ...simulation?.settings });
  if (!driver.success) {
    const hint = e.family.example ? `\n  hint: a ${type} driver looks like ${JSON.stringify({ type, ...e.family.example })}` : "";
    throw new ConfigError(describe(where, driver.error, [...e.prefix, "driver"]) + hint);
  }
  return { config: e.config, family: e.family, driverConfig: driver.data, ...(simulation ? { simulated: simulation.where } : {}) };
}

/** Resolves a file's devices; simulated devices are refused here (openSite starts their simulators). */
export function resolveDevices(input: unknown, families: readonly DriverFamily[], where = "config"): ResolvedDevice[] {
  return entries(input, families, where).map((e) => {
    if (e.config.simulate) throw new ConfigError(`${where}: ${[...e.prefix, "simulate"].join(".")}: simulated devices need their simulators: use openSite`);
    return resolve(e, where);
  });
}

export interface Site {
  devices: ResolvedDevice[];
  /** Stops the simulators the site started. */
  stop(): Promise<void>;
}

/**
 * Resolves a file's devices, starting the simulators of simulated ones first (stopped again on
 * error). Simulators of one SITE share `world`'s clock and power balance.
 */
export async function openSite(input: unknown, families: readonly DriverFamily[], where = "config", world = new SimulatedWorld()): Promise<Site> {
  const list = entries(input, families, where);
  const simulations: Simulation[] = [];
  const stop = async () => { await Promise.all(simulations.map((s) => s.stop())); };
  try {
    const devices: ResolvedDevice[] = [];
    for (const e of list) {
      const site = String(e.config.tags.SITE ?? "");
      const simulation = e.config.simulate
        ? await e.family.simulate!(e.config.resourceId, e.config.simulate === true ? {} : e.config.simulate, world.env(site, e.config.resourceId))
        : undefined;
      if (simulation) {
        simulations.push(simulation);
        world.add(site, e.config.resourceId, simulation);
      }
      devices.push(resolve(e, where, simulation));
    }
    return { devices, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Reads a YAML or JSON file (JSON is YAML) into plain data. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}`);
  }
}

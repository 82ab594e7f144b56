// The "sunspec-meter" device family: SunSpec meters (201-204) over Modbus TCP or RTU, for grid
// exchange and sub-metering, as EFI Inflexible.
import { z } from "zod";
import type { DriverFamily } from "../../src/device/driver.ts";
import { simulation } from "../sunspec/index.ts";
import { MeterConfigSchema } from "./config.ts";
import { MeterDriver } from "./driver.ts";
import { householdPower, MeterSimulator } from "./simulator.ts";

/** What a site file may say of a simulated meter: a household's daily load and PV, W. */
const SimulationSchema = z.strictObject({
  baseW: z.number().default(400),
  eveningPeakW: z.number().min(0).default(1_200),
  pvPeakW: z.number().min(0).default(2_500),
  /** A meter at the site's connection: it also measures the site's other simulated devices. */
  grid: z.boolean().default(false),
  serialNumber: z.string().optional(),
});

export const sunspecMeter: DriverFamily<typeof MeterConfigSchema> = {
  type: "sunspec-meter",
  config: MeterConfigSchema,
  example: { transport: { type: "tcp", host: "192.168.1.21", port: 502 }, unitId: 1, pollMs: 2000 },
  create: (config, ctx) => new MeterDriver(config, ctx),
  async simulate(resourceId, options, env) {
    const { serialNumber, grid, ...profile } = SimulationSchema.parse(options);
    const household = householdPower(profile);
    const sim = new MeterSimulator({ serialNumber: serialNumber ?? `SIM-${resourceId}`, powerW: (t) => household(t) + (grid ? env.siteW() : 0), now: env.now });
    // The household's own load (the site's other devices never count themselves).
    const s = await simulation(sim, () => household(env.now()));
    return grid ? { ...s, where: `${s.where}, at the site's connection` } : s;
  },
};

export { MeterConfigSchema, type MeterConfig, type MeterConfigInput } from "./config.ts";
export { MeterDriver } from "./driver.ts";
export { MeterStateSchema, type MeterState } from "./state.ts";
export { MeterSimulator, householdPower, type MeterSimulatorOptions } from "./simulator.ts";

// The "fronius-solar-api" device family: Fronius inverters read through their Solar API v1 over
// HTTP, as EFI Inflexible (read-only: the API controls nothing).
import { z } from "zod";
import type { DriverFamily } from "../../src/device/driver.ts";
import { FroniusConfigSchema } from "./config.ts";
import { FroniusDriver } from "./driver.ts";
import { daylight, FroniusSimulator } from "./simulator.ts";

/** What a site file may say of a simulated Fronius system. */
const SimulationSchema = z.strictObject({
  pvPeakW: z.number().min(0).default(3_000),
  loadW: z.number().min(0).default(500),
  socPct: z.number().min(0).max(100).optional(),
});

export const froniusSolarApi: DriverFamily<typeof FroniusConfigSchema> = {
  type: "fronius-solar-api",
  config: FroniusConfigSchema,
  example: { url: "http://192.168.1.30", pollMs: 5000 },
  create: (config, ctx) => new FroniusDriver(config, ctx),
  async simulate(_resourceId, options) {
    const o = SimulationSchema.parse(options);
    const sim = new FroniusSimulator({
      pvW: daylight(o.pvPeakW),
      loadW: () => o.loadW,
      ...(o.socPct === undefined ? {} : { socPct: o.socPct }),
    });
    const { url } = await sim.listen();
    return { settings: { url }, where: `Fronius Solar API ${url}`, stop: () => sim.stop() };
  },
};

export { FroniusConfigSchema, type FroniusConfig, type FroniusConfigInput } from "./config.ts";
export { FroniusDriver } from "./driver.ts";
export { fetchPowerFlow, PowerFlowSchema, SolarApiError, POWER_FLOW_PATH, type PowerFlow } from "./api.ts";
export { FroniusSimulator, daylight, type FroniusSimulatorOptions, type FroniusFault } from "./simulator.ts";

// The "sunspec-pv" device family: SunSpec PV inverters (101-103, 120, 123 or 704) over Modbus TCP
// or RTU, as EFI Inflexible with a clear-sky forecast and curtailment of their output.
import { z } from "zod";
import type { DriverFamily } from "../../src/device/driver.ts";
import { simulation } from "../sunspec/index.ts";
import { PvConfigSchema } from "./config.ts";
import { PvDriver } from "./driver.ts";
import { PvSimulator } from "./simulator.ts";
import { clearSkyPower } from "./solar.ts";

/** What a site file may say of a simulated inverter: its rating and where its panels are. */
const SimulationSchema = z.strictObject({
  ratedW: z.number().positive().default(5_000),
  latitude: z.number().min(-90).max(90).default(52),
  longitude: z.number().min(-180).max(180).default(5),
  tiltDeg: z.number().min(0).max(90).default(35),
  serialNumber: z.string().optional(),
});

export const sunspecPv: DriverFamily<typeof PvConfigSchema> = {
  type: "sunspec-pv",
  config: PvConfigSchema,
  example: { transport: { type: "tcp", host: "192.168.1.22", port: 502 }, unitId: 1, pollMs: 5000, latitude: 52.09, longitude: 5.12 },
  create: (config, ctx) => new PvDriver(config, ctx),
  async simulate(resourceId, options, env) {
    const { serialNumber, ratedW, ...site } = SimulationSchema.parse(options);
    // The sun follows the scenario clock.
    const sim = new PvSimulator({ serialNumber: serialNumber ?? `SIM-${resourceId}`, ratedW, sunW: (t) => clearSkyPower({ ...site, peakW: ratedW }, t), now: env.now });
    const s = await simulation(sim, () => -sim.state.outputW);
    return { ...s, settings: { ...s.settings, latitude: site.latitude, longitude: site.longitude, tiltDeg: site.tiltDeg } };
  },
};

export { PvConfigSchema, type PvConfig, type PvConfigInput } from "./config.ts";
export { PvDriver } from "./driver.ts";
export type { DriverOptions } from "../sunspec/index.ts";
export { PvStateSchema, INVERTER_STATUS, type PvState } from "./state.ts";
export { PvSimulator, type PvSimulatorOptions } from "./simulator.ts";
export { clearSkyPower, clearSkyProfile, sunPosition, type SolarSite } from "./solar.ts";

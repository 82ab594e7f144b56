// dsmr-p1: Dutch/Belgian smart meters read through their P1 port (DSMR 2.2 to 5), as EFI Inflexible resources.
import { z } from "zod";
import type { DriverFamily } from "../../src/device/driver.ts";
import { DsmrP1ConfigSchema } from "./config.ts";
import { DsmrP1Driver } from "./driver.ts";
import { householdLoad, householdProfile, P1Simulator, phasePower } from "./simulator.ts";

/** What a site file may say of a simulated meter. */
const SimulationSchema = z.strictObject({
  /**
   * The meter at the site's connection, as in every Dutch home: it measures the household's own
   * load plus the site's other simulated devices (PV, battery, charger ...). Otherwise a household
   * with its own 4 kWp of PV.
   */
  grid: z.boolean().default(false),
});

export const dsmrP1: DriverFamily<typeof DsmrP1ConfigSchema> = {
  type: "dsmr-p1",
  config: DsmrP1ConfigSchema,
  example: { path: "/dev/ttyUSB0", protocol: "dsmr5" },
  create: (config, ctx) => new DsmrP1Driver(config, ctx),
  // A meter writing DSMR 5 telegrams once a second to a mock serial port of this process.
  async simulate(resourceId, options, env) {
    const { grid } = SimulationSchema.parse(options);
    const path = `/dev/flexfed-p1-${resourceId}-${process.pid}`;
    // Telegrams carry wall-clock time; the load follows the scenario clock.
    const profile = () => {
      const at = new Date(env.now());
      if (!grid) return householdProfile(at);
      const others = env.siteW() / 3;
      return phasePower(householdLoad(at).map((w) => w + others) as [number, number, number]);
    };
    const sim = new P1Simulator({ path, profile });
    sim.start();
    return {
      settings: { path, simulated: true }, where: `DSMR 5 on mock serial ${path}${grid ? ", at the site's connection" : ""}`,
      // The household's own load, PV included when it has its own (the site's other devices never count themselves).
      powerW: () => {
        const at = new Date(env.now());
        const own = grid ? phasePower(householdLoad(at)) : householdProfile(at);
        return own.importW.reduce((a, b) => a + b) - own.exportW.reduce((a, b) => a + b);
      },
      stop: async () => sim.stop(),
    };
  },
};

export { DsmrP1ConfigSchema, type DsmrP1Config } from "./config.ts";
export { DsmrP1Driver, type DriverOptions } from "./driver.ts";
export { P1Simulator, householdProfile, householdLoad, phasePower, heatingGas, type LoadProfile, type P1SimulatorOptions, type TickOptions } from "./simulator.ts";

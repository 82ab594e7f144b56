// dsmr-p1: Dutch/Belgian smart meters read through their P1 port (DSMR 2.2 to 5), as EFI Inflexible resources.
import type { DriverFamily } from "../../src/device/driver.ts";
import { DsmrP1ConfigSchema } from "./config.ts";
import { DsmrP1Driver } from "./driver.ts";
import { P1Simulator } from "./simulator.ts";

export const dsmrP1: DriverFamily<typeof DsmrP1ConfigSchema> = {
  type: "dsmr-p1",
  config: DsmrP1ConfigSchema,
  example: { path: "/dev/ttyUSB0", protocol: "dsmr5" },
  create: (config, ctx) => new DsmrP1Driver(config, ctx),
  // A meter writing DSMR 5 telegrams once a second to a mock serial port of this process.
  async simulate(resourceId) {
    const path = `/dev/flexfed-p1-${resourceId}-${process.pid}`;
    const sim = new P1Simulator({ path });
    sim.start();
    return { settings: { path, simulated: true }, where: `DSMR 5 on mock serial ${path}`, stop: async () => sim.stop() };
  },
};

export { DsmrP1ConfigSchema, type DsmrP1Config } from "./config.ts";
export { DsmrP1Driver, type DriverOptions } from "./driver.ts";
export { P1Simulator, householdProfile, heatingGas, type LoadProfile, type P1SimulatorOptions, type TickOptions } from "./simulator.ts";

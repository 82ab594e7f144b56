// The "sunspec-battery" device family: SunSpec (124/802) or register-mapped home batteries and
// hybrid inverters over Modbus TCP or RTU, as EFI Storage.
import { z } from "zod";
import type { DriverFamily } from "../../src/device/driver.ts";
import { simulation } from "../sunspec/index.ts";
import { BatteryConfigSchema } from "./config.ts";
import { BatteryDriver } from "./driver.ts";
import { BatterySimulator } from "./simulator.ts";

/** What a site file may say of a simulated battery. */
const SimulationSchema = z.strictObject({
  socPct: z.number().min(0).max(100).default(50),
  capacityWh: z.number().positive().default(10_000),
  maxChargeW: z.number().positive().default(5_000),
  maxDischargeW: z.number().positive().default(5_000),
  selfDischargePctPerDay: z.number().min(0).max(100).default(1),
  serialNumber: z.string().optional(),
});

export const sunspecBattery: DriverFamily<typeof BatteryConfigSchema> = {
  type: "sunspec-battery",
  config: BatteryConfigSchema,
  example: { transport: { type: "tcp", host: "192.168.1.20", port: 502 }, unitId: 1, pollMs: 5000 },
  create: (config, ctx) => new BatteryDriver(config, ctx),
  async simulate(resourceId, options, env) {
    // State of charge on the scenario clock: a simulated hour moves an hour's energy.
    const sim = new BatterySimulator({ serialNumber: `SIM-${resourceId}`, ...SimulationSchema.parse(options), now: env.now });
    return simulation(sim, () => sim.state.powerW);
  },
};

export { BatteryConfigSchema, type BatteryConfig, type BatteryConfigInput } from "./config.ts";
export { BatteryDriver } from "./driver.ts";
export type { DriverOptions } from "../sunspec/index.ts";
export { BatteryStateSchema, type BatteryState, type BatteryCommand } from "./state.ts";
export { BatterySimulator, acceleratedClock, type BatterySimulatorOptions } from "./simulator.ts";

// The "sunspec-meter" device family: SunSpec meters (201-204) over Modbus TCP or RTU, for grid
// exchange and sub-metering, as EFI Inflexible.
import type { DriverFamily } from "../../src/device/driver.ts";
import { MeterConfigSchema } from "./config.ts";
import { MeterDriver } from "./driver.ts";

export const sunspecMeter: DriverFamily<typeof MeterConfigSchema> = {
  type: "sunspec-meter",
  config: MeterConfigSchema,
  create: (config, ctx) => new MeterDriver(config, ctx),
};

export { MeterConfigSchema, type MeterConfig, type MeterConfigInput } from "./config.ts";
export { MeterDriver } from "./driver.ts";
export { MeterStateSchema, type MeterState } from "./state.ts";
export { MeterSimulator, type MeterSimulatorOptions } from "./simulator.ts";

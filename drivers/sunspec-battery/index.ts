// The "sunspec-battery" device family: SunSpec (124/802) or register-mapped home batteries and
// hybrid inverters over Modbus TCP or RTU, as EFI Storage.
import type { DriverFamily } from "../../src/device/driver.ts";
import { BatteryConfigSchema } from "./config.ts";
import { BatteryDriver } from "./driver.ts";

export const sunspecBattery: DriverFamily<typeof BatteryConfigSchema> = {
  type: "sunspec-battery",
  config: BatteryConfigSchema,
  create: (config, ctx) => new BatteryDriver(config, ctx),
};

export { BatteryConfigSchema, type BatteryConfig, type BatteryConfigInput } from "./config.ts";
export { BatteryDriver, type DriverOptions } from "./driver.ts";
export { BatteryStateSchema, type BatteryState, type BatteryCommand } from "./state.ts";
export { BatterySimulator, acceleratedClock, type BatterySimulatorOptions } from "./simulator.ts";

// The "heat-pump" device family: a heat pump with a buffer tank over Modbus (README.md) as EFI Storage.
import { z } from "zod";
import { applianceFamily } from "../common/family.ts";
import { HeatPumpConfigSchema } from "./config.ts";
import { spec } from "./mapping.ts";
import { HeatPumpSimulator } from "./simulator.ts";

/** What a site file may say of a simulated heat pump. */
const SimulationSchema = z.strictObject({
  tempC: z.number().default(47),
  ambientC: z.number().default(20),
  volumeL: z.number().positive().default(200),
  ratedPowerW: z.number().positive().default(2000),
  cop: z.number().positive().default(3.5),
  minRunS: z.number().int().min(0).default(600),
  minOffS: z.number().int().min(0).default(300),
});

export const heatPump = applianceFamily({
  type: "heat-pump",
  label: "heat pump register map",
  config: HeatPumpConfigSchema,
  example: { transport: { type: "tcp", host: "192.168.1.31", port: 502 }, unitId: 1, pollMs: 5000 },
  spec: (_cfg, resourceId) => spec({ resourceId }),
  // Thermal physics on the scenario clock: a simulated day heats and cools the tank as a day does.
  simulator: (resourceId, options, env) => new HeatPumpSimulator({ serialNumber: `SIM-${resourceId}`.slice(0, 16), ...SimulationSchema.parse(options), now: env.now }),
});

export { HeatPumpConfigSchema, type HeatPumpConfig } from "./config.ts";
export { HeatPumpSimulator, showers, type HeatPumpSimulatorOptions } from "./simulator.ts";
export { HEAT_PUMP_MAP } from "./registers.ts";
export { MODES as HEAT_PUMP_MODES, TIMERS as HEAT_PUMP_TIMERS } from "./mapping.ts";

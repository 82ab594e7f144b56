// The "generator" device family: a diesel generator over Modbus (README.md) as EFI Adjustable.
import { z } from "zod";
import { applianceFamily } from "../common/family.ts";
import { GeneratorConfigSchema } from "./config.ts";
import { spec } from "./mapping.ts";
import { GeneratorSimulator } from "./simulator.ts";

/** What a site file may say of a simulated generator. */
const SimulationSchema = z.strictObject({
  minPowerW: z.number().positive().default(5000),
  maxPowerW: z.number().positive().default(20000),
  warmUpS: z.number().int().min(0).default(120),
  minRunS: z.number().int().min(0).default(900),
  fuelPct: z.number().min(0).max(100).default(80),
});

export const generator = applianceFamily({
  type: "generator",
  label: "generator register map",
  config: GeneratorConfigSchema,
  example: { transport: { type: "tcp", host: "192.168.1.30", port: 502 }, unitId: 1, pollMs: 5000, startCost: 0.5, fuelPrice: 1.8 },
  spec: (cfg, resourceId) => spec({ resourceId, currency: cfg.currency, startCost: cfg.startCost, fuelPrice: cfg.fuelPrice }),
  simulator: (resourceId, options) => new GeneratorSimulator({ serialNumber: `SIM-${resourceId}`.slice(0, 16), ...SimulationSchema.parse(options) }),
});

export { GeneratorConfigSchema, type GeneratorConfig, type GeneratorConfigInput } from "./config.ts";
export { GeneratorSimulator, type GeneratorSimulatorOptions } from "./simulator.ts";
export { GENERATOR_MAP } from "./registers.ts";
export { MODES as GENERATOR_MODES, TIMERS as GENERATOR_TIMERS } from "./mapping.ts";

// The "dishwasher" device family: a dishwasher (or washing machine) over Modbus (README.md) as EFI Shiftable.
import { z } from "zod";
import { applianceFamily } from "../common/family.ts";
import { DishwasherConfigSchema } from "./config.ts";
import { spec } from "./mapping.ts";
import { DishwasherSimulator } from "./simulator.ts";

/** What a site file may say of a simulated dishwasher: loaded with a program, done within some hours. */
const SimulationSchema = z.strictObject({
  program: z.number().int().min(0).default(0),
  doneWithinHours: z.number().positive().optional(),
});

export const dishwasher = applianceFamily({
  type: "dishwasher",
  label: "dishwasher register map",
  config: DishwasherConfigSchema,
  example: { transport: { type: "tcp", host: "192.168.1.32", port: 502 }, unitId: 1, pollMs: 5000, deviceClass: "Dishwasher" },
  spec: (cfg, resourceId) => spec({ resourceId, deviceClass: cfg.deviceClass }),
  simulator: (resourceId, options) => {
    const o = SimulationSchema.parse(options);
    const sim = new DishwasherSimulator({ serialNumber: `SIM-${resourceId}`.slice(0, 16) });
    if (o.doneWithinHours !== undefined) sim.load(o.program, Date.now() + o.doneWithinHours * 3_600_000);
    return sim;
  },
});

export { DishwasherConfigSchema, type DishwasherConfig } from "./config.ts";
export { DishwasherSimulator, DEFAULT_PROGRAMS, type DishwasherSimulatorOptions } from "./simulator.ts";
export { DISHWASHER_MAP } from "./registers.ts";
export type { Program } from "./state.ts";

// What the driver knows of its generator after a read; the mapping trusts it.
import { z } from "zod";
import { NameplateSchema } from "../common/adapter.ts";

export const GENERATOR_PHASES = ["off", "warming-up", "running"] as const;

const watts = z.number().min(0);
const seconds = z.number().int().min(0);

export const GeneratorStateSchema = z.object({
  nameplate: NameplateSchema,
  phase: z.enum(GENERATOR_PHASES),
  /** Following commands (true) or its own automatic behaviour. */
  remote: z.boolean(),
  setpointW: watts,
  /** Produced power, positive. */
  outputW: watts,
  minPowerW: z.number().positive(),
  maxPowerW: z.number().positive(),
  warmUpS: seconds,
  minRunS: seconds,
  warmUpLeftS: seconds,
  minRunLeftS: seconds,
  fuelPct: z.number().min(0).max(100),
  tankL: z.number().positive(),
  fuelAtMinLph: z.number().min(0),
  fuelAtMaxLph: z.number().min(0),
  energyWh: z.number().min(0),
}).refine((s) => s.minPowerW < s.maxPowerW, { path: ["minPowerW"], message: "must be below maxPowerW" });
export type GeneratorState = z.infer<typeof GeneratorStateSchema>;

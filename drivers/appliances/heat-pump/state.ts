// What the driver knows of its heat pump after a read; the mapping trusts it.
import { z } from "zod";
import { NameplateSchema } from "../common/adapter.ts";

const celsius = z.number().min(-50).max(150);
const seconds = z.number().int().min(0);

export const HeatPumpStateSchema = z.object({
  nameplate: NameplateSchema,
  bufferC: celsius,
  ambientC: celsius,
  on: z.boolean(),
  /** Following its thermostat (not held on or off). */
  thermostat: z.boolean(),
  powerW: z.number().min(0),
  ratedPowerW: z.number().positive(),
  cop: z.number().positive(),
  volumeL: z.number().positive(),
  heatLossWPerK: z.number().min(0),
  minC: celsius,
  maxC: celsius,
  minRunS: seconds,
  minOffS: seconds,
  minRunLeftS: seconds,
  minOffLeftS: seconds,
  energyWh: z.number().min(0),
}).refine((s) => s.minC < s.maxC, { path: ["minC"], message: "must be below maxC" });
export type HeatPumpState = z.infer<typeof HeatPumpStateSchema>;

/** J per kelvin of a tank of water: what turns watts into degC/s, for the mapping and the simulator alike. */
export const heatCapacity = (volumeL: number): number => volumeL * 4186;

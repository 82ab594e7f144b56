// What the driver knows of its dishwasher after a read; the mapping trusts it.
import { z } from "zod";
import { NameplateSchema } from "../common/adapter.ts";
import { DISHWASHER_STATES, STARTED_BY } from "./registers.ts";

const seconds = z.number().int().min(0);

export const PhaseSchema = z.object({ durationS: z.number().int().positive(), powerW: z.number().min(0) });
export const ProgramSchema = z.object({ name: z.string().min(1, "has no name"), phases: z.array(PhaseSchema).min(1, "has no phases") });
export type Program = z.infer<typeof ProgramSchema>;

export const DishwasherStateSchema = z.object({
  nameplate: NameplateSchema,
  state: z.enum(DISHWASHER_STATES),
  selected: z.number().int().min(0),
  /** Epoch ms; absent when the user set none. */
  deadline: z.number().positive().optional(),
  runningProgram: z.number().int().min(0).optional(),
  remainingS: seconds,
  powerW: z.number().min(0),
  energyWh: z.number().min(0),
  startedBy: z.enum(STARTED_BY),
  cycle: z.number().int().min(0),
  programs: z.array(ProgramSchema).min(1),
}).refine((s) => s.selected < s.programs.length, { path: ["selected"], message: "is not a program in the table" });
export type DishwasherState = z.infer<typeof DishwasherStateSchema>;

export const programSeconds = (p: Program): number => p.phases.reduce((sum, ph) => sum + ph.durationS, 0);

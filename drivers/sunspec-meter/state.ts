import { z } from "zod";
import { NameplateSchema } from "../sunspec/index.ts";

const phase = z.object({ voltageV: z.number().optional(), currentA: z.number().optional(), powerW: z.number().optional() });

export const MeterStateSchema = z.object({
  nameplate: NameplateSchema,
  /** 201 single phase, 202 split phase, 203 wye, 204 delta. */
  modelId: z.number().int().min(201).max(204),
  /** W, import (consumption) positive. */
  powerW: z.number(),
  /** L1..L3 (as many as the meter has). */
  phases: z.array(phase).max(3),
  frequencyHz: z.number().positive().optional(),
  importWh: z.number().min(0).optional(),
  exportWh: z.number().min(0).optional(),
  /** -1..1. */
  powerFactor: z.number().min(-1).max(1).optional(),
});
export type MeterState = z.infer<typeof MeterStateSchema>;

import { z } from "zod";
import { NameplateSchema } from "../sunspec/index.ts";

/** SunSpec inverter operating states (St), 1-based. */
export const INVERTER_STATUS = ["OFF", "SLEEPING", "STARTING", "MPPT", "THROTTLED", "SHUTTING_DOWN", "FAULT", "STANDBY"] as const;

const phase = z.object({ voltageV: z.number().optional(), currentA: z.number().min(0).optional() });

export const PvStateSchema = z.object({
  nameplate: NameplateSchema,
  /** 101 single phase, 102 split phase, 103 three phase. */
  modelId: z.number().int().min(101).max(103),
  /** The inverter's continuous AC rating (WRtg, else the configured peak), W: 100 % of WMaxLimPct. */
  ratedW: z.number().positive(),
  /** AC output, W, production positive (as the inverter reports it). */
  outputW: z.number(),
  /** Lifetime AC energy produced, Wh. */
  energyWh: z.number().min(0).optional(),
  phases: z.array(phase).max(3),
  frequencyHz: z.number().positive().optional(),
  status: z.enum(INVERTER_STATUS).optional(),
  /** The output limit, when the inverter has a control model (123 or 704). */
  limit: z.object({ model: z.union([z.literal(123), z.literal(704)]), enabled: z.boolean(), pct: z.number().min(0).optional() }).optional(),
});
export type PvState = z.infer<typeof PvStateSchema>;

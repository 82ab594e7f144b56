// What the driver knows of its battery after a read, whatever protocol delivered it. Adapters
// build it from registers and parse it here; the mapping trusts it.
import { z } from "zod";
import { NameplateSchema } from "../sunspec/index.ts";

export const CHARGE_STATUS = ["OFF", "EMPTY", "DISCHARGING", "CHARGING", "FULL", "HOLDING", "TESTING"] as const;

/** How the battery is being controlled: by itself (auto), or held in a mode at a percentage of its maximum. */
export const ControlSchema = z.object({
  mode: z.enum(["auto", "charge", "idle", "discharge"]),
  /** % of maxChargeW (charge) or maxDischargeW (discharge). */
  ratePct: z.number().min(0).max(100),
});
export type Control = z.infer<typeof ControlSchema>;

const pct = z.number().min(0).max(100);

export const BatteryStateSchema = z.object({
  nameplate: NameplateSchema,
  socPct: pct,
  /** W, charging positive (EFI: consumption positive); absent when the device does not measure it. */
  powerW: z.number().optional(),
  capacityWh: z.number().positive(),
  maxChargeW: z.number().positive(),
  maxDischargeW: z.number().positive(),
  chargeStatus: z.enum(CHARGE_STATUS).optional(),
  /** Absent when the device cannot be controlled (no control registers). */
  control: ControlSchema.optional(),
  reserve: z.object({ minPct: pct.optional(), maxPct: pct.optional() }),
  selfDischargePctPerDay: z.number().min(0).optional(),
  dcVoltageV: z.number().optional(),
  /** A, charging positive. */
  dcCurrentA: z.number().optional(),
  /** A meter model at the battery's AC side (import = charging positive). */
  ac: z
    .object({ powerW: z.number().optional(), importWh: z.number().optional(), exportWh: z.number().optional(), frequencyHz: z.number().optional() })
    .optional(),
});
export type BatteryState = z.infer<typeof BatteryStateSchema>;

/** What apply() asks of the device. */
export interface BatteryCommand {
  mode: Control["mode"];
  /** 0..1 of the maximum power in that direction (0 for idle and auto). */
  fraction: number;
  /** The same as W (positive), for devices that take setpoints in W. */
  powerW: number;
}

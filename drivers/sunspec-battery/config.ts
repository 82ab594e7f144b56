// A battery's configuration: how to reach it, how often to read it, and how to describe it in EFI.
import { z } from "zod";
import { RegisterMapSchema, revertSeconds, sunspecConnection } from "../sunspec/index.ts";

export const BatteryConfigSchema = z.strictObject({
  ...sunspecConnection,
  /** A mode runs at least this long before the next change (EFI timer); 0: no timer. */
  minModeSeconds: z.number().min(0).default(60),
  /** Leakage in the system description; default: the device's model 802 DisChaRte, else 0. */
  selfDischargePctPerDay: z.number().min(0).max(100).optional(),
  /** InOutWRte_RvrtTms: the device falls back to its own behaviour this long after the last control write; the driver re-writes well before. */
  revertSeconds,
  /** For devices without model 802 (no WHRtg): the usable capacity, Wh. */
  capacityWh: z.number().positive().optional(),
  /** SunSpec does not say how model 802 signs W; SunSpec batteries in the field report discharge positive. */
  batteryPowerSign: z.enum(["discharge-positive", "charge-positive"]).default("discharge-positive"),
  /** A non-SunSpec battery: its register map, inline or as a JSON file. Neither: SunSpec discovery. */
  registerMap: RegisterMapSchema.optional(),
  registerMapFile: z.string().min(1).optional(),
}).refine((c) => !(c.registerMap && c.registerMapFile), { path: ["registerMapFile"], message: "give registerMap or registerMapFile, not both" });
export type BatteryConfig = z.infer<typeof BatteryConfigSchema>;
export type BatteryConfigInput = z.input<typeof BatteryConfigSchema>;

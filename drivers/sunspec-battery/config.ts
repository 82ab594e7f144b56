// A battery's configuration: how to reach it, how often to read it, and how to describe it in EFI.
import { z } from "zod";
import { modbusConnection } from "../modbus/index.ts";
import { RegisterMapSchema } from "../sunspec/index.ts";

export const BatteryConfigSchema = z.strictObject({
  ...modbusConnection,
  pollMs: z.number().int().min(10).default(5000),
  /** A mode runs at least this long before the next change (EFI timer); 0: no timer. */
  minModeSeconds: z.number().min(0).default(60),
  /** Leakage in the system description; default: the device's model 802 DisChaRte, else 0. */
  selfDischargePctPerDay: z.number().min(0).max(100).optional(),
  /** InOutWRte_RvrtTms: the device falls back to its own behaviour this long after the last control write; the driver re-writes well before. */
  revertSeconds: z.number().int().min(2).max(65534).default(60),
  /** For devices without model 802 (no WHRtg): the usable capacity, Wh. */
  capacityWh: z.number().positive().optional(),
  /** SunSpec does not say how model 802 signs W; SunSpec batteries in the field report discharge positive. */
  batteryPowerSign: z.enum(["discharge-positive", "charge-positive"]).default("discharge-positive"),
  /** Where to look for the 'SunS' marker. */
  sunspecBases: z.array(z.number().int().min(0).max(65533)).min(1).default([40000, 0, 50000]),
  /** A non-SunSpec battery: its register map, inline or as a JSON file. Neither: SunSpec discovery. */
  registerMap: RegisterMapSchema.optional(),
  registerMapFile: z.string().min(1).optional(),
}).refine((c) => !(c.registerMap && c.registerMapFile), { path: ["registerMapFile"], message: "give registerMap or registerMapFile, not both" });
export type BatteryConfig = z.infer<typeof BatteryConfigSchema>;
export type BatteryConfigInput = z.input<typeof BatteryConfigSchema>;

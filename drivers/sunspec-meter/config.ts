// A SunSpec meter's configuration.
import { z } from "zod";
import { modbusConnection } from "../modbus/index.ts";

export const MeterConfigSchema = z.strictObject({
  ...modbusConnection,
  pollMs: z.number().int().min(10).default(5000),
  sunspecBases: z.array(z.number().int().min(0).max(65533)).min(1).default([40000, 0, 50000]),
  /**
   * How the meter signs W. SunSpec meters count power into the metered side as positive (a grid
   * meter: import positive); a meter wired or configured the other way round says export-positive.
   * Either way the driver reports consumption (import) positive, as EFI does.
   */
  powerSign: z.enum(["import-positive", "export-positive"]).default("import-positive"),
  /** EFI has no meter class: what the metered connection is. */
  deviceClass: z.enum(["Miscellaneous", "PV Panel", "Heatpump", "Electrical Vehicle", "Generator", "Windmill"]).default("Miscellaneous"),
  label: z.string().min(1).optional(),
});
export type MeterConfig = z.infer<typeof MeterConfigSchema>;
export type MeterConfigInput = z.input<typeof MeterConfigSchema>;

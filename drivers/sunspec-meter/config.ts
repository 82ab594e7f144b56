// A SunSpec meter's configuration.
import { z } from "zod";
import { sunspecConnection } from "../sunspec/index.ts";

export const MeterConfigSchema = z.strictObject({
  ...sunspecConnection,
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

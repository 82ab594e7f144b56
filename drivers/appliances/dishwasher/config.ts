// A dishwasher's configuration: how to reach it. The same protocol serves washing machines and
// dryers, so the EFI device class is a setting.
import { z } from "zod";
import { applianceConnection } from "../common/config.ts";

export const DishwasherConfigSchema = z.strictObject({
  ...applianceConnection,
  deviceClass: z.enum(["Dishwasher", "Washing Machine", "Clothes Dryer", "Combo Washer Dryer"]).default("Dishwasher"),
});
export type DishwasherConfig = z.infer<typeof DishwasherConfigSchema>;

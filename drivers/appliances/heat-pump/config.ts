// A heat pump's configuration: how to reach it (all it knows of itself is in its registers).
import { z } from "zod";
import { applianceConnection } from "../common/config.ts";

export const HeatPumpConfigSchema = z.strictObject({ ...applianceConnection });
export type HeatPumpConfig = z.infer<typeof HeatPumpConfigSchema>;

// A SunSpec PV inverter's configuration: how to reach it, and where its panels are for the forecast.
import { z } from "zod";
import { revertSeconds, sunspecConnection } from "../sunspec/index.ts";

export const PvConfigSchema = z.strictObject({
  ...sunspecConnection,
  /** Where the panels are: with both, the driver publishes a clear-sky forecast and LAT/LON tags. */
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  /** The array's peak power, W, for the forecast; default the inverter's WRtg (model 120), needed when it has no model 120. */
  peakW: z.number().positive().optional(),
  /** Panel tilt from horizontal and the direction they face (clockwise from north), degrees. */
  tiltDeg: z.number().min(0).max(90).default(0),
  azimuthDeg: z.number().min(0).max(360).default(180),
  /** The limit's revert timeout (WMaxLimPct_RvrtTms): without the driver the inverter goes back to full output this long after the last write; the driver re-writes well before. */
  revertSeconds,
  label: z.string().min(1).optional(),
}).refine((c) => (c.latitude === undefined) === (c.longitude === undefined), { path: ["longitude"], message: "give latitude and longitude together" });
export type PvConfig = z.infer<typeof PvConfigSchema>;
export type PvConfigInput = z.input<typeof PvConfigSchema>;

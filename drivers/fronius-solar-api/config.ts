// A Fronius inverter reached through its Solar API v1 (HTTP JSON on the local network).
import { z } from "zod";

export const FroniusConfigSchema = z.strictObject({
  /** The inverter's (or Datamanager's) address, e.g. http://192.168.1.30. */
  url: z.url({ protocol: /^https?$/, message: "must be an http:// or https:// address, e.g. http://192.168.1.30" }),
  pollMs: z.number().int().min(10).default(5000),
  timeoutMs: z.number().int().positive().default(3000),
  /** The array's peak power, W: the PMAX tag. */
  peakW: z.number().positive().optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  label: z.string().min(1).optional(),
}).refine((c) => (c.latitude === undefined) === (c.longitude === undefined), { path: ["longitude"], message: "give latitude and longitude together" });
export type FroniusConfig = z.infer<typeof FroniusConfigSchema>;
export type FroniusConfigInput = z.input<typeof FroniusConfigSchema>;

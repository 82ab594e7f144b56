import { z } from "zod";

const band = (min: number, max: number, margin: number) =>
  z.object({ min: z.number(), max: z.number(), margin: z.number().min(0).default(margin) })
    .refine((b) => b.min + 2 * b.margin < b.max, "min + 2 x margin must be below max")
    .default({ min, max, margin });

export const MonitorConfigSchema = z.strictObject({
  /** Only these sites (SITE tags); default every site the monitor may read. */
  sites: z.array(z.string().min(1)).optional(),
  /** An online device with no measurement for this long is silent, ms. */
  silentAfterMs: z.number().int().positive().default(60_000),
  /** EN 50160: 230 V +/- 10 % (10-minute means; the monitor judges each sample). */
  voltage: band(207, 253, 2),
  /** The continental European synchronous area's normal band is 49.8-50.2 Hz; outside 49.5-50.5 is an emergency. */
  frequency: band(49.5, 50.5, 0.05),
  /** A battery's state-of-charge limits, %. */
  soc: band(10, 95, 2),
});
export type MonitorConfig = z.infer<typeof MonitorConfigSchema>;

import { z } from "zod";

/**
 * Outside [min, max] an alarm is raised; it clears only inside [min + margin, max - margin]. In the
 * margin nothing changes (hysteresis), so a value on an edge does not raise and clear it in turn.
 */
const band = (min: number, max: number, margin: number) =>
  z.object({ min: z.number().default(min), max: z.number().default(max), margin: z.number().min(0).default(margin) });
const ordered = <B extends { min: number; max: number; margin: number }>(b: B) => b.min + 2 * b.margin < b.max;
const ORDER = "min + 2 x margin must be below max";

export const MonitorConfigSchema = z.strictObject({
  /** Only these sites (SITE tags); default every site the monitor may read. */
  sites: z.array(z.string().min(1)).min(1).optional(),
  /**
   * An online device with no measurement for this long is silent, ms. A device the monitor no
   * longer sees this long (removed, no longer readable) has its alarms cleared.
   */
  silentAfterMs: z.number().int().positive().default(60_000),
  /**
   * EN 50160 (LV): 10-minute means within 230 V +/- 10 % for 95 % of a week, all within +10 % / -15 %.
   * Outside the band is a warning, above max or below criticalBelow critical. The monitor judges
   * each sample, not 10-minute means: stricter than the standard.
   */
  voltage: band(207, 253, 2).extend({ criticalBelow: z.number().default(195.5) })
    .refine(ordered, ORDER).refine((b) => b.criticalBelow <= b.min, { path: ["criticalBelow"], message: "must not be above min" }).prefault({}),
  /** EN 50160 (interconnected systems): 50 Hz +/- 1 % for 99.5 % of a year. Outside is critical. */
  frequency: band(49.5, 50.5, 0.05).refine(ordered, ORDER).prefault({}),
  /** A stationary battery's state-of-charge limits, % (set your battery's own). */
  soc: band(10, 95, 2).refine(ordered, ORDER).prefault({}),
});
export type MonitorConfig = z.infer<typeof MonitorConfigSchema>;
export type Band = MonitorConfig["soc"];

import { z } from "zod";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM");

export const ScenarioConfigSchema = z.strictObject({
  /** The simulated day (UTC). A summer day, so the PV has something to say. */
  date: z.string().regex(/^\d{4}-\d\d-\d\d$/, "must be YYYY-MM-DD").default("2026-06-21"),
  /** Wall-clock minutes one simulated day takes (the environment runs 1440 / dayMinutes times faster). */
  dayMinutes: z.number().positive().max(1440).default(4),
  /** The home the balancer keeps within its connection limits. */
  home: z.object({ site: z.string().default("home-1"), importLimitW: z.number().positive().default(5_000), exportLimitW: z.number().positive().default(3_000) }).default({ site: "home-1", importLimitW: 5_000, exportLimitW: 3_000 }),
  /** The grid operator's congestion event, scenario time. */
  congestion: z.object({ feeder: z.string().default("f-12"), limitW: z.number().positive().default(6_000), from: hhmm.default("17:00"), to: hhmm.default("21:00") })
    .refine((c) => c.from < c.to, { path: ["to"], message: "must be after from" })
    .default({ feeder: "f-12", limitW: 6_000, from: "17:00", to: "21:00" }),
});
export type ScenarioConfig = z.infer<typeof ScenarioConfigSchema>;

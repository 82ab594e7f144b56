import { z } from "zod";

export const BalancerConfigSchema = z.strictObject({
  /** The SITE tag of the devices it balances. */
  site: z.string().min(1),
  /** The connection's import limit, W (e.g. a 3x25 A connection's contracted capacity). */
  importLimitW: z.number().positive(),
  /** The export limit, W (e.g. what the grid operator allows the site to feed in). */
  exportLimitW: z.number().positive(),
  /** What the batteries aim the net power at, W: 0 is self-consumption. */
  targetW: z.number().default(0),
  /** How far inside a limit the site must be before devices the balancer held back get their own behaviour back, W. */
  marginW: z.number().min(0).default(500),
  /** How long a PV curtailment lasts before the next plan renews or ends it, minutes. */
  curtailMinutes: z.number().int().positive().default(15),
  /** How long before a dishwasher's latest start the balancer starts it on import, if the limit has room, minutes. */
  deadlineLeadMinutes: z.number().min(0).default(30),
});
export type BalancerConfig = z.infer<typeof BalancerConfigSchema>;

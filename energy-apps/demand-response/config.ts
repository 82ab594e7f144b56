import { z } from "zod";

export const DemandResponseConfigSchema = z.strictObject({
  /** Only these feeders (FEEDER tags); default every feeder of the devices it may read. */
  feeders: z.array(z.string().min(1)).min(1).optional(),
  /** Aim this far under a signal's limit, as a share of it (measurements lag and loads move). */
  headroom: z.number().min(0).max(0.5).default(0.05),
});
export type DemandResponseConfig = z.infer<typeof DemandResponseConfigSchema>;

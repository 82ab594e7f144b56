// A generator's configuration: how to reach it, and what its starts and fuel cost.
import { z } from "zod";
import { CURRENCIES } from "../../../src/efi/model/currency.ts";
import { applianceConnection } from "../common/config.ts";

export const GeneratorConfigSchema = z.strictObject({
  ...applianceConnection,
  /** The currency of startCost and fuelPrice (EFI's CurrencyType). */
  currency: z.enum(CURRENCIES).default("EUR"),
  /** What one start costs (wear, the fuel of warming up): the EFI transition cost of off -> on. */
  startCost: z.number().min(0).default(0.5),
  /** Per litre of fuel: with the device's fuel use it gives the EFI running cost per second. */
  fuelPrice: z.number().min(0).default(1.8),
});
export type GeneratorConfig = z.infer<typeof GeneratorConfigSchema>;
export type GeneratorConfigInput = z.input<typeof GeneratorConfigSchema>;

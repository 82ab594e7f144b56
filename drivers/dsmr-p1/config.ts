// The dsmr-p1 configuration: which port, which P1 generation, and what to override.
import { z } from "zod";

const SerialSchema = z
  .object({
    baudRate: z.number().int().positive(),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]),
    parity: z.enum(["none", "even", "odd", "mark", "space"]),
    stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]),
  })
  .strict();
export type SerialSettings = z.infer<typeof SerialSchema>;

/** What each P1 generation sends and how. DSMR 4 meters speak like DSMR 5 but every 10 s. */
export const PROTOCOLS = {
  dsmr5: { serial: { baudRate: 115_200, dataBits: 8, parity: "none", stopBits: 1 }, intervalSeconds: 1, crcRequired: true },
  dsmr22: { serial: { baudRate: 9_600, dataBits: 7, parity: "even", stopBits: 1 }, intervalSeconds: 10, crcRequired: false },
} as const satisfies Record<string, { serial: SerialSettings; intervalSeconds: number; crcRequired: boolean }>;

export const DsmrP1ConfigSchema = z
  .object({
    /** Serial device, e.g. /dev/ttyUSB0 (or the path of a simulated meter). */
    path: z.string().min(1),
    /** dsmr5 (also DSMR 4): 115200 8N1 with CRC; dsmr22 (DSMR 2.2 and 3): 9600 7E1, no CRC. */
    protocol: z.enum(["dsmr5", "dsmr22"]).default("dsmr5"),
    /** Overrides of the protocol's serial settings. */
    serial: SerialSchema.partial().optional(),
    /** No valid telegram for this long means the meter is lost; default 10 telegram intervals. */
    staleAfterSeconds: z.number().positive().optional(),
    /** Read from the in-process simulator of `path` (npm start, tests) instead of a serial device. */
    simulated: z.boolean().default(false),
  })
  .strict();
export type DsmrP1Config = z.output<typeof DsmrP1ConfigSchema>;

export function serialSettings(config: DsmrP1Config): SerialSettings {
  return { ...PROTOCOLS[config.protocol].serial, ...config.serial };
}

/**
 * How long without a valid telegram before the meter counts as lost. The P1 version, once a
 * telegram told it, beats the configured protocol: a DSMR 4 meter (version 4x) on the dsmr5
 * profile sends every 10 s, not every second.
 */
export function staleAfterMs(config: DsmrP1Config, version?: string): number {
  if (config.staleAfterSeconds !== undefined) return config.staleAfterSeconds * 1000;
  const interval = version !== undefined && Number(version) < 50 ? 10 : PROTOCOLS[config.protocol].intervalSeconds;
  return 10 * interval * 1000;
}

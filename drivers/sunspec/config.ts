// The configuration fields every SunSpec driver shares: how to reach the device, how often to
// read it, and where its SunSpec map may start.
import { z } from "zod";
import { modbusConnection, type Transport } from "../modbus/index.ts";

export const sunspecConnection = {
  ...modbusConnection,
  pollMs: z.number().int().min(10).default(5000),
  /** Where to look for the 'SunS' marker. */
  sunspecBases: z.array(z.number().int().min(0).max(65533)).min(1).default([40000, 0, 50000]),
};

/** What the driver scaffolding (driver.ts) reads of a configuration. */
export interface ConnectionConfig {
  transport: Transport;
  unitId: number;
  timeoutMs: number;
  pollMs: number;
}

/**
 * A control setting's revert timeout, s (a uint16 *_RvrtTms point; 0xFFFF means not implemented):
 * the driver re-writes the setting every half of it, so at least 2.
 */
export const revertSeconds = z.number().int().min(2).max(65534).default(60);

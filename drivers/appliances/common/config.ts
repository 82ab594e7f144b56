// The configuration fields every appliance shares: how to reach it and how often to read it.
import { z } from "zod";
import { modbusConnection } from "../../modbus/index.ts";

export const applianceConnection = {
  ...modbusConnection,
  pollMs: z.number().int().min(10).default(5000),
};

export interface ConnectionConfig {
  transport: z.infer<typeof modbusConnection.transport>;
  unitId: number;
  timeoutMs: number;
  pollMs: number;
}

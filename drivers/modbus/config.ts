// How a driver reaches a Modbus device, as it appears in device configuration files.
import { z } from "zod";

export const TcpTransportSchema = z.strictObject({
  type: z.literal("tcp"),
  host: z.string().min(1, "must name a host"),
  port: z.number().int().min(1, "must be 1..65535").max(65535, "must be 1..65535").default(502),
});

export const RtuTransportSchema = z.strictObject({
  type: z.literal("rtu"),
  path: z.string().min(1, "must name a serial device, e.g. /dev/ttyUSB0"),
  baudRate: z.number().int().positive().default(9600),
  parity: z.enum(["none", "even", "odd"]).default("none"),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});

export const TransportSchema = z.discriminatedUnion("type", [TcpTransportSchema, RtuTransportSchema]);
export type Transport = z.infer<typeof TransportSchema>;

/** The connection fields every Modbus driver's configuration shares. */
export const modbusConnection = {
  transport: TransportSchema,
  unitId: z.number().int().min(0, "must be 0..255").max(255, "must be 0..255").default(1),
  timeoutMs: z.number().int().positive().default(1000),
};

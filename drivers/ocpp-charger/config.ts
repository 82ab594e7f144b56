// One connector of an OCPP 1.6J charge point: where flexfed listens as Central System, which
// charge point and connector this driver is, how it limits charging, and what it assumes of cars.
import { z } from "zod";
import { PURPOSES, RATE_UNITS } from "./ocpp.ts";

export const CarDefaultsSchema = z.strictObject({
  /** The car's usable battery, kWh: the most one session can charge. */
  capacityKWh: z.number().positive().default(60),
  /** What a session must charge by departure when the car does not report its state of charge, kWh. */
  needKWh: z.number().min(0).default(20),
  /** With a reported state of charge the need is what it takes to reach this, %. */
  targetSocPct: z.number().min(0).max(100).default(80),
  /** The car leaves this long after it is plugged in, hours. */
  stayHours: z.number().positive().default(8),
});

export const ChargerConfigSchema = z.strictObject({
  /**
   * Where flexfed listens for charge points (ws://host:port/<chargeBoxId>). Drivers with the same
   * address share one server: several charge points and connectors on one port.
   */
  listen: z.strictObject({
    host: z.string().min(1).default("0.0.0.0"),
    port: z.number().int().min(0, "must be 0..65535").max(65535, "must be 0..65535").default(8887),
  }).prefault({}),
  chargeBoxId: z.string().min(1).regex(/^[^/\s]+$/, "no slashes or spaces: it is the last part of the URL"),
  connectorId: z.number().int().min(1).default(1),
  phases: z.union([z.literal(1), z.literal(3)]).default(3),
  /** The voltage per phase that turns current into power (W = V * A * phases). */
  voltageV: z.number().positive().default(230),
  /** IEC 61851: a car does not charge below 6 A. */
  minCurrentA: z.number().min(0).default(6),
  maxCurrentA: z.number().positive().default(16),
  /** OCPP security profile 1 (HTTP basic auth); a charge point with another password is refused. */
  password: z.string().min(1).optional(),
  /** Chargers differ in what they take; evcc's experience: TxDefaultProfile is the most widely accepted. */
  profilePurpose: z.enum(PURPOSES).default("TxDefaultProfile"),
  chargingRateUnit: z.enum(RATE_UNITS).default("A"),
  stackLevel: z.number().int().min(0).default(1),
  /** Authorize and StartTransaction accept these idTags only; absent: every idTag. */
  idTags: z.array(z.string().min(1).max(20)).min(1).optional(),
  /** A car plugged in without a transaction gets a RemoteStartTransaction with this idTag; absent: the charge point starts by itself (RFID, plug and charge). */
  remoteStartIdTag: z.string().min(1).max(20).optional(),
  heartbeatSeconds: z.number().int().min(10).default(300),
  /** An existing back office (ws://.../ocpp): flexfed relays between it and the charge point and still controls charging. */
  upstream: z.url({ protocol: /^wss?$/ }).optional(),
  car: CarDefaultsSchema.prefault({}),
}).refine((c) => c.minCurrentA <= c.maxCurrentA, { path: ["minCurrentA"], message: "must not exceed maxCurrentA" });
export type ChargerConfig = z.infer<typeof ChargerConfigSchema>;
export type ChargerConfigInput = z.input<typeof ChargerConfigSchema>;

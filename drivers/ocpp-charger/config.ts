// One connector of an OCPP 1.6J charge point: where flexfed listens as Central System, which
// charge point and connector this driver is, how it limits charging, and what it assumes of cars.
import { z } from "zod";
import { PURPOSES, RATE_UNITS } from "./ocpp.ts";

export const CarDefaultsSchema = z.strictObject({
  /** The car's usable battery, kWh: the most one session can charge. */
  capacityKWh: z.number().positive().default(60),
  /** With a reported state of charge the need is what it takes to reach this, %. */
  targetSocPct: z.number().min(0).max(100).default(80),
  /** The car leaves this long after it is plugged in, hours (unless `departure` says when). */
  stayHours: z.number().positive().default(8),
  /** The car leaves at this local time of day, the first occurrence after plug-in; replaces stayHours. */
  departure: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time of day as HH:MM (00:00..23:59), e.g. 07:30").optional(),
  /** A session whose meter values carry no state of charge this long after plug-in is one without, seconds. */
  socWaitSeconds: z.number().int().min(0).default(30),
  /**
   * A car without state of charge: Adjustable (charge or idle, no fill level), or Storage with the
   * default need `needKWh` (plannable by how much and by when, on an assumption).
   */
  withoutSoc: z.enum(["adjustable", "storage"]).default("adjustable"),
  /** What a session of a car without state of charge must charge by departure as Storage, kWh. */
  needKWh: z.number().min(0).default(20),
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
  /** auto: A when the charge point allows current limits (ChargingScheduleAllowedChargingRateUnit), else W. */
  chargingRateUnit: z.enum([...RATE_UNITS, "auto"]).default("auto"),
  /** Clamped to the charge point's ChargeProfileMaxStackLevel. */
  stackLevel: z.number().int().min(0).default(1),
  /** Authorize and StartTransaction accept these idTags only; absent: every idTag. */
  idTags: z.array(z.string().min(1).max(20)).min(1).optional(),
  /** A car plugged in without a transaction gets a RemoteStartTransaction with this idTag; absent: the charge point starts by itself (RFID, plug and charge). */
  remoteStartIdTag: z.string().min(1).max(20).optional(),
  heartbeatSeconds: z.number().int().min(10).default(300),
  /** The charge point's MeterValueSampleInterval, set after boot: how often flexfed hears power and state of charge. */
  meterIntervalSeconds: z.number().int().min(1).default(10),
  /** An existing back office (ws://.../ocpp): flexfed relays between it and the charge point and still controls charging. */
  upstream: z.url({ protocol: /^wss?$/ }).optional(),
  car: CarDefaultsSchema.prefault({}),
}).refine((c) => c.minCurrentA <= c.maxCurrentA, { path: ["minCurrentA"], message: "must not exceed maxCurrentA" });
export type ChargerConfig = z.infer<typeof ChargerConfigSchema>;
export type ChargerConfigInput = z.input<typeof ChargerConfigSchema>;

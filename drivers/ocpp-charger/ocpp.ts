// The OCPP 1.6J payloads flexfed reads and writes, as zod schemas. ocpp-rpc's strict mode already
// checks every frame against the official JSON schemas; these give the payloads TypeScript types
// (ocpp-rpc hands out `unknown`) and keep only the fields flexfed uses.
import { z } from "zod";

export const PROTOCOL = "ocpp1.6";

export const CONNECTOR_STATUS = [
  "Available", "Preparing", "Charging", "SuspendedEVSE", "SuspendedEV", "Finishing", "Reserved", "Unavailable", "Faulted",
] as const;
export type ConnectorStatus = (typeof CONNECTOR_STATUS)[number];

/** The statuses in which a car is connected (OCPP 1.6 §4.9: Preparing until Finishing). */
export const PLUGGED: readonly ConnectorStatus[] = ["Preparing", "Charging", "SuspendedEV", "SuspendedEVSE"];

export const PURPOSES = ["TxDefaultProfile", "TxProfile"] as const;
export type ProfilePurpose = (typeof PURPOSES)[number];
export const RATE_UNITS = ["A", "W"] as const;
export type RateUnit = (typeof RATE_UNITS)[number];

const idTagInfo = z.object({ status: z.enum(["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"]) });
const status = <T extends readonly [string, ...string[]]>(values: T) => z.object({ status: z.enum(values) });

// ---- charge point -> central system ------------------------------------------------------------

export const BootNotification = z.object({
  chargePointVendor: z.string(),
  chargePointModel: z.string(),
  chargePointSerialNumber: z.string().optional(),
  chargeBoxSerialNumber: z.string().optional(),
  firmwareVersion: z.string().optional(),
});
export type BootNotification = z.infer<typeof BootNotification>;
export const BootNotificationConf = z.object({ status: z.enum(["Accepted", "Pending", "Rejected"]), currentTime: z.string(), interval: z.number().int() });

export const StatusNotification = z.object({
  connectorId: z.number().int().min(0),
  status: z.enum(CONNECTOR_STATUS),
  errorCode: z.string(),
  timestamp: z.string().optional(),
});
export type StatusNotification = z.infer<typeof StatusNotification>;

export const SampledValue = z.object({
  value: z.string(),
  context: z.string().optional(),
  measurand: z.string().default("Energy.Active.Import.Register"),
  phase: z.string().optional(),
  unit: z.string().optional(),
});
export type SampledValue = z.infer<typeof SampledValue>;

export const MeterValues = z.object({
  connectorId: z.number().int().min(0),
  transactionId: z.number().int().optional(),
  meterValue: z.array(z.object({ timestamp: z.string(), sampledValue: z.array(SampledValue) })),
});
export type MeterValues = z.infer<typeof MeterValues>;

export const Authorize = z.object({ idTag: z.string() });
export const AuthorizeConf = z.object({ idTagInfo });

export const StartTransaction = z.object({ connectorId: z.number().int().min(1), idTag: z.string(), meterStart: z.number().int(), timestamp: z.string() });
export type StartTransaction = z.infer<typeof StartTransaction>;
export const StartTransactionConf = z.object({ idTagInfo, transactionId: z.number().int() });

export const StopTransaction = z.object({ transactionId: z.number().int(), meterStop: z.number().int(), timestamp: z.string(), reason: z.string().optional() });
export type StopTransaction = z.infer<typeof StopTransaction>;

// ---- central system -> charge point ------------------------------------------------------------

export const ChargingProfile = z.object({
  chargingProfileId: z.number().int(),
  transactionId: z.number().int().optional(),
  stackLevel: z.number().int().min(0),
  chargingProfilePurpose: z.enum(["ChargePointMaxProfile", ...PURPOSES]),
  chargingProfileKind: z.enum(["Absolute", "Recurring", "Relative"]),
  chargingSchedule: z.object({
    startSchedule: z.string().optional(),
    chargingRateUnit: z.enum(RATE_UNITS),
    chargingSchedulePeriod: z.array(z.object({ startPeriod: z.number().int(), limit: z.number(), numberPhases: z.number().int().optional() })).min(1),
  }),
});
export type ChargingProfile = z.infer<typeof ChargingProfile>;

export const SetChargingProfile = z.object({ connectorId: z.number().int().min(0), csChargingProfiles: ChargingProfile });
export type SetChargingProfile = z.infer<typeof SetChargingProfile>;
export const SetChargingProfileConf = status(["Accepted", "Rejected", "NotSupported"]);

export const ClearChargingProfile = z.object({
  id: z.number().int().optional(),
  connectorId: z.number().int().optional(),
  chargingProfilePurpose: z.enum(["ChargePointMaxProfile", ...PURPOSES]).optional(),
});
export type ClearChargingProfile = z.infer<typeof ClearChargingProfile>;
export const ClearChargingProfileConf = status(["Accepted", "Unknown"]);

export const RemoteStartTransaction = z.object({ connectorId: z.number().int().min(1).optional(), idTag: z.string() });
export const RemoteStopTransaction = z.object({ transactionId: z.number().int() });
export const RemoteConf = status(["Accepted", "Rejected"]);

export const GetConfiguration = z.object({ key: z.array(z.string().max(50)).optional() });
export const GetConfigurationConf = z.object({
  configurationKey: z.array(z.object({ key: z.string(), readonly: z.boolean(), value: z.string().optional() })).default([]),
  unknownKey: z.array(z.string()).default([]),
});
export type GetConfigurationConf = z.infer<typeof GetConfigurationConf>;

export const ChangeConfiguration = z.object({ key: z.string().max(50), value: z.string().max(500) });
export const ChangeConfigurationConf = status(["Accepted", "Rejected", "RebootRequired", "NotSupported"]);

export const TRIGGERS = ["BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StatusNotification"] as const;
export const TriggerMessage = z.object({ requestedMessage: z.enum(TRIGGERS), connectorId: z.number().int().optional() });
export const TriggerMessageConf = status(["Accepted", "Rejected", "NotImplemented"]);

/** Parses a payload at the boundary; a charge point that sends something else gets a clear error. */
export function parse<S extends z.ZodType>(schema: S, payload: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(payload);
  if (!r.success) throw new Error(`${what}: ${r.error.issues.map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`).join("; ")}`);
  return r.data;
}

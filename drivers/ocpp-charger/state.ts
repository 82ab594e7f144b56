// What the driver knows of its connector, built from what the charge point reports (pure: each
// OCPP message is a step from one state to the next). A session runs from plug-in to unplug.
import { z } from "zod";
import { CONNECTOR_STATUS, PLUGGED, type ConnectorStatus, type SampledValue } from "./ocpp.ts";

export const NameplateSchema = z.object({
  vendor: z.string(),
  model: z.string(),
  serialNumber: z.string().optional(),
  firmwareVersion: z.string().optional(),
});
export type Nameplate = z.infer<typeof NameplateSchema>;

export const PHASES = ["L1", "L2", "L3"] as const;

export const ConnectorStateSchema = z.object({
  status: z.enum(CONNECTOR_STATUS).optional(),
  /** Epoch ms the car was plugged in; absent: no car. */
  pluggedAt: z.number().optional(),
  transactionId: z.number().int().optional(),
  /** The meter register when the session began (StartTransaction's meterStart, else at plug-in), Wh. */
  sessionStartWh: z.number().optional(),
  /** Energy.Active.Import.Register, Wh. */
  registerWh: z.number().optional(),
  /** Power.Active.Import, W. */
  powerW: z.number().optional(),
  /** Current.Import per phase, A. */
  currentA: z.partialRecord(z.enum(PHASES), z.number()),
  /** The car's state of charge, when it tells (ISO 15118 or DC chargers), %. */
  socPct: z.number().min(0).max(100).optional(),
});
export type ConnectorState = z.infer<typeof ConnectorStateSchema>;

export const EMPTY: ConnectorState = { currentA: {} };

export const plugged = (status: ConnectorStatus | undefined): boolean => status !== undefined && PLUGGED.includes(status);

/** Energy charged in this session, Wh. */
export const sessionWh = (s: ConnectorState): number =>
  s.pluggedAt === undefined || s.registerWh === undefined ? 0 : Math.max(0, s.registerWh - (s.sessionStartWh ?? s.registerWh));

export function withStatus(s: ConnectorState, status: ConnectorStatus, now: number): ConnectorState {
  const was = plugged(s.status), is = plugged(status);
  if (!was && is) return { ...s, status, pluggedAt: now, sessionStartWh: s.registerWh, socPct: undefined, powerW: 0, currentA: {} };
  if (was && !is) return { ...s, status, pluggedAt: undefined, transactionId: undefined, socPct: undefined, powerW: 0, currentA: {} };
  return { ...s, status };
}

export function withTransaction(s: ConnectorState, transactionId: number, meterStartWh: number): ConnectorState {
  return { ...s, transactionId, sessionStartWh: meterStartWh, registerWh: Math.max(s.registerWh ?? meterStartWh, meterStartWh) };
}

export function withoutTransaction(s: ConnectorState, meterStopWh: number): ConnectorState {
  return { ...s, transactionId: undefined, registerWh: meterStopWh, powerW: 0, currentA: {} };
}

const SCALE: Record<string, number> = { Wh: 1, kWh: 1000, W: 1, kW: 1000, A: 1, Percent: 1 };

/**
 * The measurands flexfed uses; others are ignored. A total (no phase) power wins over the sum of
 * per-phase values. A current without a phase is L1's (single-phase charge points report so).
 */
export function withSamples(s: ConnectorState, samples: readonly SampledValue[]): ConnectorState {
  const next: ConnectorState = { ...s, currentA: { ...s.currentA } };
  let phasePower: number | undefined;
  for (const v of samples) {
    const value = Number(v.value) * (SCALE[v.unit ?? ""] ?? 1);
    if (!Number.isFinite(value)) continue;
    const phase = PHASES.find((p) => v.phase?.startsWith(p));
    switch (v.measurand) {
      case "Energy.Active.Import.Register": next.registerWh = value; break;
      case "Power.Active.Import":
        if (phase) phasePower = (phasePower ?? 0) + value;
        else next.powerW = value;
        break;
      case "Current.Import": next.currentA[phase ?? "L1"] = value; break;
      case "SoC": next.socPct = Math.min(100, Math.max(0, value)); break;
    }
  }
  if (phasePower !== undefined && !samples.some((v) => v.measurand === "Power.Active.Import" && !v.phase)) next.powerW = phasePower;
  return next;
}

// The connector in EFI terms, and EFI steps as OCPP charging profiles: pure functions shared by
// the two categories a session can be (storage.ts, adjustable.ts).
//
// Design: while a car is plugged in, it is EFI Storage when it reports its state of charge (fill
// level = energy charged this session towards its need, a fill-level target by departure) and
// Adjustable when it does not (charge or idle: without the state of charge any need is a guess).
// sessionCategory() decides per session. Either way the charger has running modes 0 "charge"
// (continuous from the minimum to the maximum current) and 1 "idle" (a 0 A profile); in Storage
// they belong to actuator 0.
import { createHash } from "node:crypto";
import type { ControlStep, DeviceTags } from "../../src/device/driver.ts";
import { DriverError } from "../../src/device/driver.ts";
import { formatDateTime, type Header, type Measurement, type StorageRegistration } from "../../src/efi/index.ts";
import type { Reading } from "../../src/telemetry/index.ts";
import type { ChargerConfig } from "./config.ts";
import type { RateUnit, SetChargingProfile } from "./ocpp.ts";
import { PHASES, sessionWh, type ConnectorState, type Nameplate } from "./state.ts";

export const ACTUATOR = 0;
export const MODES = { charge: 0, idle: 1 } as const;
/** Both ways, no timers: a car may pause and resume at any time. */
export const TRANSITIONS = [{ fromRunningModeId: MODES.charge, toRunningModeId: MODES.idle }, { fromRunningModeId: MODES.idle, toRunningModeId: MODES.charge }];

export type SessionCategory = "storage" | "adjustable";

/** The driver's configuration, with the rate unit and stack level that hold for its charge point (setup.ts). */
export type MappingOptions = Pick<ChargerConfig, "connectorId" | "phases" | "voltageV" | "minCurrentA" | "maxCurrentA" | "profilePurpose" | "stackLevel" | "car"> & {
  resourceId: string;
  chargingRateUnit: RateUnit;
};

/** What apply() asks of the charge point. */
export interface ChargeCommand {
  mode: keyof typeof MODES;
  factor: number;
  powerW: number;
  /** The profile's limit in its rate unit. */
  limit: number;
}

export const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
export const digest = (content: unknown): string =>
  createHash("sha256").update(JSON.stringify(content)).digest("base64url").slice(0, 16).replace(/[^A-Za-z0-9]/g, "0");

export const header = (resourceId: string, now: Date): Header => ({ efiResourceId: resourceId, timestamp: formatDateTime(now.getTime()) });

/** W from A on all phases. */
export const watts = (amps: number, o: MappingOptions): number => amps * o.voltageV * o.phases;
export const powerRange = (o: MappingOptions) => ({ minW: watts(o.minCurrentA, o), maxW: watts(o.maxCurrentA, o) });

export const deviceDescription = (np: Nameplate, o: MappingOptions): StorageRegistration["deviceDescription"] => ({
  deviceClass: "Electrical Vehicle", ...(np.serialNumber ? { serialNumber: np.serialNumber } : {}), label: `${np.vendor} ${np.model} connector ${o.connectorId}`,
});

/**
 * What the session is: Storage once the car reported its state of charge in a meter value; a car
 * that has not `car.socWaitSeconds` after plug-in is `car.withoutSoc` (Adjustable by default) until
 * it does. Undefined without a car, and while still waiting.
 */
export function sessionCategory(s: ConnectorState, o: MappingOptions, now: Date): SessionCategory | undefined {
  if (s.pluggedAt === undefined) return undefined;
  if (s.socPct !== undefined || o.car.withoutSoc === "storage") return "storage";
  return now.getTime() - s.pluggedAt >= o.car.socWaitSeconds * 1000 ? o.car.withoutSoc : undefined;
}

/** Epoch ms the car leaves: the first `car.departure` (local time of day) after plug-in, else plug-in + stayHours. */
export function departureAt(pluggedAt: number, car: MappingOptions["car"]): number {
  if (!car.departure) return pluggedAt + car.stayHours * 3_600_000;
  const [hours, minutes] = car.departure.split(":").map(Number) as [number, number];
  const at = new Date(pluggedAt);
  at.setHours(hours, minutes, 0, 0);
  if (at.getTime() <= pluggedAt) at.setDate(at.getDate() + 1);
  return at.getTime();
}

/** The running mode: the one flexfed holds, else as the power shows. */
export function currentMode(s: ConnectorState, o: MappingOptions, held: ChargeCommand | undefined): { mode: number; factor?: number } {
  if (held) return held.mode === "idle" ? { mode: MODES.idle } : { mode: MODES.charge, factor: held.factor };
  const p = s.powerW ?? 0;
  if (p <= 0) return { mode: MODES.idle };
  const { minW, maxW } = powerRange(o);
  return { mode: MODES.charge, factor: maxW > minW ? round(Math.min(1, Math.max(0, (p - minW) / (maxW - minW))), 4) : 1 };
}

export function measurement(s: ConnectorState, o: MappingOptions, now: Date): Measurement | undefined {
  if (s.powerW === undefined) return undefined;
  return { kind: "Measurement", header: header(o.resourceId, now), measurementTimestamp: formatDateTime(now.getTime()), electricityMeasurement: { power: s.powerW } };
}

/**
 * Telemetry names: power (W), energy (J, the charge point's import register), sessionEnergy (J,
 * charged since plug-in), currentL1..L3 (A), soc (%EL, when the car reports it).
 */
export function telemetry(s: ConnectorState): Reading[] {
  const out: Reading[] = [];
  const add = (n: string, u: string, v: number | undefined) => v !== undefined && out.push({ n, u, v });
  add("power", "W", s.powerW);
  add("energy", "J", s.registerWh !== undefined ? s.registerWh * 3600 : undefined);
  add("sessionEnergy", "J", s.pluggedAt !== undefined ? sessionWh(s) * 3600 : undefined);
  for (const p of PHASES) add(`current${p}`, "A", s.currentA[p]);
  add("soc", "%EL", s.socPct);
  return out;
}

/** Tags read from the charge point; EFI is the device's category, which follows the session (the runtime adds it). */
export function identity(np: Nameplate, o: MappingOptions): DeviceTags {
  return {
    MAN: np.vendor, MODEL: np.model, ...(np.serialNumber ? { SN: np.serialNumber } : {}), ...(np.firmwareVersion ? { V: np.firmwareVersion } : {}),
    CLASS: "Electrical Vehicle", PMAX: powerRange(o).maxW,
  };
}

/** A step of the session's category as a charging limit; DriverError for anything this charger does not have. */
export function command(step: ControlStep, o: MappingOptions, session: SessionCategory): ChargeCommand {
  if (step.category !== session) throw new DriverError(`the car plugged in is offered as ${session}; the charger does not take ${step.category} steps`);
  if (step.category === "storage" && step.actuatorId !== ACTUATOR) throw new DriverError(`the charger has one actuator, ${ACTUATOR}, not ${step.actuatorId}`);
  const { runningModeId, factor = 0 } = step as Extract<ControlStep, { category: SessionCategory }>;
  if (runningModeId === MODES.idle) return { mode: "idle", factor: 0, powerW: 0, limit: 0 };
  if (runningModeId !== MODES.charge) throw new DriverError(`the charger has running modes 0 charge and 1 idle, not ${runningModeId}`);
  if (!(factor >= 0 && factor <= 1)) throw new DriverError(`running mode factor ${factor} is outside 0..1`);
  const { minW, maxW } = powerRange(o);
  const powerW = minW + factor * (maxW - minW);
  // Rounded down to OCPP's 0.1 step, so the charger never draws more than asked.
  const limit = Math.floor((o.chargingRateUnit === "A" ? powerW / (o.voltageV * o.phases) : powerW) * 10 + 1e-6) / 10;
  return { mode: "charge", factor, powerW, limit };
}

/** flexfed's own profile on a connector: one id, so each SetChargingProfile replaces the last. */
export const profileId = (connectorId: number): number => 9100 + connectorId;

/**
 * The profile for a command: Absolute, starting a minute ago (evcc's recipe against clock skew),
 * no end. TxProfile needs the running transaction.
 */
export function chargingProfile(cmd: ChargeCommand, o: MappingOptions, transactionId: number | undefined, now: Date): SetChargingProfile {
  return {
    connectorId: o.connectorId,
    csChargingProfiles: {
      chargingProfileId: profileId(o.connectorId),
      ...(o.profilePurpose === "TxProfile" && transactionId !== undefined ? { transactionId } : {}),
      stackLevel: o.stackLevel,
      chargingProfilePurpose: o.profilePurpose,
      chargingProfileKind: "Absolute",
      chargingSchedule: {
        startSchedule: new Date(now.getTime() - 60_000).toISOString(),
        chargingRateUnit: o.chargingRateUnit,
        chargingSchedulePeriod: [{ startPeriod: 0, limit: cmd.limit, numberPhases: o.phases }],
      },
    },
  };
}

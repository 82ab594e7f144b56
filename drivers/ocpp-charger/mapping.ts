// The connector in EFI Storage terms and EFI steps as OCPP charging profiles: pure functions.
//
// Design (one for every car): a plugged-in car is EFI Storage whose fill level is the energy
// charged in this session, kWh, towards the car's need. The need is the configured default, or,
// when the car reports its state of charge, what it takes to reach the target state of charge.
// The charger is actuator 0 with running modes 0 "charge" (continuous from the minimum to the
// maximum current) and 1 "idle" (a 0 A profile). A StorageFillLevelTargetProfile asks for the need
// by the departure time (plug-in + stayHours). An Adjustable on/off description for cars without
// state of charge was rejected: the runtime hosts one category per driver, and a default need
// keeps every car plannable (the planner sees how much and by when, not only "may charge").
import { createHash } from "node:crypto";
import type { ControlStep, DeviceTags } from "../../src/device/driver.ts";
import { DriverError } from "../../src/device/driver.ts";
import {
  formatDateTime, formatDuration, type Header, type Measurement, type StorageFillLevelTargetProfile, type StorageRegistration,
  type StorageStatus, type StorageSystemDescription,
} from "../../src/efi/index.ts";
import type { Reading } from "../../src/telemetry/index.ts";
import type { ChargerConfig } from "./config.ts";
import type { SetChargingProfile } from "./ocpp.ts";
import { PHASES, sessionWh, type ConnectorState, type Nameplate } from "./state.ts";

export const ACTUATOR = 0;
export const MODES = { charge: 0, idle: 1 } as const;
/** How long the fill level must hold the need after departure, for the target profile's last element. */
const AT_DEPARTURE_MS = 15 * 60_000;

export type MappingOptions = Pick<
  ChargerConfig, "connectorId" | "phases" | "voltageV" | "minCurrentA" | "maxCurrentA" | "profilePurpose" | "chargingRateUnit" | "stackLevel" | "car"
> & { resourceId: string };

/** What apply() asks of the charge point. */
export interface ChargeCommand {
  mode: keyof typeof MODES;
  factor: number;
  powerW: number;
  /** The profile's limit in its rate unit. */
  limit: number;
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
const digest = (content: unknown): string =>
  createHash("sha256").update(JSON.stringify(content)).digest("base64url").slice(0, 16).replace(/[^A-Za-z0-9]/g, "0");

export const header = (resourceId: string, now: Date): Header => ({ efiResourceId: resourceId, timestamp: formatDateTime(now.getTime()) });

/** W from A on all phases. */
export const watts = (amps: number, o: MappingOptions): number => amps * o.voltageV * o.phases;
export const powerRange = (o: MappingOptions) => ({ minW: watts(o.minCurrentA, o), maxW: watts(o.maxCurrentA, o) });
/** kWh/s of the fill level at `w`. */
const fillingRate = (w: number): number => Number((w / 1000 / 3600).toPrecision(6));

export function registration(np: Nameplate, o: MappingOptions, now: Date): StorageRegistration {
  return {
    kind: "StorageRegistration",
    header: header(o.resourceId, now),
    instructionProcessingDelay: "PT5S",
    deviceDescription: { deviceClass: "Electrical Vehicle", ...(np.serialNumber ? { serialNumber: np.serialNumber } : {}), label: `${np.vendor} ${np.model} connector ${o.connectorId}` },
    fillLevelLabel: "Energy charged this session",
    fillLevelUnit: "kWh",
    actuators: [{ id: ACTUATOR, label: "charger", supportedCommodity: ["ELECTRICITY"] }],
  };
}

export function systemDescription(o: MappingOptions, now: Date, validFrom: Date): StorageSystemDescription {
  const { minW, maxW } = powerRange(o);
  const fill = { fillLevelLowerBound: 0, fillLevelUpperBound: o.car.capacityKWh };
  const content = {
    actuatorBehaviours: [{
      actuatorId: ACTUATOR,
      runningModes: [
        {
          type: "continuous" as const, id: MODES.charge, label: "charge",
          continuousRunningModeElement: [{
            ...fill,
            lowerBound: { fillingRate: fillingRate(minW), electricalPower: minW },
            upperBound: { fillingRate: fillingRate(maxW), electricalPower: maxW },
          }],
        },
        { type: "discrete" as const, id: MODES.idle, label: "idle", discreteRunningModeElement: [{ ...fill, fillingRate: 0, electricalPower: 0 }] },
      ],
      transitions: [{ fromRunningModeId: MODES.charge, toRunningModeId: MODES.idle }, { fromRunningModeId: MODES.idle, toRunningModeId: MODES.charge }],
    }],
  };
  // The id covers the session (validFrom is the plug-in): an instruction for the last car is stale for the next.
  const from = formatDateTime(validFrom.getTime());
  return { kind: "StorageSystemDescription", header: header(o.resourceId, now), flexibilityUpdateId: `sd-${digest({ from, content })}`, validFrom: from, ...content };
}

/** kWh the session must charge: the default need, or up to the target state of charge when the car tells. */
export function needKWh(s: ConnectorState, o: MappingOptions): number {
  if (s.socPct === undefined) return Math.min(o.car.needKWh, o.car.capacityKWh);
  const charged = sessionWh(s) / 1000;
  return round(Math.min(o.car.capacityKWh, charged + Math.max(0, ((o.car.targetSocPct - s.socPct) / 100) * o.car.capacityKWh)), 2);
}

/** The need by departure: anything up to it until then, at least the need from departure on. */
export function targetProfile(s: ConnectorState, o: MappingOptions, now: Date): StorageFillLevelTargetProfile | undefined {
  if (s.pluggedAt === undefined) return undefined;
  const need = needKWh(s, o);
  const targetProfile = [
    { duration: formatDuration(o.car.stayHours * 3_600_000), fillLevelLowerBound: 0, fillLevelUpperBound: o.car.capacityKWh },
    { duration: formatDuration(AT_DEPARTURE_MS), fillLevelLowerBound: need, fillLevelUpperBound: o.car.capacityKWh },
  ];
  const validFrom = formatDateTime(s.pluggedAt);
  return { kind: "StorageFillLevelTargetProfile", header: header(o.resourceId, now), flexibilityUpdateId: `tp-${digest({ validFrom, targetProfile })}`, validFrom, targetProfile };
}

/** The running mode: the one flexfed holds, else as the power shows. */
export function currentMode(s: ConnectorState, o: MappingOptions, held: ChargeCommand | undefined): { mode: number; factor?: number } {
  if (held) return held.mode === "idle" ? { mode: MODES.idle } : { mode: MODES.charge, factor: held.factor };
  const p = s.powerW ?? 0;
  if (p <= 0) return { mode: MODES.idle };
  const { minW, maxW } = powerRange(o);
  return { mode: MODES.charge, factor: maxW > minW ? round(Math.min(1, Math.max(0, (p - minW) / (maxW - minW))), 4) : 1 };
}

export function status(s: ConnectorState, o: MappingOptions, held: ChargeCommand | undefined, now: Date): StorageStatus {
  const { mode, factor } = currentMode(s, o, held);
  return {
    kind: "StorageStatus",
    header: header(o.resourceId, now),
    flexibilityUpdateId: `st-${now.getTime()}`,
    validFrom: formatDateTime(now.getTime()),
    currentFillLevel: round(sessionWh(s) / 1000, 3),
    actuatorStatuses: [{ actuatorId: ACTUATOR, currentRunningMode: mode, ...(factor !== undefined ? { runningModeFactor: factor } : {}) }],
  };
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

export function identity(np: Nameplate, o: MappingOptions): DeviceTags {
  return {
    MAN: np.vendor, MODEL: np.model, ...(np.serialNumber ? { SN: np.serialNumber } : {}), ...(np.firmwareVersion ? { V: np.firmwareVersion } : {}),
    CLASS: "Electrical Vehicle", EFI: "storage", PMAX: powerRange(o).maxW,
  };
}

/** An EFI step as a charging limit; DriverError for anything this charger does not have. */
export function command(step: ControlStep, o: MappingOptions): ChargeCommand {
  if (step.category !== "storage") throw new DriverError(`a charger takes storage steps, not ${step.category}`);
  if (step.actuatorId !== ACTUATOR) throw new DriverError(`the charger has one actuator, ${ACTUATOR}, not ${step.actuatorId}`);
  if (step.runningModeId === MODES.idle) return { mode: "idle", factor: 0, powerW: 0, limit: 0 };
  if (step.runningModeId !== MODES.charge) throw new DriverError(`the charger has running modes 0 charge and 1 idle, not ${step.runningModeId}`);
  const factor = step.factor ?? 0;
  if (!(factor >= 0 && factor <= 1)) throw new DriverError(`running mode factor ${step.factor} is outside 0..1`);
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

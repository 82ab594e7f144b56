// The battery in EFI Storage terms, and EFI steps as battery commands: pure functions of the
// driver state. Fill level = state of charge in %; actuator 0 is the battery inverter, with
// running modes 0 charge (continuous), 1 idle, 2 discharge (continuous, negative power).
import { createHash } from "node:crypto";
import type { ControlStep, DeviceTags } from "../../src/device/driver.ts";
import { DriverError } from "../../src/device/driver.ts";
import {
  formatDateTime, formatDuration, type ActuatorBehaviour, type Header, type Measurement, type StorageRegistration, type StorageRunningMode,
  type StorageStatus, type StorageSystemDescription, type Transition,
} from "../../src/efi/index.ts";
import type { Reading } from "../../src/telemetry/index.ts";
import type { BatteryCommand, BatteryState } from "./state.ts";

export const ACTUATOR = 0;
export const MODES = { charge: 0, idle: 1, discharge: 2 } as const;
type ModeId = (typeof MODES)[keyof typeof MODES];
const MODE_NAMES = ["charge", "idle", "discharge"] as const;
const MIN_MODE_TIMER = 0;

export interface MappingOptions {
  resourceId: string;
  minModeSeconds: number;
  /** Overrides the device's own self-discharge rate. */
  selfDischargePctPerDay?: number;
}

export const header = (resourceId: string, now: Date): Header => ({ efiResourceId: resourceId, timestamp: formatDateTime(now.getTime()) });

/** %/s of the fill level (state of charge) at `watts`. */
export const fillingRate = (watts: number, capacityWh: number): number => round((watts / capacityWh) * 100 / 3600);

// Six significant digits: enough for any plan, and small register jitter does not change the description.
const round = (v: number): number => (v === 0 ? 0 : Number(v.toPrecision(6)));

export function registration(s: BatteryState, o: MappingOptions, now: Date): StorageRegistration {
  const { manufacturer, model, serialNumber } = s.nameplate;
  return {
    kind: "StorageRegistration",
    header: header(o.resourceId, now),
    instructionProcessingDelay: "PT1S",
    deviceDescription: {
      deviceClass: "Stationary Battery",
      ...(serialNumber ? { serialNumber } : {}),
      label: `${manufacturer} ${model}`,
    },
    fillLevelLabel: "State of charge",
    fillLevelUnit: "%",
    actuators: [{ id: ACTUATOR, label: "battery", supportedCommodity: ["ELECTRICITY"] }],
  };
}

function modes(s: BatteryState): StorageRunningMode[] {
  const still = { fillingRate: 0, electricalPower: 0 };
  return [
    {
      type: "continuous", id: MODES.charge, label: "charge",
      continuousRunningModeElement: [{
        fillLevelLowerBound: 0, fillLevelUpperBound: s.reserve.maxPct ?? 100,
        lowerBound: still, upperBound: { fillingRate: fillingRate(s.maxChargeW, s.capacityWh), electricalPower: s.maxChargeW },
      }],
    },
    { type: "discrete", id: MODES.idle, label: "idle", discreteRunningModeElement: [{ fillLevelLowerBound: 0, fillLevelUpperBound: 100, ...still }] },
    {
      type: "continuous", id: MODES.discharge, label: "discharge",
      continuousRunningModeElement: [{
        fillLevelLowerBound: s.reserve.minPct ?? 0, fillLevelUpperBound: 100,
        lowerBound: still, upperBound: { fillingRate: -fillingRate(s.maxDischargeW, s.capacityWh), electricalPower: -s.maxDischargeW },
      }],
    },
  ];
}

function behaviour(s: BatteryState, o: MappingOptions): ActuatorBehaviour {
  const timed = o.minModeSeconds > 0;
  const timer = timed ? { startTimers: [{ timerId: MIN_MODE_TIMER }], blockingTimers: [{ timerId: MIN_MODE_TIMER }] } : {};
  // Charging and discharging meet only through idle.
  const pairs: [ModeId, ModeId][] = [[MODES.charge, MODES.idle], [MODES.idle, MODES.charge], [MODES.idle, MODES.discharge], [MODES.discharge, MODES.idle]];
  const transitions: Transition[] = pairs.map(([fromRunningModeId, toRunningModeId]) => ({ fromRunningModeId, toRunningModeId, ...timer }));
  return {
    actuatorId: ACTUATOR,
    runningModes: modes(s),
    ...(timed ? { timers: [{ id: MIN_MODE_TIMER, label: "minimum mode duration", duration: formatDuration(o.minModeSeconds * 1000) }] } : {}),
    transitions,
  };
}

/** The description's content, without header and id: what the id is a hash of. */
function flexibility(s: BatteryState, o: MappingOptions) {
  const selfDischarge = o.selfDischargePctPerDay ?? s.selfDischargePctPerDay ?? 0;
  return {
    actuatorBehaviours: [behaviour(s, o)],
    ...(selfDischarge > 0 ? { leakageBehaviour: [{ fillLevelLowerBound: 0, fillLevelUpperBound: 100, leakageRate: round(selfDischarge / 86400) }] } : {}),
  };
}

/**
 * The system description. Its flexibilityUpdateId is a hash of its content, so it stays the same
 * (and an app's instruction stays valid) for as long as the battery's flexibility does.
 */
export function systemDescription(s: BatteryState, o: MappingOptions, now: Date, validFrom: Date = now): StorageSystemDescription {
  const content = flexibility(s, o);
  const digest = createHash("sha256").update(JSON.stringify(content)).digest("base64url").slice(0, 16).replace(/[^A-Za-z0-9]/g, "0");
  return {
    kind: "StorageSystemDescription",
    header: header(o.resourceId, now),
    flexibilityUpdateId: `sd-${digest}`,
    validFrom: formatDateTime(validFrom.getTime()),
    ...content,
  };
}

/** The running mode (and factor) the battery is in: as held by control, else as its power shows. */
export function currentMode(s: BatteryState): { mode: ModeId; factor?: number } {
  const c = s.control;
  if (c && c.mode !== "auto") return c.mode === "idle" ? { mode: MODES.idle } : { mode: MODES[c.mode], factor: c.ratePct / 100 };
  const p = s.powerW ?? 0;
  if (p > 0) return { mode: MODES.charge, factor: Math.min(1, p / s.maxChargeW) };
  if (p < 0) return { mode: MODES.discharge, factor: Math.min(1, -p / s.maxDischargeW) };
  return { mode: MODES.idle };
}

/** When the mode last changed, as the driver saw it. */
export interface ModeTrack {
  mode: number;
  previous?: number;
  since?: number;
}

export function trackMode(prev: ModeTrack | undefined, mode: number, now: number): ModeTrack {
  if (!prev) return { mode };
  return prev.mode === mode ? prev : { mode, previous: prev.mode, since: now };
}

export function status(s: BatteryState, o: MappingOptions, track: ModeTrack, now: Date): StorageStatus {
  const { mode, factor } = currentMode(s);
  const timerEnd = track.since !== undefined && o.minModeSeconds > 0 ? track.since + o.minModeSeconds * 1000 : undefined;
  return {
    kind: "StorageStatus",
    header: header(o.resourceId, now),
    flexibilityUpdateId: `st-${now.getTime()}`,
    validFrom: formatDateTime(now.getTime()),
    currentFillLevel: s.socPct,
    actuatorStatuses: [{
      actuatorId: ACTUATOR,
      currentRunningMode: mode,
      ...(factor !== undefined ? { runningModeFactor: factor } : {}),
      ...(track.previous !== undefined && track.since !== undefined
        ? { previousRunningModeId: track.previous, transitionTimestamp: formatDateTime(track.since) }
        : {}),
      ...(timerEnd !== undefined && timerEnd > now.getTime() ? { timerUpdates: [{ timerId: MIN_MODE_TIMER, finishedAt: formatDateTime(timerEnd) }] } : {}),
    }],
  };
}

export function measurement(s: BatteryState, o: MappingOptions, now: Date): Measurement | undefined {
  if (s.powerW === undefined) return undefined;
  const at = formatDateTime(now.getTime());
  return { kind: "Measurement", header: header(o.resourceId, now), measurementTimestamp: at, electricityMeasurement: { power: s.powerW } };
}

/**
 * Telemetry names: soc (%EL), power (W, charging positive), dcVoltage (V), dcCurrent (A, charging
 * positive), stored (J, energy in the battery), acPower (W), acImport / acExport (J) from a meter model.
 */
export function telemetry(s: BatteryState): Reading[] {
  const out: Reading[] = [{ n: "soc", u: "%EL", v: s.socPct }, { n: "stored", u: "J", v: Math.round((s.socPct / 100) * s.capacityWh * 3600) }];
  const add = (n: string, u: string, v: number | undefined) => v !== undefined && out.push({ n, u, v });
  add("power", "W", s.powerW);
  add("dcVoltage", "V", s.dcVoltageV);
  add("dcCurrent", "A", s.dcCurrentA);
  add("acPower", "W", s.ac?.powerW);
  add("acImport", "J", s.ac?.importWh !== undefined ? s.ac.importWh * 3600 : undefined);
  add("acExport", "J", s.ac?.exportWh !== undefined ? s.ac.exportWh * 3600 : undefined);
  return out;
}

export function identity(s: BatteryState): DeviceTags {
  const { manufacturer, model, serialNumber, version } = s.nameplate;
  return {
    MAN: manufacturer, MODEL: model, ...(serialNumber ? { SN: serialNumber } : {}), ...(version ? { V: version } : {}),
    CLASS: "Stationary Battery", EFI: "storage", PMAX: Math.max(s.maxChargeW, s.maxDischargeW), CAP: s.capacityWh,
  };
}

/** An EFI step as a battery command; DriverError for anything this battery does not have. */
export function command(step: ControlStep, s: BatteryState): BatteryCommand {
  if (step.category !== "storage") throw new DriverError(`a battery takes storage steps, not ${step.category}`);
  if (step.actuatorId !== ACTUATOR) throw new DriverError(`the battery has one actuator, ${ACTUATOR}, not ${step.actuatorId}`);
  const mode = MODE_NAMES[step.runningModeId];
  if (!mode) throw new DriverError(`the battery has running modes 0 charge, 1 idle and 2 discharge, not ${step.runningModeId}`);
  const fraction = mode === "idle" ? 0 : step.factor ?? 0;
  if (!(fraction >= 0 && fraction <= 1)) throw new DriverError(`running mode factor ${step.factor} is outside 0..1`);
  const max = mode === "charge" ? s.maxChargeW : mode === "discharge" ? s.maxDischargeW : 0;
  return { mode, fraction, powerW: fraction * max };
}

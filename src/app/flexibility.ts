// What an app can ask of a device right now, from its control space: the running modes it can
// reach (transitions and timers respected) with the power range of each at the current fill
// level, and the instruction that asks for a power. Pure EFI, shared by the apps.
import {
  adjustableModeValues, checkInstruction, contextOf, formatDateTime, reachableRunningModes, storageModeValues, timerState,
  type EfiInstruction,
} from "../efi/index.ts";
import type { DeviceView } from "./model.ts";
import type { InstructionDraft } from "./types.ts";

/** One reachable running mode: the power it draws, W (consumption positive), from min to max. */
export interface ModeOption {
  modeId: number;
  label?: string;
  minW: number;
  maxW: number;
  /** Power at factor 0 (the mode's lowerBound) and 1 (its upperBound); a discharge mode goes 0 -> -5 kW. */
  w0: number;
  w1: number;
  continuous: boolean;
}

const option = (modeId: number, label: string | undefined, w0: number, w1: number, continuous: boolean): ModeOption =>
  ({ modeId, label, minW: Math.min(w0, w1), maxW: Math.max(w0, w1), w0, w1, continuous });

export interface Flexibility {
  category: "storage" | "adjustable";
  flexibilityUpdateId: string;
  actuatorId?: number;
  currentModeId: number;
  /** Power of the current mode as described (the measured power may differ). */
  options: ModeOption[];
  /** The device's fill level (storage). */
  fill?: number;
}

/** The choice of a mode for a target power. */
export interface ModeChoice {
  modeId: number;
  factor?: number;
  powerW: number;
}

/** The modes a storage or adjustable device can switch to now, with their power ranges; undefined when it offers none. */
export function flexibilityOf(d: DeviceView, now: number): Flexibility | undefined {
  if (!d.controllable) return undefined;
  if (d.category === "storage") {
    const desc = d.latest("StorageSystemDescription"), status = d.latest("StorageStatus");
    const behaviour = desc?.actuatorBehaviours[0];
    const actuator = status?.actuatorStatuses?.find((a) => a.actuatorId === behaviour?.actuatorId);
    if (!desc || !status || !behaviour || !actuator) return undefined;
    const fill = status.currentFillLevel;
    const reachable = reachableRunningModes(behaviour, actuator.currentRunningMode, timerState(actuator.timerUpdates), now);
    const options = behaviour.runningModes.flatMap((m): ModeOption[] => {
      if (!reachable.includes(m.id)) return [];
      const lo = storageModeValues(m, fill, 0), hi = storageModeValues(m, fill, 1);
      if (lo?.electricalPower === undefined || hi?.electricalPower === undefined) return [];
      return [option(m.id, m.label, lo.electricalPower, hi.electricalPower, m.type === "continuous")];
    });
    return { category: "storage", flexibilityUpdateId: desc.flexibilityUpdateId, actuatorId: behaviour.actuatorId, currentModeId: actuator.currentRunningMode, options, fill };
  }
  if (d.category === "adjustable") {
    const desc = d.latest("AdjustableSystemDescription"), status = d.latest("AdjustableStatus");
    if (!desc || !status) return undefined;
    const reachable = reachableRunningModes(desc, status.currentRunningModeId, timerState(status.timerUpdates), now);
    const options = desc.runningModes.flatMap((m): ModeOption[] => {
      if (!reachable.includes(m.id)) return [];
      const lo = adjustableModeValues(m, 0).electricalPower, hi = adjustableModeValues(m, 1).electricalPower;
      if (lo === undefined || hi === undefined) return [];
      return [option(m.id, m.label, lo, hi, m.type === "continuous")];
    });
    return { category: "adjustable", flexibilityUpdateId: desc.flexibilityUpdateId, currentModeId: status.currentRunningModeId, options };
  }
  return undefined;
}

/**
 * The mode and factor closest to `targetW`; with `at: "most"` the closest that draws no more (a
 * limit to hold), with `at: "least"` no less, falling back to the closest when none can. Ties go to
 * the current mode (no needless switching), then to the mode with the smaller power range (idle
 * rather than charging at 0 W).
 */
export function choose(f: Flexibility, targetW: number, at?: "most" | "least"): ModeChoice | undefined {
  const fits = (o: ModeOption) => (at === "most" ? o.minW <= targetW + 1 : at === "least" ? o.maxW >= targetW - 1 : true);
  const candidates = f.options.some(fits) ? f.options.filter(fits) : f.options;
  let best: (ModeChoice & { miss: number; rank: number }) | undefined;
  for (const o of candidates) {
    const powerW = Math.min(o.maxW, Math.max(o.minW, targetW));
    const miss = Math.abs(powerW - targetW);
    const rank = (o.modeId === f.currentModeId ? 0 : 1) + (o.maxW - o.minW) / 1e9;
    if (best && (miss > best.miss + 1 || (Math.abs(miss - best.miss) <= 1 && rank >= best.rank))) continue;
    // Factors in steps of 0.05: a plan that moves a few watts asks for nothing new.
    const factor = o.continuous ? (o.w1 === o.w0 ? 0 : Number(round((powerW - o.w0) / (o.w1 - o.w0), 0.05).toFixed(2))) : undefined;
    best = { modeId: o.modeId, powerW: factor !== undefined ? o.w0 + (o.w1 - o.w0) * factor : powerW, miss, rank, ...(factor !== undefined ? { factor } : {}) };
  }
  return best && { modeId: best.modeId, powerW: best.powerW, ...(best.factor !== undefined ? { factor: best.factor } : {}) };
}

const round = (v: number, step: number) => Math.round(v / step) * step;

/** The instruction that puts the device in `c` now. */
export function draft(f: Flexibility, c: ModeChoice, now: Date): InstructionDraft {
  const startTime = formatDateTime(now.getTime());
  const factor = c.factor !== undefined ? { runningModeFactor: c.factor } : {};
  if (f.category === "storage") {
    return {
      kind: "StorageInstruction", flexibilityUpdateId: f.flexibilityUpdateId, isEmergencyInstruction: false,
      actuatorInstructions: [{ actuatorId: f.actuatorId!, runningModeId: c.modeId, ...factor, startTime }],
    };
  }
  return { kind: "AdjustableInstruction", flexibilityUpdateId: f.flexibilityUpdateId, isEmergencyInstruction: false, runningModeId: c.modeId, ...factor, startTime };
}

/** What the device would say of the instruction: no issues means it accepts it. */
export function acceptable(d: DeviceView, i: InstructionDraft, now: Date): boolean {
  const full = { ...i, header: { efiResourceId: d.rid, timestamp: formatDateTime(now.getTime()) }, instructionId: "check" } as EfiInstruction;
  return checkInstruction(full, contextOf((kind) => d.latest(kind))).length === 0;
}

/** A short name for what a choice asks: "discharge 0.40", the runtime's intent. */
export const intentOf = (f: Flexibility, c: ModeChoice): string =>
  `${f.options.find((o) => o.modeId === c.modeId)?.label ?? `mode ${c.modeId}`}${c.factor !== undefined ? ` ${c.factor.toFixed(2)}` : ""}`;

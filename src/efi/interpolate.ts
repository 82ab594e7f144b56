// Running-mode values. A continuous mode's quantities move together and linearly from its
// lowerBound (factor 0) to its upperBound (factor 1); storage modes also vary by fill level.
import type { AdjustableModeData, AdjustableRunningMode, StorageModeData, StorageRunningMode } from "./model/types.ts";
import type { FillRange } from "./model/rules.ts";

export type ModeValues = Partial<StorageModeData>;

export interface Bounds<V extends ModeValues> {
  lowerBound: V;
  upperBound: V;
}

const KEYS = ["fillingRate", "runningCost", "electricalPower", "gasFlowRate", "heatTemperature", "heatFlowRate", "heatThermalPower"] as const;

/** Every quantity of a continuous mode (or storage element) at `factor` in [0,1]. */
export function interpolate<V extends ModeValues>(b: Bounds<V>, factor: number): V {
  const out: ModeValues = {};
  for (const k of KEYS) {
    const lo = b.lowerBound[k];
    const hi = b.upperBound[k];
    if (lo !== undefined && hi !== undefined) out[k] = lo + (hi - lo) * factor;
  }
  return out as V;
}

/**
 * The factor that gives `power` W, clamped to [0,1] when the mode cannot reach it exactly;
 * undefined when the mode states no electrical power.
 */
export function factorForPower(b: Bounds<ModeValues>, power: number): number | undefined {
  const lo = b.lowerBound.electricalPower;
  const hi = b.upperBound.electricalPower;
  if (lo === undefined || hi === undefined) return undefined;
  if (lo === hi) return 0;
  return Math.min(1, Math.max(0, (power - lo) / (hi - lo)));
}

/**
 * The element whose fill-level range holds `fillLevel`. On a shared bound the element above is
 * chosen when the level is rising, the one below when it is falling.
 */
export function elementAt<E extends FillRange>(elements: readonly E[], fillLevel: number, rising = true): E | undefined {
  return elements.find((e) =>
    rising
      ? e.fillLevelLowerBound <= fillLevel && fillLevel < e.fillLevelUpperBound
      : e.fillLevelLowerBound < fillLevel && fillLevel <= e.fillLevelUpperBound,
  );
}

/** A storage mode's values at a fill level (and factor, for a continuous mode); undefined outside its elements. */
export function storageModeValues(mode: StorageRunningMode, fillLevel: number, factor = 0, rising = true): StorageModeData | undefined {
  if (mode.type === "discrete") {
    const e = elementAt(mode.discreteRunningModeElement, fillLevel, rising);
    if (!e) return undefined;
    const { fillLevelLowerBound: _lo, fillLevelUpperBound: _hi, ...values } = e;
    return values;
  }
  const e = elementAt(mode.continuousRunningModeElement, fillLevel, rising);
  return e && interpolate(e, factor);
}

/** An adjustable mode's values (at `factor` for a continuous mode). */
export function adjustableModeValues(mode: AdjustableRunningMode, factor = 0): AdjustableModeData {
  if (mode.type === "continuous") return interpolate(mode, factor);
  const { type: _t, id: _id, label: _label, ...values } = mode;
  return values;
}

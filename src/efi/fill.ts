// The fill level a storage reaches while its actuators run given modes. Rates depend on the fill
// level (piecewise, by element), so the level is integrated exactly from bound to bound.
import { parseDuration } from "./duration.ts";
import { elementAt, storageModeValues } from "./interpolate.ts";
import type { StorageSystemDescription } from "./model/messages.ts";

export interface ActuatorSetting {
  actuatorId: number;
  runningModeId: number;
  /** For a continuous mode; 0 when absent. */
  factor?: number;
}

export interface FillStep {
  /** ms, or an xs:duration. */
  duration: number | string;
  settings: readonly ActuatorSetting[];
}

/** Net change of the fill level per second at `fillLevel`: the actuators' filling rates minus leakage. */
export function fillRate(sd: StorageSystemDescription, settings: readonly ActuatorSetting[], fillLevel: number, rising = true): number {
  let rate = 0;
  for (const s of settings) {
    const mode = sd.actuatorBehaviours.find((b) => b.actuatorId === s.actuatorId)?.runningModes.find((m) => m.id === s.runningModeId);
    if (!mode) throw new RangeError(`actuator ${s.actuatorId} has no running mode ${s.runningModeId}`);
    rate += storageModeValues(mode, fillLevel, s.factor ?? 0, rising)?.fillingRate ?? 0;
  }
  const leak = sd.leakageBehaviour && elementAt(sd.leakageBehaviour, fillLevel, rising);
  return rate - (leak?.leakageRate ?? 0);
}

function boundsOf(sd: StorageSystemDescription, settings: readonly ActuatorSetting[]): number[] {
  const cuts = new Set<number>();
  const add = (e: { fillLevelLowerBound: number; fillLevelUpperBound: number }) => cuts.add(e.fillLevelLowerBound).add(e.fillLevelUpperBound);
  for (const s of settings) {
    const mode = sd.actuatorBehaviours.find((b) => b.actuatorId === s.actuatorId)?.runningModes.find((m) => m.id === s.runningModeId);
    (mode?.type === "discrete" ? mode.discreteRunningModeElement : mode?.continuousRunningModeElement)?.forEach(add);
  }
  sd.leakageBehaviour?.forEach(add);
  return [...cuts].sort((a, b) => a - b);
}

/**
 * The fill level after running each step in turn from `start`. Where no element covers the level
 * in the direction it moves, that mode contributes nothing, so the level stops at the edge of the
 * described range.
 */
export function fillLevelAfter(sd: StorageSystemDescription, start: number, steps: readonly FillStep[]): number {
  let level = start;
  for (const step of steps) {
    let left = (typeof step.duration === "number" ? step.duration : parseDuration(step.duration)) / 1000;
    const cuts = boundsOf(sd, step.settings);
    // Each pass reaches the next bound or uses up the step, so passes are bounded by the cuts.
    for (let pass = 0; left > 0 && pass <= 2 * cuts.length + 2; pass++) {
      let rate = fillRate(sd, step.settings, level, true);
      if (rate <= 0) {
        const down = fillRate(sd, step.settings, level, false);
        if (down >= 0) break;
        rate = down;
      }
      const next = rate > 0 ? cuts.find((c) => c > level) : [...cuts].reverse().find((c) => c < level);
      const toNext = next === undefined ? Infinity : (next - level) / rate;
      if (toNext >= left) {
        level += rate * left;
        left = 0;
      } else {
        level = next!;
        left -= toNext;
      }
    }
  }
  return level;
}

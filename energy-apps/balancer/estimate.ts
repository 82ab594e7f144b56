// The site's grid power as the balancer plans with it. The connection meter's reading lags the
// balancer's own instructions: a device told to discharge at 12:00:01 shows in a meter reading
// taken at 12:00:00 with its old power. Planning again on that reading would ask the battery for
// more, then less: an oscillation. So a device instructed after the reading it shows in is
// "settling": it is counted at its planned power (grid - measured + planned) and left as asked.
// When the device already reports a newer power than the meter's reading, what the meter saw of
// it is unknown: the balancer holds (plans nothing) until the meter catches up.
import type { DeviceView } from "../../src/app/model.ts";
import { isHolding, type TrackedInstruction } from "../../src/app/tracker.ts";
import { adjustableModeValues, storageModeValues, type EfiInstruction } from "../../src/efi/index.ts";

const power = (d: DeviceView) => d.sample("power")?.v ?? 0;

/** The site's measured grid power, W (import positive): the ROLE=grid meter's, else the sum of the devices'. */
export function gridPower(devices: readonly DeviceView[]): number {
  const grid = devices.find((d) => d.tags.ROLE === "grid");
  return grid ? power(grid) : devices.reduce((w, d) => w + power(d), 0);
}

/** The power a storage or adjustable instruction asks of the device, W; undefined for other kinds. */
export function plannedPower(d: DeviceView, i: EfiInstruction): number | undefined {
  if (i.kind === "StorageInstruction") {
    const a = i.actuatorInstructions[0];
    const behaviour = d.latest("StorageSystemDescription")?.actuatorBehaviours.find((b) => b.actuatorId === a?.actuatorId);
    const mode = behaviour?.runningModes.find((m) => m.id === a?.runningModeId);
    const fill = d.latest("StorageStatus")?.currentFillLevel;
    return mode && fill !== undefined ? storageModeValues(mode, fill, a?.runningModeFactor ?? 0)?.electricalPower : undefined;
  }
  if (i.kind === "AdjustableInstruction") {
    const mode = d.latest("AdjustableSystemDescription")?.runningModes.find((m) => m.id === i.runningModeId);
    return mode && adjustableModeValues(mode, i.runningModeFactor ?? 0).electricalPower;
  }
  return undefined;
}

export interface Settling {
  rid: string;
  measuredW: number;
  plannedW: number;
  /** The device's reading is no newer than the grid reading: the grid reading includes measuredW. */
  seen: boolean;
}

/**
 * Devices the balancer instructed after the reading the grid power comes from (the meter's, or
 * the device's own when there is no meter), with the power they were asked for.
 */
export function settling(devices: readonly DeviceView[], instructions: ReadonlyMap<string, TrackedInstruction>): Settling[] {
  const meter = devices.find((d) => d.tags.ROLE === "grid");
  return devices.flatMap((d) => {
    const t = instructions.get(d.rid);
    const readAt = (meter ?? d).sample("power")?.t ?? 0;
    if (d === meter || !t || !(isHolding(t.state) || t.state === "SUCCEEDED") || readAt >= t.sentAt) return [];
    const plannedW = plannedPower(d, t.instruction);
    return plannedW === undefined ? [] : [{ rid: d.rid, measuredW: power(d), plannedW, seen: (d.sample("power")?.t ?? 0) <= readAt }];
  });
}

/** The grid power with every settling device at its planned power: grid - measured + planned. */
export const estimatedGrid = (measuredGridW: number, s: readonly Settling[]) => s.reduce((w, x) => w - x.measuredW + x.plannedW, measuredGridW);

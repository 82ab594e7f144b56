// What the app knows of a feeder's flow: its total from the sites' readings, and whether those
// readings already show the app's latest instructions.
import type { DeviceView } from "../../src/app/model.ts";
import { isHolding, type TrackedInstruction } from "../../src/app/tracker.ts";
import { parseDuration } from "../../src/efi/index.ts";

const power = (d: DeviceView) => d.sample("power")?.v ?? 0;
const readAt = (d: DeviceView) => d.sample("power")?.t ?? 0;
const siteOf = (d: DeviceView) => String(d.tags.SITE ?? d.rid);
/** A site's connection meter (ROLE=grid): it measures the household and every device behind it. */
const meterOf = (site: readonly DeviceView[]) => site.find((d) => d.tags.ROLE === "grid");

function bySite(devices: readonly DeviceView[]): Map<string, DeviceView[]> {
  const sites = new Map<string, DeviceView[]>();
  for (const d of devices) sites.set(siteOf(d), [...(sites.get(siteOf(d)) ?? []), d]);
  return sites;
}

/** The feeder's total import, W (export negative): per site its meter, else the sum of its devices. */
export function feederTotal(devices: readonly DeviceView[]): number {
  let total = 0;
  for (const site of bySite(devices).values()) {
    const meter = meterOf(site);
    total += meter ? power(meter) : site.reduce((w, d) => w + power(d), 0);
  }
  return total;
}

/** How long the device may take to act on an instruction (its registration's instructionProcessingDelay), ms. */
function processingMs(d: DeviceView): number {
  const delay = (d.latest("StorageRegistration") ?? d.latest("AdjustableRegistration"))?.instructionProcessingDelay;
  try {
    return delay ? parseDuration(delay) : 0;
  } catch {
    return 0;
  }
}

/** The instruction holds at the device (or will): the app's to hand back. */
export const holds = (t: TrackedInstruction | undefined): t is TrackedInstruction => !!t && (isHolding(t.state) || t.state === "SUCCEEDED");

/** Readings that do not come within this of an instruction taking effect are not waited for (a meter gone quiet), ms. */
export const SETTLE_MAX_MS = 30_000;

/**
 * Devices whose latest instruction from the app the readings may not show yet: the device's own
 * power or its site's meter was read before the instruction could take effect. Planning on such
 * readings mixes old and new (a battery already discharging, a meter that has not seen it) and
 * would ask for the same relief twice, so the app waits for the next readings, at most SETTLE_MAX_MS.
 */
export function unsettled(devices: readonly DeviceView[], instructions: ReadonlyMap<string, TrackedInstruction>, now: number): string[] {
  const sites = bySite(devices);
  return devices.flatMap((d) => {
    const t = instructions.get(d.rid);
    if (!holds(t)) return [];
    const effective = t.sentAt + processingMs(d);
    if (now >= effective + SETTLE_MAX_MS) return [];
    const meter = meterOf(sites.get(siteOf(d))!);
    return readAt(d) < effective || (meter && readAt(meter) < effective) ? [d.rid] : [];
  });
}

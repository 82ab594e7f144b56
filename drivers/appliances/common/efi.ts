// EFI pieces the three mappings share. Pure.
import { createHash } from "node:crypto";
import { formatDateTime, type Header, type TimerUpdate } from "../../../src/efi/index.ts";

export const header = (resourceId: string, now: Date): Header => ({ efiResourceId: resourceId, timestamp: formatDateTime(now.getTime()) });

/**
 * An update id that is a hash of the update's content (without header and validFrom): it stays
 * the same, and an app's instruction stays valid, for as long as the flexibility does.
 */
export function contentId(prefix: string, content: unknown): string {
  const digest = createHash("sha256").update(JSON.stringify(content)).digest("base64url").slice(0, 16).replace(/[^A-Za-z0-9]/g, "0");
  return `${prefix}-${digest}`;
}

/** A status's id: statuses change with every read. */
export const statusId = (now: Date): string => `st-${now.getTime()}`;

// Six significant digits: enough for any plan, and register jitter does not change a description.
export const round = (v: number): number => (v === 0 ? 0 : Number(v.toPrecision(6)));

/** Timer updates from the seconds the device says each timer still runs (finished ones left out). */
export function timerUpdates(left: readonly { timerId: number; seconds: number }[], now: Date): TimerUpdate[] {
  return left.filter((t) => t.seconds > 0).map((t) => ({ timerId: t.timerId, finishedAt: formatDateTime(now.getTime() + t.seconds * 1000) }));
}

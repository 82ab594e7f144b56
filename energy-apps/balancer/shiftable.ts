// When the balancer starts a waiting dishwasher (Shiftable): as soon as the surplus left after the
// batteries covers its highest phase; or, within `leadMs` of the latest start that still meets the
// deadline, as soon as the import limit has room for it (so its own last-minute start does not
// land on a peak). Otherwise the device starts by itself at the latest start.
import type { DeviceView } from "../../src/app/model.ts";
import type { AppAction, InstructionDraft } from "../../src/app/types.ts";
import { acceptable } from "../../src/app/flexibility.ts";
import { formatDateTime, parseDateTime, parseDuration } from "../../src/efi/index.ts";

export interface ShiftLimits { targetW: number; importLimitW: number; leadMs: number }

/** The start of the first alternative that may start now, with the power it adds (its highest phase). */
export function shiftableStart(d: DeviceView, netW: number, limits: ShiftLimits, now: Date): { action: AppAction; powerW: number } | undefined {
  const update = d.latest("ShiftableUpdate");
  const sequence = update?.sequentialProfiles[0];
  // One sequence only: a later sequence's start depends on the first one's end, not on this plan.
  if (!update || !sequence || update.sequentialProfiles.length !== 1) return undefined;
  const endBefore = update.endBefore ? parseDateTime(update.endBefore) : Infinity;
  const alternatives = sequence.sequentialProfileAlternatives.map((alt) => {
    const phases = alt.electricityProfile ?? [];
    const peak = Math.max(0, ...phases.map((e) => e.power));
    const latestStart = endBefore - phases.reduce((ms, e) => ms + parseDuration(e.duration), 0);
    return { alt, peak, surplus: netW + peak <= limits.targetW, due: now.getTime() >= latestStart - limits.leadMs && netW + peak <= limits.importLimitW };
  });
  // On surplus first: a due start with import only when no alternative runs on the surplus.
  for (const { alt, peak } of [...alternatives.filter((a) => a.surplus), ...alternatives.filter((a) => a.due && !a.surplus)]) {
    const instruction: InstructionDraft = {
      kind: "ShiftableInstruction", flexibilityUpdateId: update.flexibilityUpdateId, isEmergencyInstruction: false,
      sequentialProfileInstructions: [{ sequenceNr: sequence.sequenceNr, alternativeNr: alt.alternativeNr, startTime: formatDateTime(now.getTime()) }],
    };
    if (acceptable(d, instruction, now)) return { action: { type: "instruct", rid: d.rid, intent: `start ${alt.alternativeNr}`, instruction }, powerW: peak };
  }
  return undefined;
}

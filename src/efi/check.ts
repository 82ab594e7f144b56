// Rules that need more than the message itself: an instruction or a status read against the
// system description, update or options it refers to. Issues carry the same XML paths as decode errors.
import { parseDateTime } from "./duration.ts";
import type { EfiIssue } from "./errors.ts";
import { xmlPath } from "./codec/paths.ts";
import {
  MESSAGES, type AdjustableStatus, type AdjustableSystemDescription, type EfiInstruction, type EfiMessage, type InflexibleCurtailmentOptions,
  type MessageKind, type ShiftableUpdate, type StorageStatus, type StorageSystemDescription,
} from "./model/messages.ts";
import { blockingTimers, findTransition, startTimers, timerState, type Behaviour } from "./reachable.ts";
import { profileDurationMs } from "./profile.ts";

/** What the device currently publishes; give what the check at hand needs. */
export interface EfiContext {
  storageSystemDescription?: StorageSystemDescription;
  storageStatus?: StorageStatus;
  adjustableSystemDescription?: AdjustableSystemDescription;
  adjustableStatus?: AdjustableStatus;
  shiftableUpdate?: ShiftableUpdate;
  curtailmentOptions?: InflexibleCurtailmentOptions;
  /** flexibilityUpdateIds an instruction may answer; by default those of the updates above. */
  currentUpdateIds?: readonly string[];
  /** Epoch ms; instructions starting earlier start now. Default Date.now(). */
  now?: number;
}

/** A lookup of the latest message of each kind (a device's published control space, an app's view of it). */
export type LatestLookup = <K extends MessageKind>(kind: K) => Extract<EfiMessage, { kind: K }> | undefined;

/** The context an instruction is checked in, from the latest messages of a control space. */
export function contextOf(latest: LatestLookup): EfiContext {
  const ctx: EfiContext = {};
  const put = <K extends keyof EfiContext>(k: K, v: EfiContext[K] | undefined) => { if (v) ctx[k] = v; };
  put("storageSystemDescription", latest("StorageSystemDescription"));
  put("storageStatus", latest("StorageStatus"));
  put("adjustableSystemDescription", latest("AdjustableSystemDescription"));
  put("adjustableStatus", latest("AdjustableStatus"));
  put("shiftableUpdate", latest("ShiftableUpdate"));
  put("curtailmentOptions", latest("InflexibleCurtailmentOptions"));
  return ctx;
}

type Path = (string | number)[];
type Report = (path: Path, reason: string) => void;

function collector(message: { kind: keyof typeof MESSAGES }): [EfiIssue[], Report] {
  const issues: EfiIssue[] = [];
  const shape = MESSAGES[message.kind].shape;
  return [issues, (path, reason) => issues.push({ path: xmlPath(message.kind, shape, message, path), reason })];
}

interface Modes extends Behaviour {
  runningModes: readonly { id: number; type: "discrete" | "continuous" }[];
}

function mode(b: Modes, id: number) {
  return b.runningModes.find((m) => m.id === id);
}

/** Checks a mode reference and its factor: continuous modes need one. */
function checkMode(b: Modes, id: number, factor: number | undefined, at: Path, modeKey: string, report: Report) {
  const m = mode(b, id);
  if (!m) report([...at, modeKey], `no running mode ${id}`);
  else if (m.type === "continuous" && factor === undefined) report([...at, modeKey], `running mode ${id} is continuous and needs a runningModeFactor in [0,1]`);
  return m;
}

/**
 * A chain of mode changes from the current mode: each step needs a transition whose blocking
 * timers have finished by the time it starts; taking it starts its timers.
 */
function checkTransitions(b: Modes, from: number, timers: Map<number, number>, steps: { at: Path; to: number; start: number }[], report: Report) {
  let current = from;
  let state = timers;
  for (const s of [...steps].sort((x, y) => x.start - y.start)) {
    if (s.to === current || !mode(b, s.to)) continue;
    const t = findTransition(b, current, s.to);
    if (!t) {
      report([...s.at, "runningModeId"], `no transition from running mode ${current} to ${s.to}`);
      continue;
    }
    const blocking = blockingTimers(t, state, s.start);
    if (blocking.length) report([...s.at, "startTime"], `transition ${current} -> ${s.to} is blocked by timer ${blocking.join(", ")} at this time`);
    state = startTimers(b, t, state, s.start);
    current = s.to;
  }
}

function updateIdsOf(context: EfiContext): string[] {
  if (context.currentUpdateIds) return [...context.currentUpdateIds];
  const updates = [context.storageSystemDescription, context.storageStatus, context.adjustableSystemDescription, context.adjustableStatus, context.shiftableUpdate, context.curtailmentOptions];
  return updates.flatMap((u) => (u ? [u.flexibilityUpdateId] : []));
}

/** Problems with an instruction given what the device published; empty when it may be executed. */
export function checkInstruction(instruction: EfiInstruction, context: EfiContext): EfiIssue[] {
  const [issues, report] = collector(instruction);
  const now = context.now ?? Date.now();
  const ids = updateIdsOf(context);
  if (ids.length && !ids.includes(instruction.flexibilityUpdateId)) {
    report(["flexibilityUpdateId"], `'${instruction.flexibilityUpdateId}' is not a current update (${ids.join(", ")})`);
  }
  const startOf = (t: string) => Math.max(now, parseDateTime(t));
  switch (instruction.kind) {
    case "StorageInstruction": {
      const sd = context.storageSystemDescription;
      if (!sd) break;
      const byActuator = new Map<number, { at: Path; to: number; start: number }[]>();
      instruction.actuatorInstructions.forEach((ai, i) => {
        const at = ["actuatorInstructions", i];
        const b = sd.actuatorBehaviours.find((x) => x.actuatorId === ai.actuatorId);
        if (!b) return report([...at, "actuatorId"], `no actuator ${ai.actuatorId}`);
        checkMode(b, ai.runningModeId, ai.runningModeFactor, at, "runningModeId", report);
        byActuator.set(ai.actuatorId, [...(byActuator.get(ai.actuatorId) ?? []), { at, to: ai.runningModeId, start: startOf(ai.startTime) }]);
      });
      for (const [actuatorId, steps] of byActuator) {
        const status = context.storageStatus?.actuatorStatuses?.find((s) => s.actuatorId === actuatorId);
        const b = sd.actuatorBehaviours.find((x) => x.actuatorId === actuatorId)!;
        if (status) checkTransitions(b, status.currentRunningMode, timerState(status.timerUpdates), steps, report);
      }
      break;
    }
    case "AdjustableInstruction": {
      const sd = context.adjustableSystemDescription;
      if (!sd) break;
      checkMode(sd, instruction.runningModeId, instruction.runningModeFactor, [], "runningModeId", report);
      const status = context.adjustableStatus;
      if (status) {
        checkTransitions(sd, status.currentRunningModeId, timerState(status.timerUpdates), [{ at: [], to: instruction.runningModeId, start: startOf(instruction.startTime) }], report);
      }
      break;
    }
    case "ShiftableInstruction": {
      const update = context.shiftableUpdate;
      if (!update) break;
      const from = parseDateTime(update.validFrom);
      const end = parseDateTime(update.endBefore);
      instruction.sequentialProfileInstructions.forEach((pi, i) => {
        const at = ["sequentialProfileInstructions", i];
        const seq = update.sequentialProfiles.find((p) => p.sequenceNr === pi.sequenceNr);
        if (!seq) return report([...at, "sequenceNr"], `no sequentialProfile ${pi.sequenceNr} in update ${update.flexibilityUpdateId}`);
        const alt = seq.sequentialProfileAlternatives.find((a) => a.alternativeNr === pi.alternativeNr);
        if (!alt) return report([...at, "alternativeNr"], `sequentialProfile ${pi.sequenceNr} has no alternative ${pi.alternativeNr}`);
        const start = parseDateTime(pi.startTime);
        if (start < from || start > end) return report([...at, "startTime"], `${pi.startTime} is outside the update's window ${update.validFrom} .. ${update.endBefore}`);
        if (start + profileDurationMs(alt) > end) report([...at, "startTime"], `the alternative would run past endBefore ${update.endBefore}`);
      });
      break;
    }
    case "InflexibleInstruction": {
      const options = context.curtailmentOptions;
      if (!options) break;
      const q = instruction.curtailmentProfile.curtailmentQuantity;
      if (!options.curtailmentOptions?.some((o) => o.curtailmentQuantity === q)) report(["curtailmentProfile", "curtailmentQuantity"], `the device offers no curtailment of ${q}`);
      break;
    }
  }
  return issues;
}

/** Problems with a status given the system description it reports on. */
export function checkStatus(status: StorageStatus | AdjustableStatus, context: EfiContext): EfiIssue[] {
  const [issues, report] = collector(status);
  const timersKnown = (b: Behaviour, updates: readonly { timerId: number }[] | undefined, at: Path) =>
    updates?.forEach((u, j) => {
      if (!b.timers?.some((t) => t.id === u.timerId)) report([...at, "timerUpdates", j, "timerId"], `no timer ${u.timerId}`);
    });
  if (status.kind === "StorageStatus") {
    const sd = context.storageSystemDescription;
    status.actuatorStatuses?.forEach((s, i) => {
      const at = ["actuatorStatuses", i];
      const b = sd?.actuatorBehaviours.find((x) => x.actuatorId === s.actuatorId);
      if (!sd) return;
      if (!b) return report([...at, "actuatorId"], `no actuator ${s.actuatorId}`);
      checkMode(b, s.currentRunningMode, s.runningModeFactor, at, "currentRunningMode", report);
      if (s.previousRunningModeId !== undefined && !mode(b, s.previousRunningModeId)) report([...at, "previousRunningModeId"], `no running mode ${s.previousRunningModeId}`);
      timersKnown(b, s.timerUpdates, at);
    });
  } else {
    const sd = context.adjustableSystemDescription;
    if (sd) {
      checkMode(sd, status.currentRunningModeId, status.runningModeFactor, [], "currentRunningModeId", report);
      if (status.previousRunningModeId !== undefined && !mode(sd, status.previousRunningModeId)) report(["previousRunningModeId"], `no running mode ${status.previousRunningModeId}`);
      timersKnown(sd, status.timerUpdates, []);
    }
  }
  return issues;
}

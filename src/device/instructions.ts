// What the runtime remembers of instructions (pure, no timers): their steps by start time, their
// status, and who sent them. Instructions are idempotent by instructionId (DESIGN.md §5.5).
import { parseDateTime, parseDuration, type EfiInstruction } from "../efi/index.ts";
import type { ControlStep, EfiCategory } from "./driver.ts";

export type InstructionState = "ACCEPTED" | "STARTED" | "SUCCEEDED" | "REJECTED" | "ABORTED";

/** Steps that start together; `at` in epoch ms. */
export interface StepGroup {
  at: number;
  steps: ControlStep[];
}

/** The EFI category an instruction kind belongs to. */
export const INSTRUCTION_CATEGORY: Record<EfiInstruction["kind"], EfiCategory> = {
  StorageInstruction: "storage",
  AdjustableInstruction: "adjustable",
  ShiftableInstruction: "shiftable",
  InflexibleInstruction: "inflexible",
};

/** The timed steps of an instruction, in any order. */
function timedSteps(i: EfiInstruction): { at: number; step: ControlStep }[] {
  const factor = (f: number | undefined) => (f !== undefined ? { factor: f } : {});
  switch (i.kind) {
    case "StorageInstruction":
      return i.actuatorInstructions.map((a) => ({
        at: parseDateTime(a.startTime),
        step: { category: "storage", actuatorId: a.actuatorId, runningModeId: a.runningModeId, ...factor(a.runningModeFactor) },
      }));
    case "AdjustableInstruction":
      return [{ at: parseDateTime(i.startTime), step: { category: "adjustable", runningModeId: i.runningModeId, ...factor(i.runningModeFactor) } }];
    case "ShiftableInstruction":
      return i.sequentialProfileInstructions.map((p) => ({
        at: parseDateTime(p.startTime),
        step: { category: "shiftable", sequenceNr: p.sequenceNr, alternativeNr: p.alternativeNr },
      }));
    case "InflexibleInstruction": {
      // Each element caps for its duration; when the profile ends, the cap is lifted.
      const { curtailmentQuantity: quantity, startTime, curtailmentProfileElement: elements } = i.curtailmentProfile;
      let at = parseDateTime(startTime);
      const steps: { at: number; step: ControlStep }[] = [];
      for (const e of elements) {
        steps.push({ at, step: { category: "inflexible", quantity, cap: e.value } });
        at += parseDuration(e.duration);
      }
      return [...steps, { at, step: { category: "inflexible", quantity } }];
    }
  }
}

/** The instruction's steps grouped by start time, earliest first. */
export function planSteps(i: EfiInstruction): StepGroup[] {
  const timed = timedSteps(i);
  const groups = new Map<number, ControlStep[]>();
  for (const t of timed.sort((a, b) => a.at - b.at)) groups.set(t.at, [...(groups.get(t.at) ?? []), t.step]);
  return [...groups].map(([at, steps]) => ({ at, steps }));
}

export interface InstructionRecord {
  id: string;
  kind: EfiInstruction["kind"];
  /** Full JID of the app that sent it: later status updates go there. */
  from: string;
  state: InstructionState;
  /** Why it was rejected or aborted. */
  info?: string;
  /** Groups not applied yet. */
  pending: StepGroup[];
  /** The error text of a rejection, repeated for a repeated instruction. */
  rejection?: { condition: "not-acceptable"; text: string };
}

const FINAL: ReadonlySet<InstructionState> = new Set(["SUCCEEDED", "REJECTED", "ABORTED"]);
export const isFinal = (s: InstructionState) => FINAL.has(s);

/** EFI's status order: a record only moves forward (ACCEPTED -> STARTED -> SUCCEEDED | ABORTED). */
const NEXT: Record<InstructionState, readonly InstructionState[]> = {
  ACCEPTED: ["STARTED", "SUCCEEDED", "ABORTED"],
  STARTED: ["SUCCEEDED", "ABORTED"],
  SUCCEEDED: [],
  REJECTED: [],
  ABORTED: [],
};

/**
 * The instructions a device has seen, newest last, bounded: the oldest finished ones are forgotten
 * first, so a repeat of a recent instruction is recognised without the memory growing forever.
 */
export class InstructionLedger {
  readonly #records = new Map<string, InstructionRecord>();

  constructor(private readonly capacity = 1_000) {}

  get(id: string): InstructionRecord | undefined {
    return this.#records.get(id);
  }

  /** Instructions still running or waiting for their start time. */
  active(): InstructionRecord[] {
    return [...this.#records.values()].filter((r) => !isFinal(r.state));
  }

  add(record: InstructionRecord): InstructionRecord {
    if (this.#records.has(record.id)) throw new Error(`instruction ${record.id} is known already`);
    this.#records.set(record.id, record);
    for (const [id, r] of this.#records) {
      if (this.#records.size <= this.capacity) break;
      if (isFinal(r.state)) this.#records.delete(id);
    }
    return record;
  }

  /** Moves a record on; false (and no change) when EFI's order does not allow it. */
  advance(id: string, state: InstructionState, info?: string): boolean {
    const r = this.#records.get(id);
    if (!r || !NEXT[r.state].includes(state)) return false;
    r.state = state;
    if (info !== undefined) r.info = info;
    if (isFinal(state)) r.pending = [];
    return true;
  }
}

// The app's side of instructions (DESIGN.md §5): what it sent, what each device answered since,
// and which ones went silent. Pure: the runtime feeds it answers and the clock.
import { planSteps } from "../device/instructions.ts";
import type { EfiInstruction, InstructionStatusUpdate } from "../efi/index.ts";

/**
 * EFI's statuses, plus the app's own: SENT (no answer yet), FAILED (refused before EFI's rules:
 * forbidden by provisioning, malformed, unreachable) and TIMEOUT (the device stayed silent).
 */
export type TrackedState = "SENT" | InstructionStatusUpdate["status"] | "FAILED" | "TIMEOUT";

export interface TrackedInstruction {
  readonly id: string;
  readonly rid: string;
  readonly intent: string;
  readonly instruction: EfiInstruction;
  state: TrackedState;
  /** The device's debugInformation, or the error text. */
  info?: string;
  readonly sentAt: number;
  /** States in the order they came, with their time (ms). */
  readonly history: { state: TrackedState; at: number }[];
  /** After this (ms) a device that has not finished the instruction is silent. */
  readonly deadline: number;
}

const FINAL: ReadonlySet<TrackedState> = new Set(["SUCCEEDED", "REJECTED", "ABORTED", "FAILED", "TIMEOUT"]);
export const isSettled = (s: TrackedState) => FINAL.has(s);
/** States in which the instruction holds (or will) at the device. */
export const isHolding = (s: TrackedState) => s === "SENT" || s === "ACCEPTED" || s === "STARTED";

const ORDER: Record<TrackedState, number> = { SENT: 0, ACCEPTED: 1, STARTED: 2, SUCCEEDED: 3, REJECTED: 3, ABORTED: 3, FAILED: 3, TIMEOUT: 3 };

export interface TrackerOptions {
  /** How long a device may take to answer an instruction, ms. */
  answerMs: number;
  /** How long after an instruction's last step its SUCCEEDED may take, ms. */
  graceMs: number;
  /** Finished instructions kept, for lookups of late answers. */
  capacity?: number;
}

export class InstructionTracker {
  readonly #byId = new Map<string, TrackedInstruction>();
  /** The latest instruction per device. */
  readonly latest = new Map<string, TrackedInstruction>();

  constructor(private readonly opts: TrackerOptions) {}

  get(id: string): TrackedInstruction | undefined { return this.#byId.get(id); }

  sent(rid: string, intent: string, instruction: EfiInstruction, now: number): TrackedInstruction {
    const lastStep = Math.max(now, ...planSteps(instruction).map((g) => g.at));
    const t: TrackedInstruction = {
      id: instruction.instructionId, rid, intent, instruction, state: "SENT", sentAt: now,
      history: [{ state: "SENT", at: now }], deadline: lastStep + this.opts.graceMs + this.opts.answerMs,
    };
    this.#byId.set(t.id, t);
    this.latest.set(rid, t);
    this.#forget();
    return t;
  }

  /**
   * Records a status; false when it says nothing new (a repeat, or an older status arriving after
   * a newer one: IQs and pubsub notifications race).
   */
  update(id: string, state: TrackedState, now: number, info?: string): TrackedInstruction | undefined {
    const t = this.#byId.get(id);
    if (!t || isSettled(t.state) || ORDER[state] <= ORDER[t.state]) return undefined;
    t.state = state;
    if (info !== undefined) t.info = info;
    t.history.push({ state, at: now });
    return t;
  }

  /** Instructions that went silent by `now`: marked TIMEOUT and returned. */
  expire(now: number): TrackedInstruction[] {
    const out: TrackedInstruction[] = [];
    for (const t of this.#byId.values()) {
      if (isSettled(t.state)) continue;
      const silent = t.state === "SENT" ? now > t.sentAt + this.opts.answerMs : now > t.deadline;
      if (silent && this.update(t.id, "TIMEOUT", now, t.state === "SENT" ? "no answer" : `no ${t.state === "ACCEPTED" ? "STARTED" : "SUCCEEDED"} by its deadline`)) out.push(t);
    }
    return out;
  }

  all(): TrackedInstruction[] { return [...this.#byId.values()]; }

  #forget(): void {
    const capacity = this.opts.capacity ?? 10_000;
    for (const [id, t] of this.#byId) {
      if (this.#byId.size <= capacity) break;
      if (isSettled(t.state) && this.latest.get(t.rid) !== t) this.#byId.delete(id);
    }
  }
}

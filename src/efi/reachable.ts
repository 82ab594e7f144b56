// Which running modes a device can go to, given its transitions and timers. Pure: the caller
// says what time it is and when each timer finishes.
import { parseDateTime, parseDuration } from "./duration.ts";
import type { Timer, TimerUpdate, Transition } from "./model/types.ts";

export interface Behaviour {
  runningModes: readonly { id: number }[];
  timers?: readonly Timer[] | undefined;
  transitions: readonly Transition[];
}

/** Timer id -> epoch ms at which it finishes. */
export type TimerState = ReadonlyMap<number, number>;

/** Timer state from a status message's timerUpdates. */
export function timerState(updates: readonly TimerUpdate[] | undefined): Map<number, number> {
  return new Map((updates ?? []).map((u) => [u.timerId, parseDateTime(u.finishedAt)]));
}

export function findTransition(b: Behaviour, from: number, to: number): Transition | undefined {
  return b.transitions.find((t) => t.fromRunningModeId === from && t.toRunningModeId === to);
}

/** Ids of the transition's blocking timers still running at `at` (epoch ms). */
export function blockingTimers(t: Transition, timers: TimerState, at: number): number[] {
  return (t.blockingTimers ?? []).map((r) => r.timerId).filter((id) => (timers.get(id) ?? -Infinity) > at);
}

/** Running modes reachable at `now`: the current one, and every target of a transition from it whose blocking timers have finished. */
export function reachableRunningModes(b: Behaviour, current: number, timers: TimerState, now: number): number[] {
  const out = [current];
  for (const t of b.transitions) {
    if (t.fromRunningModeId === current && t.toRunningModeId !== current && blockingTimers(t, timers, now).length === 0) out.push(t.toRunningModeId);
  }
  return out;
}

/** The timer state after taking `t` at `at`: its start timers run from then for their duration. */
export function startTimers(b: Behaviour, t: Transition, timers: TimerState, at: number): Map<number, number> {
  const next = new Map(timers);
  for (const ref of t.startTimers ?? []) {
    const timer = b.timers?.find((x) => x.id === ref.timerId);
    if (timer) next.set(timer.id, at + parseDuration(timer.duration));
  }
  return next;
}

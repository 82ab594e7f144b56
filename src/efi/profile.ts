// Profile arithmetic. EFI profiles are lists of {duration, value} with no start of their own
// (they start at the update's validFrom); here a profile is anchored at an epoch-ms start so
// profiles can be summed, shifted and sampled.
import { formatDuration, parseDuration } from "./duration.ts";

export interface ProfileStep {
  durationMs: number;
  value: number;
}

export interface Profile {
  /** Epoch ms. */
  start: number;
  steps: readonly ProfileStep[];
}

/** Anchors EFI profile elements at `start`, taking `key` as the value (e.g. "power", "expected"). */
export function toProfile<E extends { duration: string }>(elements: readonly E[], key: { [K in keyof E]: E[K] extends number | undefined ? K : never }[keyof E], start: number): Profile {
  return { start, steps: elements.map((e) => ({ durationMs: parseDuration(e.duration), value: (e[key] as number | undefined) ?? 0 })) };
}

/** Back to EFI elements, e.g. an electricityProfile: `fromProfile(p, "power")`. */
export function fromProfile<K extends string>(profile: Profile, key: K): ({ duration: string } & Record<K, number>)[] {
  return profile.steps.map((s) => ({ duration: formatDuration(s.durationMs), [key]: s.value }) as { duration: string } & Record<K, number>);
}

export function profileEnd(p: Profile): number {
  return p.steps.reduce((t, s) => t + s.durationMs, p.start);
}

/** The longest profile of a ProfileContainer (e.g. a shiftable alternative), in ms. */
export function profileDurationMs(container: object): number {
  let longest = 0;
  for (const value of Object.values(container)) {
    if (!Array.isArray(value)) continue;
    longest = Math.max(longest, value.reduce((t: number, e: { duration?: string }) => t + (e.duration ? parseDuration(e.duration) : 0), 0));
  }
  return longest;
}

/** The value at epoch ms `t`: a step covers [its start, its end); undefined outside the profile. */
export function sampleProfile(p: Profile, t: number): number | undefined {
  let at = p.start;
  if (t < at) return undefined;
  for (const s of p.steps) {
    if (t < at + s.durationMs) return s.value;
    at += s.durationMs;
  }
  return undefined;
}

export function shiftProfile(p: Profile, byMs: number): Profile {
  return { start: p.start + byMs, steps: p.steps };
}

/** The sum of profiles over the span they cover together; a profile counts 0 outside its own span. */
export function sumProfiles(...profiles: readonly Profile[]): Profile {
  if (profiles.length === 0) return { start: 0, steps: [] };
  const cuts = new Set<number>();
  for (const p of profiles) {
    let at = p.start;
    cuts.add(at);
    for (const s of p.steps) cuts.add((at += s.durationMs));
  }
  const times = [...cuts].sort((a, b) => a - b);
  const steps: ProfileStep[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const from = times[i]!;
    const value = profiles.reduce((sum, p) => sum + (sampleProfile(p, from) ?? 0), 0);
    const last = steps[steps.length - 1];
    // Neighbouring steps with the same value merge, so the result has no redundant cuts.
    if (last && last.value === value) last.durationMs += times[i + 1]! - from;
    else steps.push({ durationMs: times[i + 1]! - from, value });
  }
  return { start: times[0]!, steps };
}

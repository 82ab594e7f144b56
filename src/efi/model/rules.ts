// Cross-field rules shared by several messages, written against the structural shapes they need.
// They run as zod refinements, so every issue carries a path relative to the node refined.
import type { z } from "zod";

export type Path = (string | number)[];

export function report(ctx: z.RefinementCtx, path: Path, message: string): void {
  ctx.addIssue({ code: "custom", path, message });
}

/** Reports repeated ids; returns the set of ids for reference checks. */
export function uniqueIds<T>(ctx: z.RefinementCtx, items: readonly T[], id: (item: T) => number, path: (i: number) => Path, what: string): Set<number> {
  const seen = new Set<number>();
  items.forEach((item, i) => {
    const v = id(item);
    if (seen.has(v)) report(ctx, path(i), `duplicate ${what} ${v}`);
    seen.add(v);
  });
  return seen;
}

/** lower <= upper, reported on the lower bound. */
export function ordered(ctx: z.RefinementCtx, value: Record<string, unknown>, lowerKey: string, upperKey: string, path: Path = []): void {
  const lower = value[lowerKey] as number;
  const upper = value[upperKey] as number;
  if (lower > upper) report(ctx, [...path, lowerKey], `${lowerKey} ${lower} is above ${upperKey} ${upper}`);
}

export interface FillRange {
  fillLevelLowerBound: number;
  fillLevelUpperBound: number;
}

/** Fill-level elements form a piecewise function: each range well ordered, ranges ascending and touching. */
export function contiguousFillRanges(ctx: z.RefinementCtx, elements: readonly FillRange[], path: Path): void {
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i]!;
    if (el.fillLevelLowerBound > el.fillLevelUpperBound) {
      report(ctx, [...path, i, "fillLevelLowerBound"], `fillLevelLowerBound ${el.fillLevelLowerBound} is above fillLevelUpperBound ${el.fillLevelUpperBound}`);
    }
    const prev = elements[i - 1];
    if (prev && el.fillLevelLowerBound !== prev.fillLevelUpperBound) {
      report(ctx, [...path, i, "fillLevelLowerBound"], `must equal the previous element's fillLevelUpperBound ${prev.fillLevelUpperBound} (elements are ascending and contiguous)`);
    }
  }
}

interface TransitionLike {
  fromRunningModeId: number;
  toRunningModeId: number;
  startTimers?: readonly { timerId: number }[] | undefined;
  blockingTimers?: readonly { timerId: number }[] | undefined;
}

export interface BehaviourLike {
  runningModes: readonly { id: number }[];
  timers?: readonly { id: number }[] | undefined;
  transitions: readonly TransitionLike[];
}

/** Running-mode and timer ids are unique, and every transition names existing modes and timers. */
export function behaviourRules(ctx: z.RefinementCtx, b: BehaviourLike, path: Path = []): void {
  const modes = uniqueIds(ctx, b.runningModes, (m) => m.id, (i) => [...path, "runningModes", i, "id"], "running mode id");
  const timers = uniqueIds(ctx, b.timers ?? [], (t) => t.id, (i) => [...path, "timers", i, "id"], "timer id");
  const pairs = new Set<number>();
  // Paths are built only when something is reported: these rules also run on every encode.
  b.transitions.forEach((t, i) => {
    const at = (...rest: Path) => [...path, "transitions", i, ...rest];
    if (!modes.has(t.fromRunningModeId)) report(ctx, at("fromRunningModeId"), `no running mode ${t.fromRunningModeId}`);
    if (!modes.has(t.toRunningModeId)) report(ctx, at("toRunningModeId"), `no running mode ${t.toRunningModeId}`);
    const pair = t.fromRunningModeId * 4294967296 + t.toRunningModeId;
    if (pairs.has(pair)) report(ctx, at(), `duplicate transition from ${t.fromRunningModeId} to ${t.toRunningModeId}`);
    pairs.add(pair);
    t.startTimers?.forEach((ref, j) => {
      if (!timers.has(ref.timerId)) report(ctx, at("startTimers", j, "timerId"), `no timer ${ref.timerId}`);
    });
    t.blockingTimers?.forEach((ref, j) => {
      if (!timers.has(ref.timerId)) report(ctx, at("blockingTimers", j, "timerId"), `no timer ${ref.timerId}`);
    });
  });
}

/** A continuous mode interpolates between its bounds, so both must give the same quantities. */
export function sameQuantities(ctx: z.RefinementCtx, value: { lowerBound: object; upperBound: object }, path: Path = []): void {
  const lower = value.lowerBound as Record<string, unknown>;
  const upper = value.upperBound as Record<string, unknown>;
  for (const key in lower) {
    if (lower[key] !== undefined && upper[key] === undefined) report(ctx, [...path, "upperBound"], `${key} is given in lowerBound but not in upperBound`);
  }
  for (const key in upper) {
    if (upper[key] !== undefined && lower[key] === undefined) report(ctx, [...path, "lowerBound"], `${key} is given in upperBound but not in lowerBound`);
  }
}

/** The 95 % range contains the 68 % range. */
export function probabilityRanges(ctx: z.RefinementCtx, p: Record<string, unknown>, path: Path = []): void {
  ordered(ctx, p, "the95PPRLower", "the68PPRLower", path);
  ordered(ctx, p, "the68PPRLower", "the68PPRUpper", path);
  ordered(ctx, p, "the68PPRUpper", "the95PPRUpper", path);
}

/** For an XSD choice modelled as optional keys: how many of `keys` are present. */
export function present(value: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((k) => value[k] !== undefined);
}

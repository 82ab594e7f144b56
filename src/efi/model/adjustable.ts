// Adjustable: devices whose running mode may be chosen freely within transitions and timers.
import { choice, message, optional, text, wrapped } from "./dsl.ts";
import { dateTime, factor, int } from "./scalars.ts";
import { flexibilityRegistration, flexibilityUpdate, instruction, supportedCommodities, TimerUpdate, timersAndTransitions } from "./common.ts";
import { AdjustableContinuousRunningMode, AdjustableDiscreteRunningMode } from "./running-modes.ts";
import { behaviourRules, uniqueIds } from "./rules.ts";

export const AdjustableRegistration = message("AdjustableRegistration", { ...flexibilityRegistration, supportedCommodities });

export const AdjustableSystemDescription = message(
  "AdjustableSystemDescription",
  {
    ...flexibilityUpdate,
    runningModes: choice({ discreteRunningMode: AdjustableDiscreteRunningMode, continuousRunningMode: AdjustableContinuousRunningMode }),
    ...timersAndTransitions,
  },
  (d, ctx) => behaviourRules(ctx, d),
);

export const AdjustableStatus = message(
  "AdjustableStatus",
  {
    ...flexibilityUpdate,
    currentRunningModeId: text(int),
    runningModeFactor: optional(text(factor, "required when the current mode is continuous")),
    previousRunningModeId: optional(text(int)),
    transitionTimestamp: optional(text(dateTime)),
    timerUpdates: wrapped("timerUpdate", TimerUpdate, 0),
  },
  (s, ctx) => {
    uniqueIds(ctx, s.timerUpdates, (t) => t.timerId, (i) => ["timerUpdates", i, "timerId"], "timerId");
  },
);

export const AdjustableInstruction = message("AdjustableInstruction", {
  ...instruction,
  runningModeId: text(int),
  runningModeFactor: optional(text(factor, "required when the mode is continuous")),
  startTime: text(dateTime),
});

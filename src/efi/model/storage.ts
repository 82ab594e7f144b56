// Storage: devices with a fill level (battery charge, boiler temperature) moved by actuators.
import { attr, child, choice, list, message, node, optional, text, wrapped } from "./dsl.ts";
import { dateTime, double, duration, factor, int, string } from "./scalars.ts";
import {
  commodity, flexibilityRegistration, flexibilityUpdate, instruction, PER_S, ProbabilityElement, TimerUpdate, timersAndTransitions,
} from "./common.ts";
import { StorageContinuousRunningMode, StorageDiscreteRunningMode } from "./running-modes.ts";
import { behaviourRules, contiguousFillRanges, ordered, present, report, uniqueIds } from "./rules.ts";

export const Actuator = node({ id: attr(int), label: optional(attr(string)), supportedCommodity: list(commodity) });

export const StorageRegistration = message(
  "StorageRegistration",
  {
    ...flexibilityRegistration,
    fillLevelLabel: text(string, "informative, e.g. State of charge"),
    fillLevelUnit: text(string, "informative, e.g. %, kWh, degC"),
    actuators: wrapped("actuator", Actuator),
  },
  (r, ctx) => {
    uniqueIds(ctx, r.actuators, (a) => a.id, (i) => ["actuators", i, "id"], "actuator id");
  },
);

export const ActuatorBehaviour = node(
  {
    actuatorId: attr(int),
    runningModes: choice({ discreteRunningMode: StorageDiscreteRunningMode, continuousRunningMode: StorageContinuousRunningMode }),
    ...timersAndTransitions,
  },
  (b, ctx) => behaviourRules(ctx, b),
);

export const LeakageElement = node({
  fillLevelLowerBound: attr(double),
  fillLevelUpperBound: attr(double),
  leakageRate: attr(double, `${PER_S}; positive lowers the fill level`),
});

export const StorageSystemDescription = message(
  "StorageSystemDescription",
  {
    ...flexibilityUpdate,
    actuatorBehaviours: wrapped("actuatorBehaviour", ActuatorBehaviour),
    leakageBehaviour: optional(wrapped("leakageElement", LeakageElement)),
  },
  (d, ctx) => {
    uniqueIds(ctx, d.actuatorBehaviours, (b) => b.actuatorId, (i) => ["actuatorBehaviours", i, "actuatorId"], "actuatorId");
    if (d.leakageBehaviour) contiguousFillRanges(ctx, d.leakageBehaviour, ["leakageBehaviour"]);
  },
);

export const ActuatorStatus = node(
  {
    actuatorId: attr(int),
    currentRunningMode: text(int),
    runningModeFactor: optional(text(factor, "required when the current mode is continuous")),
    previousRunningModeId: optional(text(int)),
    transitionTimestamp: optional(text(dateTime)),
    timerUpdates: optional(wrapped("timerUpdate", TimerUpdate, 0)),
  },
  (s, ctx) => {
    uniqueIds(ctx, s.timerUpdates ?? [], (t) => t.timerId, (i) => ["timerUpdates", i, "timerId"], "timerId");
  },
);

export const StorageStatus = message(
  "StorageStatus",
  {
    ...flexibilityUpdate,
    currentFillLevel: text(double, "in the registration's fillLevelUnit"),
    actuatorStatuses: optional(wrapped("actuatorStatus", ActuatorStatus)),
  },
  (s, ctx) => {
    uniqueIds(ctx, s.actuatorStatuses ?? [], (a) => a.actuatorId, (i) => ["actuatorStatuses", i, "actuatorId"], "actuatorId");
  },
);

export const TargetProfileElement = node(
  { duration: attr(duration), fillLevelLowerBound: attr(double), fillLevelUpperBound: attr(double) },
  (e, ctx) => ordered(ctx, e, "fillLevelLowerBound", "fillLevelUpperBound"),
);

export const StorageFillLevelTargetProfile = message("StorageFillLevelTargetProfile", {
  ...flexibilityUpdate,
  targetProfile: wrapped("element", TargetProfileElement),
});

export const UsageProfileElement = node({ duration: attr(duration), usageRate: attr(double, `${PER_S}; positive lowers the fill level`) });

const usageChoice = ["usageProfile", "usageProbabilityProfile"] as const;

export const UsageForecast = node(
  {
    usageProfile: optional(wrapped("element", UsageProfileElement)),
    usageProbabilityProfile: optional(wrapped("usageRateElement", ProbabilityElement)),
  },
  (f, ctx) => {
    const given = present(f, usageChoice);
    if (given.length !== 1) report(ctx, [], `needs exactly one of ${usageChoice.join(", ")} (has ${given.length})`);
  },
);

export const StorageUsageForecast = message("StorageUsageForecast", { ...flexibilityUpdate, usageForecast: child(UsageForecast) });

export const ActuatorInstruction = node({
  actuatorId: attr(int),
  runningModeId: text(int),
  runningModeFactor: optional(text(factor, "required when the mode is continuous")),
  startTime: text(dateTime),
});

export const StorageInstruction = message("StorageInstruction", {
  ...instruction,
  actuatorInstructions: wrapped("actuatorInstruction", ActuatorInstruction),
});

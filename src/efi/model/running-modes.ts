// Running modes: discrete ones have fixed values, continuous ones a lowerBound (factor 0) and an
// upperBound (factor 1) between which every quantity is interpolated together.
import { attr, child, list, node, optional, tag, text } from "./dsl.ts";
import { decimal, double, int, string } from "./scalars.ts";
import { DEGC, M3S, PER_S, W } from "./common.ts";
import { contiguousFillRanges, sameQuantities } from "./rules.ts";

const modeHead = { id: attr(int), label: attr(string) };

/** What a device consumes or produces in a mode; all optional, as in the XSD. */
const quantities = {
  runningCost: optional(text(decimal, "per second, in the registration's currency")),
  electricalPower: optional(text(double, W)),
  gasFlowRate: optional(text(double, M3S)),
  heatTemperature: optional(text(double, DEGC)),
  heatFlowRate: optional(text(double, M3S)),
  heatThermalPower: optional(text(double, W)),
};

export const AdjustableModeData = node(quantities);

export const AdjustableDiscreteRunningMode = node({ type: tag("discrete"), ...modeHead, ...quantities });

export const AdjustableContinuousRunningMode = node(
  { type: tag("continuous"), ...modeHead, lowerBound: child(AdjustableModeData), upperBound: child(AdjustableModeData) },
  (m, ctx) => sameQuantities(ctx, m),
);

const storageQuantities = { fillingRate: text(double, `${PER_S}; negative empties the storage`), ...quantities };

export const StorageModeData = node(storageQuantities);

const fillRange = {
  fillLevelLowerBound: attr(double, "this element applies from this fill level"),
  fillLevelUpperBound: attr(double, "up to this fill level"),
};

export const DiscreteRunningModeElement = node({ ...fillRange, ...storageQuantities });

export const StorageDiscreteRunningMode = node(
  { type: tag("discrete"), ...modeHead, discreteRunningModeElement: list(DiscreteRunningModeElement) },
  (m, ctx) => contiguousFillRanges(ctx, m.discreteRunningModeElement, ["discreteRunningModeElement"]),
);

export const ContinuousRunningModeElement = node(
  { ...fillRange, lowerBound: child(StorageModeData), upperBound: child(StorageModeData) },
  (e, ctx) => sameQuantities(ctx, e),
);

export const StorageContinuousRunningMode = node(
  { type: tag("continuous"), ...modeHead, continuousRunningModeElement: list(ContinuousRunningModeElement) },
  (m, ctx) => contiguousFillRanges(ctx, m.continuousRunningModeElement, ["continuousRunningModeElement"]),
);

// Inflexible: devices whose consumption or production cannot be shifted, at most curtailed.
import { attr, child, list, message, node, optional, wrapped } from "./dsl.ts";
import { dateTime, double, duration } from "./scalars.ts";
import {
  CurtailmentRange, curtailmentQuantity, flexibilityRegistration, flexibilityUpdate, instruction, ProfileContainer, supportedCommodities,
} from "./common.ts";

export const InflexibleRegistration = message("InflexibleRegistration", { ...flexibilityRegistration, supportedCommodities });

export const InflexibleForecast = message("InflexibleForecast", {
  ...flexibilityUpdate,
  forecastProfiles: child(ProfileContainer, "the expected profile per commodity, starting at validFrom"),
});

export const CurtailmentOption = node({
  curtailmentQuantity: attr(curtailmentQuantity),
  minimalCurtailmentDuration: optional(attr(duration, "a curtailment lasts at least this long; absent means PT0S")),
  curtailmentRange: list(CurtailmentRange),
});

export const InflexibleCurtailmentOptions = message("InflexibleCurtailmentOptions", {
  ...flexibilityUpdate,
  curtailmentOptions: optional(wrapped("curtailmentOption", CurtailmentOption, 0)),
});

export const CurtailmentProfile = node({
  curtailmentQuantity: attr(curtailmentQuantity),
  startTime: attr(dateTime),
  curtailmentProfileElement: list(
    node({
      duration: attr(duration),
      value: attr(double, "a cap in the quantity's unit: positive caps consumption, negative caps production"),
    }),
  ),
});

export const InflexibleInstruction = message("InflexibleInstruction", { ...instruction, curtailmentProfile: child(CurtailmentProfile) });

// Types shared by the control spaces: the envelope, abstract bases, profiles, timers, transitions.
import { attr, child, node, optional, text, wrapped, type Desc } from "./dsl.ts";
import { boolean, dateTime, double, duration, enumeration, identifier, int, string } from "./scalars.ts";
import { CURRENCIES } from "./currency.ts";
import { ordered, present, probabilityRanges, report } from "./rules.ts";

export const commodity = enumeration("efi:CommodityEnum", ["ELECTRICITY", "GAS", "HEAT"]);
export const curtailmentQuantity = enumeration("efi:CurtailmentQuantity", [
  "ELECTRICITY.POWER", "GAS.FLOWRATE", "HEAT.TEMPERATURE", "HEAT.FLOWRATE", "HEAT.THERMALPOWER",
]);
export const instructionStatus = enumeration("efi:InstructionStatus", ["ACCEPTED", "STARTED", "SUCCEEDED", "REJECTED", "ABORTED"]);
// "Gas Geater" is the XSD's own spelling.
export const deviceClass = enumeration("efi:DeviceClass", [
  "Refrigerator", "Freezer", "Water Cooler", "Water Heater", "Washing Machine", "Clothes Dryer", "Combo Washer Dryer",
  "Drying Cabinet", "Dishwasher", "Heatpump", "Micro-CHP", "Stationary Battery", "Electrical Vehicle", "PV Panel",
  "Windmill", "Solar Collector", "Air Conditioner", "Ventilation", "Air Quality Appliance", "Gas Geater",
  "Floor Heating", "Generator", "Miscellaneous",
]);
export const currency = enumeration("efi:CurrencyType", CURRENCIES);

export const W = "W; consumption is positive, production negative";
export const M3S = "m3/s";
export const DEGC = "degC";
export const PER_S = "fill-level units per second";

export const Header = node({
  efiResourceId: text(identifier, "the resource (device) this message is about"),
  timestamp: text(dateTime, "when the message was made"),
});

/** EfiMessage: every message has a header (the efiVersion attribute is the codec's business). */
export const efiMessage = { header: child(Header) };

export const DeviceDescription = node({
  deviceClass: text(deviceClass),
  serialNumber: optional(text(string)),
  label: optional(text(string)),
});

export const supportedCommodities = wrapped("commodityType", commodity);

export const flexibilityRegistration = {
  ...efiMessage,
  instructionProcessingDelay: text(duration, "how long the device needs to act on an instruction"),
  deviceDescription: child(DeviceDescription),
  currency: optional(text(currency, "ISO 4217; the unit of every cost")),
};

export const flexibilityUpdate = {
  ...efiMessage,
  flexibilityUpdateId: text(identifier, "instructions answer an update by this id"),
  validFrom: text(dateTime, "profiles start here"),
};

export const instruction = {
  ...efiMessage,
  instructionId: text(identifier),
  flexibilityUpdateId: text(identifier, "the update this instruction answers"),
  isEmergencyInstruction: text(boolean),
};

const probability = {
  the68PPRLower: attr(double),
  the95PPRLower: attr(double),
  expected: attr(double),
  the95PPRUpper: attr(double),
  the68PPRUpper: attr(double),
};

/** Expected value with 68 % and 95 % prediction ranges, in the unit of the profile's quantity. */
export const ProbabilityAttributes = node(probability, (p, ctx) => probabilityRanges(ctx, p));
export const ProbabilityElement = node({ duration: attr(duration), ...probability }, (p, ctx) => probabilityRanges(ctx, p));

const profileElement = <F extends Record<string, Desc>>(values: F) => node({ duration: attr(duration), ...values });

export const ElectricityProfileElement = profileElement({ power: attr(double, W) });
export const GasProfileElement = profileElement({ flowRate: attr(double, M3S) });
export const HeatProfileElement = profileElement({
  temperature: optional(attr(double, DEGC)),
  flowRate: optional(attr(double, M3S)),
  thermalPower: optional(attr(double, W)),
});
export const HeatProbabilityElement = node({
  duration: attr(duration),
  temperature: optional(child(ProbabilityAttributes, DEGC)),
  flowRate: optional(child(ProbabilityAttributes, M3S)),
  thermalPower: optional(child(ProbabilityAttributes, W)),
});

/** ProfileContainer: per commodity, at most one of the plain and the probability profile. Profiles start at validFrom. */
export const profileContainer = {
  electricityProfile: optional(wrapped("element", ElectricityProfileElement)),
  electricityProbabilityProfile: optional(wrapped("powerElement", ProbabilityElement)),
  gasProfile: optional(wrapped("element", GasProfileElement)),
  gasProbabilityProfile: optional(wrapped("flowRateElement", ProbabilityElement)),
  heatProfile: optional(wrapped("element", HeatProfileElement)),
  heatProbabilityProfile: optional(wrapped("element", HeatProbabilityElement)),
};

export function profileChoices(value: Record<string, unknown>, ctx: Parameters<typeof report>[0]): void {
  for (const c of ["electricity", "gas", "heat"]) {
    const given = present(value, [`${c}Profile`, `${c}ProbabilityProfile`]);
    if (given.length > 1) report(ctx, [given[1]!], `a ${c} profile is given twice: ${given.join(" and ")} (choose one)`);
  }
}

export const ProfileContainer = node(profileContainer, profileChoices);

export const Timer = node({
  id: attr(int),
  label: attr(string),
  duration: attr(duration, "runs this long once started by a transition"),
});

export const TimerReference = node({ timerId: attr(int) });

export const Transition = node({
  fromRunningModeId: attr(int),
  toRunningModeId: attr(int),
  transitionCost: optional(attr(double, "in the registration's currency, once per transition")),
  transitionDuration: optional(attr(duration)),
  startTimers: optional(wrapped("timerReference", TimerReference)),
  blockingTimers: optional(wrapped("timerReference", TimerReference)),
});

/** Timers and transitions as an actuator or adjustable device declares them. */
export const timersAndTransitions = {
  timers: optional(wrapped("timer", Timer)),
  transitions: wrapped("transition", Transition),
};

export const TimerUpdate = node({
  timerId: attr(int),
  finishedAt: text(dateTime, "the timer blocks its transitions until then"),
});

export const CurtailmentRange = node({ lowerBound: attr(double), upperBound: attr(double) }, (r, ctx) => ordered(ctx, r, "lowerBound", "upperBound"));

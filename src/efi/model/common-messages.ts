// The messages every control space shares.
import { attr, child, message, node, optional, text } from "./dsl.ts";
import { dateTime, double, identifier, string } from "./scalars.ts";
import { DEGC, efiMessage, instructionStatus, M3S, W } from "./common.ts";
import { present, report } from "./rules.ts";

export const InstructionStatusUpdate = message("InstructionStatusUpdate", {
  ...efiMessage,
  instructionId: text(identifier),
  status: text(instructionStatus, "REJECTED is final; ACCEPTED or STARTED lead to SUCCEEDED or ABORTED"),
  debugInformation: optional(text(string)),
});

/** Invalidates every update the device sent; its registration stays valid. */
export const FlexibilityRevoke = message("FlexibilityRevoke", { ...efiMessage });

export const InstructionRevoke = message("InstructionRevoke", { ...efiMessage, instructionId: text(identifier) });

const measured = ["electricityMeasurement", "gasMeasurement", "heatMeasurement"] as const;

export const Measurement = message(
  "Measurement",
  {
    ...efiMessage,
    measurementTimestamp: text(dateTime),
    electricityMeasurement: optional(child(node({ power: attr(double, W) }))),
    gasMeasurement: optional(child(node({ flowRate: attr(double, M3S) }))),
    heatMeasurement: optional(
      child(node({ temperature: optional(attr(double, DEGC)), flowRate: optional(attr(double, M3S)), thermalPower: optional(attr(double, W)) })),
    ),
  },
  (m, ctx) => {
    if (present(m, measured).length === 0) report(ctx, [], `needs at least one of ${measured.join(", ")}`);
  },
);

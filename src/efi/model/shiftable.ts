// Shiftable: a run of sequential profiles (each with alternatives) the energy app may start later.
import { attr, message, node, text, wrapped } from "./dsl.ts";
import { dateTime, duration, int } from "./scalars.ts";
import { flexibilityRegistration, flexibilityUpdate, instruction, profileChoices, profileContainer, supportedCommodities } from "./common.ts";
import { report, uniqueIds } from "./rules.ts";

export const ShiftableRegistration = message("ShiftableRegistration", { ...flexibilityRegistration, supportedCommodities });

export const SequentialProfileAlternative = node({ alternativeNr: attr(int), ...profileContainer }, profileChoices);

export const SequentialProfile = node(
  {
    sequenceNr: attr(int),
    maxIntervalBefore: text(duration, "longest pause allowed between the previous sequence's end and this one's start"),
    sequentialProfileAlternatives: wrapped("sequentialProfileAlternative", SequentialProfileAlternative),
  },
  (p, ctx) => {
    uniqueIds(ctx, p.sequentialProfileAlternatives, (a) => a.alternativeNr, (i) => ["sequentialProfileAlternatives", i, "alternativeNr"], "alternativeNr");
  },
);

export const ShiftableUpdate = message(
  "ShiftableUpdate",
  {
    ...flexibilityUpdate,
    endBefore: text(dateTime, "every sequence must have finished by then"),
    sequentialProfiles: wrapped("sequentialProfile", SequentialProfile),
  },
  (u, ctx) => {
    if (Date.parse(u.endBefore) < Date.parse(u.validFrom)) report(ctx, ["endBefore"], `endBefore ${u.endBefore} is before validFrom ${u.validFrom}`);
    uniqueIds(ctx, u.sequentialProfiles, (p) => p.sequenceNr, (i) => ["sequentialProfiles", i, "sequenceNr"], "sequenceNr");
  },
);

export const SequentialProfileInstruction = node({
  sequenceNr: text(int),
  alternativeNr: text(int),
  startTime: text(dateTime),
});

export const ShiftableInstruction = message(
  "ShiftableInstruction",
  { ...instruction, sequentialProfileInstructions: wrapped("sequentialProfileInstruction", SequentialProfileInstruction) },
  (m, ctx) => {
    uniqueIds(ctx, m.sequentialProfileInstructions, (p) => p.sequenceNr, (i) => ["sequentialProfileInstructions", i, "sequenceNr"], "sequenceNr");
  },
);

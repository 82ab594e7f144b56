// Rules that need context: instructions and statuses read against what the device published.
import { describe, expect, it } from "vitest";
import { checkInstruction, checkStatus, type EfiContext } from "../../src/efi/index.ts";
import { example } from "./fixtures.ts";

const issues = (list: { path: string; reason: string }[]) => list.map((i) => `${i.path}: ${i.reason}`);

const storageContext = (): EfiContext => ({
  storageSystemDescription: example("StorageSystemDescription"),
  storageStatus: example("StorageStatus"),
  now: Date.parse("2025-06-01T12:06:00Z"),
});
const adjustableContext = (): EfiContext => ({
  adjustableSystemDescription: example("AdjustableSystemDescription"),
  adjustableStatus: example("AdjustableStatus"),
  now: Date.parse("2025-06-01T06:03:00Z"),
});

describe("checkInstruction", () => {
  it("accepts the example instructions in their context", () => {
    expect(checkInstruction(example("StorageInstruction"), storageContext())).toEqual([]);
    expect(checkInstruction(example("AdjustableInstruction"), adjustableContext())).toEqual([]);
    expect(checkInstruction(example("ShiftableInstruction"), { shiftableUpdate: example("ShiftableUpdate") })).toEqual([]);
    expect(checkInstruction(example("InflexibleInstruction"), { curtailmentOptions: example("InflexibleCurtailmentOptions") })).toEqual([]);
  });

  it("a continuous running mode needs a runningModeFactor", () => {
    const si = example("StorageInstruction");
    delete si.actuatorInstructions[0]!.runningModeFactor;
    expect(issues(checkInstruction(si, storageContext()))).toEqual([
      "StorageInstruction/actuatorInstructions/actuatorInstruction[0]/runningModeId: running mode 0 is continuous and needs a runningModeFactor in [0,1]",
    ]);
    const ai = example("AdjustableInstruction");
    delete ai.runningModeFactor;
    expect(issues(checkInstruction(ai, adjustableContext()))).toEqual([
      "AdjustableInstruction/runningModeId: running mode 1 is continuous and needs a runningModeFactor in [0,1]",
    ]);
  });

  it("actuators and running modes exist", () => {
    const si = example("StorageInstruction");
    si.actuatorInstructions[0]!.actuatorId = 3;
    si.actuatorInstructions[1]!.runningModeId = 9;
    expect(issues(checkInstruction(si, storageContext()))).toEqual([
      "StorageInstruction/actuatorInstructions/actuatorInstruction[0]/@actuatorId: no actuator 3",
      "StorageInstruction/actuatorInstructions/actuatorInstruction[1]/runningModeId: no running mode 9",
    ]);
  });

  it("answers a current update", () => {
    const si = example("StorageInstruction");
    si.flexibilityUpdateId = "sd-old";
    expect(issues(checkInstruction(si, storageContext()))).toEqual([
      "StorageInstruction/flexibilityUpdateId: 'sd-old' is not a current update (sd-battery-home-1-0001, st-battery-home-1-0042)",
    ]);
  });

  it("needs a transition, not blocked by a running timer", () => {
    const si = example("StorageInstruction");
    // Charging -> discharging directly: there is no such transition.
    si.actuatorInstructions[1]!.runningModeId = 2;
    si.actuatorInstructions[1]!.runningModeFactor = 0.5;
    expect(issues(checkInstruction(si, storageContext()))).toEqual([
      "StorageInstruction/actuatorInstructions/actuatorInstruction[1]/runningModeId: no transition from running mode 0 to 2",
    ]);
    const ai = example("AdjustableInstruction");
    ai.startTime = "2025-06-01T06:04:00Z"; // the minimum-off timer runs until 06:05
    expect(issues(checkInstruction(ai, adjustableContext()))).toEqual(["AdjustableInstruction/startTime: transition 0 -> 1 is blocked by timer 1 at this time"]);
  });

  it("shiftable sequence and alternative numbers exist, start times lie in the window", () => {
    const ctx = { shiftableUpdate: example("ShiftableUpdate") };
    const si = example("ShiftableInstruction");
    si.sequentialProfileInstructions[0]!.alternativeNr = 5;
    si.sequentialProfileInstructions[1]!.sequenceNr = 7;
    expect(issues(checkInstruction(si, ctx))).toEqual([
      "ShiftableInstruction/sequentialProfileInstructions/sequentialProfileInstruction[0]/alternativeNr: sequentialProfile 0 has no alternative 5",
      "ShiftableInstruction/sequentialProfileInstructions/sequentialProfileInstruction[1]/sequenceNr: no sequentialProfile 7 in update su-dishwasher-1-0019",
    ]);
    const late = example("ShiftableInstruction");
    late.sequentialProfileInstructions[0]!.startTime = "2025-06-01T19:00:00Z";
    late.sequentialProfileInstructions[1]!.startTime = "2025-06-02T06:50:00Z";
    expect(issues(checkInstruction(late, ctx))).toEqual([
      "ShiftableInstruction/sequentialProfileInstructions/sequentialProfileInstruction[0]/startTime: 2025-06-01T19:00:00Z is outside the update's window 2025-06-01T19:30:00Z .. 2025-06-02T07:00:00Z",
      "ShiftableInstruction/sequentialProfileInstructions/sequentialProfileInstruction[1]/startTime: the alternative would run past endBefore 2025-06-02T07:00:00Z",
    ]);
  });

  it("curtails only an offered quantity", () => {
    const ii = example("InflexibleInstruction");
    ii.curtailmentProfile.curtailmentQuantity = "HEAT.TEMPERATURE";
    expect(issues(checkInstruction(ii, { curtailmentOptions: example("InflexibleCurtailmentOptions") }))).toEqual([
      "InflexibleInstruction/curtailmentProfile/@curtailmentQuantity: the device offers no curtailment of HEAT.TEMPERATURE",
    ]);
  });
});

describe("checkStatus", () => {
  it("accepts the example statuses", () => {
    expect(checkStatus(example("StorageStatus"), storageContext())).toEqual([]);
    expect(checkStatus(example("AdjustableStatus"), adjustableContext())).toEqual([]);
  });

  it("a continuous current mode needs a runningModeFactor; modes and timers exist", () => {
    const st = example("StorageStatus");
    delete st.actuatorStatuses![0]!.runningModeFactor;
    st.actuatorStatuses![0]!.timerUpdates![0]!.timerId = 4;
    expect(issues(checkStatus(st, storageContext()))).toEqual([
      "StorageStatus/actuatorStatuses/actuatorStatus[0]/currentRunningMode: running mode 0 is continuous and needs a runningModeFactor in [0,1]",
      "StorageStatus/actuatorStatuses/actuatorStatus[0]/timerUpdates/timerUpdate[0]/@timerId: no timer 4",
    ]);
    const ast = example("AdjustableStatus");
    ast.currentRunningModeId = 1;
    ast.previousRunningModeId = 8;
    expect(issues(checkStatus(ast, adjustableContext()))).toEqual([
      "AdjustableStatus/currentRunningModeId: running mode 1 is continuous and needs a runningModeFactor in [0,1]",
      "AdjustableStatus/previousRunningModeId: no running mode 8",
    ]);
  });
});

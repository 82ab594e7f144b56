// A device's EFI category follows its driver's registrations: which kinds belong to which
// category, and what a RecordingSink (standing in for the runtime in driver tests) holds after a
// retract or a change of category.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { categoryOf, kindsOf, registeredCategory } from "../../src/device/driver.ts";
import { RecordingSink } from "../../src/device/recording-sink.ts";
import { decode, type EfiMessage } from "../../src/efi/index.ts";

const example = (kind: string) => decode(readFileSync(new URL(`../efi/examples/${kind}.xml`, import.meta.url), "utf8"));
const [storageRegistration, adjustableRegistration, storageStatus] = ["StorageRegistration", "AdjustableRegistration", "StorageStatus"].map(example) as [EfiMessage, EfiMessage, EfiMessage];
const header = storageStatus.header;
const measurement: EfiMessage = { kind: "Measurement", header, measurementTimestamp: header.timestamp, electricityMeasurement: { power: 5 } };
const revoke: EfiMessage = { kind: "FlexibilityRevoke", header };

describe("EFI categories of message kinds", () => {
  it("gives each category's kinds, and none to what every category shares or to other item ids", () => {
    expect(categoryOf("StorageFillLevelTargetProfile")).toBe("storage");
    expect(categoryOf("AdjustableInstruction")).toBe("adjustable");
    expect(categoryOf("ShiftableUpdate")).toBe("shiftable");
    expect(categoryOf("InflexibleCurtailmentOptions")).toBe("inflexible");
    for (const shared of ["Measurement", "FlexibilityRevoke", "InstructionStatusUpdate", "InstructionRevoke", "Storage-notes"]) expect(categoryOf(shared)).toBeUndefined();
    expect(kindsOf("adjustable")).toEqual(["AdjustableRegistration", "AdjustableSystemDescription", "AdjustableStatus", "AdjustableInstruction"]);
  });

  it("reads the category a batch registers: its last registration's, none without one", () => {
    expect(registeredCategory([measurement, storageRegistration])).toBe("storage");
    expect(registeredCategory([storageRegistration, adjustableRegistration, measurement])).toBe("adjustable");
    expect(registeredCategory([storageStatus, measurement])).toBeUndefined();
  });
});

describe("RecordingSink as the device holds the control space", () => {
  it("forgets a retracted kind until it is reported again", () => {
    const sink = new RecordingSink();
    sink.controlSpace([storageRegistration, storageStatus, revoke]);
    sink.retract(["FlexibilityRevoke"]);
    expect(sink.latest("FlexibilityRevoke")).toBeUndefined();
    expect(sink.latest("StorageStatus")).toBe(storageStatus);
    sink.controlSpace([revoke]);
    expect(sink.latest("FlexibilityRevoke")).toBe(revoke);
  });

  it("drops the old category's kinds when a registration of another category comes, and keeps the shared ones", () => {
    const sink = new RecordingSink();
    sink.controlSpace([storageRegistration, storageStatus, measurement]);
    expect(sink.category).toBe("storage");
    sink.controlSpace([adjustableRegistration]);
    expect(sink.category).toBe("adjustable");
    expect(sink.latest("StorageStatus")).toBeUndefined();
    expect(sink.latest("StorageRegistration")).toBeUndefined();
    expect(sink.latest("Measurement")).toBe(measurement);
    expect(sink.latest("AdjustableRegistration")).toBe(adjustableRegistration);
  });
});

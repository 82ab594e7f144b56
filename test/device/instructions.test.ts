import { describe, expect, it } from "vitest";
import { decode, type StorageInstruction } from "../../src/efi/index.ts";
import { InstructionLedger, isFinal, planSteps, type InstructionRecord } from "../../src/device/instructions.ts";
import { readFileSync } from "node:fs";

const storage = decode(readFileSync(new URL("../efi/examples/StorageInstruction.xml", import.meta.url), "utf8")) as StorageInstruction;

const record = (id: string, state: InstructionRecord["state"] = "ACCEPTED"): InstructionRecord =>
  ({ id, kind: "StorageInstruction", from: "app.localhost", state, pending: [{ at: 0, steps: [] }] });

describe("planSteps", () => {
  it("groups a storage instruction's actuator instructions by start time, earliest first", () => {
    const reversed: StorageInstruction = { ...storage, actuatorInstructions: [...storage.actuatorInstructions].reverse() };
    const plan = planSteps(reversed);
    expect(plan.map((g) => new Date(g.at).toISOString())).toEqual(["2025-06-01T12:10:00.000Z", "2025-06-01T14:00:00.000Z"]);
    expect(plan[0]!.steps).toEqual([{ category: "storage", actuatorId: 0, runningModeId: 0, factor: 0.6 }]);
    expect(plan[1]!.steps).toEqual([{ category: "storage", actuatorId: 0, runningModeId: 1 }]);
  });

  it("puts steps with the same start time in one group", () => {
    const two: StorageInstruction = {
      ...storage,
      actuatorInstructions: [
        { actuatorId: 0, runningModeId: 1, startTime: "2025-06-01T12:10:00Z" },
        { actuatorId: 1, runningModeId: 2, runningModeFactor: 1, startTime: "2025-06-01T12:10:00Z" },
      ],
    };
    const plan = planSteps(two);
    expect(plan).toHaveLength(1);
    expect(plan[0]!.steps.map((s) => s.category === "storage" && s.actuatorId)).toEqual([0, 1]);
  });

  it("plans an adjustable instruction as one step", () => {
    const plan = planSteps({ kind: "AdjustableInstruction", header: storage.header, instructionId: "a", flexibilityUpdateId: "u", isEmergencyInstruction: false, runningModeId: 2, runningModeFactor: 0.5, startTime: "2025-06-01T06:05:00+02:00" });
    expect(plan).toEqual([{ at: Date.parse("2025-06-01T04:05:00Z"), steps: [{ category: "adjustable", runningModeId: 2, factor: 0.5 }] }]);
  });

  it("plans a shiftable instruction as one start per sequence", () => {
    const plan = planSteps({ kind: "ShiftableInstruction", header: storage.header, instructionId: "s", flexibilityUpdateId: "u", isEmergencyInstruction: false,
      sequentialProfileInstructions: [
        { sequenceNr: 1, alternativeNr: 0, startTime: "2025-06-01T14:00:00Z" },
        { sequenceNr: 0, alternativeNr: 2, startTime: "2025-06-01T13:00:00Z" },
      ] });
    expect(plan.map((g) => g.steps)).toEqual([[{ category: "shiftable", sequenceNr: 0, alternativeNr: 2 }], [{ category: "shiftable", sequenceNr: 1, alternativeNr: 0 }]]);
  });

  it("plans a curtailment profile as a cap per element, lifted when the profile ends", () => {
    const plan = planSteps({ kind: "InflexibleInstruction", header: storage.header, instructionId: "c", flexibilityUpdateId: "u", isEmergencyInstruction: true,
      curtailmentProfile: { curtailmentQuantity: "ELECTRICITY.POWER", startTime: "2025-06-01T12:00:00Z",
        curtailmentProfileElement: [{ duration: "PT15M", value: -2000 }, { duration: "PT30M", value: -1000 }] } });
    const t0 = Date.parse("2025-06-01T12:00:00Z");
    expect(plan).toEqual([
      { at: t0, steps: [{ category: "inflexible", quantity: "ELECTRICITY.POWER", cap: -2000 }] },
      { at: t0 + 15 * 60_000, steps: [{ category: "inflexible", quantity: "ELECTRICITY.POWER", cap: -1000 }] },
      { at: t0 + 45 * 60_000, steps: [{ category: "inflexible", quantity: "ELECTRICITY.POWER" }] },
    ]);
  });
});

describe("InstructionLedger", () => {
  it("moves records forward only, in EFI's order", () => {
    const ledger = new InstructionLedger();
    ledger.add(record("a"));
    expect(ledger.advance("a", "STARTED")).toBe(true);
    expect(ledger.advance("a", "ACCEPTED")).toBe(false);
    expect(ledger.advance("a", "SUCCEEDED", "done")).toBe(true);
    expect(ledger.advance("a", "ABORTED")).toBe(false);
    expect(ledger.get("a")).toMatchObject({ state: "SUCCEEDED", info: "done", pending: [] });
    expect(ledger.advance("nope", "STARTED")).toBe(false);
  });

  it("refuses a second record with a known id", () => {
    const ledger = new InstructionLedger();
    ledger.add(record("a"));
    expect(() => ledger.add(record("a"))).toThrow(/known already/);
  });

  it("lists active records and forgets the oldest finished ones beyond its capacity", () => {
    const ledger = new InstructionLedger(3);
    ledger.add(record("old", "SUCCEEDED"));
    ledger.add(record("running"));
    ledger.add(record("rejected", "REJECTED"));
    ledger.add(record("new"));
    expect(ledger.get("old")).toBeUndefined();
    expect(ledger.get("running")).toBeDefined();
    expect(ledger.active().map((r) => r.id)).toEqual(["running", "new"]);
    // Active instructions are never forgotten, even beyond capacity.
    ledger.add(record("more"));
    expect(ledger.get("running")).toBeDefined();
    expect(ledger.get("rejected")).toBeUndefined();
    expect(isFinal("ABORTED") && !isFinal("STARTED")).toBe(true);
  });
});

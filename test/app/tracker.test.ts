import { describe, expect, it } from "vitest";
import { InstructionTracker } from "../../src/app/tracker.ts";
import { formatDateTime, type EfiInstruction } from "../../src/efi/index.ts";

const T0 = Date.parse("2026-11-22T10:00:00Z");
const instruction = (id: string, startMs = T0) => ({
  kind: "AdjustableInstruction", header: { efiResourceId: "gen", timestamp: formatDateTime(T0) }, instructionId: id,
  flexibilityUpdateId: "f1", isEmergencyInstruction: false, runningModeId: 1, startTime: formatDateTime(startMs),
}) as EfiInstruction;

describe("the app's instruction tracker", () => {
  const tracker = () => new InstructionTracker({ answerMs: 1_000, graceMs: 5_000 });

  it("moves forward only: a late ACCEPTED after STARTED is ignored; a settled one never changes", () => {
    const t = tracker();
    t.sent("gen", "on", instruction("i1"), T0);
    expect(t.update("i1", "STARTED", T0 + 10)).toBeDefined();
    expect(t.update("i1", "ACCEPTED", T0 + 11)).toBeUndefined();
    expect(t.update("i1", "SUCCEEDED", T0 + 12)!.history.map((h) => h.state)).toEqual(["SENT", "STARTED", "SUCCEEDED"]);
    expect(t.update("i1", "ABORTED", T0 + 13)).toBeUndefined();
    expect(t.update("unknown", "ACCEPTED", T0)).toBeUndefined();
  });

  it("times out a device that does not answer, and one that never finishes by the last step plus grace", () => {
    const t = tracker();
    t.sent("gen", "on", instruction("quiet"), T0);
    t.sent("gen2", "on", instruction("slow", T0 + 10_000), T0);
    t.update("slow", "ACCEPTED", T0 + 5);
    expect(t.expire(T0 + 1_000)).toEqual([]);
    expect(t.expire(T0 + 1_001).map((x) => [x.id, x.state, x.info])).toEqual([["quiet", "TIMEOUT", "no answer"]]);
    // Its step is at +10 s: silent only after +10 s + grace + answer time.
    expect(t.expire(T0 + 16_000)).toEqual([]);
    expect(t.expire(T0 + 16_001).map((x) => [x.id, x.info])).toEqual([["slow", "no STARTED by its deadline"]]);
  });

  it("remembers the latest instruction per device", () => {
    const t = tracker();
    t.sent("gen", "on", instruction("a"), T0);
    const b = t.sent("gen", "off", instruction("b"), T0 + 1);
    expect(t.latest.get("gen")).toBe(b);
    expect(t.get("a")!.intent).toBe("on");
  });
});

import { describe, expect, it } from "vitest";
import { congestionFromArgs } from "../../src/cli/grid.ts";

const NOW = new Date("2026-11-22T17:00:00Z");

describe("flexfed grid congestion arguments", () => {
  it("makes a signal from now for an hour by default, or as told", () => {
    expect(congestionFromArgs({ feeder: "f-12", limit: "12000", id: "c1" }, NOW))
      .toEqual({ id: "c1", feeder: "f-12", limit: 12_000, start: "2026-11-22T17:00:00.000Z", end: "2026-11-22T18:00:00.000Z" });
    expect(congestionFromArgs({ feeder: "f-12", limit: "9000", start: "2026-11-22T18:00:00Z", minutes: "30" }, NOW))
      .toMatchObject({ start: "2026-11-22T18:00:00.000Z", end: "2026-11-22T18:30:00.000Z", id: expect.stringMatching(/^c-[0-9a-f]{8}$/) });
  });

  it("says what is wrong", () => {
    expect(() => congestionFromArgs({ limit: "1" }, NOW)).toThrow("which --feeder?");
    expect(() => congestionFromArgs({ feeder: "f", limit: "-3" }, NOW)).toThrow(/--limit: /);
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", end: "x", minutes: "2" }, NOW)).toThrow("give --end or --minutes, not both");
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", end: "2026-11-22T16:00:00Z" }, NOW)).toThrow(/--end: must be after start/);
    expect(() => congestionFromArgs({ feeder: "f", limit: "3", start: "soon" }, NOW)).toThrow("--start 'soon' is not an ISO date-time");
  });
});

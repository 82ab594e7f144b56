import { describe, expect, it } from "vitest";
import { scenarioClock, SimulatedWorld } from "../../src/device/simulation.ts";

const sim = (w: number) => ({ settings: {}, where: "", powerW: () => w, stop: async () => undefined });

describe("the simulated world", () => {
  it("a connection meter adds up the other devices of its own site only", () => {
    const world = new SimulatedWorld();
    world.add("home-1", "battery", sim(-2_000));
    world.add("home-1", "charger", sim(11_000));
    world.add("home-2", "battery-2", sim(5_000));
    world.add("home-1", "meter", { settings: {}, where: "", stop: async () => undefined });
    expect(world.env("home-1", "meter").siteW()).toBe(9_000);
    // A device does not count itself.
    expect(world.env("home-1", "battery").siteW()).toBe(11_000);
    expect(world.env("home-3", "x").siteW()).toBe(0);
  });

  it("runs the scenario clock `speed` times the wall clock from its start", () => {
    const wall = Date.now();
    const now = scenarioClock(Date.parse("2026-06-21T00:00:00Z"), 360, wall - 10_000);
    // 10 s of wall clock are an hour of scenario.
    expect(now() - Date.parse("2026-06-21T00:00:00Z")).toBeGreaterThanOrEqual(3_600_000);
    expect(now() - Date.parse("2026-06-21T00:00:00Z")).toBeLessThan(3_600_000 + 360 * 1_000);
  });
});

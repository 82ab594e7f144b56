// The dishwasher's offer lasts while it waits: once a program runs, its ShiftableUpdate is
// withdrawn (whoever started it), and a new load offers a new one.
import { describe, expect, it } from "vitest";
import type { SinkEvent } from "../../../src/device/recording-sink.ts";
import { kinds, rig, T0, useRigs } from "../test-rig.ts";
import { dishwasher, DishwasherSimulator } from "./index.ts";

useRigs();

const HOUR = 3_600_000;
const dwRig = () => rig(dishwasher, (now) => new DishwasherSimulator({ now, serialNumber: "DW-4711" }));
const retracted = (e: SinkEvent) => e.type === "retract" && e.kinds.includes("ShiftableUpdate");

describe("dishwasher offer", () => {
  it("is withdrawn when an instruction starts the program, and offered anew for the next load", async () => {
    const { sim, driver, sink, advance, next } = await dwRig();
    sim.load(0, T0 + 10 * HOUR);
    await next();
    const first = sink.latest("ShiftableUpdate")!.flexibilityUpdateId;
    const withdrawn = sink.next(retracted);
    await driver.apply({ category: "shiftable", sequenceNr: 0, alternativeNr: 1 });
    await withdrawn;
    expect(sink.latest("ShiftableUpdate")).toBeUndefined();
    // Running, then done: no offer comes back by itself.
    expect(kinds(await next())).toEqual(["Measurement"]);
    advance(3 * HOUR);
    expect(sim.state.state).toBe("done");
    expect(kinds(await next())).toEqual(["Measurement"]);
    expect(sink.events.filter(retracted)).toHaveLength(1);
    sim.empty();
    sim.load(1, T0 + 20 * HOUR);
    expect(kinds(await next())).toEqual(["ShiftableUpdate", "Measurement"]);
    expect(sink.latest("ShiftableUpdate")!.flexibilityUpdateId).not.toBe(first);
  });

  it("is withdrawn when the dishwasher starts the user's program by itself at the last moment", async () => {
    const { sim, sink, advance, next } = await dwRig();
    sim.load(0, T0 + 2 * HOUR);
    await next();
    expect(sink.latest("ShiftableUpdate")).toBeDefined();
    const withdrawn = sink.next(retracted);
    advance(30 * 60_000);
    expect(sim.state).toMatchObject({ state: "running", startedBy: "self" });
    await withdrawn;
    expect(sink.latest("ShiftableUpdate")).toBeUndefined();
  });
});

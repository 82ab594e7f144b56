import { describe, expect, it } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { checkInstruction, formatDateTime, type ShiftableInstruction } from "../../src/efi/index.ts";
import { dishwasher, DishwasherSimulator } from "./dishwasher/index.ts";
import { expectLostAndRecovered, expectValidEfi, firstControlSpace, kinds, rig, T0, useRigs } from "./test-rig.ts";

useRigs();

const HOUR = 3_600_000;
const dwRig = (cfg: Record<string, unknown> = {}) => rig(dishwasher, (now) => new DishwasherSimulator({ now, serialNumber: "DW-4711" }), cfg);

describe("dishwasher driver against its simulator over Modbus TCP", () => {
  it("offers its programs as alternatives once loaded, valid by src/efi and the XSD, and an app can instruct it", async () => {
    const { sim, sink, next } = await dwRig();
    expect(kinds(firstControlSpace(sink))).toEqual(["ShiftableRegistration", "Measurement"]);
    sim.load(0, T0 + 10 * HOUR);
    const messages = await next();
    expect(kinds(messages)).toEqual(["ShiftableUpdate", "Measurement"]);
    const all = [sink.latest("ShiftableRegistration")!, ...messages];
    expectValidEfi(all);
    expect(all[0]).toMatchObject({ deviceDescription: { deviceClass: "Dishwasher", serialNumber: "DW-4711", label: "flexfed SimDish" }, supportedCommodities: ["ELECTRICITY"] });
    const u = sink.latest("ShiftableUpdate")!;
    expect(u).toMatchObject({ validFrom: formatDateTime(T0), endBefore: formatDateTime(T0 + 10 * HOUR) });
    expect(u.sequentialProfiles).toEqual([{
      sequenceNr: 0, maxIntervalBefore: "PT0S",
      sequentialProfileAlternatives: [
        { alternativeNr: 0, electricityProfile: [{ duration: "PT20M", power: 2000 }, { duration: "PT40M", power: 200 }, { duration: "PT30M", power: 1000 }] },
        { alternativeNr: 1, electricityProfile: [{ duration: "PT30M", power: 1000 }, { duration: "PT1H10M", power: 150 }, { duration: "PT40M", power: 600 }] },
      ],
    }]);
    expect(sink.events.find((e) => e.type === "identity")).toEqual({
      type: "identity", tags: { MAN: "flexfed", MODEL: "SimDish", SN: "DW-4711", CLASS: "Dishwasher", EFI: "shiftable", PMAX: 2000 },
    });
    // The update stays the same while nothing changes: it is not sent again.
    expect(kinds(await next())).toEqual(["Measurement"]);
    const instruction = (alternativeNr: number, start: number): ShiftableInstruction => ({
      kind: "ShiftableInstruction", header: { efiResourceId: "dishwasher-1", timestamp: formatDateTime(T0) }, instructionId: `dw-${alternativeNr}-${start}`,
      flexibilityUpdateId: u.flexibilityUpdateId, isEmergencyInstruction: false,
      sequentialProfileInstructions: [{ sequenceNr: 0, alternativeNr, startTime: formatDateTime(start) }],
    });
    expect(checkInstruction(instruction(1, T0 + 3 * HOUR), { shiftableUpdate: u, now: T0 })).toEqual([]);
    expect(checkInstruction(instruction(1, T0 + 9 * HOUR), { shiftableUpdate: u, now: T0 }).map((i) => i.reason)).toEqual([`the alternative would run past endBefore ${u.endBefore}`]);
  });

  it("starts the instructed program on a step, runs its phases and reports done; then it has no flexibility until loaded again", async () => {
    const { sim, driver, sink, advance, next } = await dwRig();
    sim.load(0, T0 + 10 * HOUR);
    await next();
    const first = sink.latest("ShiftableUpdate")!.flexibilityUpdateId;
    await driver.apply({ category: "shiftable", sequenceNr: 0, alternativeNr: 1 });
    expect(sim.state).toMatchObject({ state: "running", program: 1, phase: 0, startedBy: "remote", powerW: 1000, startedAt: T0 });
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(1000);
    advance(40 * 60_000);
    expect(sim.state).toMatchObject({ phase: 1, powerW: 150 });
    await expect(driver.apply({ category: "shiftable", sequenceNr: 0, alternativeNr: 0 })).rejects.toThrow(/cannot start 'normal': it is running/);
    advance(100 * 60_000);
    expect(sim.state).toMatchObject({ state: "done", powerW: 0 });
    expect(sim.state.energyWh).toBeCloseTo(500 + 175 + 400, 6);
    await next();
    expect(sink.reading("consumed")).toEqual({ n: "consumed", u: "J", v: 1075 * 3600 });
    sim.empty();
    sim.load(0, T0 + 20 * HOUR);
    await next();
    expect(sink.latest("ShiftableUpdate")!.flexibilityUpdateId).not.toBe(first);
    await expect(driver.apply({ category: "shiftable", sequenceNr: 1, alternativeNr: 0 })).rejects.toThrow("sequential profile 0 only, not 1");
    await expect(driver.apply({ category: "shiftable", sequenceNr: 0, alternativeNr: 5 })).rejects.toThrow("programs 0..1, not 5");
  });

  it("starts the user's program by itself when it must to finish by the deadline, and a refused start is a DriverError", async () => {
    const { sim, advance } = await dwRig();
    sim.load(0, T0 + 2 * HOUR);
    advance(30 * 60_000 - 1000);
    expect(sim.state.state).toBe("waiting");
    advance(1000);
    expect(sim.state).toMatchObject({ state: "running", program: 0, startedBy: "self", startedAt: T0 + 30 * 60_000 });
    advance(90 * 60_000);
    expect(sim.state.state).toBe("done");

    // The device refuses a start it cannot take (here: the driver's state is older than the device's).
    const other = await dwRig();
    other.sim.load(1, T0 + 5 * HOUR);
    await other.next();
    other.sim.refuseWrites(6);
    const err = await other.driver.apply({ category: "shiftable", sequenceNr: 0, alternativeNr: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as Error).message).toMatch(/^the dishwasher did not take 'start program 'eco'': Modbus exception 6 \(server device busy\) writing 1 to 104/);
  });

  it("reports the dishwasher lost when it disappears, and recovered with its control space", async () => {
    const r = await dwRig({ deviceClass: "Washing Machine" });
    r.sim.load(1, T0 + 5 * HOUR);
    await r.next();
    expect(r.sink.latest("ShiftableRegistration")!.deviceDescription.deviceClass).toBe("Washing Machine");
    await expectLostAndRecovered(r, ["ShiftableRegistration", "ShiftableUpdate", "Measurement"]);
  });
});

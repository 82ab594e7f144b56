import { describe, expect, it } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { checkInstruction, formatDateTime, type StorageInstruction } from "../../src/efi/index.ts";
import { heatPump, HeatPumpSimulator, type HeatPumpSimulatorOptions } from "./heat-pump/index.ts";
import { expectLostAndRecovered, expectValidEfi, firstControlSpace, kinds, rig, T0, useRigs } from "./test-rig.ts";

useRigs();

const hpRig = (o: HeatPumpSimulatorOptions = {}) =>
  rig(heatPump, (now) => new HeatPumpSimulator({ now, serialNumber: "HP2-0815", drawW: () => 0, ...o }));

const on = { category: "storage", actuatorId: 0, runningModeId: 1 } as const;
const off = { category: "storage", actuatorId: 0, runningModeId: 0 } as const;

describe("heat pump driver against its simulator over Modbus TCP", () => {
  it("describes the heat pump in EFI Storage (fill level: buffer temperature), valid by src/efi and the XSD, and an app can instruct it", async () => {
    const { sink } = await hpRig({ tempC: 47, ambientC: 20, volumeL: 200, ratedPowerW: 2000, cop: 3.5, heatLossWPerK: 2.5 });
    const first = firstControlSpace(sink);
    expect(kinds(first)).toEqual(["StorageRegistration", "StorageSystemDescription", "StorageStatus", "Measurement"]);
    expectValidEfi(first);
    const [reg, sd, st] = first;
    expect(reg).toMatchObject({ deviceDescription: { deviceClass: "Heatpump", serialNumber: "HP2-0815" }, fillLevelLabel: "Buffer temperature", fillLevelUnit: "degC" });
    if (sd?.kind !== "StorageSystemDescription" || st?.kind !== "StorageStatus") throw new Error("expected a description and a status");
    const b = sd.actuatorBehaviours[0]!;
    expect(b.runningModes).toEqual([
      { type: "discrete", id: 0, label: "off", discreteRunningModeElement: [{ fillLevelLowerBound: 35, fillLevelUpperBound: 100, fillingRate: 0, electricalPower: 0 }] },
      // 7 kW of heat into 200 L of water: 0.00836 degC/s
      { type: "discrete", id: 1, label: "on", discreteRunningModeElement: [{ fillLevelLowerBound: 0, fillLevelUpperBound: 60, fillingRate: 0.0083612, electricalPower: 2000, heatThermalPower: 7000 }] },
    ]);
    expect(b.timers).toEqual([{ id: 0, label: "minimum run", duration: "PT10M" }, { id: 1, label: "minimum off", duration: "PT5M" }]);
    expect(b.transitions.map((t) => `${t.fromRunningModeId}->${t.toRunningModeId}`)).toEqual(["0->1", "1->0"]);
    expect(sd.leakageBehaviour).toHaveLength(10);
    // 2.5 W/K at 45 degC, 25 K above ambient
    expect(sd.leakageBehaviour![4]).toEqual({ fillLevelLowerBound: 40, fillLevelUpperBound: 50, leakageRate: 0.0000746536 });
    expect(st).toMatchObject({ currentFillLevel: 47, actuatorStatuses: [{ actuatorId: 0, currentRunningMode: 0, timerUpdates: [] }] });
    expect(sink.events.find((e) => e.type === "identity")).toEqual({
      type: "identity", tags: { MAN: "flexfed", MODEL: "SimHP2", SN: "HP2-0815", CLASS: "Heatpump", EFI: "storage", PMAX: 2000 },
    });
    expect(sink.reading("bufferTemp")).toEqual({ n: "bufferTemp", u: "Cel", v: 47 });
    const instruction: StorageInstruction = {
      kind: "StorageInstruction", header: { efiResourceId: "heat-pump-1", timestamp: formatDateTime(T0) }, instructionId: "hp-1",
      flexibilityUpdateId: sd.flexibilityUpdateId, isEmergencyInstruction: false,
      actuatorInstructions: [{ actuatorId: 0, runningModeId: 1, startTime: formatDateTime(T0) }, { actuatorId: 0, runningModeId: 0, startTime: formatDateTime(T0 + 60_000) }],
    };
    // Off again after a minute is within the minimum run time.
    expect(checkInstruction(instruction, { storageSystemDescription: sd, storageStatus: st, now: T0 }).map((i) => i.reason)).toEqual(["transition 1 -> 0 is blocked by timer 0 at this time"]);
    instruction.actuatorInstructions[1]!.startTime = formatDateTime(T0 + 600_000);
    expect(checkInstruction(instruction, { storageSystemDescription: sd, storageStatus: st, now: T0 })).toEqual([]);
  });

  it("switches on and off on steps, keeps its minimum run and off times, and the temperature moves the right way", async () => {
    const { sim, driver, sink, advance, next } = await hpRig({ tempC: 47 });
    await driver.apply(on);
    expect(sim.state).toMatchObject({ on: true, control: "on", powerW: 2000, minRunLeftS: 600 });
    expect(sink.latest("StorageStatus")!.actuatorStatuses![0]).toMatchObject({ currentRunningMode: 1, timerUpdates: [{ timerId: 0 }] });
    advance(300_000);
    // 7 kW into 837 kJ/K for 5 min, less a little loss: about +2.5 degC
    expect(sim.state.tempC).toBeGreaterThan(49.4);
    expect(sim.state.tempC).toBeLessThan(49.6);
    const early = await driver.apply(off).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(DriverError);
    expect((early as Error).message).toMatch(/^the heat pump did not take 'switch off' \(its minimum run time has 300 s to go\): Modbus exception 6 \(server device busy\) writing 2 to 103/);
    advance(300_000);
    await driver.apply(off);
    expect(sim.state).toMatchObject({ on: false, control: "off", powerW: 0, minOffLeftS: 300 });
    const hot = sim.state.tempC;
    await expect(driver.apply(on)).rejects.toThrow(/minimum off time has 300 s to go/);
    advance(3_600_000);
    expect(sim.state.tempC).toBeLessThan(hot);
    expect(sim.state.tempC).toBeGreaterThan(hot - 0.5);
    expect(sim.state.energyWh).toBeCloseTo(2000 * 10 / 60, 6);
    await next();
    expect(sink.latest("StorageStatus")).toMatchObject({ currentFillLevel: Math.round(sim.state.tempC * 100) / 100, actuatorStatuses: [{ currentRunningMode: 0, timerUpdates: [] }] });
    await expect(driver.apply({ ...on, actuatorId: 1 })).rejects.toThrow("one actuator, 0, not 1");
    await expect(driver.apply({ ...on, runningModeId: 3 })).rejects.toThrow("running modes 0 off and 1 on, not 3");
  });

  it("follows its thermostat once released, cools with the hot-water draw, and runs below its comfort floor whatever it was told", async () => {
    const { sim, driver, advance } = await hpRig({ tempC: 44 });
    await driver.release();
    expect(sim.state).toMatchObject({ control: "thermostat", on: true });
    advance(2 * 3_600_000);
    expect(sim.state.on).toBe(false);
    expect(sim.state.tempC).toBeGreaterThan(49);
    expect(sim.state.tempC).toBeLessThan(50.2);

    // Held off, a 6 kW shower a minute from now for 10 minutes: the tank cools by about 4.3 degC.
    const shower = (t: number) => (t >= T0 + 60_000 && t < T0 + 11 * 60_000 ? 6000 : 0);
    const morning = await hpRig({ tempC: 44, thermostatLowC: 30, thermostatHighC: 45, drawW: shower });
    await morning.driver.apply(off);
    morning.advance(20 * 60_000);
    expect(morning.sim.state.tempC).toBeLessThan(44 - 4.3);
    expect(morning.sim.state.tempC).toBeGreaterThan(44 - 4.5);
    expect(morning.sim.state.on).toBe(false);

    const cold = await hpRig({ tempC: 35.5, thermostatLowC: 30, thermostatHighC: 40, drawW: () => 6000 });
    await cold.driver.apply(off);
    cold.advance(5 * 60_000);
    expect(cold.sim.state).toMatchObject({ control: "off", on: true });
  });

  it("reports the heat pump lost when it disappears, and recovered with its control space", async () => {
    await expectLostAndRecovered(await hpRig(), ["StorageRegistration", "StorageSystemDescription", "StorageStatus", "Measurement"]);
  });
});

import { describe, expect, it } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { checkInstruction, formatDateTime, type AdjustableInstruction } from "../../src/efi/index.ts";
import { generator, GeneratorSimulator, type GeneratorSimulatorOptions } from "./generator/index.ts";
import { expectLostAndRecovered, expectValidEfi, firstControlSpace, kinds, rig, T0, useRigs } from "./test-rig.ts";

useRigs();

const genRig = (o: GeneratorSimulatorOptions = {}, cfg: Record<string, unknown> = {}) =>
  rig(generator, (now) => new GeneratorSimulator({ now, serialNumber: "G20-0042", warmUpS: 120, minRunS: 900, ...o }), cfg);

const instruction = (updateId: string, runningModeId: number, at: number, factor?: number): AdjustableInstruction => ({
  kind: "AdjustableInstruction",
  header: { efiResourceId: "generator-1", timestamp: formatDateTime(at) },
  instructionId: `i-${runningModeId}-${at}`,
  flexibilityUpdateId: updateId,
  isEmergencyInstruction: false,
  runningModeId,
  ...(factor !== undefined ? { runningModeFactor: factor } : {}),
  startTime: formatDateTime(at),
});

describe("generator driver against its simulator over Modbus TCP", () => {
  it("describes the generator in EFI Adjustable, valid by src/efi and the XSD, and an app can instruct it", async () => {
    const { sink } = await genRig({ fuelAtMinLph: 2.5, fuelAtMaxLph: 6, fuelPct: 75 }, { startCost: 0.4, fuelPrice: 1.8 });
    const first = firstControlSpace(sink);
    expect(kinds(first)).toEqual(["AdjustableRegistration", "AdjustableSystemDescription", "AdjustableStatus", "Measurement"]);
    expectValidEfi(first);
    const [reg, sd, st] = first;
    expect(reg).toMatchObject({ deviceDescription: { deviceClass: "Generator", serialNumber: "G20-0042", label: "flexfed SimGen20" }, currency: "EUR", supportedCommodities: ["ELECTRICITY"] });
    if (sd?.kind !== "AdjustableSystemDescription" || st?.kind !== "AdjustableStatus") throw new Error("expected a description and a status");
    expect(sd.runningModes).toEqual([
      { type: "discrete", id: 0, label: "off", runningCost: 0, electricalPower: 0 },
      { type: "continuous", id: 1, label: "on", lowerBound: { runningCost: 0.00125, electricalPower: -5000 }, upperBound: { runningCost: 0.003, electricalPower: -20000 } },
    ]);
    expect(sd.timers).toEqual([{ id: 0, label: "warm-up", duration: "PT2M" }, { id: 1, label: "minimum run", duration: "PT15M" }]);
    expect(sd.transitions).toEqual([
      { fromRunningModeId: 0, toRunningModeId: 1, transitionCost: 0.4, transitionDuration: "PT2M", startTimers: [{ timerId: 0 }, { timerId: 1 }] },
      { fromRunningModeId: 1, toRunningModeId: 0, blockingTimers: [{ timerId: 1 }] },
    ]);
    expect(st).toMatchObject({ currentRunningModeId: 0, timerUpdates: [] });
    expect(sink.events.find((e) => e.type === "identity")).toEqual({
      type: "identity", tags: { MAN: "flexfed", MODEL: "SimGen20", SN: "G20-0042", CLASS: "Generator", EFI: "adjustable", PMAX: 20000 },
    });
    expect(sink.reading("fuelLevel")).toEqual({ n: "fuelLevel", u: "%", v: 75 });
    expect(sink.reading("power")).toEqual({ n: "power", u: "W", v: 0 });
    const ctx = { adjustableSystemDescription: sd, adjustableStatus: st, now: T0 };
    expect(checkInstruction(instruction(sd.flexibilityUpdateId, 1, T0, 0.5), ctx)).toEqual([]);
    expect(checkInstruction(instruction(sd.flexibilityUpdateId, 1, T0), ctx).map((i) => i.reason)).toEqual(["running mode 1 is continuous and needs a runningModeFactor in [0,1]"]);
  });

  it("starts, warms up, runs at the setpoint, refuses a setpoint while warming up and a stop within the minimum run time", async () => {
    const { sim, driver, sink, advance, next } = await genRig();
    const id = sink.latest("AdjustableSystemDescription")!.flexibilityUpdateId;
    await driver.apply({ category: "adjustable", runningModeId: 1, factor: 0.5 });
    expect(sim.state).toMatchObject({ phase: "warming-up", remote: true, setpointW: 12500, outputW: 0, warmUpLeftS: 120, minRunLeftS: 900 });
    const st = sink.latest("AdjustableStatus")!;
    expect(st).toMatchObject({ currentRunningModeId: 1, runningModeFactor: 0.5 });
    expect(st.timerUpdates.map((t) => t.timerId)).toEqual([0, 1]);
    // The published timer blocks on -> off: an app cannot even ask for it.
    const sd = sink.latest("AdjustableSystemDescription")!;
    const issues = checkInstruction(instruction(id, 0, T0 + 1000), { adjustableSystemDescription: sd, adjustableStatus: st, now: T0 });
    expect(issues.map((i) => i.reason)).toEqual(["transition 1 -> 0 is blocked by timer 1 at this time"]);

    const early = await driver.apply({ category: "adjustable", runningModeId: 1, factor: 0.8 }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(DriverError);
    expect((early as Error).message).toMatch(/^the generator did not take 'run at 17000 W' \(it is still warming up, 120 s to go\): Modbus exception 6 \(server device busy\) writing 17000 to 103 from 127\.0\.0\.1:\d+ unit 1$/);
    expect(sim.state.setpointW).toBe(12500);

    advance(120_000);
    expect(sim.state).toMatchObject({ phase: "running", outputW: 12500, warmUpLeftS: 0, minRunLeftS: 780 });
    await driver.apply({ category: "adjustable", runningModeId: 1, factor: 0.8 });
    expect(sim.state).toMatchObject({ setpointW: 17000, outputW: 17000 });
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(-17000);
    expect(sink.reading("power")).toEqual({ n: "power", u: "W", v: -17000 });
    await expect(driver.apply({ category: "adjustable", runningModeId: 0 })).rejects.toThrow(/did not take 'stop' \(its minimum run time has 780 s to go\): Modbus exception 6/);

    advance(780_000);
    await driver.apply({ category: "adjustable", runningModeId: 0 });
    expect(sim.state).toMatchObject({ phase: "off", outputW: 0 });
    // 17 kW for 13 min
    expect(sim.state.energyWh).toBeCloseTo(17000 * 13 / 60, 6);
    expect(sim.state.fuelPct).toBeLessThan(80);
    await next();
    expect(sink.latest("AdjustableStatus")).toMatchObject({ currentRunningModeId: 0, timerUpdates: [] });
    // The description did not change: instructions against it stay valid.
    expect(sink.latest("AdjustableSystemDescription")!.flexibilityUpdateId).toBe(id);
    await expect(driver.apply({ category: "adjustable", runningModeId: 2 })).rejects.toThrow("running modes 0 off and 1 on, not 2");
    await expect(driver.apply({ category: "storage", actuatorId: 0, runningModeId: 1 })).rejects.toThrow(DriverError);
  });

  it("stops by itself once released and its minimum run time is over; and when the tank runs dry", async () => {
    const { sim, driver, advance } = await genRig({ fuelPct: 1, tankL: 100 });
    await driver.apply({ category: "adjustable", runningModeId: 1, factor: 1 });
    await driver.release();
    expect(sim.state).toMatchObject({ remote: false, phase: "warming-up" });
    advance(600_000);
    expect(sim.state.phase).toBe("running");
    advance(300_000);
    expect(sim.state.phase).toBe("off");

    // 1 L at 6 L/h lasts 10 min: remote control runs until the tank is empty.
    const dry = await genRig({ fuelPct: 1, tankL: 100, minRunS: 0, warmUpS: 0 });
    await dry.driver.apply({ category: "adjustable", runningModeId: 1, factor: 1 });
    dry.advance(9 * 60_000);
    expect(dry.sim.state.phase).toBe("running");
    dry.advance(2 * 60_000);
    expect(dry.sim.state).toMatchObject({ phase: "off", fuelPct: 0 });
    expect(dry.sim.state.energyWh).toBeCloseTo(20000 / 6, 6);
  });

  it("reports the generator lost when it disappears, and recovered with its control space", async () => {
    await expectLostAndRecovered(await genRig(), ["AdjustableRegistration", "AdjustableSystemDescription", "AdjustableStatus", "Measurement"]);
  });

  it("refuses a device that is not a generator, and configurations with paths", async () => {
    const { sink } = await rig(generator, (now) => new GeneratorSimulator({ now }), { unitId: 7, timeoutMs: 100 });
    expect(sink.events.find((e) => e.type === "lost")).toMatchObject({ reason: expect.stringMatching(/^no answer within 100 ms reading 0\+26/) });
    const r = generator.config.safeParse({ transport: { type: "tcp", host: "x" }, currency: "XYZ", startCost: -1 });
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["currency", "startCost"]));
  });
});

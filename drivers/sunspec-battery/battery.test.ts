import { afterEach, describe, expect, it, vi } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { RecordingSink, type SinkEvent } from "../../src/device/recording-sink.ts";
import { decode, encode, type EfiMessage } from "../../src/efi/index.ts";
import { logger } from "../../src/log/index.ts";
import { xsdErrors } from "../../test/efi/xsd.ts";
import { MockRtuLine } from "../modbus/index.ts";
import { BatteryConfigSchema, type BatteryConfigInput } from "./config.ts";
import { BatteryDriver } from "./driver.ts";
import { sunspecBattery } from "./index.ts";
import { BatterySimulator, type BatterySimulatorOptions } from "./simulator.ts";

const T0 = Date.parse("2025-06-01T12:00:00Z");
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

interface Rig {
  sim: BatterySimulator;
  driver: BatteryDriver;
  sink: RecordingSink;
  /** Moves simulated time on. */
  advance(ms: number): void;
  /** The next control space the driver reports (after a poll). */
  next(): Promise<readonly EfiMessage[]>;
}

async function rig(simOpts: BatterySimulatorOptions = {}, cfg: Partial<BatteryConfigInput> = {}, rtu = false): Promise<Rig> {
  let clock = T0;
  const sim = new BatterySimulator({ now: () => clock, ...simOpts });
  let transport: BatteryConfigInput["transport"];
  let binding: unknown;
  if (rtu) {
    const line = new MockRtuLine();
    sim.serveRtu(line, 3);
    transport = { type: "rtu", path: line.path, baudRate: 19200 };
    binding = line.binding;
  } else {
    const { host, port } = await sim.listen({ unitId: 1 });
    transport = { type: "tcp", host, port };
  }
  const config = BatteryConfigSchema.parse({ transport, unitId: rtu ? 3 : 1, pollMs: 20, timeoutMs: 200, minModeSeconds: 60, revertSeconds: 65534, ...cfg });
  const driver = new BatteryDriver(config, { resourceId: "battery-home-1", log: logger("test"), now: () => new Date(clock) }, { binding });
  const sink = new RecordingSink();
  cleanup.push(() => sim.stop(), () => driver.stop());
  await driver.start(sink);
  const next = async () => ((await sink.next((e) => e.type === "controlSpace")) as Extract<SinkEvent, { type: "controlSpace" }>).messages;
  return { sim, driver, sink, advance: (ms) => (clock += ms), next };
}

const kinds = (ms: readonly EfiMessage[]) => ms.map((m) => m.kind);

describe("sunspec-battery driver against the simulator over Modbus TCP", () => {
  it("describes the battery in EFI Storage, every message valid by src/efi and the XSD", async () => {
    const { sink } = await rig({ socPct: 47.5, capacityWh: 10_000, maxChargeW: 5000, maxDischargeW: 4000, selfDischargePctPerDay: 3, serialNumber: "HB10-0417" });
    const first = sink.events.find((e) => e.type === "controlSpace") as Extract<SinkEvent, { type: "controlSpace" }>;
    expect(kinds(first.messages)).toEqual(["StorageRegistration", "StorageSystemDescription", "StorageStatus", "Measurement"]);
    const [reg, sd, st, meas] = first.messages as [EfiMessage, EfiMessage, EfiMessage, EfiMessage];
    expect(reg).toMatchObject({
      header: { efiResourceId: "battery-home-1", timestamp: "2025-06-01T12:00:00.000Z" },
      deviceDescription: { deviceClass: "Stationary Battery", serialNumber: "HB10-0417", label: "flexfed SimBattery" },
      fillLevelUnit: "%",
      actuators: [{ id: 0, label: "battery", supportedCommodity: ["ELECTRICITY"] }],
    });
    if (sd.kind !== "StorageSystemDescription") throw new Error("expected a system description");
    const [charge, idle, discharge] = sd.actuatorBehaviours[0]!.runningModes;
    expect(charge).toMatchObject({ id: 0, label: "charge", type: "continuous" });
    expect(charge?.type === "continuous" && charge.continuousRunningModeElement[0]!.upperBound).toEqual({ fillingRate: 0.0138889, electricalPower: 5000 });
    expect(idle).toMatchObject({ id: 1, label: "idle", type: "discrete" });
    expect(discharge?.type === "continuous" && discharge.continuousRunningModeElement[0]!.upperBound).toEqual({ fillingRate: -0.0111111, electricalPower: -4000 });
    expect(sd.actuatorBehaviours[0]!.timers).toEqual([{ id: 0, label: "minimum mode duration", duration: "PT1M" }]);
    expect(sd.actuatorBehaviours[0]!.transitions.map((t) => `${t.fromRunningModeId}->${t.toRunningModeId}`)).toEqual(["0->1", "1->0", "1->2", "2->1"]);
    expect(sd.leakageBehaviour).toEqual([{ fillLevelLowerBound: 0, fillLevelUpperBound: 100, leakageRate: 0.0000347222 }]);
    expect(st).toMatchObject({ currentFillLevel: 47.5, actuatorStatuses: [{ actuatorId: 0, currentRunningMode: 1 }] });
    expect(meas).toMatchObject({ electricityMeasurement: { power: 0 } });
    for (const m of first.messages) expect(decode(encode(m))).toEqual(m);
    expect(xsdErrors(first.messages.map((m) => encode(m)))).toEqual([]);
    expect(sink.events.find((e) => e.type === "identity")).toEqual({
      type: "identity",
      tags: { MAN: "flexfed", MODEL: "SimBattery", SN: "HB10-0417", V: "1.0.0", CLASS: "Stationary Battery", EFI: "storage", PMAX: 5000, CAP: 10000 },
    });
    expect(sink.reading("soc")).toEqual({ n: "soc", u: "%EL", v: 47.5 });
    expect(sink.reading("stored")).toEqual({ n: "stored", u: "J", v: 4750 * 3600 });
  });

  it("keeps the system description's id while it is unchanged, so instructions do not go stale", async () => {
    const { sink, next } = await rig();
    const id = sink.latest("StorageSystemDescription")!.flexibilityUpdateId;
    const statusId = sink.latest("StorageStatus")!.flexibilityUpdateId;
    const later = await next();
    expect(kinds(later)).toEqual(["StorageStatus", "Measurement"]);
    expect(sink.latest("StorageSystemDescription")!.flexibilityUpdateId).toBe(id);
    expect(id).toMatch(/^sd-[A-Za-z0-9]{16}$/);
    expect(statusId).toMatch(/^st-\d+$/);
  });

  it("charges on an instruction step: registers change, the state of charge rises as time passes", async () => {
    const { sim, driver, sink, advance, next } = await rig({ socPct: 50 });
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 0.6 });
    expect(sim.state).toMatchObject({ storCtlMod: 1, inWRtePct: 60, outWRtePct: 0, powerW: 3000, chargeStatus: "CHARGING" });
    expect(sim.sunspec.get(124, "InOutWRte_RvrtTms")).toBe(65534);
    // apply re-polls: the status already shows the new mode.
    expect(sink.latest("StorageStatus")!.actuatorStatuses![0]).toMatchObject({ currentRunningMode: 0, runningModeFactor: 0.6 });
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(3000);
    advance(10 * 60_000); // 3 kW for 10 min into 10 kWh: +5 %
    expect(sim.state.socPct).toBeCloseTo(55, 6);
    await next();
    expect((await next()).find((m) => m.kind === "StorageStatus")).toMatchObject({ currentFillLevel: 55 });

    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 1 });
    expect(sim.state).toMatchObject({ storCtlMod: 3, inWRtePct: 0, outWRtePct: 0, powerW: 0 });
    const st = sink.latest("StorageStatus")!.actuatorStatuses![0]!;
    expect(st).toMatchObject({ currentRunningMode: 1, previousRunningModeId: 0 });
    expect(st.timerUpdates?.[0]?.timerId).toBe(0);

    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 2, factor: 1 });
    expect(sim.state).toMatchObject({ storCtlMod: 2, outWRtePct: 100, powerW: -5000, chargeStatus: "DISCHARGING" });
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(-5000);
    advance(6 * 60_000); // -5 kW for 6 min: -5 %
    expect(sim.state.socPct).toBeCloseTo(50, 6);

    await driver.release();
    expect(sim.state).toMatchObject({ storCtlMod: 0, powerW: 0 });
  });

  it("stops at full and at empty", async () => {
    const { sim, driver, advance } = await rig({ socPct: 99 });
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 1 });
    advance(3_600_000);
    expect(sim.state).toMatchObject({ socPct: 100, powerW: 0, chargeStatus: "FULL" });
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 2, factor: 1 });
    advance(3 * 3_600_000);
    expect(sim.state).toMatchObject({ socPct: 0, powerW: 0, chargeStatus: "EMPTY" });
  });

  it("falls back to its own behaviour when the revert timeout passes without a re-write", async () => {
    const { sim, driver, advance } = await rig({ autonomousW: () => -1000 }, { revertSeconds: 30 });
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 1 });
    advance(29_000);
    expect(sim.state).toMatchObject({ storCtlMod: 1, powerW: 5000 });
    advance(2_000);
    expect(sim.state).toMatchObject({ storCtlMod: 0, powerW: -1000 });
    // 29 s at 5 kW, then 2 s at -1 kW (the first at the old rate, then autonomously)
    expect(sim.state.socPct).toBeCloseTo(50 + (5000 * 30 - 1000 * 1) / 3600 / 10_000 * 100, 6);
  });

  it("re-writes the held setting before the device reverts", async () => {
    const { sim, driver, advance } = await rig({}, { revertSeconds: 2 });
    let writes = 0;
    const write = sim.write.bind(sim);
    sim.write = (address, values) => (writes++, write(address, values));
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 0.5 });
    const applied = writes;
    advance(1_500);
    // The driver re-writes every revertSeconds / 2 of real time: each re-write re-arms the revert timer.
    await vi.waitFor(() => expect(writes).toBeGreaterThanOrEqual(applied + 3), { timeout: 5_000, interval: 50 });
    advance(1_000); // 2.5 s of simulated time after the step: only a re-write keeps it charging
    expect(sim.state).toMatchObject({ storCtlMod: 1, powerW: 2500 });
  });

  it("rejects a step the device refuses with a DriverError that says why, and shows the real state", async () => {
    const { sim, driver, sink } = await rig();
    sim.refuseWrites(4);
    const err = await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as Error).message).toMatch(/^the battery did not take 'charge at 5000 W': Modbus exception 4 \(server device failure\) writing \[0,10000\] to 40082 from 127\.0\.0\.1:\d+ unit 1$/);
    expect(sim.state.storCtlMod).toBe(0);
    expect(sink.latest("StorageStatus")!.actuatorStatuses![0]!.currentRunningMode).toBe(1);
    await expect(driver.apply({ category: "storage", actuatorId: 0, runningModeId: 4 })).rejects.toThrow("running modes 0 charge, 1 idle and 2 discharge, not 4");
    await expect(driver.apply({ category: "storage", actuatorId: 1, runningModeId: 0, factor: 1 })).rejects.toThrow(DriverError);
  });

  it("reports a wrong unit id as lost, with the timeout in words", async () => {
    const { sink } = await rig({}, { unitId: 7, timeoutMs: 100 });
    const lost = sink.events.find((e) => e.type === "lost");
    expect(lost).toMatchObject({ type: "lost", reason: expect.stringMatching(/^no answer within 100 ms reading 40000\+2 from 127\.0\.0\.1:\d+ unit 7/) });
    expect(sink.latest("StorageRegistration")).toBeUndefined();
  });

  it("reports the device lost when it disappears, and recovered with its control space when it comes back", async () => {
    const { sim, sink } = await rig();
    const lost = sink.next((e) => e.type === "lost");
    await sim.disappear();
    expect(await lost).toMatchObject({ reason: expect.stringMatching(/127\.0\.0\.1:\d+ unit 1.*connection (refused|closed)|connection closed by/) });
    const recovered = sink.next((e) => e.type === "recovered");
    const again = sink.next((e) => e.type === "controlSpace");
    await sim.reappear();
    await recovered;
    const messages = ((await again) as Extract<SinkEvent, { type: "controlSpace" }>).messages;
    expect(kinds(messages)).toEqual(["StorageRegistration", "StorageSystemDescription", "StorageStatus", "Measurement"]);
  });

  for (const base of [0, 50000]) {
    it(`finds a battery whose SunSpec map starts at ${base}`, async () => {
      const { sink } = await rig({ base, socPct: 12.3 });
      expect(sink.latest("StorageStatus")!.currentFillLevel).toBe(12.3);
    });
  }

  it("reads a meter model at the battery's AC side into telemetry", async () => {
    const { driver, sink, advance, next } = await rig({ meter: true });
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 1 });
    advance(3_600_000 / 5);
    await next();
    await next();
    expect(sink.reading("acPower")).toEqual({ n: "acPower", u: "W", v: 5000 });
    expect(sink.reading("acImport")!.v).toBe((1 + 1000) * 3600);
  });

  it("needs a capacity when the device has no model 802", async () => {
    const { sink } = await rig({ battery: false });
    expect(sink.events.find((e) => e.type === "lost")).toMatchObject({ reason: expect.stringMatching(/capacityWh: /) });
    const ok = await rig({ battery: false, socPct: 40 }, { capacityWh: 8000 });
    expect(ok.sink.latest("StorageStatus")!.currentFillLevel).toBe(40);
    // Without 802 there is no power measurement: no Measurement, the mode comes from the control registers.
    expect(ok.sink.latest("Measurement")).toBeUndefined();
  });
});

describe("sunspec-battery driver over the mock RTU line", () => {
  it("reads the control space and applies a step", async () => {
    const { sim, driver, sink, advance } = await rig({ socPct: 20 }, {}, true);
    expect(sink.latest("StorageStatus")!.currentFillLevel).toBe(20);
    await driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0, factor: 0.2 });
    expect(sim.state).toMatchObject({ storCtlMod: 1, inWRtePct: 20, powerW: 1000 });
    advance(3_600_000);
    expect(sim.state.socPct).toBeCloseTo(30, 6);
  });
});

describe("sunspec-battery family", () => {
  it("validates its configuration with paths", () => {
    expect(sunspecBattery.type).toBe("sunspec-battery");
    const r = sunspecBattery.config.safeParse({ transport: { type: "tcp", host: "x", port: 70000 }, unitId: 300 });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(
      expect.arrayContaining(["transport.port: must be 1..65535", "unitId: must be 0..255"]),
    );
    const inline = sunspecBattery.config.safeParse({ transport: { type: "rtu", path: "/dev/ttyUSB0" }, registerMap: { points: { soc: { address: -1 } } } });
    expect(inline.error!.issues.map((i) => i.path.join("."))).toContain("registerMap.points.soc.address");
  });
});

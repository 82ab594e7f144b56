import { afterEach, describe, expect, it } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { RecordingSink } from "../../src/device/recording-sink.ts";
import { decode, encode } from "../../src/efi/index.ts";
import { logger } from "../../src/log/index.ts";
import { MockRtuLine } from "../modbus/index.ts";
import { MeterConfigSchema, type MeterConfigInput } from "./config.ts";
import { MeterDriver } from "./driver.ts";
import { sunspecMeter } from "./index.ts";
import { MeterSimulator, type MeterSimulatorOptions } from "./simulator.ts";

const T0 = Date.parse("2025-06-01T12:00:00Z");
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function rig(simOpts: MeterSimulatorOptions = {}, cfg: Partial<MeterConfigInput> = {}, rtu = false) {
  let clock = T0;
  const sim = new MeterSimulator({ now: () => clock, ...simOpts });
  let transport: MeterConfigInput["transport"];
  let binding: unknown;
  if (rtu) {
    const line = new MockRtuLine();
    sim.serveRtu(line, 2);
    transport = { type: "rtu", path: line.path };
    binding = line.binding;
  } else {
    const { host, port } = await sim.listen();
    transport = { type: "tcp", host, port };
  }
  const config = MeterConfigSchema.parse({ transport, unitId: rtu ? 2 : 1, pollMs: 20, timeoutMs: 200, ...cfg });
  const driver = new MeterDriver(config, { resourceId: "grid-meter-1", log: logger("test"), now: () => new Date(clock) }, { binding });
  const sink = new RecordingSink();
  cleanup.push(() => sim.stop(), () => driver.stop());
  await driver.start(sink);
  const nextTelemetry = () => sink.next((e) => e.type === "telemetry");
  return { sim, driver, sink, advance: (ms: number) => (clock += ms), nextTelemetry };
}

describe("sunspec-meter driver against the simulator", () => {
  it("maps a grid meter to EFI Inflexible: registration once, then Measurements, import positive", async () => {
    const { sink } = await rig({ powerW: () => 2300, serialNumber: "M-42" });
    const reg = sink.latest("InflexibleRegistration")!;
    expect(reg).toMatchObject({
      header: { efiResourceId: "grid-meter-1" },
      deviceDescription: { deviceClass: "Miscellaneous", serialNumber: "M-42", label: "flexfed SimMeter 3ph" },
      supportedCommodities: ["ELECTRICITY"],
    });
    const m = sink.latest("Measurement")!;
    expect(m.electricityMeasurement).toEqual({ power: 2300 });
    for (const msg of [reg, m]) expect(decode(encode(msg))).toEqual(msg);
    await sink.next((e) => e.type === "controlSpace");
    const later = sink.events.filter((e) => e.type === "controlSpace").at(-1)!;
    expect(later.type === "controlSpace" && later.messages.map((x) => x.kind)).toEqual(["Measurement"]);
    expect(sink.events.find((e) => e.type === "identity")).toMatchObject({
      tags: { MAN: "flexfed", MODEL: "SimMeter 3ph", SN: "M-42", V: "1.0.0", CLASS: "Miscellaneous", EFI: "inflexible" },
    });
  });

  it("reports per-phase telemetry with scale factors applied, and energy that integrates the profile", async () => {
    const { sink, advance, nextTelemetry } = await rig({ powerW: (t) => (t < T0 + 3_600_000 ? 3450 : -1380) });
    expect(sink.reading("power")).toEqual({ n: "power", u: "W", v: 3450 });
    expect(sink.reading("powerL2")).toEqual({ n: "powerL2", u: "W", v: 1150 });
    expect(sink.reading("voltageL3")).toEqual({ n: "voltageL3", u: "V", v: 230 });
    expect(sink.reading("currentL1")).toEqual({ n: "currentL1", u: "A", v: 5 });
    expect(sink.reading("frequency")).toEqual({ n: "frequency", u: "Hz", v: 50 });
    advance(3_600_000);
    await nextTelemetry();
    await nextTelemetry();
    expect(sink.reading("power")!.v).toBe(-1380);
    expect(sink.reading("energyImport")).toEqual({ n: "energyImport", u: "J", v: (1 + 3450) * 3600 });
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(-1380);
  });

  it("flips a meter that counts export positive", async () => {
    const { sink } = await rig({ powerW: () => 1000, importWh: 5, exportWh: 7 }, { powerSign: "export-positive" });
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(-1000);
    expect(sink.reading("energyImport")!.v).toBe(7 * 3600);
    expect(sink.reading("energyExport")!.v).toBe(5 * 3600);
  });

  it("cannot be controlled", async () => {
    const { driver } = await rig();
    await expect(driver.apply()).rejects.toThrow(DriverError);
  });

  it("works over the mock RTU line and reports loss and recovery", async () => {
    const { sim, sink } = await rig({ powerW: () => 600, base: 0 }, { timeoutMs: 100 }, true);
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(600);
    const lost = sink.next((e) => e.type === "lost");
    await sim.disappear();
    expect(await lost).toMatchObject({ reason: expect.stringMatching(/no answer within 100 ms .* unit 2/) });
    const back = sink.next((e) => e.type === "controlSpace");
    await sim.reappear();
    expect((await back).type === "controlSpace").toBe(true);
    expect(sink.events.some((e) => e.type === "recovered")).toBe(true);
    expect(sink.events.filter((e) => e.type === "controlSpace" && e.messages[0]?.kind === "InflexibleRegistration")).toHaveLength(2);
  });

  it("validates its configuration", () => {
    expect(sunspecMeter.type).toBe("sunspec-meter");
    const r = sunspecMeter.config.safeParse({ transport: { type: "tcp", host: "meter" }, powerSign: "up" });
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(["powerSign"]);
    expect(sunspecMeter.config.parse({ transport: { type: "tcp", host: "meter" } })).toMatchObject({ unitId: 1, powerSign: "import-positive", transport: { port: 502 } });
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { DriverError, type ControlStep } from "../../src/device/driver.ts";
import { RecordingSink } from "../../src/device/recording-sink.ts";
import { decode, encode, type EfiMessage } from "../../src/efi/index.ts";
import { logger } from "../../src/log/index.ts";
import { xsdErrors } from "../../test/efi/xsd.ts";
import { MockRtuLine } from "../modbus/index.ts";
import { PvConfigSchema, type PvConfigInput } from "./config.ts";
import { PvDriver } from "./driver.ts";
import { sunspecPv } from "./index.ts";
import { forecast } from "./mapping.ts";
import { PvSimulator, type PvSimulatorOptions } from "./simulator.ts";
import { clearSkyProfile, sunPosition } from "./solar.ts";
import type { PvState } from "./state.ts";

const T0 = Date.parse("2025-06-21T11:00:00Z");
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function rig(simOpts: PvSimulatorOptions = {}, cfg: Partial<PvConfigInput> = {}, rtu = false) {
  let clock = T0;
  const sim = new PvSimulator({ now: () => clock, sunW: () => 4000, ...simOpts });
  let transport: PvConfigInput["transport"];
  let binding: unknown;
  if (rtu) {
    const line = new MockRtuLine();
    sim.serveRtu(line, 3);
    transport = { type: "rtu", path: line.path };
    binding = line.binding;
  } else {
    const { host, port } = await sim.listen();
    transport = { type: "tcp", host, port };
  }
  const config = PvConfigSchema.parse({ transport, unitId: rtu ? 3 : 1, pollMs: 20, timeoutMs: 200, latitude: 52, longitude: 5, ...cfg });
  const driver = new PvDriver(config, { resourceId: "pv-roof-1", log: logger("test"), now: () => new Date(clock) }, { binding });
  const sink = new RecordingSink();
  cleanup.push(() => sim.stop(), () => driver.stop());
  await driver.start(sink);
  return { sim, driver, sink, advance: (ms: number) => (clock += ms) };
}

const cap = (w?: number): ControlStep => ({ category: "inflexible", quantity: "ELECTRICITY.POWER", ...(w === undefined ? {} : { cap: w }) });

describe("clear-sky forecast", () => {
  const site = { latitude: 52, longitude: 5, peakW: 5000, tiltDeg: 35 };
  const day = Date.parse("2025-06-21T00:00:00Z");
  const profile = clearSkyProfile(site, day, 96, 15 * 60_000);

  it("is zero at night, peaks near solar noon and never exceeds the peak power", () => {
    expect(profile).toHaveLength(96);
    expect(profile.slice(0, 8).every((w) => w === 0)).toBe(true); // 00:00-02:00 UTC
    expect(profile.slice(84).every((w) => w === 0)).toBe(true); // 21:00-24:00 UTC
    expect(Math.max(...profile)).toBeLessThanOrEqual(5000);
    expect(Math.max(...profile)).toBeGreaterThan(4000);
    // Solar noon at 5° E is about 11:40 UTC: the best quarter hour is within half an hour of it.
    const best = profile.indexOf(Math.max(...profile)) * 15 + 7.5;
    expect(Math.abs(best - (11 * 60 + 40))).toBeLessThanOrEqual(30);
    expect(sunPosition(52, 5, Date.parse("2025-06-21T11:40:00Z")).elevationDeg).toBeCloseTo(90 - 52 + 23.44, 0);
    const sydney = sunPosition(-33.9, 151.2, Date.parse("2025-06-21T02:00:00Z")).azimuthDeg;
    expect(Math.min(sydney, 360 - sydney)).toBeLessThan(10); // Sydney's noon sun is in the north
  });

  it("becomes an InflexibleForecast of the next 24 h in 15 min steps from the quarter hour, production negative, bounded by the rating", () => {
    const state = { ratedW: 4000 } as PvState;
    const cfg = PvConfigSchema.parse({ transport: { type: "tcp", host: "pv" }, latitude: 52, longitude: 5, peakW: 6000 });
    const fc = forecast(state, { resourceId: "pv-1", cfg }, new Date(Date.parse("2025-06-21T06:07:00Z")))!;
    expect(fc.validFrom).toBe("2025-06-21T06:00:00.000Z");
    const powers = fc.forecastProfiles.electricityProfile!.map((e) => e.power);
    expect(powers).toHaveLength(96);
    expect(fc.forecastProfiles.electricityProfile!.every((e) => e.duration === "PT15M")).toBe(true);
    expect(Math.min(...powers)).toBeGreaterThanOrEqual(-4000);
    expect(powers.every((w) => w <= 0)).toBe(true);
    expect(forecast(state, { resourceId: "pv-1", cfg: PvConfigSchema.parse({ transport: { type: "tcp", host: "pv" } }) }, new Date())).toBeUndefined();
  });
});

describe("sunspec-pv driver against the simulator", () => {
  it("maps the inverter to EFI Inflexible: registration, forecast, curtailment options, Measurement, all valid EFI", async () => {
    const { sink } = await rig({ serialNumber: "PV-42", ratedW: 5000 });
    const reg = sink.latest("InflexibleRegistration")!;
    expect(reg).toMatchObject({ header: { efiResourceId: "pv-roof-1" }, deviceDescription: { deviceClass: "PV Panel", serialNumber: "PV-42", label: "flexfed SimInverter 3ph" } });
    const options = sink.latest("InflexibleCurtailmentOptions")!;
    expect(options.curtailmentOptions).toEqual([{ curtailmentQuantity: "ELECTRICITY.POWER", curtailmentRange: [{ lowerBound: -5000, upperBound: 0 }] }]);
    const fc = sink.latest("InflexibleForecast")!;
    expect(fc.validFrom).toBe("2025-06-21T11:00:00.000Z");
    expect(fc.forecastProfiles.electricityProfile).toHaveLength(96);
    const m = sink.latest("Measurement")!;
    expect(m.electricityMeasurement).toEqual({ power: -4000 });
    const all: EfiMessage[] = [reg, options, fc, m];
    for (const msg of all) expect(decode(encode(msg))).toEqual(msg);
    expect(xsdErrors(all.map((msg) => encode(msg)))).toEqual([]);
    expect(sink.events.find((e) => e.type === "identity")).toMatchObject({
      tags: { MAN: "flexfed", MODEL: "SimInverter 3ph", SN: "PV-42", V: "1.0.0", CLASS: "PV Panel", EFI: "inflexible", PMAX: 5000, LAT: 52, LON: 5 },
    });
    // The options keep their id and validFrom while they hold: instructions answering them stay valid.
    await sink.next((e) => e.type === "controlSpace");
    expect(sink.latest("InflexibleCurtailmentOptions")).toEqual({ ...options, header: sink.latest("InflexibleCurtailmentOptions")!.header });
    expect(sink.events.filter((e) => e.type === "controlSpace" && e.messages.some((x) => x.kind === "InflexibleRegistration"))).toHaveLength(1);
  });

  it("reports telemetry: power (production negative), energy in J, per-phase V and A, frequency, status", async () => {
    const { sink, advance } = await rig({ energyWh: 1000 });
    expect(sink.reading("power")).toEqual({ n: "power", u: "W", v: -4000 });
    expect(sink.reading("voltageL2")).toEqual({ n: "voltageL2", u: "V", v: 230 });
    expect(sink.reading("currentL1")!.v).toBeCloseTo(4000 / 3 / 230, 2);
    expect(sink.reading("frequency")).toEqual({ n: "frequency", u: "Hz", v: 50 });
    expect(sink.reading("status")).toEqual({ n: "status", v: 4 }); // MPPT
    expect(sink.reading("limit")).toBeUndefined();
    advance(3_600_000);
    await sink.next((e) => e.type === "telemetry");
    await sink.next((e) => e.type === "telemetry");
    expect(sink.reading("energyExport")).toEqual({ n: "energyExport", u: "J", v: 5000 * 3600 });
  });

  it("caps the output with WMaxLimPct (|cap| / WRtg) and lifts it with a step without cap", async () => {
    const { sim, driver, sink } = await rig({ ratedW: 5000 });
    await driver.apply(cap(-1500));
    expect(sim.sunspec.get(123, "WMaxLimPct")).toBe(30);
    expect(sim.sunspec.get(123, "WMaxLim_Ena")).toBe(1);
    expect(sim.sunspec.get(123, "WMaxLimPct_RvrtTms")).toBe(60);
    expect(sim.state).toMatchObject({ outputW: 1500, status: "THROTTLED" });
    expect(sink.latest("Measurement")!.electricityMeasurement).toEqual({ power: -1500 });
    expect(sink.reading("limit")).toEqual({ n: "limit", u: "%", v: 30 });
    await driver.apply(cap(-9000)); // more than the rating: no limit in effect
    expect(sim.state).toMatchObject({ outputW: 4000, limitPct: 100 });
    await driver.apply(cap());
    expect(sim.sunspec.get(123, "WMaxLim_Ena")).toBe(0);
    expect(sim.state).toMatchObject({ outputW: 4000, limitPct: undefined, status: "MPPT" });
    await driver.apply(cap(0));
    expect(sim.state.outputW).toBe(0);
    await driver.release();
    expect(sim.state.outputW).toBe(4000);
  });

  it("falls back to full output when the revert timeout passes without a re-write", async () => {
    const { sim, driver, advance } = await rig({}, { revertSeconds: 30 });
    await driver.apply(cap(-1000));
    advance(29_000);
    expect(sim.state.outputW).toBe(1000);
    advance(2_000);
    expect(sim.state).toMatchObject({ outputW: 4000, limitPct: undefined });
  });

  it("re-writes the limit before the inverter reverts", async () => {
    const { sim, driver, advance } = await rig({}, { revertSeconds: 2 });
    let writes = 0;
    const write = sim.write.bind(sim);
    sim.write = (address, values) => (writes++, write(address, values));
    await driver.apply(cap(-2000));
    const applied = writes;
    advance(1_500);
    // The driver re-writes every revertSeconds / 2 of real time: each re-write re-arms the revert timer.
    await vi.waitFor(() => expect(writes).toBeGreaterThanOrEqual(applied + 3), { timeout: 5_000, interval: 50 });
    advance(1_000);
    expect(sim.state).toMatchObject({ outputW: 2000, limitPct: 40 });
  });

  it("controls an inverter with DER model 704 instead of 123", async () => {
    const { sim, driver, sink } = await rig({ controls: 704, ratedW: 8000 }, { revertSeconds: 10 });
    expect(sink.latest("InflexibleCurtailmentOptions")!.curtailmentOptions![0]!.curtailmentRange).toEqual([{ lowerBound: -8000, upperBound: 0 }]);
    await driver.apply(cap(-2000));
    expect(sim.sunspec.get(704, "WMaxLimPct")).toBe(25);
    expect(sim.sunspec.get(704, "WMaxLimPctRvrtTms")).toBe(10);
    expect(sim.state).toMatchObject({ outputW: 2000, limitPct: 25 });
    await driver.apply(cap());
    expect(sim.state).toMatchObject({ outputW: 4000, limitPct: undefined });
  });

  it("rejects what it cannot do with a DriverError that says why", async () => {
    const { sim, driver } = await rig();
    sim.refuseWrites(4);
    const err = await driver.apply(cap(-1000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as Error).message).toMatch(/^the inverter did not limit the output to 20\.0 %: Modbus exception 4 \(server device failure\) writing/);
    expect(sim.state.outputW).toBe(4000);
    sim.refuseWrites(undefined);
    await expect(driver.apply(cap(500))).rejects.toThrow(/limits consumption; a PV inverter only produces/);
    await expect(driver.apply({ category: "inflexible", quantity: "HEAT.FLOWRATE", cap: -1 })).rejects.toThrow(/only curtail ELECTRICITY.POWER/);
    await expect(driver.apply({ category: "storage", actuatorId: 0, runningModeId: 0 })).rejects.toThrow(DriverError);
  });

  it("works over the mock RTU line and reports loss and recovery", async () => {
    const { sim, sink } = await rig({}, { timeoutMs: 100 }, true);
    expect(sink.latest("Measurement")!.electricityMeasurement!.power).toBe(-4000);
    const lost = sink.next((e) => e.type === "lost");
    await sim.disappear();
    expect(await lost).toMatchObject({ reason: expect.stringMatching(/no answer within 100 ms .* unit 3/) });
    const back = sink.next((e) => e.type === "controlSpace");
    await sim.reappear();
    await back;
    expect(sink.events.some((e) => e.type === "recovered")).toBe(true);
    expect(sink.events.filter((e) => e.type === "controlSpace" && e.messages[0]?.kind === "InflexibleRegistration")).toHaveLength(2);
  });

  it("reports a TCP inverter that goes away as lost, with the reason, and refuses steps meanwhile", async () => {
    const { sim, sink, driver } = await rig({}, { timeoutMs: 100 });
    const lost = sink.next((e) => e.type === "lost");
    await sim.disappear();
    expect(await lost).toMatchObject({ reason: expect.stringMatching(/127\.0\.0\.1:\d+/) });
    await expect(driver.apply(cap(-1000))).rejects.toThrow(/not answering/);
    const recovered = sink.next((e) => e.type === "recovered", 10_000);
    await sim.reappear();
    await recovered;
  });

  it("validates its configuration", () => {
    expect(sunspecPv.type).toBe("sunspec-pv");
    const r = sunspecPv.config.safeParse({ transport: { type: "tcp", host: "pv" }, revertSeconds: 1 });
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(["revertSeconds"]);
    const r2 = sunspecPv.config.safeParse({ transport: { type: "tcp", host: "pv" }, latitude: 52 });
    expect(r2.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["longitude: give latitude and longitude together"]);
    expect(sunspecPv.config.parse({ transport: { type: "tcp", host: "pv" } })).toMatchObject({ unitId: 1, revertSeconds: 60, tiltDeg: 0, azimuthDeg: 180 });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { RecordingSink } from "../../src/device/recording-sink.ts";
import { checkInstruction, decode, encode, formatDateTime, type InflexibleInstruction } from "../../src/efi/index.ts";
import { logger } from "../../src/log/index.ts";
import { xsdErrors } from "../../test/efi/xsd.ts";
import { fetchPowerFlow } from "./api.ts";
import { FroniusConfigSchema, type FroniusConfigInput } from "./config.ts";
import { FroniusDriver } from "./driver.ts";
import { froniusSolarApi } from "./index.ts";
import { FroniusSimulator, type FroniusSimulatorOptions } from "./simulator.ts";

const T0 = Date.parse("2025-06-01T12:00:00Z");
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function rig(simOpts: FroniusSimulatorOptions = {}, cfg: Partial<FroniusConfigInput> = {}) {
  let clock = T0;
  const sim = new FroniusSimulator({ now: () => clock, ...simOpts });
  const { url } = await sim.listen();
  const config = FroniusConfigSchema.parse({ url, pollMs: 20, timeoutMs: 300, ...cfg });
  const driver = new FroniusDriver(config, { resourceId: "fronius-1", log: logger("test"), now: () => new Date(clock) });
  const sink = new RecordingSink();
  cleanup.push(() => sim.stop(), () => driver.stop());
  await driver.start(sink);
  return { sim, driver, sink, advance: (ms: number) => (clock += ms) };
}

describe("fronius-solar-api driver against the simulator", () => {
  it("maps the power flow to EFI Inflexible (production negative) and telemetry in EFI signs", async () => {
    const { sink, advance } = await rig({ pvW: () => 3000, loadW: () => 800, socPct: 64.5, energyWh: 5000 }, { peakW: 4000, latitude: 50.1, longitude: 14.4 });
    const reg = sink.latest("InflexibleRegistration")!;
    expect(reg).toMatchObject({ header: { efiResourceId: "fronius-1" }, deviceDescription: { deviceClass: "PV Panel", label: "Fronius inverter" } });
    const m = sink.latest("Measurement")!;
    expect(m.electricityMeasurement).toEqual({ power: -3000 });
    const options = sink.latest("InflexibleCurtailmentOptions")!;
    expect(options).not.toHaveProperty("curtailmentOptions");
    for (const msg of [reg, options, m]) expect(decode(encode(msg))).toEqual(msg);
    expect(xsdErrors([reg, options, m].map((msg) => encode(msg)))).toEqual([]);
    expect(sink.reading("gridPower")).toEqual({ n: "gridPower", u: "W", v: -2200 });
    expect(sink.reading("loadPower")).toEqual({ n: "loadPower", u: "W", v: 800 });
    expect(sink.reading("batteryPower")).toEqual({ n: "batteryPower", u: "W", v: 0 });
    expect(sink.reading("soc")).toEqual({ n: "soc", u: "%EL", v: 64.5 });
    expect(sink.events.find((e) => e.type === "identity")).toMatchObject({ tags: { MAN: "Fronius", CLASS: "PV Panel", EFI: "inflexible", PMAX: 4000, LAT: 50.1, LON: 14.4 } });
    advance(3_600_000);
    await sink.next((e) => e.type === "telemetry");
    await sink.next((e) => e.type === "telemetry");
    expect(sink.reading("energyExport")).toEqual({ n: "energyExport", u: "J", v: 8000 * 3600 });
  });

  it("reads a night without PV (P_PV null) as 0 W", async () => {
    const { sink } = await rig({ pvW: () => 0 });
    expect(sink.latest("Measurement")!.electricityMeasurement).toEqual({ power: 0 });
    expect(sink.reading("batteryPower")).toBeUndefined(); // no battery: P_Akku null
  });

  it("is read-only: it offers no curtailment, so EFI refuses a curtailment; a step is rejected with a DriverError", async () => {
    const { driver, sink } = await rig();
    const curtailmentOptions = sink.latest("InflexibleCurtailmentOptions")!;
    const instruction: InflexibleInstruction = {
      kind: "InflexibleInstruction", header: { efiResourceId: "fronius-1", timestamp: formatDateTime(T0) }, instructionId: "cap-1",
      flexibilityUpdateId: curtailmentOptions.flexibilityUpdateId, isEmergencyInstruction: false,
      curtailmentProfile: { curtailmentQuantity: "ELECTRICITY.POWER", startTime: formatDateTime(T0), curtailmentProfileElement: [{ duration: "PT1M", value: -1000 }] },
    };
    expect(checkInstruction(instruction, { curtailmentOptions, now: T0 }).map((i) => i.reason)).toEqual(["the device offers no curtailment of ELECTRICITY.POWER"]);
    await expect(driver.apply()).rejects.toThrow(DriverError);
    await expect(driver.apply()).rejects.toThrow(/read-only/);
  });

  for (const [fault, reason] of [
    ["http-500", /answered HTTP 500 Internal Server Error/],
    ["bad-json", /did not answer JSON/],
    ["api-error", /reports error 255: Collection not available/],
  ] as const) {
    it(`reports ${fault} as lost with the reason, and recovers`, async () => {
      const { sim, sink } = await rig();
      const lost = sink.next((e) => e.type === "lost");
      sim.fault = fault;
      expect(await lost).toMatchObject({ reason: expect.stringMatching(reason) });
      const recovered = sink.next((e) => e.type === "recovered", 10_000);
      sim.fault = "none";
      await recovered;
      await sink.next((e) => e.type === "controlSpace");
      const announced = sink.events.flatMap((e) => (e.type === "controlSpace" && e.messages[0]?.kind === "InflexibleRegistration" ? [e.messages.map((msg) => msg.kind)] : []));
      expect(announced).toEqual([0, 1].map(() => ["InflexibleRegistration", "InflexibleCurtailmentOptions", "Measurement"]));
    });
  }

  it("reports an inverter that goes away as lost, and recovers when it is back", async () => {
    const { sim, sink } = await rig();
    const lost = sink.next((e) => e.type === "lost");
    await sim.disappear();
    expect(await lost).toMatchObject({ reason: expect.stringMatching(/cannot reach http:\/\/127\.0\.0\.1:\d+\/solar_api\/v1\/GetPowerFlowRealtimeData\.fcgi: ECONNREFUSED/) });
    const recovered = sink.next((e) => e.type === "recovered", 10_000);
    await sim.reappear();
    await recovered;
  });

  it("says so when the answer does not come in time, or is JSON of another shape", async () => {
    // A server that accepts and never answers.
    const { createServer } = await import("node:http");
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      await expect(fetchPowerFlow(`http://127.0.0.1:${port}`, 100)).rejects.toThrow(/no answer from .* within 100 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
    const odd = createServer((_, res) => res.writeHead(200).end(JSON.stringify({ Head: { Status: { Code: 0 } }, Body: { Data: { Site: { P_PV: "lots" } } } })));
    await new Promise<void>((r) => odd.listen(0, "127.0.0.1", r));
    try {
      await expect(fetchPowerFlow(`http://127.0.0.1:${(odd.address() as { port: number }).port}`, 500)).rejects.toThrow(/not a power flow: Body\.Data\.Site\.P_PV: /);
    } finally {
      await new Promise((r) => odd.close(r));
    }
  });

  it("validates its configuration", () => {
    expect(froniusSolarApi.type).toBe("fronius-solar-api");
    const r = froniusSolarApi.config.safeParse({ url: "ftp://inverter" });
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(["url"]);
    expect(froniusSolarApi.config.parse({ url: "http://192.168.1.30" })).toMatchObject({ pollMs: 5000, timeoutMs: 3000 });
  });
});

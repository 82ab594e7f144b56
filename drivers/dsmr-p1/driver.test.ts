import { afterEach, describe, expect, it, vi } from "vitest";
import { DriverError } from "../../src/device/driver.ts";
import { RecordingSink, type SinkEvent } from "../../src/device/recording-sink.ts";
import { decode, encode, type EfiMessage } from "../../src/efi/index.ts";
import type { Logger } from "../../src/log/index.ts";
import { xsdErrors } from "../../test/efi/xsd.ts";
import { DsmrP1Driver } from "./driver.ts";
import { dsmrP1 } from "./index.ts";
import { openedPort } from "./sim-binding.ts";
import { P1Simulator, type P1SimulatorOptions } from "./simulator.ts";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
// A Wednesday, 10:00 in the Netherlands: tariff 2.
const START = new Date("2025-01-15T09:00:00Z");
let now = START;
let paths = 0;
const running: { stop(): unknown }[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

function meter(options: Partial<P1SimulatorOptions> = {}): P1Simulator {
  const sim = new P1Simulator({
    path: `/dev/flexfed-p1-test-${++paths}`,
    clock: () => now,
    equipmentId: "E0099000000000001",
    profile: () => ({ importW: [1800, 1200, 0], exportW: [0, 0, 900], voltage: [231, 229, 230] }),
    gas: () => 0.6,
    energyWh: { deliveredT1: 1_000_000, deliveredT2: 2_000_000, receivedT1: 300_000, receivedT2: 400_000 },
    gasM3: 1234.5,
    ...options,
  });
  running.push(sim);
  return sim;
}

async function driverFor(path: string, config: Record<string, unknown> = {}) {
  now = START;
  const driver = new DsmrP1Driver(dsmrP1.config.parse({ path, simulated: true, ...config }), { resourceId: "meter-1", log: quiet, now: () => now }, {
    checkEveryMs: 2,
    backoff: { initialMs: 2, maxMs: 10, factor: 2, jitter: 0 },
  });
  const sink = new RecordingSink();
  running.push(driver);
  await driver.start(sink);
  return { driver, sink };
}

const is = (type: SinkEvent["type"]) => (e: SinkEvent) => e.type === type;
const kinds = (e: SinkEvent | undefined) => (e?.type === "controlSpace" ? e.messages.map((m) => m.kind) : []);

/** Writes one telegram and waits until the driver reported its telemetry. */
async function delivered(sim: P1Simulator, sink: RecordingSink, chunks = 1): Promise<SinkEvent> {
  const next = sink.next(is("telemetry"));
  expect(sim.tick({ chunks })).toBeDefined();
  return next;
}

describe("dsmr-p1 driver against the simulated meter", () => {
  it("opens the port with the protocol's settings", async () => {
    const sim = meter();
    await driverFor(sim.path);
    expect(openedPort(sim.path)?.openOptions).toMatchObject({ baudRate: 115200, dataBits: 8, parity: "none", stopBits: 1 });
    const sim22 = meter();
    await driverFor(sim22.path, { protocol: "dsmr22" });
    expect(openedPort(sim22.path)?.openOptions).toMatchObject({ baudRate: 9600, dataBits: 7, parity: "even", stopBits: 1 });
  });

  it("reports identity, registration, Measurement and telemetry from the telegrams, all EFI messages valid", async () => {
    const sim = meter();
    const { sink } = await driverFor(sim.path);
    await delivered(sim, sink, 5);

    expect(sink.events.find(is("identity"))).toEqual({
      type: "identity",
      tags: { CLASS: "Miscellaneous", EFI: "inflexible", MAN: "FXF", MODEL: "FLEXFED-P1-SIM", SN: "E0099000000000001", V: 5 },
    });
    const header = { efiResourceId: "meter-1", timestamp: START.toISOString() };
    expect(sink.latest("InflexibleRegistration")).toEqual({
      kind: "InflexibleRegistration",
      header,
      instructionProcessingDelay: "PT0S",
      deviceDescription: { deviceClass: "Miscellaneous", serialNumber: "E0099000000000001", label: "Smart meter E0099000000000001" },
      supportedCommodities: ["ELECTRICITY", "GAS"],
    });
    // 3000 W drawn, 900 W fed in; no gas flow yet: one gas report only.
    expect(sink.latest("Measurement")).toEqual({ kind: "Measurement", header, measurementTimestamp: START.toISOString(), electricityMeasurement: { power: 2100 } });

    const telemetry = sink.events.find(is("telemetry"));
    expect(telemetry?.type === "telemetry" && telemetry.time).toEqual(START);
    const kWhToJ = 3_600_000;
    expect(telemetry?.type === "telemetry" && telemetry.readings).toEqual([
      { n: "1-0:1.7.0", u: "W", v: 3000 }, { n: "1-0:2.7.0", u: "W", v: 900 },
      { n: "1-0:21.7.0", u: "W", v: 1800 }, { n: "1-0:41.7.0", u: "W", v: 1200 }, { n: "1-0:61.7.0", u: "W", v: 0 },
      { n: "1-0:22.7.0", u: "W", v: 0 }, { n: "1-0:42.7.0", u: "W", v: 0 }, { n: "1-0:62.7.0", u: "W", v: 900 },
      { n: "1-0:32.7.0", u: "V", v: 231 }, { n: "1-0:52.7.0", u: "V", v: 229 }, { n: "1-0:72.7.0", u: "V", v: 230 },
      // Amperes as DSMR 5 writes them, whole: 1800/231, 1200/229, 900/230.
      { n: "1-0:31.7.0", u: "A", v: 8 }, { n: "1-0:51.7.0", u: "A", v: 5 }, { n: "1-0:71.7.0", u: "A", v: 4 },
      { n: "1-0:1.8.1", u: "J", v: 1000 * kWhToJ }, { n: "1-0:1.8.2", u: "J", v: 2000 * kWhToJ },
      { n: "1-0:2.8.1", u: "J", v: 300 * kWhToJ }, { n: "1-0:2.8.2", u: "J", v: 400 * kWhToJ },
      { n: "0-0:96.14.0", v: 2 },
      { n: "0-1:24.2.1", u: "m3", v: 1234.5 },
    ]);

    // Five minutes on: 250 Wh more drawn and 75 Wh more fed in on tariff 2, and a new gas report of 0.05 m3.
    now = new Date(START.getTime() + 300_000);
    const second = sink.next(is("controlSpace"));
    await delivered(sim, sink);
    expect(kinds(await second)).toEqual(["Measurement"]);
    expect(sink.reading("1-0:1.8.2")).toEqual({ n: "1-0:1.8.2", u: "J", v: 2000.25 * kWhToJ });
    expect(sink.reading("1-0:2.8.2")).toEqual({ n: "1-0:2.8.2", u: "J", v: 400.075 * kWhToJ });
    expect(sink.reading("1-0:2.8.1")?.v).toBe(300 * kWhToJ);
    expect(sink.reading("0-1:24.2.1")?.v).toBe(1234.55);
    const m = sink.latest("Measurement");
    expect(m?.header.timestamp).toBe(now.toISOString());
    expect(m?.gasMeasurement?.flowRate).toBeCloseTo(0.05 / 300, 9);

    const sent = sink.events.flatMap((e) => (e.type === "controlSpace" ? e.messages : []));
    expect(sent.map((msg) => msg.kind)).toEqual(["InflexibleRegistration", "Measurement", "Measurement"]);
    const docs = sent.map((msg) => encode(msg));
    expect(docs.map((doc) => decode(doc))).toEqual(sent satisfies EfiMessage[]);
    expect(xsdErrors(docs)).toEqual([]);
  });

  it("drops a corrupt telegram, counts it, and uses the next good one", async () => {
    const sim = meter();
    const { driver, sink } = await driverFor(sim.path);
    await delivered(sim, sink);
    expect(sim.tick({ corrupt: true })).toBeDefined();
    now = new Date(START.getTime() + 1000);
    await delivered(sim, sink);
    expect(driver.counters).toEqual({ telegrams: 2, crcErrors: 1, parseErrors: 0 });
    expect(sink.events.filter(is("telemetry"))).toHaveLength(2);
    expect(sink.latest("Measurement")?.measurementTimestamp).toBe(now.toISOString());
  });

  it("reports a silent meter lost once, with the reason and the CRC errors since the last good telegram, then recovered", async () => {
    const sim = meter();
    const { driver, sink } = await driverFor(sim.path);
    await delivered(sim, sink);
    for (let i = 0; i < 3; i++) sim.tick({ corrupt: true });
    await vi.waitFor(() => expect(driver.counters.crcErrors).toBe(3));

    sim.silent = true;
    now = new Date(START.getTime() + 9_000);
    sim.tick();
    now = new Date(START.getTime() + 10_001);
    const lost = await sink.next(is("lost"));
    expect(lost).toEqual({ type: "lost", reason: `no valid P1 telegram for 10 s on ${sim.path} (3 CRC errors)` });

    now = new Date(START.getTime() + 60_000);
    sim.silent = false;
    const recovered = sink.next(is("recovered"));
    const controlSpace = sink.next(is("controlSpace"));
    sim.tick();
    await recovered;
    expect(kinds(await controlSpace)).toEqual(["InflexibleRegistration", "Measurement"]);
    expect(sink.events.filter(is("lost"))).toHaveLength(1);
  });

  it("reports a port that cannot be opened as lost, and reopens it with back-off once the meter is there", async () => {
    const path = `/dev/flexfed-p1-test-${++paths}`;
    const { sink } = await driverFor(path);
    expect(sink.events[0]).toEqual({ type: "lost", reason: expect.stringMatching(new RegExp(`^cannot open ${path}: Port does not exist`)) });

    const sim = meter({ path });
    const recovered = sink.next(is("recovered"));
    await vi.waitFor(() => expect(sim.tick()).toBeDefined());
    await recovered;
    expect(sink.events.filter(is("lost"))).toHaveLength(1);
  });

  it("refuses instructions: a meter has nothing to control", async () => {
    const driver = dsmrP1.create(dsmrP1.config.parse({ path: "/dev/ttyP1" }), { resourceId: "meter-1", log: quiet, now: () => now });
    expect(driver.category).toBe("inflexible");
    await expect(driver.apply({ category: "adjustable", runningModeId: 0 })).rejects.toThrow(DriverError);
    await expect(driver.release()).resolves.toBeUndefined();
  });
});

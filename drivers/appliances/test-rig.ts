// What the appliance tests share: a simulator on loopback Modbus TCP with a stepped clock, a driver
// of the family reading it, a RecordingSink, and the checks every EFI message must pass.
import { afterEach, expect } from "vitest";
import type { DeviceDriver, DriverFamily } from "../../src/device/driver.ts";
import { RecordingSink, type SinkEvent } from "../../src/device/recording-sink.ts";
import { decode, encode, type EfiMessage } from "../../src/efi/index.ts";
import { logger } from "../../src/log/index.ts";
import { xsdErrors } from "../../test/efi/xsd.ts";
import type { SimulatedModbusDevice } from "../modbus/index.ts";

export const T0 = Date.parse("2025-06-01T12:00:00Z");

export interface Rig<T> {
  sim: T;
  driver: DeviceDriver;
  sink: RecordingSink;
  /** Simulated time, epoch ms. */
  now(): number;
  advance(ms: number): void;
  /** The next control space the driver reports (after a poll). */
  next(): Promise<readonly EfiMessage[]>;
}

const cleanup: (() => Promise<void>)[] = [];

/** Registers the clean-up of every rig a test made; call at the top of a test file. */
export function useRigs(): void {
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
}

export async function rig<T extends SimulatedModbusDevice>(family: DriverFamily, makeSim: (now: () => number) => T, cfg: Record<string, unknown> = {}): Promise<Rig<T>> {
  let clock = T0;
  const sim = makeSim(() => clock);
  const { host, port } = await sim.listen({ unitId: 1 });
  const config = family.config.parse({ transport: { type: "tcp", host, port }, unitId: 1, pollMs: 20, timeoutMs: 200, ...cfg });
  const driver = family.create(config, { resourceId: `${family.type}-1`, log: logger("test"), now: () => new Date(clock) });
  const sink = new RecordingSink();
  cleanup.push(() => sim.stop(), () => driver.stop());
  await driver.start(sink);
  const next = async () => ((await sink.next((e) => e.type === "controlSpace")) as Extract<SinkEvent, { type: "controlSpace" }>).messages;
  return { sim, driver, sink, now: () => clock, advance: (ms) => (clock += ms), next };
}

/** The first control space a driver reported. */
export const firstControlSpace = (sink: RecordingSink): readonly EfiMessage[] =>
  (sink.events.find((e) => e.type === "controlSpace") as Extract<SinkEvent, { type: "controlSpace" }>).messages;

export const kinds = (ms: readonly EfiMessage[]) => ms.map((m) => m.kind);

/** Every message survives encode/decode and validates against the EFI XSD (one xmllint run). */
export function expectValidEfi(messages: readonly EfiMessage[]): void {
  for (const m of messages) expect(decode(encode(m))).toEqual(m);
  expect(xsdErrors(messages.map((m) => encode(m)))).toEqual([]);
}

/** The device disappears: lost, with the reason; it comes back: recovered, and the whole control space again. */
export async function expectLostAndRecovered(r: Rig<SimulatedModbusDevice>, announce: readonly string[]): Promise<void> {
  const lost = r.sink.next((e) => e.type === "lost");
  await r.sim.disappear();
  expect(await lost).toMatchObject({ reason: expect.stringMatching(/127\.0\.0\.1:\d+ unit 1/) });
  const recovered = r.sink.next((e) => e.type === "recovered");
  const again = r.sink.next((e) => e.type === "controlSpace");
  await r.sim.reappear();
  await recovered;
  expect(kinds(((await again) as Extract<SinkEvent, { type: "controlSpace" }>).messages)).toEqual(announce);
}

// What the charger's unit tests share: a driver on loopback with a recording sink, and a simulated
// charge point dialing it over real OCPP-J, on one injected clock.
import { RecordingSink, type SinkEvent } from "../../src/device/recording-sink.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import { logger } from "../../src/log/index.ts";
import { ChargerConfigSchema, type ChargerConfigInput } from "./config.ts";
import { ChargerDriver } from "./driver.ts";
import { ChargePointSimulator, type ChargePointSimulatorOptions } from "./simulator.ts";

export const T0 = Date.parse("2025-06-01T18:00:00Z");

export interface Rig {
  driver: ChargerDriver;
  sink: RecordingSink;
  sim: ChargePointSimulator;
  /** The central system's URL without the charge point's id. */
  base: string;
  advance(ms: number): void;
  /** The charge point dials in, boots, and is set up by the central system (its last trigger answered). */
  connect(): Promise<void>;
  /** The control space the driver reports next after `action`. */
  reported(action: () => Promise<unknown>, match?: (ms: readonly EfiMessage[]) => boolean): Promise<readonly EfiMessage[]>;
  stop(): Promise<void>;
}

export async function rig(cfg: Partial<ChargerConfigInput> = {}, simOpts: Partial<ChargePointSimulatorOptions> = {}): Promise<Rig> {
  let clock = T0;
  const config = ChargerConfigSchema.parse({ listen: { host: "127.0.0.1", port: 0 }, chargeBoxId: "CP-1", ...cfg });
  const driver = new ChargerDriver(config, { resourceId: "charger-1", log: logger("test"), now: () => new Date(clock) });
  const sink = new RecordingSink();
  await driver.start(sink);
  const base = driver.endpoint.slice(0, -(config.chargeBoxId.length + 1));
  const sim = new ChargePointSimulator({
    endpoint: base, identity: config.chargeBoxId, vendor: "Alfen", model: "Eve Single", serialNumber: "ACE0123", firmwareVersion: "6.1.0",
    now: () => clock, ...simOpts,
  });
  const reported = async (action: () => Promise<unknown>, match: (ms: readonly EfiMessage[]) => boolean = () => true) => {
    const next = sink.next((e) => e.type === "controlSpace" && match(e.messages));
    await action();
    return ((await next) as Extract<SinkEvent, { type: "controlSpace" }>).messages;
  };
  const connect = async () => {
    const triggers = sim.received.length;
    await sim.connect();
    // Set-up ends with a TriggerMessage for MeterValues; its meter values go out right after the answer.
    for (let waited = 0; !sim.received.slice(triggers).some((c) => c.method === "TriggerMessage" && (c.params as { requestedMessage: string }).requestedMessage === "MeterValues"); waited += 10) {
      if (waited > 5_000) throw new Error("the central system did not set the charge point up within 5 s");
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setImmediate(r));
  };
  return {
    driver, sink, sim, base, reported, connect,
    advance: (ms) => (clock += ms),
    stop: async () => {
      await sim.close();
      await driver.stop();
    },
  };
}

export const kinds = (ms: readonly EfiMessage[]) => ms.map((m) => m.kind);

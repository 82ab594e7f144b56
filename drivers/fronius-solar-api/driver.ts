// The Fronius driver: polls the Solar API, reports EFI Inflexible (registration, curtailment
// options without any option, Measurement) and telemetry. The Solar API is read-only: it controls nothing.
import { DriverError, type DeviceDriver, type DriverContext, type DriverSink } from "../../src/device/driver.ts";
import { Poller } from "../../src/device/poller.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import { fetchPowerFlow, type PowerFlow } from "./api.ts";
import type { FroniusConfig } from "./config.ts";
import * as efi from "./mapping.ts";

export class FroniusDriver implements DeviceDriver {
  readonly category = "inflexible";
  readonly #opts: efi.MappingOptions;
  #poller: Poller<PowerFlow> | undefined;
  #announced = false;

  constructor(private readonly cfg: FroniusConfig, private readonly ctx: DriverContext) {
    this.#opts = { resourceId: ctx.resourceId, cfg };
  }

  async start(sink: DriverSink): Promise<void> {
    sink.identity(efi.identity(this.#opts));
    this.#poller = new Poller({
      intervalMs: this.cfg.pollMs,
      read: () => fetchPowerFlow(this.cfg.url, this.cfg.timeoutMs),
      onData: (p) => this.#report(sink, p),
      sink,
      // After a loss the registration is announced again.
      onLost: () => (this.#announced = false),
    });
    await this.#poller.start();
  }

  async stop(): Promise<void> {
    await this.#poller?.stop();
  }

  /** Reached only by an instruction accepted before the first read published that no curtailment is offered. */
  async apply(): Promise<void> {
    throw new DriverError("the Fronius Solar API is read-only: the inverter cannot be controlled through it");
  }

  /** Nothing is held. */
  async release(): Promise<void> {}

  #report(sink: DriverSink, p: PowerFlow): void {
    const now = this.ctx.now();
    const messages: EfiMessage[] = this.#announced ? [] : [efi.registration(this.#opts, now), efi.noCurtailment(this.#opts, now)];
    this.#announced = true;
    messages.push(efi.measurement(p, this.#opts, now));
    sink.controlSpace(messages);
    sink.telemetry(efi.telemetry(p), now);
  }
}

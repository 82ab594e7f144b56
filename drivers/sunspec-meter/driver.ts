// The meter driver: polls, reports EFI Inflexible (registration + Measurement) and telemetry. It
// controls nothing.
import { DriverError, type DeviceDriver, type DriverContext, type DriverSink } from "../../src/device/driver.ts";
import { Poller } from "../../src/device/poller.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import { ModbusLink } from "../modbus/index.ts";
import { SunSpecMeterAdapter } from "./adapter.ts";
import type { MeterConfig } from "./config.ts";
import * as efi from "./mapping.ts";
import type { MeterState } from "./state.ts";

export class MeterDriver implements DeviceDriver {
  readonly category = "inflexible";
  readonly #opts: efi.MappingOptions;
  #adapter: SunSpecMeterAdapter | undefined;
  #poller: Poller<MeterState> | undefined;
  #announced = false;
  #tags = "";

  constructor(private readonly cfg: MeterConfig, private readonly ctx: DriverContext, private readonly options: { binding?: unknown } = {}) {
    this.#opts = { resourceId: ctx.resourceId, deviceClass: cfg.deviceClass, label: cfg.label };
  }

  async start(sink: DriverSink): Promise<void> {
    const link = new ModbusLink({ transport: this.cfg.transport, unitId: this.cfg.unitId, timeoutMs: this.cfg.timeoutMs, binding: this.options.binding });
    const adapter = (this.#adapter = new SunSpecMeterAdapter(link, this.cfg));
    this.#poller = new Poller({
      intervalMs: this.cfg.pollMs,
      read: () => adapter.read(),
      onData: (s) => this.#report(sink, s),
      sink,
      // After a loss the registration is announced again.
      onLost: () => (this.#announced = false),
    });
    await this.#poller.start();
  }

  async stop(): Promise<void> {
    await this.#poller?.stop();
    await this.#adapter?.close();
  }

  async apply(): Promise<void> {
    throw new DriverError("a meter cannot be controlled");
  }

  /** Nothing is held. */
  async release(): Promise<void> {}

  #report(sink: DriverSink, s: MeterState): void {
    const now = this.ctx.now();
    const tags = efi.identity(s, this.#opts);
    if (JSON.stringify(tags) !== this.#tags) {
      this.#tags = JSON.stringify(tags);
      sink.identity(tags);
    }
    const messages: EfiMessage[] = this.#announced ? [] : [efi.registration(s, this.#opts, now)];
    this.#announced = true;
    messages.push(efi.measurement(s, this.#opts, now));
    sink.controlSpace(messages);
    sink.telemetry(efi.telemetry(s), now);
  }
}

// The meter driver: reports EFI Inflexible (registration + Measurement) and telemetry. It
// controls nothing.
import { DriverError } from "../../src/device/driver.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import type { ModbusLink } from "../modbus/index.ts";
import { SunSpecDriver, type Report } from "../sunspec/index.ts";
import { SunSpecMeterAdapter } from "./adapter.ts";
import type { MeterConfig } from "./config.ts";
import * as efi from "./mapping.ts";
import type { MeterState } from "./state.ts";

export class MeterDriver extends SunSpecDriver<MeterConfig, MeterState, SunSpecMeterAdapter> {
  readonly category = "inflexible";
  protected readonly noun = "meter";
  readonly #opts: efi.MappingOptions = { resourceId: this.ctx.resourceId, deviceClass: this.cfg.deviceClass, label: this.cfg.label };

  async apply(): Promise<void> {
    throw new DriverError("a meter cannot be controlled");
  }

  /** Nothing is held. */
  async release(): Promise<void> {}

  protected connect(link: ModbusLink): SunSpecMeterAdapter {
    return new SunSpecMeterAdapter(link, this.cfg);
  }

  protected report(s: MeterState, now: Date, announce: boolean): Report {
    const messages: EfiMessage[] = announce ? [efi.registration(s, this.#opts, now)] : [];
    messages.push(efi.measurement(s, this.#opts, now));
    return { identity: efi.identity(s, this.#opts), messages, telemetry: efi.telemetry(s) };
  }
}

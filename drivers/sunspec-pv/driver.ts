// The PV driver: reports EFI Inflexible (registration, clear-sky forecast, curtailment options,
// Measurement) and telemetry, and turns curtailment steps into a held output limit.
import { DriverError, type ControlStep } from "../../src/device/driver.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import type { ModbusLink } from "../modbus/index.ts";
import { SunSpecDriver, type Report } from "../sunspec/index.ts";
import { SunSpecPvAdapter } from "./adapter.ts";
import type { PvConfig } from "./config.ts";
import * as efi from "./mapping.ts";
import type { PvState } from "./state.ts";

export class PvDriver extends SunSpecDriver<PvConfig, PvState, SunSpecPvAdapter> {
  readonly category = "inflexible";
  protected readonly noun = "inverter";
  readonly #opts: efi.MappingOptions = { resourceId: this.ctx.resourceId, cfg: this.cfg };
  /** The curtailment options on offer and since when (validFrom stays put while they do). */
  #options: { id: string; since: Date } | undefined;

  async apply(step: ControlStep): Promise<void> {
    const s = this.current();
    if (!s.limit) throw new DriverError("the inverter has no power limit control (SunSpec model 123 or 704)");
    const pct = efi.limitPct(step, s);
    if (pct !== undefined) await this.hold(`limit the output to ${pct.toFixed(1)} %`, this.#limit(pct), this.cfg.revertSeconds);
    else {
      await this.send("lift the output limit", this.#limit(undefined));
      this.unhold();
    }
  }

  async release(): Promise<void> {
    this.unhold();
    if (this.state?.limit) await this.send("lift the output limit", this.#limit(undefined));
  }

  protected connect(link: ModbusLink): SunSpecPvAdapter {
    return new SunSpecPvAdapter(link, this.cfg);
  }

  protected report(s: PvState, now: Date, announce: boolean): Report {
    const id = s.limit && efi.curtailmentId(s);
    if (id !== this.#options?.id) this.#options = id ? { id, since: now } : undefined;
    const messages: EfiMessage[] = [];
    if (announce) messages.push(efi.registration(s, this.#opts, now));
    const fc = efi.forecast(s, this.#opts, now);
    if (fc) messages.push(fc);
    const co = this.#options && efi.curtailmentOptions(s, this.#opts, this.#options.since, now);
    if (co) messages.push(co);
    messages.push(efi.measurement(s, this.#opts, now));
    return { identity: efi.identity(s, this.#opts), messages, telemetry: efi.telemetry(s) };
  }

  /** The write that limits the output to `pct` % (undefined: lifts the limit). */
  #limit(pct: number | undefined) {
    return (a: SunSpecPvAdapter) => a.limit(pct, this.cfg.revertSeconds);
  }
}

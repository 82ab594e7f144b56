// The PV driver: polls the inverter, reports EFI Inflexible (registration, clear-sky forecast,
// curtailment options, Measurement) and telemetry, and turns curtailment steps into an output
// limit that it re-writes before the inverter's revert timeout runs out.
import { DriverError, type ControlStep, type DeviceDriver, type DriverContext, type DriverSink } from "../../src/device/driver.ts";
import { Poller } from "../../src/device/poller.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import { ModbusLink } from "../modbus/index.ts";
import { SunSpecPvAdapter } from "./adapter.ts";
import type { PvConfig } from "./config.ts";
import * as efi from "./mapping.ts";
import type { PvState } from "./state.ts";

export interface DriverOptions {
  /** A serialport binding for RTU transports (MockRtuLine's in tests and simulations). */
  binding?: unknown;
}

export class PvDriver implements DeviceDriver {
  readonly category = "inflexible";
  readonly #opts: efi.MappingOptions;
  #adapter: SunSpecPvAdapter | undefined;
  #poller: Poller<PvState> | undefined;
  #sink: DriverSink | undefined;
  #state: PvState | undefined;
  #tags = "";
  /** Whether the registration went out since start or the last loss. */
  #announced = false;
  /** The curtailment options on offer and since when (validFrom stays put while they do). */
  #options: { id: string; since: Date } | undefined;
  #held: number | undefined;
  #refresh: NodeJS.Timeout | undefined;

  constructor(private readonly cfg: PvConfig, private readonly ctx: DriverContext, private readonly options: DriverOptions = {}) {
    this.#opts = { resourceId: ctx.resourceId, cfg };
  }

  /** The latest state read, for diagnostics. */
  get state(): PvState | undefined {
    return this.#state;
  }

  async start(sink: DriverSink): Promise<void> {
    this.#sink = sink;
    const link = new ModbusLink({ transport: this.cfg.transport, unitId: this.cfg.unitId, timeoutMs: this.cfg.timeoutMs, binding: this.options.binding });
    const adapter = (this.#adapter = new SunSpecPvAdapter(link, this.cfg));
    this.#poller = new Poller({
      intervalMs: this.cfg.pollMs,
      read: () => adapter.read(),
      onData: (s) => this.#report(s),
      sink,
      // After a loss the registration is announced again.
      onLost: () => (this.#announced = false),
    });
    await this.#poller.start();
  }

  async stop(): Promise<void> {
    this.#unhold();
    await this.#poller?.stop();
    await this.#adapter?.close();
  }

  async apply(step: ControlStep): Promise<void> {
    const s = this.#state;
    if (!s || this.#poller?.lost) throw new DriverError("the inverter is not answering; it cannot take a step now");
    if (!s.limit) throw new DriverError("the inverter has no power limit control (SunSpec model 123 or 704)");
    const pct = efi.limitPct(step, s);
    await this.#send(pct, pct === undefined ? "lift the output limit" : `limit the output to ${pct.toFixed(1)} %`);
    if (pct === undefined) this.#unhold();
    else this.#hold(pct);
  }

  async release(): Promise<void> {
    this.#unhold();
    if (this.#state?.limit) await this.#send(undefined, "lift the output limit");
  }

  /** Writes, then reads again so the Measurement shows what the inverter really does. */
  async #send(pct: number | undefined, what: string): Promise<void> {
    const adapter = this.#adapter;
    if (!adapter) throw new DriverError("the PV driver is not started");
    try {
      await adapter.limit(pct, this.cfg.revertSeconds);
    } catch (err) {
      throw new DriverError(`the inverter did not ${what}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await this.#poller?.poll();
    }
  }

  #hold(pct: number): void {
    this.#unhold();
    this.#held = pct;
    const again = () => {
      this.#refresh = setTimeout(() => {
        const held = this.#held;
        if (held === undefined) return;
        this.#adapter?.limit(held, this.cfg.revertSeconds).catch((err: unknown) =>
          this.ctx.log.warn("pv: re-writing the output limit failed", { error: err instanceof Error ? err.message : String(err) }));
        again();
      }, (this.cfg.revertSeconds * 1000) / 2);
      this.#refresh.unref();
    };
    again();
  }

  #unhold(): void {
    this.#held = undefined;
    clearTimeout(this.#refresh);
  }

  #report(s: PvState): void {
    const sink = this.#sink!;
    const now = this.ctx.now();
    this.#state = s;
    const tags = efi.identity(s, this.#opts);
    if (JSON.stringify(tags) !== this.#tags) {
      this.#tags = JSON.stringify(tags);
      sink.identity(tags);
    }
    const id = s.limit && efi.curtailmentId(s);
    if (id !== this.#options?.id) this.#options = id ? { id, since: now } : undefined;
    const messages: EfiMessage[] = [];
    if (!this.#announced) messages.push(efi.registration(s, this.#opts, now));
    this.#announced = true;
    const fc = efi.forecast(s, this.#opts, now);
    if (fc) messages.push(fc);
    const co = this.#options && efi.curtailmentOptions(s, this.#opts, this.#options.since, now);
    if (co) messages.push(co);
    messages.push(efi.measurement(s, this.#opts, now));
    sink.controlSpace(messages);
    sink.telemetry(efi.telemetry(s), now);
  }
}

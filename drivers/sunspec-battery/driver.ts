// The battery driver: polls the adapter, reports EFI Storage and telemetry, and turns steps into
// held commands that it re-writes before the device's revert timeout runs out.
import { DriverError, type ControlStep, type DeviceDriver, type DriverContext, type DriverSink } from "../../src/device/driver.ts";
import { Poller } from "../../src/device/poller.ts";
import { formatDateTime, type EfiMessage } from "../../src/efi/index.ts";
import { ModbusLink } from "../modbus/index.ts";
import { loadRegisterMap } from "../sunspec/index.ts";
import { SunSpecBatteryAdapter, type BatteryAdapter } from "./adapter.ts";
import type { BatteryConfig } from "./config.ts";
import { RegisterMapBatteryAdapter } from "./map-adapter.ts";
import * as efi from "./mapping.ts";
import type { BatteryCommand, BatteryState } from "./state.ts";

export interface DriverOptions {
  /** A serialport binding for RTU transports (MockRtuLine's in tests and simulations). */
  binding?: unknown;
}

export class BatteryDriver implements DeviceDriver {
  readonly category = "storage";
  readonly #opts: efi.MappingOptions;
  #adapter: BatteryAdapter | undefined;
  #poller: Poller<BatteryState> | undefined;
  #sink: DriverSink | undefined;
  #state: BatteryState | undefined;
  #track: efi.ModeTrack | undefined;
  #description: { id: string; since: Date } | undefined;
  #tags = "";
  /** Whether the registration and description went out since start or the last loss. */
  #announced = false;
  #held: BatteryCommand | undefined;
  #refresh: NodeJS.Timeout | undefined;

  constructor(private readonly cfg: BatteryConfig, private readonly ctx: DriverContext, private readonly options: DriverOptions = {}) {
    this.#opts = { resourceId: ctx.resourceId, minModeSeconds: cfg.minModeSeconds, selfDischargePctPerDay: cfg.selfDischargePctPerDay };
  }

  /** The latest state read, for diagnostics. */
  get state(): BatteryState | undefined {
    return this.#state;
  }

  async start(sink: DriverSink): Promise<void> {
    this.#sink = sink;
    const link = new ModbusLink({ transport: this.cfg.transport, unitId: this.cfg.unitId, timeoutMs: this.cfg.timeoutMs, binding: this.options.binding });
    const map = this.cfg.registerMapFile ? await loadRegisterMap(this.cfg.registerMapFile) : this.cfg.registerMap;
    const adapter = (this.#adapter = map ? new RegisterMapBatteryAdapter(link, map) : new SunSpecBatteryAdapter(link, this.cfg));
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
    if (!s || this.#poller?.lost) throw new DriverError("the battery is not answering; it cannot take a step now");
    const cmd = efi.command(step, s);
    await this.#send(cmd, `${cmd.mode}${cmd.mode === "idle" ? "" : ` at ${Math.round(cmd.powerW)} W`}`);
    this.#hold(cmd);
  }

  async release(): Promise<void> {
    this.#unhold();
    await this.#send({ mode: "auto", fraction: 0, powerW: 0 }, "hand control back");
  }

  /** Writes, then reads again so the status shows what the device really does. */
  async #send(cmd: BatteryCommand, what: string): Promise<void> {
    const adapter = this.#adapter;
    if (!adapter) throw new DriverError("the battery driver is not started");
    try {
      await adapter.command(cmd, this.cfg.revertSeconds);
    } catch (err) {
      throw new DriverError(`the battery did not take '${what}': ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await this.#poller?.poll();
    }
  }

  #hold(cmd: BatteryCommand): void {
    this.#unhold();
    this.#held = cmd;
    const again = () => {
      this.#refresh = setTimeout(() => {
        const held = this.#held;
        if (!held) return;
        this.#adapter?.command(held, this.cfg.revertSeconds).catch((err: unknown) =>
          this.ctx.log.warn("battery: re-writing the held setting failed", { error: err instanceof Error ? err.message : String(err) }));
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

  #report(s: BatteryState): void {
    const sink = this.#sink!;
    const now = this.ctx.now();
    this.#state = s;
    const tags = efi.identity(s);
    if (JSON.stringify(tags) !== this.#tags) {
      this.#tags = JSON.stringify(tags);
      sink.identity(tags);
    }
    let sd = efi.systemDescription(s, this.#opts, now, this.#description?.since);
    const changed = sd.flexibilityUpdateId !== this.#description?.id;
    if (changed) {
      this.#description = { id: sd.flexibilityUpdateId, since: now };
      sd = { ...sd, validFrom: formatDateTime(now.getTime()) };
    }
    const mode = efi.currentMode(s).mode;
    this.#track = efi.trackMode(this.#track, mode, now.getTime());
    const messages: EfiMessage[] = [];
    if (!this.#announced) messages.push(efi.registration(s, this.#opts, now));
    if (!this.#announced || changed) messages.push(sd);
    this.#announced = true;
    messages.push(efi.status(s, this.#opts, this.#track, now));
    const m = efi.measurement(s, this.#opts, now);
    if (m) messages.push(m);
    sink.controlSpace(messages);
    sink.telemetry(efi.telemetry(s), now);
  }
}

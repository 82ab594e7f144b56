// What every SunSpec driver (battery, PV, meter) does besides its mapping and its control writes:
// connect, poll the adapter, report each read (identity tags when they change, the registration
// again after a loss), lost and recovered; write, then read again; and hold a setting against the
// device's revert timeout.
import {
  DriverError, type ControlStep, type DeviceDriver, type DeviceTags, type DriverContext, type DriverSink, type EfiCategory,
} from "../../src/device/driver.ts";
import { Poller } from "../../src/device/poller.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import type { Reading } from "../../src/telemetry/index.ts";
import { ModbusLink } from "../modbus/index.ts";
import type { ConnectionConfig } from "./config.ts";

export interface DriverOptions {
  /** A serialport binding for RTU transports (MockRtuLine's in tests and simulations). */
  binding?: unknown;
}

/** One read of the device, mapped. */
export interface Report {
  /** Registry tags; reported when they change. */
  identity: DeviceTags;
  messages: EfiMessage[];
  telemetry: Reading[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export abstract class SunSpecDriver<C extends ConnectionConfig, S, A extends { read(): Promise<S> }> implements DeviceDriver {
  abstract readonly category: EfiCategory;
  /** The device in messages: "the battery is not answering". */
  protected abstract readonly noun: string;
  #link: ModbusLink | undefined;
  #adapter: A | undefined;
  #poller: Poller<S> | undefined;
  #state: S | undefined;
  #tags = "";
  /** Whether the registration went out since start or the last loss. */
  #announced = false;
  #held: NodeJS.Timeout | undefined;

  constructor(protected readonly cfg: C, protected readonly ctx: DriverContext, private readonly options: DriverOptions = {}) {}

  /** The latest state read, for diagnostics. */
  get state(): S | undefined {
    return this.#state;
  }

  async start(sink: DriverSink): Promise<void> {
    const link = (this.#link = new ModbusLink({ transport: this.cfg.transport, unitId: this.cfg.unitId, timeoutMs: this.cfg.timeoutMs, binding: this.options.binding }));
    const adapter = (this.#adapter = await this.connect(link));
    this.#poller = new Poller({
      intervalMs: this.cfg.pollMs,
      read: () => adapter.read(),
      onData: (s) => this.#publish(sink, s),
      sink,
      // After a loss the registration is announced again.
      onLost: () => (this.#announced = false),
    });
    await this.#poller.start();
  }

  async stop(): Promise<void> {
    this.unhold();
    await this.#poller?.stop();
    await this.#link?.close();
  }

  abstract apply(step: ControlStep): Promise<void>;
  abstract release(): Promise<void>;

  /** The adapter that reads and writes the device over `link`. */
  protected abstract connect(link: ModbusLink): A | Promise<A>;

  /** Maps one read; `announce`: the first since start or the last loss, which carries the registration. */
  protected abstract report(s: S, now: Date, announce: boolean): Report;

  /** The state to base a step on; a DriverError while the device does not answer. */
  protected current(): S {
    const s = this.#state;
    if (s === undefined || this.#poller?.lost) throw new DriverError(`the ${this.noun} is not answering; it cannot take a step now`);
    return s;
  }

  /** Writes, then reads again so the status shows what the device really does. `what` completes "the battery did not …". */
  protected async send(what: string, write: (adapter: A) => Promise<void>): Promise<void> {
    const adapter = this.#adapter;
    if (!adapter) throw new DriverError(`the ${this.noun} driver is not started`);
    try {
      await write(adapter);
    } catch (err) {
      throw new DriverError(`the ${this.noun} did not ${what}: ${message(err)}`);
    } finally {
      await this.#poller?.poll();
    }
  }

  /**
   * send(), then the same write every half `revertSeconds` until unhold() or the next hold(): the
   * device keeps a control setting only that long after the last write, so that it lets go by
   * itself when the driver is gone. A failed send keeps what was held before.
   */
  protected async hold(what: string, write: (adapter: A) => Promise<void>, revertSeconds: number): Promise<void> {
    await this.send(what, write);
    this.unhold();
    const adapter = this.#adapter!;
    this.#held = setInterval(() => {
      write(adapter).catch((err: unknown) => this.ctx.log.warn(`${this.noun}: re-writing the held setting failed`, { error: message(err) }));
    }, (revertSeconds * 1000) / 2);
    this.#held.unref();
  }

  protected unhold(): void {
    clearInterval(this.#held);
  }

  #publish(sink: DriverSink, s: S): void {
    const now = this.ctx.now();
    this.#state = s;
    const r = this.report(s, now, !this.#announced);
    this.#announced = true;
    if (JSON.stringify(r.identity) !== this.#tags) {
      this.#tags = JSON.stringify(r.identity);
      sink.identity(r.identity);
    }
    sink.controlSpace(r.messages);
    sink.telemetry(r.telemetry, now);
  }
}

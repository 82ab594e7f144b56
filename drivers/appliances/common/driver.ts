// The driver every appliance is: poll the registers, map them to EFI with the appliance's pure
// spec, report; turn steps into register writes the device may refuse. What differs between a
// dishwasher, a heat pump and a generator is all in their ApplianceSpec.
import { DriverError, type ControlStep, type DeviceDriver, type DeviceTags, type DriverContext, type DriverSink, type EfiCategory } from "../../../src/device/driver.ts";
import { Poller } from "../../../src/device/poller.ts";
import type { EfiMessage, MessageKind } from "../../../src/efi/index.ts";
import type { Reading } from "../../../src/telemetry/index.ts";
import { ModbusLink } from "../../modbus/index.ts";
import { readRegisters, type Identification } from "./adapter.ts";
import type { ConnectionConfig } from "./config.ts";
import { encode, type RegisterMap, type RegisterValues } from "./registers.ts";

/** What one read of the appliance says, in EFI and telemetry. */
export interface ApplianceReport {
  identity: DeviceTags;
  registration: EfiMessage;
  /**
   * Messages whose flexibilityUpdateId is a hash of their content: reported when the id is new,
   * withdrawn when their kind is missing (the offer ended: a dishwasher's program started).
   */
  updates: EfiMessage[];
  /** Reported with every read: status, Measurement. */
  status: EfiMessage[];
  telemetry: Reading[];
}

/** Register writes, in order, and what they do in words (for errors). */
export interface Command<M extends RegisterMap, S> {
  what: string;
  writes: [register: keyof M & string, value: number][];
  /** Why the device may have refused, from its state read right after, e.g. "it is still warming up". */
  explain?(s: S): string | undefined;
}

/** One appliance: its registers, and pure functions from what they say to EFI and back. */
export interface ApplianceSpec<M extends RegisterMap, S> {
  readonly category: EfiCategory;
  /** "generator": "the generator is not answering". */
  readonly noun: string;
  readonly deviceType: number;
  readonly map: M;
  /** Throws a DeviceDataError for values that make no sense. */
  state(id: Identification, values: RegisterValues<M>, where: string): S;
  report(s: S, now: Date): ApplianceReport;
  /** Throws a DriverError for a step this appliance cannot take in this state. */
  command(step: ControlStep, s: S): Command<M, S>;
  /** Hands control back to the appliance; undefined: nothing to write. */
  release(s: S): Command<M, S> | undefined;
}

export interface DriverOptions {
  /** A serialport binding for RTU transports (MockRtuLine's in tests). */
  binding?: unknown;
}

export class ApplianceDriver<M extends RegisterMap, S> implements DeviceDriver {
  readonly category: EfiCategory;
  #link: ModbusLink | undefined;
  #poller: Poller<S> | undefined;
  #sink: DriverSink | undefined;
  #state: S | undefined;
  #tags = "";
  /** Ids of the updates reported since start or the last loss, by kind. */
  readonly #reported = new Map<MessageKind, string>();
  #announced = false;

  constructor(private readonly spec: ApplianceSpec<M, S>, private readonly cfg: ConnectionConfig, private readonly ctx: DriverContext, private readonly options: DriverOptions = {}) {
    this.category = spec.category;
  }

  /** The latest state read, for diagnostics and tests. */
  get state(): S | undefined {
    return this.#state;
  }

  async start(sink: DriverSink): Promise<void> {
    this.#sink = sink;
    const link = (this.#link = new ModbusLink({ transport: this.cfg.transport, unitId: this.cfg.unitId, timeoutMs: this.cfg.timeoutMs, binding: this.options.binding }));
    const { spec } = this;
    this.#poller = new Poller({
      intervalMs: this.cfg.pollMs,
      read: async () => {
        const { id, values } = await readRegisters(link, spec.map, spec.deviceType, spec.noun);
        return spec.state(id, values, link.where);
      },
      onData: (s) => this.#report(s),
      sink: {
        lost: (reason) => {
          this.#announced = false;
          this.#reported.clear();
          sink.lost(reason);
        },
        recovered: () => sink.recovered(),
      },
    });
    await this.#poller.start();
  }

  async stop(): Promise<void> {
    await this.#poller?.stop();
    await this.#link?.close();
  }

  async apply(step: ControlStep): Promise<void> {
    const s = this.#state;
    if (s === undefined || this.#poller?.lost) throw new DriverError(`the ${this.spec.noun} is not answering; it cannot take a step now`);
    await this.#send(this.spec.command(step, s));
  }

  async release(): Promise<void> {
    const cmd = this.#state !== undefined ? this.spec.release(this.#state) : undefined;
    if (cmd) await this.#send(cmd);
  }

  /** Writes, then reads again so the status shows what the device really does. */
  async #send(cmd: Command<M, S>): Promise<void> {
    const link = this.#link;
    if (!link) throw new DriverError(`the ${this.spec.noun} driver is not started`);
    try {
      for (const [name, value] of cmd.writes) await link.writeRegisters(this.spec.map[name]!.address, encode(this.spec.map[name]!, value), true);
    } catch (err) {
      await this.#poller?.poll();
      const why = this.#state !== undefined ? cmd.explain?.(this.#state) : undefined;
      throw new DriverError(`the ${this.spec.noun} did not take '${cmd.what}'${why ? ` (${why})` : ""}: ${err instanceof Error ? err.message : String(err)}`);
    }
    await this.#poller?.poll();
  }

  #report(s: S): void {
    const sink = this.#sink!;
    const now = this.ctx.now();
    this.#state = s;
    const r = this.spec.report(s, now);
    const tags = JSON.stringify(r.identity);
    if (tags !== this.#tags) {
      this.#tags = tags;
      sink.identity(r.identity);
    }
    const messages: EfiMessage[] = [];
    if (!this.#announced) messages.push(r.registration);
    this.#announced = true;
    const ended = [...this.#reported.keys()].filter((kind) => !r.updates.some((u) => u.kind === kind));
    for (const kind of ended) this.#reported.delete(kind);
    if (ended.length) sink.retract(ended);
    for (const u of r.updates) {
      const id = "flexibilityUpdateId" in u ? u.flexibilityUpdateId : "";
      if (this.#reported.get(u.kind) === id) continue;
      this.#reported.set(u.kind, id);
      messages.push(u);
    }
    sink.controlSpace([...messages, ...r.status]);
    sink.telemetry(r.telemetry, now);
  }
}

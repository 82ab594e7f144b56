// The dsmr-p1 driver: a smart meter as an EFI Inflexible resource. State is the latest valid
// telegram; the meter is lost when its port fails or no valid telegram came for a while.
import { DriverError, type DeviceDriver, type DriverContext, type DriverSink } from "../../src/device/driver.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import type { BackoffOptions } from "../../src/util/backoff.ts";
import { PROTOCOLS, serialSettings, staleAfterMs, type DsmrP1Config } from "./config.ts";
import { measurement, nextGasFlow, registration, type GasFlow } from "./efi.ts";
import { identityTags } from "./identity.ts";
import { P1Port, type SerialBinding } from "./port.ts";
import { readings } from "./readings.ts";
import { TelegramReader, type TelegramCounters } from "./reader.ts";
import { simulatedBinding } from "./sim-binding.ts";
import type { Telegram } from "./telegram.ts";

export interface DriverOptions {
  /** serialport binding; default the operating system's, or the simulator's when the config says `simulated`. */
  binding?: SerialBinding;
  /** How often to look for a silent meter, ms; default one telegram interval. */
  checkEveryMs?: number;
  /** Delays between attempts to reopen the port. */
  backoff?: BackoffOptions;
}

export class DsmrP1Driver implements DeviceDriver {
  readonly category = "inflexible";
  readonly #reader: TelegramReader;
  readonly #port: P1Port;
  #sink: DriverSink | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #lastValidAt = 0;
  /** Counters at the last valid telegram: a loss report says what went wrong since. */
  #countersAtValid: TelegramCounters = { telegrams: 0, crcErrors: 0, parseErrors: 0 };
  #lost = false;
  #version: string | undefined;
  #gas: GasFlow | undefined;
  /** The identity and registration last sent, as JSON: each is sent again when it changes, the registration also after a loss. */
  readonly #sent = new Map<"identity" | "registration", string>();

  constructor(private readonly config: DsmrP1Config, private readonly ctx: DriverContext, private readonly options: DriverOptions = {}) {
    this.#reader = new TelegramReader({ crcRequired: PROTOCOLS[config.protocol].crcRequired, log: ctx.log });
    this.#port = new P1Port(
      { path: config.path, ...serialSettings(config), binding: options.binding ?? (config.simulated ? simulatedBinding : undefined), backoff: options.backoff },
      { data: (chunk) => this.#onData(chunk), failed: (reason) => this.#markLost(reason) },
    );
  }

  /** Telegrams read, and dropped for a bad CRC or content, since start. */
  get counters(): Readonly<TelegramCounters> {
    return { ...this.#reader.counters };
  }

  async start(sink: DriverSink): Promise<void> {
    this.#sink = sink;
    this.#lastValidAt = this.ctx.now().getTime();
    const every = this.options.checkEveryMs ?? PROTOCOLS[this.config.protocol].intervalSeconds * 1000;
    this.#watchdog = setInterval(() => this.#watch(), every);
    await this.#port.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.#watchdog);
    await this.#port.stop();
  }

  apply(): Promise<void> {
    return Promise.reject(new DriverError(`${this.config.path} is a P1 smart meter: it measures, it has nothing to control`));
  }

  release(): Promise<void> {
    return Promise.resolve();
  }

  #onData(chunk: Buffer): void {
    for (const telegram of this.#reader.push(chunk)) this.#onTelegram(telegram);
  }

  #onTelegram(t: Telegram): void {
    const sink = this.#sink!;
    const now = this.ctx.now();
    this.#lastValidAt = now.getTime();
    this.#countersAtValid = { ...this.#reader.counters };
    this.#version = t.version ?? this.#version;
    if (this.#lost) {
      this.#lost = false;
      this.#sent.delete("registration");
      sink.recovered();
    }
    this.#gas = nextGasFlow(this.#gas, t.gas);

    const tags = identityTags(t);
    if (this.#differs("identity", tags)) sink.identity(tags);
    const header = { efiResourceId: this.ctx.resourceId, timestamp: now.toISOString() };
    const messages: EfiMessage[] = [];
    const reg = registration(t, header);
    if (this.#differs("registration", { ...reg, header: undefined })) messages.push(reg);
    const m = measurement(t, this.#gas, header, now);
    if (m) messages.push(m);
    if (messages.length > 0) sink.controlSpace(messages);
    // Telemetry carries the meter's own time of measurement (DSMR 2.2 and 3 telegrams have none).
    sink.telemetry(readings(t), t.timestamp ?? now);
  }

  /** Whether `value` differs from what was last sent as `what`; remembers it. */
  #differs(what: "identity" | "registration", value: object): boolean {
    const json = JSON.stringify(value);
    if (this.#sent.get(what) === json) return false;
    this.#sent.set(what, json);
    return true;
  }

  #watch(): void {
    const stale = staleAfterMs(this.config, this.#version);
    if (this.#lost || this.ctx.now().getTime() - this.#lastValidAt <= stale) return;
    this.#markLost(`no valid P1 telegram for ${stale / 1000} s on ${this.config.path}${this.#dropped()}`);
  }

  /** What was dropped since the last valid telegram, e.g. " (3 CRC errors)". */
  #dropped(): string {
    const crc = this.#reader.counters.crcErrors - this.#countersAtValid.crcErrors;
    const parse = this.#reader.counters.parseErrors - this.#countersAtValid.parseErrors;
    const parts = [
      ...(crc ? [`${crc} CRC error${crc === 1 ? "" : "s"}`] : []),
      ...(parse ? [`${parse} unreadable telegram${parse === 1 ? "" : "s"}, the last: ${this.#reader.lastError}`] : []),
    ];
    return parts.length ? ` (${parts.join("; ")})` : "";
  }

  #markLost(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#sink?.lost(reason);
  }
}

// The P1 port (I/O only): opens the serial device, hands its bytes on, and reopens it with back-off
// when it fails to open, errors or closes.
import { SerialPort, type SerialPortMock } from "serialport";
import { backoffDelay, type BackoffOptions } from "../../src/util/backoff.ts";
import type { SerialSettings } from "./config.ts";

/** A serialport binding: the operating system's (default) or the mock one (tests, simulator). */
export type SerialBinding = typeof SerialPort.binding | typeof SerialPortMock.binding;

export interface P1PortOptions extends SerialSettings {
  path: string;
  binding?: SerialBinding;
  backoff?: BackoffOptions;
}

export interface P1PortEvents {
  data(chunk: Buffer): void;
  /** The port could not be opened or stopped working; it is reopened after a back-off delay. */
  failed(reason: string): void;
}

const REOPEN: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.3 };

export class P1Port {
  #port: SerialPort | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #running = false;

  constructor(private readonly opts: P1PortOptions, private readonly events: P1PortEvents) {}

  /** Resolves after the first attempt to open, successful or not: a failure is reported and retried. */
  start(): Promise<void> {
    this.#running = true;
    return this.#open();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  #open(): Promise<void> {
    const { path, baudRate, dataBits, parity, stopBits, binding } = this.opts;
    // serialport's typings leave `binding` out, but SerialPort spreads its options over the
    // detected binding, so one given here is the one used.
    const options = { path, baudRate, dataBits, parity, stopBits, autoOpen: false, ...(binding ? { binding } : {}) };
    const port = new SerialPort(options as ConstructorParameters<typeof SerialPort>[0]);
    return new Promise((resolve) => {
      port.open((err) => {
        resolve();
        if (err) return this.#retry(`cannot open ${path}: ${err.message}`);
        if (!this.#running) return void port.close();
        this.#port = port;
        this.#attempt = 0;
        port.on("data", (chunk: Buffer) => this.events.data(chunk));
        port.on("error", (e: Error) => this.#drop(port, `${path} failed: ${e.message}`));
        port.on("close", (e: Error | null) => this.#drop(port, `${path} closed${e ? `: ${e.message}` : ""}`));
      });
    });
  }

  #drop(port: SerialPort, reason: string): void {
    if (this.#port !== port) return;
    this.#port = undefined;
    if (port.isOpen) port.close(() => {});
    this.#retry(reason);
  }

  #retry(reason: string): void {
    if (!this.#running) return;
    this.events.failed(reason);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#open(), backoffDelay(this.#attempt++, this.opts.backoff ?? REOPEN));
  }
}

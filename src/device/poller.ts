// The loop every polling driver needs: read the device every interval; when a read fails, report
// the loss once and retry with back-off until it answers, then report the recovery.
import { backoffDelay, type BackoffOptions } from "../util/backoff.ts";
import type { DriverSink } from "./driver.ts";

export interface PollerOptions<T> {
  intervalMs: number;
  /** One complete read of the device (the adapter's job); rejects when the device does not answer. */
  read(): Promise<T>;
  /** A successful read: map it and report it. */
  onData(data: T): void;
  sink: Pick<DriverSink, "lost" | "recovered">;
  /** Runs on a loss, before the sink hears of it (a driver forgets what it announced). */
  onLost?(): void;
  /** Says why a read failed, in words for the user; default: the error's message. */
  describe?(err: unknown): string;
  backoff?: BackoffOptions;
}

const RETRY: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.3 };

export class Poller<T> {
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #failures = 0;
  #current: Promise<void> | undefined;

  constructor(private readonly opts: PollerOptions<T>) {}

  /** Whether the last read failed. */
  get lost(): boolean {
    return this.#failures > 0;
  }

  /** Reads once now (the caller may await the first result), then keeps polling. */
  start(): Promise<void> {
    this.#running = true;
    return this.#tick();
  }

  /** Reads now, out of turn (e.g. after a write); the regular rhythm continues from here. */
  poll(): Promise<void> {
    clearTimeout(this.#timer);
    return this.#tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#current;
  }

  #tick(): Promise<void> {
    // One read at a time: a poll() during a read waits for it.
    const run = (this.#current ?? Promise.resolve()).then(() => this.#read());
    this.#current = run;
    return run;
  }

  async #read(): Promise<void> {
    if (!this.#running) return;
    let delay = this.opts.intervalMs;
    try {
      const data = await this.opts.read();
      if (this.#failures > 0) this.opts.sink.recovered();
      this.#failures = 0;
      this.opts.onData(data);
    } catch (err) {
      if (this.#failures === 0) {
        this.opts.onLost?.();
        this.opts.sink.lost(this.opts.describe?.(err) ?? (err instanceof Error ? err.message : String(err)));
      }
      delay = Math.max(delay, backoffDelay(this.#failures, this.opts.backoff ?? RETRY));
      this.#failures++;
    }
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delay);
  }
}

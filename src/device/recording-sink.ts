// A DriverSink that records what a driver reports, for driver tests and for the `device probe` CLI.
import type { EfiMessage, MessageKind } from "../efi/index.ts";
import type { Reading } from "../telemetry/index.ts";
import { categoryOf, registeredCategory, type DeviceTags, type DriverSink, type EfiCategory } from "./driver.ts";

export type SinkEvent =
  | { type: "identity"; tags: DeviceTags }
  | { type: "controlSpace"; messages: readonly EfiMessage[] }
  | { type: "retract"; kinds: readonly MessageKind[] }
  | { type: "telemetry"; readings: readonly Reading[]; time: Date }
  | { type: "lost"; reason: string }
  | { type: "recovered" };

export class RecordingSink implements DriverSink {
  readonly events: SinkEvent[] = [];
  #waiters: { match: (e: SinkEvent) => boolean; resolve: (e: SinkEvent) => void }[] = [];

  identity(tags: DeviceTags): void { this.#push({ type: "identity", tags }); }
  controlSpace(messages: readonly EfiMessage[]): void { this.#push({ type: "controlSpace", messages }); }
  retract(kinds: readonly MessageKind[]): void { this.#push({ type: "retract", kinds }); }
  telemetry(readings: readonly Reading[], time: Date): void { this.#push({ type: "telemetry", readings, time }); }
  lost(reason: string): void { this.#push({ type: "lost", reason }); }
  recovered(): void { this.#push({ type: "recovered" }); }

  /**
   * The latest message of a kind the driver reported, as the device holds it: undefined once
   * retracted, or once a registration of another category replaced the kind's category.
   */
  latest<K extends MessageKind>(kind: K): Extract<EfiMessage, { kind: K }> | undefined {
    const category = categoryOf(kind);
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.type === "retract" && e.kinds.includes(kind)) return undefined;
      if (e.type !== "controlSpace") continue;
      const m = e.messages.findLast((m) => m.kind === kind);
      if (m) return m as Extract<EfiMessage, { kind: K }>;
      const registered = registeredCategory(e.messages);
      if (category && registered && registered !== category) return undefined;
    }
    return undefined;
  }

  /** The category of the latest registration the driver reported. */
  get category(): EfiCategory | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      const registered = e.type === "controlSpace" ? registeredCategory(e.messages) : undefined;
      if (registered) return registered;
    }
    return undefined;
  }

  /** The latest telemetry reading by name. */
  reading(name: string): Reading | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.type === "telemetry") {
        const r = e.readings.find((r) => r.n === name);
        if (r) return r;
      }
    }
    return undefined;
  }

  /** Resolves with the next event (from now on) that matches; rejects after `timeoutMs`. */
  next(match: (e: SinkEvent) => boolean, timeoutMs = 5_000): Promise<SinkEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching driver event within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = { match, resolve: (e: SinkEvent) => { clearTimeout(timer); resolve(e); } };
      this.#waiters.push(waiter);
    });
  }

  #push(e: SinkEvent): void {
    this.events.push(e);
    for (const w of this.#waiters.filter((w) => w.match(e))) {
      this.#waiters = this.#waiters.filter((x) => x !== w);
      w.resolve(e);
    }
  }
}

// A bounded FIFO for telemetry a device could not publish yet (offline, node not created yet).
// When full, the oldest entries go first: recent measurements matter most to an energy app.
export class Outbox<T> {
  #items: T[] = [];
  #dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`outbox capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number { return this.#items.length; }
  /** How many entries were dropped because the outbox was full. */
  get dropped(): number { return this.#dropped; }

  /** Appends; returns how many old entries this push dropped (0 or 1). */
  push(item: T): number {
    this.#items.push(item);
    if (this.#items.length <= this.capacity) return 0;
    this.#items.shift();
    this.#dropped++;
    return 1;
  }

  peek(): T | undefined { return this.#items[0]; }

  /** The oldest `n` entries (fewer when there are fewer), left in place. */
  head(n: number): T[] { return this.#items.slice(0, n); }

  /** Removes the oldest entry once it has been delivered. */
  shift(): T | undefined { return this.#items.shift(); }
}

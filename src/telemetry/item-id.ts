// Telemetry item ids (`<epoch>-<sequence>`, both base 36 / decimal): the device's run start and a
// counter, so a consumer orders packs and drops the ones it has, across reconnects and restarts.

export const telemetryItemId = (epochMs: number, seq: number): string => `${epochMs.toString(36)}-${seq}`;

/** [run start ms, sequence] of an item id, or undefined for an id of another shape. */
export function telemetryItemOrder(id: string): [number, number] | undefined {
  const m = /^([0-9a-z]+)-([0-9]+)$/.exec(id);
  return m ? [parseInt(m[1]!, 36), Number(m[2])] : undefined;
}

/** Whether item `id` comes after item `last` (undefined: nothing seen yet; unknown shapes count as new). */
export function isNewerItem(id: string, last: string | undefined): boolean {
  const a = telemetryItemOrder(id), b = last === undefined ? undefined : telemetryItemOrder(last);
  if (!a || !b) return true;
  return a[0] !== b[0] ? a[0] > b[0] : a[1] > b[1];
}

/** How many packs past a gap a ledger remembers before it gives the gap up. */
const MAX_AHEAD = 512;

/**
 * Which packs of one device a consumer has had: every sequence number up to a mark of the device's
 * current run, plus those after a gap (notifications that came while older packs were missed).
 * Packs older than the first one taken are history, not gaps.
 */
export class PackLedger {
  #epoch: number | undefined;
  #upTo = 0;
  readonly #ahead = new Set<number>();

  get started(): boolean { return this.#epoch !== undefined; }

  /** Records pack `id`; false when it was had already or is older than what the ledger covers. */
  take(id: string): boolean {
    const order = telemetryItemOrder(id);
    if (!order) return true;
    const [epoch, seq] = order;
    if (this.#epoch === undefined || epoch > this.#epoch) {
      this.#epoch = epoch;
      this.#upTo = seq - 1;
      this.#ahead.clear();
    } else if (epoch < this.#epoch) return false;
    if (seq <= this.#upTo || this.#ahead.has(seq)) return false;
    this.#ahead.add(seq);
    while (this.#ahead.delete(this.#upTo + 1)) this.#upTo++;
    if (this.#ahead.size > MAX_AHEAD) {
      // The gap's packs are gone from the node by now: count from the oldest pack after it.
      this.#upTo = Math.min(...this.#ahead) - 1;
      while (this.#ahead.delete(this.#upTo + 1)) this.#upTo++;
    }
    return true;
  }
}

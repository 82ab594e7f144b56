// What a device publishes, and the order it goes out in. Publishing can fail for a while (offline,
// nodes not created yet after a claim): nothing is lost, it is sent when the way is open again.
import type { Element } from "ltx/lib/ltx.js";
import { encodeElement, type EfiMessage, type MessageKind } from "../efi/index.ts";
import { logger } from "../log/index.ts";
import { packToXml, telemetryItemId, type SenmlPack } from "../telemetry/index.ts";
import { backoffDelay, type BackoffOptions } from "../util/backoff.ts";
import type { PubsubClient } from "../xmpp/index.ts";
import { Outbox } from "./outbox.ts";

const log = logger("device-publisher");
const RETRY: BackoffOptions = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.3 };

/**
 * Drains a queue one publish at a time, in order. A failure stops the drain and retries after a
 * growing delay; `kick()` (on reconnect, on claim) retries at once.
 */
class Pump {
  #running = false;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(private readonly next: () => Promise<boolean>, private readonly what: string) {}

  kick(): void {
    if (this.#running || this.#stopped) return;
    clearTimeout(this.#retry);
    this.#running = true;
    void this.#drain();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
  }

  async #drain(): Promise<void> {
    try {
      while (!this.#stopped && (await this.next())) this.#failures = 0;
    } catch (err) {
      if (this.#failures === 0) log.info("publish failed; will retry", { what: this.what, error: (err as Error).message });
      if (!this.#stopped) this.#retry = setTimeout(() => this.kick(), backoffDelay(this.#failures++, RETRY));
    } finally {
      this.#running = false;
    }
  }
}

/** A message without its header's timestamp: what tells whether a message says something new. */
const content = (m: EfiMessage) => JSON.stringify({ ...m, header: { ...m.header, timestamp: "" } });

/**
 * The control space on efi/<rid>: one item per EFI message kind (item id = the kind), so the
 * node always holds the latest message of each kind. Only the latest of a kind is sent; a message
 * that only repeats the published one is not sent again; kinds given a minimum interval (the
 * Measurement: telemetry carries every sample; statuses) are sent at most that often.
 */
export class ControlSpacePublisher {
  readonly #latest = new Map<MessageKind, EfiMessage>();
  readonly #dirty = new Set<MessageKind>();
  readonly #retracted = new Set<MessageKind>();
  readonly #sentAt = new Map<MessageKind, number>();
  readonly #held = new Map<MessageKind, NodeJS.Timeout>();
  readonly #pump: Pump;
  /** Which item ids the node may hold (see prune). */
  #keep: (id: string) => boolean = () => true;
  /** False until the node's items have been read against #keep after prune(). */
  #pruned = true;
  /** Publishing waits for this (claimed: the node exists and the device is its publisher). */
  open = false;

  constructor(
    private readonly pubsub: PubsubClient,
    readonly node: string,
    // A burst of statuses (ACCEPTED, STARTED, SUCCEEDED within ms) costs the server one disk write
    // rather than three; the instruction's sender gets each status by IQ anyway.
    private readonly minIntervalMs: Partial<Record<MessageKind, number>> = { Measurement: 10_000, InstructionStatusUpdate: 1_000 },
  ) {
    this.#pump = new Pump(() => this.#publishOne(), node);
  }

  latest<K extends MessageKind>(kind: K): Extract<EfiMessage, { kind: K }> | undefined {
    return this.#latest.get(kind) as Extract<EfiMessage, { kind: K }> | undefined;
  }

  set(messages: readonly EfiMessage[]): void {
    for (const m of messages) {
      const before = this.#latest.get(m.kind);
      this.#latest.set(m.kind, m);
      this.#retracted.delete(m.kind);
      if (before && !this.#dirty.has(m.kind) && content(before) === content(m)) continue;
      this.#dirty.add(m.kind);
    }
    this.kick();
  }

  /** Removes a kind from the node (a FlexibilityRevoke once the device is back, an offer that ended). */
  retract(kind: MessageKind): void {
    if (!this.#latest.delete(kind)) return;
    this.#dirty.delete(kind);
    this.#retracted.add(kind);
    this.kick();
  }

  /**
   * Withdraws every item `keep` rejects: the kinds held here before anything new is sent, and those
   * an earlier run of the device left on the node once it has been read (after what waits to be
   * sent, so pruning never delays the device's own messages).
   */
  prune(keep: (id: string) => boolean): void {
    this.#keep = keep;
    for (const kind of [...this.#latest.keys()]) if (!keep(kind)) this.retract(kind);
    this.#pruned = false;
    this.kick();
  }

  /** Everything again (new nodes after a claim). */
  republish(): void {
    for (const k of this.#latest.keys()) this.#dirty.add(k);
    this.kick();
  }

  kick(): void {
    if (this.open) this.#pump.kick();
  }

  stop(): void {
    this.#pump.stop();
    for (const t of this.#held.values()) clearTimeout(t);
  }

  /** True when `kind` was sent too recently: it waits (once) for its interval to pass. */
  #hold(kind: MessageKind): boolean {
    const wait = (this.#sentAt.get(kind) ?? -Infinity) + (this.minIntervalMs[kind] ?? 0) - Date.now();
    if (wait <= 0) return false;
    this.#held.set(kind, setTimeout(() => { this.#held.delete(kind); this.kick(); }, wait));
    return true;
  }

  async #publishOne(): Promise<boolean> {
    if (!this.open) return false;
    const [gone] = this.#retracted;
    if (gone) {
      await this.pubsub.retract(this.node, gone).catch((err: { condition?: string }) => {
        if (err.condition !== "item-not-found") throw err;
      });
      this.#retracted.delete(gone);
      return true;
    }
    const kind = [...this.#dirty].find((k) => !this.#held.has(k) && !this.#hold(k));
    if (kind) {
      const message = this.#latest.get(kind)!;
      await this.pubsub.publish(this.node, encodeElement(message), kind);
      this.#sentAt.set(kind, Date.now());
      // A newer message of this kind may have arrived meanwhile: it stays dirty.
      if (this.#latest.get(kind) === message) this.#dirty.delete(kind);
      return true;
    }
    if (this.#pruned) return false;
    for (const { id } of await this.pubsub.items(this.node)) if (!this.#keep(id) && !this.#latest.has(id as MessageKind)) this.#retracted.add(id as MessageKind);
    this.#pruned = true;
    return true;
  }
}

/** Packs a backlog may put in one item: one stanza and one server write for many samples. */
export const MAX_PACKS_PER_ITEM = 50;

interface Queued { id: string; pack: SenmlPack }

/**
 * SenML packs on telemetry/<rid>, in order, each with a unique item id (`<start>-<sequence>`) so a
 * consumer can drop duplicates after a reconnect. Packs wait in a bounded outbox meanwhile. When
 * packs queue up (a burst, a slow server, after an outage) up to MAX_PACKS_PER_ITEM of them go as
 * one item: their records in order, each pack starting with its own base name and time (RFC 8428
 * lets any record set them), under the id of the last.
 */
export class TelemetryPublisher {
  readonly outbox: Outbox<Queued>;
  readonly #pump: Pump;
  readonly #epoch = Date.now();
  #seq = 0;
  #published = 0;
  /** The packs of a publish that failed: sent again as they were, under the same id. */
  #unconfirmed: Queued[] | undefined;
  open = false;

  constructor(private readonly pubsub: PubsubClient, readonly node: string, capacity: number) {
    this.outbox = new Outbox(capacity);
    this.#pump = new Pump(() => this.#publishOne(), node);
  }

  /** Packs delivered to the server so far. */
  get published(): number { return this.#published; }

  push(pack: SenmlPack): string {
    const id = telemetryItemId(this.#epoch, ++this.#seq);
    if (this.outbox.push({ id, pack }) && this.outbox.dropped === 1) {
      log.warn("telemetry outbox full: dropping the oldest packs", { node: this.node, capacity: this.outbox.capacity });
    }
    this.kick();
    return id;
  }

  kick(): void {
    if (this.open) this.#pump.kick();
  }

  stop(): void { this.#pump.stop(); }

  async #publishOne(): Promise<boolean> {
    if (!this.open) return false;
    const batch = this.#unconfirmed ?? this.outbox.head(MAX_PACKS_PER_ITEM);
    if (!batch.length) return false;
    this.#unconfirmed = batch;
    await this.pubsub.publish(this.node, packToXml(batch.length === 1 ? batch[0]!.pack : batch.flatMap((q) => q.pack)), batch.at(-1)!.id);
    // Only now: a publish lost with the connection is sent again (same packs, same id: no duplicate).
    this.#unconfirmed = undefined;
    for (const q of batch) if (this.outbox.peek() === q) this.outbox.shift();
    this.#published += batch.length;
    return true;
  }
}

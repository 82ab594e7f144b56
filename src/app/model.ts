// An app's picture of the devices it may see: for each, what the registry says (tags), where it is
// (presence), its current control space (the latest EFI message of each kind, as on efi/<rid>) and
// its latest measurements. Pure state, fed by the app runtime and read by app modules.
import type { EfiCategory } from "../device/driver.ts";
import type { EfiMessage, EfiMessageOf, MessageKind } from "../efi/index.ts";
import { PackLedger } from "../telemetry/item-id.ts";

export type Tags = Readonly<Record<string, string | number>>;

/** One measured value from a telemetry pack or an EFI Measurement. */
export interface Sample {
  v: number;
  u?: string;
  /** When it was measured, ms since the epoch. */
  t: number;
}

export type Presence = "unknown" | "online" | "lost" | "offline";

const CATEGORY_OF_REGISTRATION: Partial<Record<MessageKind, EfiCategory>> = {
  InflexibleRegistration: "inflexible",
  ShiftableRegistration: "shiftable",
  StorageRegistration: "storage",
  AdjustableRegistration: "adjustable",
};

/** What an app module reads of one device. */
export interface DeviceView {
  readonly rid: string;
  /** Bare JID. */
  readonly jid: string;
  readonly tags: Tags;
  readonly owner?: string;
  /** The full JID instructions go to, while it is online. */
  readonly fullJid?: string;
  readonly presence: Presence;
  /** Why the device is lost (its presence status), while it is. */
  readonly lostReason?: string;
  /** Its flexibility is revoked (FlexibilityRevoke on its node): nothing to plan with. */
  readonly revoked: boolean;
  /** The category of its registration (the registry's EFI tag before the registration is read). */
  readonly category?: EfiCategory;
  /** The latest message of a kind; undefined while revoked (except FlexibilityRevoke itself). */
  latest<K extends MessageKind>(kind: K): EfiMessageOf<K> | undefined;
  /** The latest sample of a telemetry name (SenML n without the device's base name), or "power" from EFI. */
  sample(name: string): Sample | undefined;
  /** Every name's latest sample. */
  readonly samples: ReadonlyMap<string, Sample>;
  /** May it be instructed now: online, not revoked, registered. */
  readonly controllable: boolean;
}

export class DeviceState implements DeviceView {
  fullJid?: string;
  presence: Presence = "unknown";
  lostReason?: string;
  /** The telemetry packs handled: a re-read after an outage takes the ones missed. */
  readonly packs = new PackLedger();
  readonly #items = new Map<MessageKind, EfiMessage>();
  readonly #samples = new Map<string, Sample>();

  constructor(readonly rid: string, readonly jid: string, public tags: Tags, public owner?: string) {}

  get revoked(): boolean { return this.#items.has("FlexibilityRevoke"); }

  get category(): EfiCategory | undefined {
    for (const kind of this.#items.keys()) {
      const c = CATEGORY_OF_REGISTRATION[kind];
      if (c) return c;
    }
    const tag = this.tags.EFI;
    return typeof tag === "string" && ["inflexible", "shiftable", "storage", "adjustable"].includes(tag) ? (tag as EfiCategory) : undefined;
  }

  get controllable(): boolean {
    return this.presence === "online" && !!this.fullJid && !this.revoked && [...this.#items.keys()].some((k) => CATEGORY_OF_REGISTRATION[k]);
  }

  latest<K extends MessageKind>(kind: K): EfiMessageOf<K> | undefined {
    if (this.revoked && kind !== "FlexibilityRevoke") return undefined;
    return this.#items.get(kind) as EfiMessageOf<K> | undefined;
  }

  /** Every item, revoked or not (what the node holds). */
  get items(): EfiMessage[] { return [...this.#items.values()]; }

  sample(name: string): Sample | undefined { return this.#samples.get(name); }
  get samples(): ReadonlyMap<string, Sample> { return this.#samples; }

  /** The node's items as read in one go: they replace what was known. */
  replaceItems(messages: readonly EfiMessage[]): void {
    this.#items.clear();
    for (const m of messages) this.put(m);
  }

  put(m: EfiMessage): void {
    // A newer registration of another category replaces the device's whole description.
    const c = CATEGORY_OF_REGISTRATION[m.kind];
    if (c) for (const k of this.#items.keys()) if (CATEGORY_OF_REGISTRATION[k] && k !== m.kind) this.#items.delete(k);
    this.#items.set(m.kind, m);
    if (m.kind === "Measurement" && m.electricityMeasurement) {
      this.#samples.set("power", { v: m.electricityMeasurement.power, u: "W", t: Date.parse(m.measurementTimestamp) });
    }
  }

  retract(kind: string): void { this.#items.delete(kind as MessageKind); }

  /** Telemetry records (names relative to the device); older samples never replace newer ones. */
  record(samples: readonly ({ n: string } & Sample)[]): void {
    for (const { n, ...s } of samples) {
      const known = this.#samples.get(n);
      if (!known || known.t <= s.t) this.#samples.set(n, s);
    }
  }
}

/** The devices an app sees, by efiResourceId. */
export class SiteModel {
  readonly devices = new Map<string, DeviceState>();

  byJid(jid: string): DeviceState | undefined {
    const bare = jid.split("/")[0]!.toLowerCase();
    for (const d of this.devices.values()) if (d.jid.toLowerCase() === bare) return d;
    return undefined;
  }

  /** The devices an app module plans with: sorted by rid so plans do not depend on arrival order. */
  view(filter: (d: DeviceView) => boolean = () => true): DeviceView[] {
    return [...this.devices.values()].filter(filter).sort((a, b) => a.rid.localeCompare(b.rid));
  }
}

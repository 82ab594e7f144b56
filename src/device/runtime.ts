// The device on XMPP: hosts one driver, registers in the registry, publishes its control space and
// telemetry, answers presence subscriptions and instructions as DESIGN.md §5 says.
import { EventEmitter } from "node:events";
import type { Element } from "ltx/lib/ltx.js";
import {
  checkInstruction, contextOf, decode, EFI_NS, EfiDecodeError, encodeElement, formatDateTime, type EfiInstruction,
  type EfiMessage, type InstructionRevoke, type InstructionStatusUpdate,
} from "../efi/index.ts";
import { logger } from "../log/index.ts";
import { ProvisioningClient } from "../provisioning/client.ts";
import { nodesOf } from "../provisioning/nodes.ts";
import { answerRegistryNotices, formatQr, isNumericTag, RegistryClient, type Tag } from "../registry/index.ts";
import { pack, type Reading } from "../telemetry/index.ts";
import { backoffDelay } from "../util/backoff.ts";
import { bare, keepPresence, onPresence, PubsubClient, sendPresence, XmppError, type IqRequest, type XmppConnection } from "../xmpp/index.ts";
import { categoryOf, registeredCategory, type DeviceDriver, type DeviceTags, type DriverSink, type EfiCategory } from "./driver.ts";
import { InstructionLedger, INSTRUCTION_CATEGORY, isFinal, planSteps, type InstructionRecord, type InstructionState } from "./instructions.ts";
import { ControlSpacePublisher, TelemetryPublisher } from "./publisher.ts";

const log = logger("device");

export interface DeviceRuntimeOptions {
  /** A client session as <resourceId>@<domain>; the caller starts it and stops it after the runtime. */
  conn: XmppConnection;
  driver: DeviceDriver;
  resourceId: string;
  /** The device's own tags (SITE, FEEDER, NAME, KEY ...), next to what the driver reads from the device. */
  tags?: DeviceTags;
  /** Telemetry packs kept while they cannot be published (default 10 000). */
  outboxCapacity?: number;
  /** How long to wait for the driver's nameplate before registering without it, ms (default 10 s). */
  identityTimeoutMs?: number;
}

export interface DeviceEvents {
  registered: [claimString: string];
  claimed: [owner: string];
  released: [why: "removed" | "disowned"];
  status: [update: InstructionStatusUpdate];
}

const MAX_TIMER_MS = 24 * 3600_000;
/** "a storage", "an adjustable". */
const aCategory = (c: EfiCategory) => `${/^[aeiou]/.test(c) ? "an" : "a"} ${c}`;
const REGISTER_PATIENCE_MS = 60_000;
/** The messages that describe a device's flexibility anew (statuses only report on them). */
const DESCRIPTIONS: ReadonlySet<string> = new Set(["StorageSystemDescription", "AdjustableSystemDescription", "ShiftableUpdate", "InflexibleCurtailmentOptions", "InflexibleForecast"]);

export class DeviceRuntime extends EventEmitter<DeviceEvents> {
  readonly conn: XmppConnection;
  readonly driver: DeviceDriver;
  readonly resourceId: string;
  readonly domain: string;
  readonly registry: RegistryClient;
  readonly provisioning: ProvisioningClient;
  readonly controlSpace: ControlSpacePublisher;
  readonly telemetry: TelemetryPublisher;
  readonly ledger = new InstructionLedger();
  #configTags: DeviceTags;
  #identity: DeviceTags | undefined;
  #category: EfiCategory;
  /** Whether the node was pruned to the category of a registration in this run. */
  #categoryKept = false;
  #registered = false;
  #claimed = false;
  #lostReason: string | undefined;
  #timers = new Map<string, NodeJS.Timeout>();
  #presence: ReturnType<typeof keepPresence> | undefined;
  #offPresence: (() => void) | undefined;
  #stopped = false;
  #identitySeen: () => void = () => undefined;

  constructor(private readonly opts: DeviceRuntimeOptions) {
    super();
    this.conn = opts.conn;
    this.driver = opts.driver;
    this.resourceId = opts.resourceId;
    this.domain = this.conn.jid.split("@")[1]!.split("/")[0]!;
    this.#configTags = opts.tags ?? {};
    this.#category = opts.driver.category;
    this.registry = new RegistryClient(this.conn, `registry.${this.domain}`);
    this.provisioning = new ProvisioningClient(this.conn, `provisioning.${this.domain}`);
    const nodes = nodesOf(this.resourceId);
    this.controlSpace = new ControlSpacePublisher(new PubsubClient(this.conn, `pubsub.${this.domain}`), nodes.efi);
    this.telemetry = new TelemetryPublisher(new PubsubClient(this.conn, `telemetry.${this.domain}`), nodes.telemetry, opts.outboxCapacity ?? 10_000);
  }

  get claimed(): boolean { return this.#claimed; }
  /** The device's EFI category: its driver's latest registration's (the driver's static one before). */
  get category(): EfiCategory { return this.#category; }
  /** Why the driver lost its device, while it is lost. */
  get lostReason(): string | undefined { return this.#lostReason; }

  /** The tags the device registers with (KEY included: what the owner claims it by). */
  get tags(): Tag[] {
    const all: DeviceTags = { ...this.#identity, ...this.#configTags, RID: this.resourceId, EFI: this.#category, NODE: this.controlSpace.node };
    // XEP-0347's numeric tags (V, PMAX, CAP, LAT ...) go as <num/>; a value that is no number
    // (a firmware version "1.2.3-b" as V) is left out rather than refused by the registry.
    return Object.entries(all).flatMap(([name, value]): Tag[] => {
      if (!isNumericTag(name)) return typeof value === "number" ? [{ type: "num", name, value }] : [{ type: "str", name, value }];
      const n = Number(value);
      return Number.isFinite(n) ? [{ type: "num", name, value: n }] : [];
    });
  }

  /** XEP-0347's claim string (the QR code's text) for these tags. */
  get claimString(): string { return formatQr(this.tags); }

  async start(): Promise<void> {
    answerRegistryNotices(this.conn, {
      claimed: (c, from) => { if (from === this.registry.registry) this.#onClaimed(c.jid); },
      removed: (_n, from) => { if (from === this.registry.registry) this.#onReleased("removed"); },
      disowned: (_n, from) => { if (from === this.registry.registry) this.#onReleased("disowned"); },
    });
    for (const kind of [...Object.keys(INSTRUCTION_CATEGORY), "InstructionRevoke"]) {
      this.conn.handleIq("set", EFI_NS, kind, (req) => this.#onInstruction(req));
    }
    // XEP-0199: apps and benchmarks measure the bare round trip to a device with it.
    this.conn.handleIq("get", "urn:xmpp:ping", "ping", () => undefined);
    this.#offPresence = onPresence(this.conn, (p) => {
      if (p.type === "subscribe") void this.#answerSubscription(bare(p.from));
    });
    this.#presence = keepPresence(this.conn, { to: [this.registry.registry, this.provisioning.service] });
    this.conn.on("online", this.#onOnline);

    const identity = new Promise<void>((resolve) => (this.#identitySeen = resolve));
    await this.driver.start(this.#sink);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, this.opts.identityTimeoutMs ?? 10_000).unref());
    await Promise.race([identity, timeout]);
    await this.#register();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.controlSpace.stop();
    this.telemetry.stop();
    this.#presence?.stop();
    this.#offPresence?.();
    this.conn.off("online", this.#onOnline);
    await this.driver.stop();
  }

  // ---- registry ------------------------------------------------------------------------------

  /**
   * Registers; while the registry is not there (starting, restarting) it retries with back-off for
   * up to a minute. A refusal of the tags themselves (bad-request) fails at once.
   */
  async #register(): Promise<void> {
    let result: Awaited<ReturnType<RegistryClient["register"]>> | undefined;
    for (let attempt = 0, until = Date.now() + REGISTER_PATIENCE_MS; !result; attempt++) {
      try {
        result = await this.registry.register(this.tags);
      } catch (err) {
        const condition = (err as XmppError).condition;
        if (this.#stopped || condition === "bad-request" || condition === "forbidden" || Date.now() > until) throw err;
        log.info("registry not answering; retrying", { device: this.resourceId, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, { initialMs: 250, maxMs: 5_000, factor: 2, jitter: 0.3 })));
      }
    }
    this.#registered = true;
    log.info("registered", { device: this.resourceId, status: result.status });
    this.emit("registered", this.claimString);
    if (result.status === "claimed") this.#onClaimed(result.owner);
  }

  #onClaimed(owner: string): void {
    const first = !this.#claimed;
    this.#claimed = true;
    this.controlSpace.open = this.telemetry.open = true;
    // Provisioning creates the nodes on the same event; publishes retry until they exist.
    this.controlSpace.republish();
    this.telemetry.kick();
    if (first) this.emit("claimed", owner);
  }

  #onReleased(why: "removed" | "disowned"): void {
    this.#claimed = false;
    this.controlSpace.open = this.telemetry.open = false;
    this.emit("released", why);
    // A released thing registers again so that a (new) owner can claim it.
    if (!this.#stopped) void this.#register().catch((err: Error) => log.warn("could not register again", { device: this.resourceId, error: err.message }));
  }

  /** Tags changed after registering (read from the device, or the category): the registry learns them. */
  #updateTags(): void {
    if (!this.#registered) return;
    void this.registry.update(this.tags)
      .then((result) => (result === "disowned" ? this.#register() : undefined))
      .catch((err: Error) => log.warn("tag update failed", { device: this.resourceId, error: err.message }));
  }

  #onOnline = () => {
    this.controlSpace.kick();
    this.telemetry.kick();
    // A claim made while this device was offline reached nobody (the registry does not retry):
    // registering again is answered "claimed".
    if (this.#registered && !this.#claimed && !this.#stopped) {
      void this.#register().catch((err: Error) => log.warn("could not register again", { device: this.resourceId, error: err.message }));
    }
  };

  // ---- presence: who may see this device is provisioning's decision ------------------------

  async #answerSubscription(from: string): Promise<void> {
    let friend = false;
    try {
      friend = await this.provisioning.isFriend(from);
    } catch (err) {
      log.warn("isFriend failed; refusing the subscription", { from, error: (err as Error).message });
    }
    await sendPresence(this.conn, { to: from, type: friend ? "subscribed" : "unsubscribed" }).catch(() => undefined);
  }

  // ---- what the driver reports -----------------------------------------------------------

  #sink: DriverSink = {
    identity: (tags) => {
      const changed = JSON.stringify(tags) !== JSON.stringify(this.#identity);
      this.#identity = tags;
      this.#identitySeen();
      if (changed) this.#updateTags();
    },
    controlSpace: (messages) => {
      const category = registeredCategory(messages);
      if (category) this.#onRegistration(category);
      // A new description (a car plugged in again: a new session) ends an earlier revoke.
      const renewed = messages.some((m) => DESCRIPTIONS.has(m.kind) && (this.controlSpace.latest(m.kind) as { flexibilityUpdateId?: string } | undefined)?.flexibilityUpdateId !== (m as { flexibilityUpdateId?: string }).flexibilityUpdateId);
      this.controlSpace.set(messages);
      if (renewed && !this.#lostReason && !messages.some((m) => m.kind === "FlexibilityRevoke")) this.controlSpace.retract("FlexibilityRevoke");
    },
    retract: (kinds) => {
      for (const kind of kinds) this.controlSpace.retract(kind);
    },
    telemetry: (readings: readonly Reading[], time: Date) => {
      if (readings.length) this.telemetry.push(pack(`${this.resourceId}/`, time, readings));
    },
    lost: (reason) => this.#onLost(reason),
    recovered: () => this.#onRecovered(),
  };

  /**
   * The driver registered as `category`. The node never mixes two categories: the first
   * registration of a run and every change prune what belongs to another one (also what a previous
   * run left on the node). A change ends the instructions given for the old category (the device
   * then goes back to its own behaviour), and the registry learns the new EFI tag.
   */
  #onRegistration(category: EfiCategory): void {
    const changed = category !== this.#category;
    if (!changed && this.#categoryKept) return;
    this.#categoryKept = true;
    this.#category = category;
    this.controlSpace.prune((id) => [undefined, category].includes(categoryOf(id)));
    if (!changed) return;
    log.info("EFI category changed", { device: this.resourceId, category });
    const voided = this.ledger.active();
    for (const r of voided) this.#finish(r, "ABORTED", `${this.resourceId} is now ${aCategory(category)} device`);
    // Not from within the driver's report that brought the change.
    if (voided.length) setImmediate(() => void this.#release());
    this.#updateTags();
  }

  /** No instruction holds any more: the driver hands control back to the device. */
  async #release(): Promise<void> {
    await this.driver.release().catch((err: Error) => log.warn("release failed", { device: this.resourceId, error: err.message }));
  }

  #onLost(reason: string): void {
    this.#lostReason = reason;
    log.warn("device lost", { device: this.resourceId, reason });
    for (const r of this.ledger.active()) this.#finish(r, "ABORTED", `device lost: ${reason}`);
    this.controlSpace.set([{ kind: "FlexibilityRevoke", header: this.#header() }]);
    this.#presence?.set({ show: "xa", status: `device lost: ${reason}` });
  }

  #onRecovered(): void {
    log.info("device back", { device: this.resourceId });
    this.#lostReason = undefined;
    this.controlSpace.retract("FlexibilityRevoke");
    this.#presence?.set({});
  }

  #header() {
    return { efiResourceId: this.resourceId, timestamp: formatDateTime(Date.now()) };
  }

  // ---- instructions (DESIGN.md §5) --------------------------------------------------------

  async #onInstruction(req: IqRequest): Promise<Element> {
    let message: EfiMessage;
    try {
      message = decode(req.element);
    } catch (err) {
      if (err instanceof EfiDecodeError) throw new XmppError("bad-request", err.message);
      throw err;
    }
    if (message.header.efiResourceId !== this.resourceId) {
      throw new XmppError("bad-request", `header/efiResourceId is '${message.header.efiResourceId}'; this device is '${this.resourceId}'`);
    }
    // Provisioning first: an app that may not control learns nothing about the control space.
    const app = bare(req.from);
    const answer = await this.provisioning.canControl(app, [message.kind]).catch((err: Error) => {
      throw new XmppError("internal-server-error", `provisioning did not answer: ${err.message}`);
    });
    if (!answer.allowed || !answer.parameters.includes(message.kind)) {
      throw new XmppError("forbidden", `${app} may not send ${message.kind} to ${this.resourceId} (provisioning)`);
    }
    if (message.kind === "InstructionRevoke") return this.#revoke(message, app);
    return this.#instruct(message as EfiInstruction, req.from);
  }

  #instruct(instruction: EfiInstruction, from: string): Element {
    const known = this.ledger.get(instruction.instructionId);
    if (known?.rejection) throw new XmppError(known.rejection.condition, known.rejection.text);
    if (known) return encodeElement(this.#statusUpdate(known));

    const problem = this.#refusal(instruction);
    if (problem) {
      const record = this.ledger.add({ id: instruction.instructionId, kind: instruction.kind, from, state: "REJECTED", info: problem, pending: [], rejection: { condition: "not-acceptable", text: problem } });
      this.#publishStatus(record);
      throw new XmppError("not-acceptable", problem);
    }
    for (const r of this.ledger.active()) this.#finish(r, "ABORTED", `superseded by instruction ${instruction.instructionId}`);
    const record = this.ledger.add({ id: instruction.instructionId, kind: instruction.kind, from, state: "ACCEPTED", pending: planSteps(instruction) });
    // After the IQ result has gone out: the app sees ACCEPTED before STARTED, and the result does
    // not queue behind the status's publish, which the server writes to disk first.
    setImmediate(() => {
      this.#publishStatus(record, false);
      this.#schedule(record);
    });
    return encodeElement(this.#statusUpdate(record));
  }

  /** Why an instruction cannot be executed, or undefined. */
  #refusal(i: EfiInstruction): string | undefined {
    if (INSTRUCTION_CATEGORY[i.kind] !== this.#category) return `${this.resourceId} is ${aCategory(this.#category)} device; it does not take ${i.kind}`;
    if (this.#lostReason) return `${this.resourceId} is unavailable (${this.#lostReason}); its flexibility is revoked`;
    const issues = checkInstruction(i, contextOf((kind) => this.controlSpace.latest(kind)));
    return issues.length ? issues.map((x) => `${x.path}: ${x.reason}`).join("; ") : undefined;
  }

  /** Applies the next group of steps at its time; STARTED after the first, SUCCEEDED after the last. */
  #schedule(record: InstructionRecord): void {
    const group = record.pending[0];
    if (!group || isFinal(record.state) || this.#stopped) return;
    const wait = group.at - Date.now();
    const timer = setTimeout(async () => {
      this.#timers.delete(record.id);
      if (wait > MAX_TIMER_MS) return this.#schedule(record);
      try {
        for (const step of group.steps) await this.driver.apply(step);
      } catch (err) {
        return this.#finish(record, "ABORTED", (err as Error).message);
      }
      if (isFinal(record.state)) return; // revoked or superseded while the driver worked
      record.pending.shift();
      if (record.state === "ACCEPTED") this.#finish(record, "STARTED");
      if (!record.pending.length) this.#finish(record, "SUCCEEDED");
      else this.#schedule(record);
    }, Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    this.#timers.set(record.id, timer);
  }

  #finish(record: InstructionRecord, state: InstructionState, info?: string): void {
    if (!this.ledger.advance(record.id, state, info)) return;
    if (isFinal(state)) {
      clearTimeout(this.#timers.get(record.id));
      this.#timers.delete(record.id);
    }
    this.#publishStatus(record);
  }

  async #revoke(revoke: InstructionRevoke, app: string): Promise<Element> {
    const record = this.ledger.get(revoke.instructionId);
    if (!record || record.state === "REJECTED") throw new XmppError("item-not-found", `no instruction ${revoke.instructionId} to revoke`);
    this.#finish(record, "ABORTED", `revoked by ${app}`);
    // With no instruction left, the device goes back to its own behaviour.
    if (!this.ledger.active().length) await this.#release();
    return encodeElement(this.#statusUpdate(record));
  }

  #statusUpdate(record: InstructionRecord): InstructionStatusUpdate {
    return {
      kind: "InstructionStatusUpdate",
      header: this.#header(),
      instructionId: record.id,
      status: record.state,
      ...(record.info ? { debugInformation: record.info } : {}),
    };
  }

  /** The latest status goes on the node; the sender gets it as an IQ too (`tell`, except for the IQ result itself). */
  #publishStatus(record: InstructionRecord, tell = record.state !== "REJECTED"): void {
    const update = this.#statusUpdate(record);
    this.controlSpace.set([update]);
    this.emit("status", update);
    if (!tell) return;
    this.conn.iq(record.from, "set", encodeElement(update)).catch((err: Error) =>
      log.info("app not told of the instruction status", { to: record.from, status: record.state, error: err.message }));
  }
}

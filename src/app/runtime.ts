// The energy-app runtime (DESIGN.md §2-5): an external component that finds devices in the
// registry, subscribes to their presence (learning full JIDs) and to their efi/ and telemetry/
// nodes, keeps the SiteModel current, and sends instructions whose statuses it tracks.
import { EventEmitter } from "node:events";
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { decode, EFI_NS, EfiDecodeError, encodeElement, formatDateTime, type EfiInstruction, type EfiMessage, type InstructionStatusUpdate } from "../efi/index.ts";
import { logger } from "../log/index.ts";
import { nodesOf } from "../provisioning/nodes.ts";
import { MAX_PAGE, RegistryClient, SearchOperator, type SearchOperatorInput } from "../registry/index.ts";
import { isNewerItem, packFromXml, resolve } from "../telemetry/index.ts";
import { backoffDelay } from "../util/backoff.ts";
import { bare, keepPresence, onPresence, onPubsubEvent, PubsubClient, sendPresence, XmppError, type Presence, type PubsubEvent, type XmppConnection } from "../xmpp/index.ts";
import { DeviceState, SiteModel } from "./model.ts";
import { InstructionTracker, type TrackedInstruction, type TrackedState } from "./tracker.ts";
import type { InstructionDraft } from "./types.ts";

const log = logger("app");

export interface AppRuntimeOptions {
  /** The app's component session (<app>.<domain>); the caller starts it and stops it after the runtime. */
  conn: XmppConnection;
  /** The registry search for the devices the app works with. */
  search: readonly SearchOperatorInput[];
  /** The devices' domain (default: the component's parent domain). */
  domain?: string;
  /** A full re-search this often besides the registry's change notices, ms (default 60 s). */
  researchMs?: number;
  /** How long a device may take to answer an instruction, ms (default 15 s). */
  answerMs?: number;
  /** How long after an instruction's last step SUCCEEDED may take, ms (default 60 s). */
  graceMs?: number;
  /**
   * Devices of another domain: how often the server-to-server link is checked, ms (default 10 s).
   * What the devices published while it was down is read again once it is back.
   */
  linkCheckMs?: number;
}

export interface AppEvents {
  /** A device's control space, presence or measurements changed. */
  change: [rid: string];
  /** Devices were found or dropped by a search. */
  devices: [added: string[], removed: string[]];
  /** An instruction's status changed (TIMEOUT included). */
  status: [tracked: TrackedInstruction];
  /** An item of a followed node changed. */
  node: [node: string];
  /** A telemetry pack of a device, each once (those missed during an outage come when read again). */
  telemetry: [rid: string, id: string, records: ReturnType<typeof resolve>];
  /** The link to the devices' domain went down (false) or came back (true). */
  link: [up: boolean];
}

/** The domain of an account (local@domain) or of a component (label.domain). */
const ownDomain = (jid: string) => {
  const b = bare(jid);
  return b.includes("@") ? b.slice(b.indexOf("@") + 1) : b.slice(b.indexOf(".") + 1);
};

/** Pages read per search at most: 100 pages of 100 things. */
const MAX_PAGES = 100;
const RETRY = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.3 };
/** Errors that say the other domain's server was not reached (its own refusals say it was). */
const LINK_DOWN = new Set(["remote-server-not-found", "remote-server-timeout"]);

export class AppRuntime extends EventEmitter<AppEvents> {
  readonly conn: XmppConnection;
  readonly domain: string;
  readonly model = new SiteModel();
  readonly tracker: InstructionTracker;
  readonly registry: RegistryClient;
  readonly pubsub: PubsubClient;
  readonly telemetry: PubsubClient;
  readonly provisioning: string;
  /** Followed nodes of pubsub.<domain>: node -> item id -> payload. */
  readonly nodes = new Map<string, Map<string, Element>>();
  /** Devices not readable (yet): rid -> why. Provisioning decides; a later policy may allow them. */
  readonly refused = new Map<string, string>();
  #byJid = new Map<string, DeviceState>();
  /** Failed attempts to read a device (by rid) or a followed node (by name), for back-off. */
  #attempts = new Map<string, number>();
  #following = new Set<string>();
  /** Devices whose nodes were read at least once. */
  #read = new Set<string>();
  /** Devices whose node is being read: the notifications that came meanwhile. */
  #reading = new Map<string, PubsubEvent[]>();
  #timers = new Set<NodeJS.Timeout>();
  #cleanups: (() => void)[] = [() => this.#unwatch()];
  #unwatch = () => {};
  #seq = 0;
  #searching: Promise<void> | undefined;
  #searchAgain = false;
  #stopped = false;
  #linkDown = false;
  readonly #operators: SearchOperator[];

  constructor(private readonly opts: AppRuntimeOptions) {
    super();
    this.conn = opts.conn;
    this.domain = opts.domain ?? ownDomain(this.conn.jid);
    this.registry = new RegistryClient(this.conn, `registry.${this.domain}`);
    this.provisioning = `provisioning.${this.domain}`;
    this.pubsub = new PubsubClient(this.conn, `pubsub.${this.domain}`);
    this.telemetry = new PubsubClient(this.conn, `telemetry.${this.domain}`);
    this.#operators = opts.search.map((o) => SearchOperator.parse(o));
    this.tracker = new InstructionTracker({ answerMs: opts.answerMs ?? 15_000, graceMs: opts.graceMs ?? 60_000 });
  }

  /** The app's JID; also while its connection is down (logs of late answers after a stop). */
  get name(): string { return bare(this.conn.label); }

  /** Whether a device's nodes were read (its control space is known as of then). */
  isRead(rid: string): boolean { return this.#read.has(rid); }

  async start(): Promise<void> {
    this.conn.handleIq("set", EFI_NS, "InstructionStatusUpdate", (req) => {
      const d = this.#byJid.get(bare(req.from).toLowerCase());
      if (!d) throw new XmppError("forbidden", "not a device this app follows");
      this.#status(decode(req.element) as InstructionStatusUpdate);
    });
    this.conn.handleIq("get", "urn:xmpp:ping", "ping", () => undefined);
    this.#cleanups.push(
      onPubsubEvent(this.conn, (e) => this.#onEvent(e)),
      onPresence(this.conn, (p) => this.#onPresence(p)),
      // Provisioning learns of the app (and makes it a member of the nodes it may read) from this.
      keepPresence(this.conn, { to: [this.provisioning], directedOnly: true }).stop,
    );
    const onOnline = () => { void this.#watch(); void this.refresh(); };
    this.conn.on("online", onOnline);
    this.#cleanups.push(() => this.conn.off("online", onOnline));
    this.#every(this.opts.researchMs ?? 60_000, () => void this.refresh());
    this.#every(1_000, () => { for (const t of this.tracker.expire(Date.now())) this.emit("status", t); });
    if (this.domain !== ownDomain(this.conn.jid)) this.#every(this.opts.linkCheckMs ?? 10_000, () => void this.#checkLink());
    await this.#watch();
    await this.refresh();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) { clearTimeout(t); clearInterval(t); }
    for (const c of this.#cleanups) c();
    await this.#searching?.catch(() => undefined);
  }

  #every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.#timers.add(t);
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.#timers.delete(t); if (!this.#stopped) fn(); }, ms);
    this.#timers.add(t);
  }

  /** (Re)asks the registry for change notices, after every reconnect: one listener at a time. */
  async #watch(): Promise<void> {
    try {
      const off = await this.registry.watch(() => void this.refresh());
      this.#unwatch();
      this.#unwatch = off;
    } catch (err) {
      log.info("registry change notices unavailable; searching periodically", { app: this.name, error: (err as Error).message });
    }
  }

  // ---- discovery -------------------------------------------------------------------------

  /** Searches the registry again (paged) and follows what was found; one search at a time. */
  refresh(): Promise<void> {
    if (this.#searching) { this.#searchAgain = true; return this.#searching; }
    this.#searching = this.#search().finally(() => {
      this.#searching = undefined;
      if (this.#searchAgain && !this.#stopped) { this.#searchAgain = false; void this.refresh(); }
    });
    return this.#searching;
  }

  async #search(): Promise<void> {
    const found = new Map<string, { jid: string; owner: string; tags: Record<string, string | number> }>();
    try {
      for (let page = 0, more = true; more && page < MAX_PAGES; page++) {
        const r = await this.registry.search(this.#operators, { offset: page * MAX_PAGE, maxCount: MAX_PAGE });
        for (const t of r.things) {
          const tags = Object.fromEntries(t.tags.map((tag) => [tag.name, tag.value]));
          const rid = typeof tags.RID === "string" ? tags.RID : t.jid.split("@")[0]!;
          found.set(rid, { jid: bare(t.jid), owner: t.owner, tags });
        }
        more = r.more;
      }
    } catch (err) {
      log.warn("registry search failed", { app: this.name, error: (err as Error).message });
      return;
    }
    const added: string[] = [], removed: string[] = [];
    for (const [rid, t] of found) {
      const known = this.model.devices.get(rid);
      if (known) { known.tags = t.tags; known.owner = t.owner; }
      else {
        const d = new DeviceState(rid, t.jid, t.tags, t.owner);
        this.model.devices.set(rid, d);
        this.#byJid.set(d.jid.toLowerCase(), d);
        added.push(rid);
      }
      if (!known || this.refused.has(rid)) void this.#follow(rid);
    }
    for (const [rid, d] of this.model.devices) {
      if (found.has(rid)) continue;
      this.model.devices.delete(rid);
      this.#byJid.delete(d.jid.toLowerCase());
      this.refused.delete(rid);
      this.#read.delete(rid);
      removed.push(rid);
      void this.#unfollow(rid);
    }
    if (added.length || removed.length) {
      log.info("devices", { app: this.name, added: added.length, removed: removed.length, total: this.model.devices.size });
      this.emit("devices", added, removed);
    }
  }

  /**
   * Subscribes to a device's presence and nodes and reads its control space. Refused (not
   * allowed yet, or provisioning still adding the app) -> retried with back-off while the device
   * is among those found.
   */
  async #follow(rid: string): Promise<void> {
    const d = this.model.devices.get(rid);
    if (!d || this.#stopped) return;
    const nodes = nodesOf(rid);
    try {
      await sendPresence(this.conn, { to: d.jid, type: "subscribe" });
      await this.pubsub.subscribe(nodes.efi);
      await this.telemetry.subscribe(nodes.telemetry);
      // Notifications handled while the read is answered (the answer's continuation runs after
      // stanzas that arrived in the same chunk) are newer than the read: applied again after it.
      const meanwhile: PubsubEvent[] = [];
      this.#reading.set(rid, meanwhile);
      let items;
      try {
        items = await this.pubsub.items(nodes.efi);
      } finally {
        this.#reading.delete(rid);
      }
      const messages = items.flatMap((i) => this.#decode(rid, i.payload));
      d.replaceItems(messages);
      for (const m of messages) if (m.kind === "InstructionStatusUpdate") this.#status(m);
      for (const e of meanwhile) this.#applyEfi(d, e);
      // The first time only the latest pack; after that every pack since the last one handled.
      const packs = await this.telemetry.items(nodes.telemetry, d.packs.started ? {} : { max: 1 });
      for (const p of packs.sort((a, b) => (isNewerItem(a.id, b.id) ? 1 : -1))) this.#telemetry(d, p);
      // The current presence: probed once the device had time to approve, and again on its approval
      // (a client session that did not fetch its roster is not told of that approval).
      await sendPresence(this.conn, { to: d.jid, type: "probe" });
      this.refused.delete(rid);
      this.#attempts.delete(rid);
      this.#read.add(rid);
      this.emit("change", rid);
    } catch (err) {
      const why = err instanceof XmppError ? err.condition : (err as Error).message;
      this.refused.set(rid, why);
      const attempt = this.#attempts.get(rid) ?? 0;
      this.#attempts.set(rid, attempt + 1);
      log.info("device not readable (yet)", { app: this.name, rid, why, attempt });
      this.#later(backoffDelay(attempt, RETRY), () => { if (this.refused.has(rid)) void this.#follow(rid); });
    }
  }

  async #unfollow(rid: string): Promise<void> {
    const nodes = nodesOf(rid);
    await Promise.allSettled([this.pubsub.unsubscribe(nodes.efi), this.telemetry.unsubscribe(nodes.telemetry)]);
  }

  /**
   * Reads a node of pubsub.<domain> besides the devices' (grid/<feeder>) and follows its changes;
   * not readable yet (provisioning still adding the app) -> retried with back-off.
   */
  async followNode(node: string, opts: { again?: boolean } = {}): Promise<void> {
    if ((this.nodes.has(node) && !opts.again) || this.#following.has(node)) return;
    this.#following.add(node);
    try {
      await this.pubsub.subscribe(node);
      const items = await this.pubsub.items(node);
      this.nodes.set(node, new Map(items.flatMap((i) => (i.payload ? [[i.id, i.payload] as const] : []))));
      this.#attempts.delete(node);
      this.emit("node", node);
    } catch (err) {
      const attempt = this.#attempts.get(node) ?? 0;
      this.#attempts.set(node, attempt + 1);
      log.info("node not readable (yet)", { app: this.name, node, error: (err as Error).message, attempt });
      this.#later(backoffDelay(attempt, RETRY), () => void this.followNode(node));
    } finally {
      this.#following.delete(node);
    }
  }

  // ---- what arrives ---------------------------------------------------------------------

  #decode(rid: string, payload: Element | undefined): EfiMessage[] {
    if (!payload) return [];
    try {
      const m = decode(payload);
      if (m.header.efiResourceId === rid) return [m];
      log.warn("item of another resource on a device node", { rid, header: m.header.efiResourceId });
    } catch (err) {
      if (!(err instanceof EfiDecodeError)) throw err;
      log.warn("invalid EFI item ignored", { rid, error: err.message });
    }
    return [];
  }

  #onEvent(e: PubsubEvent): void {
    const [prefix, rid] = [e.node.slice(0, e.node.indexOf("/")), e.node.slice(e.node.indexOf("/") + 1)];
    const d = this.model.devices.get(rid);
    if (e.service === this.pubsub.service && prefix === "efi" && d) {
      this.#reading.get(rid)?.push(e);
      this.#applyEfi(d, e);
      // A revoke ended: what the device published meanwhile is on the node (unchanged items are not re-sent).
      if (e.retracted.includes("FlexibilityRevoke")) void this.#follow(rid);
      this.emit("change", rid);
    } else if (e.service === this.telemetry.service && prefix === "telemetry" && d) {
      for (const item of e.items) this.#telemetry(d, item);
      this.emit("change", rid);
    } else if (e.service === this.pubsub.service && this.nodes.has(e.node)) {
      const items = this.nodes.get(e.node)!;
      for (const item of e.items) if (item.payload) items.set(item.id, item.payload);
      for (const id of e.retracted) items.delete(id);
      if (e.deleted || e.purged) items.clear();
      this.emit("node", e.node);
    }
  }

  #applyEfi(d: DeviceState, e: PubsubEvent): void {
    for (const item of e.items) {
      for (const m of this.#decode(d.rid, item.payload)) {
        d.put(m);
        if (m.kind === "InstructionStatusUpdate") this.#status(m);
      }
    }
    for (const id of e.retracted) d.retract(id);
  }

  /** A telemetry item, unless it is one handled already (a notification and a re-read overlap). */
  #telemetry(d: DeviceState, item: { id: string; payload?: Element }): void {
    if (!item.payload || !d.packs.take(item.id)) return;
    try {
      const base = `${d.rid}/`;
      const records = resolve(packFromXml(item.payload));
      d.record(records.flatMap((r) =>
        r.v === undefined ? [] : [{ n: r.n.startsWith(base) ? r.n.slice(base.length) : r.n, v: r.v, ...(r.u ? { u: r.u } : {}), t: r.t * 1000 }]));
      this.emit("telemetry", d.rid, item.id, records);
    } catch (err) {
      log.warn("invalid telemetry ignored", { rid: d.rid, error: (err as Error).message });
    }
  }

  /**
   * Pings the devices' server across the server-to-server link: any answer from there, an error
   * included, means the link carries. A link that comes back lost what was sent meanwhile
   * (notifications, presence, change notices): every device and followed node is read again and
   * the registry searched again.
   */
  async #checkLink(): Promise<void> {
    const down = await this.conn.iq(this.domain, "get", x("ping", { xmlns: "urn:xmpp:ping" }), 5_000).then(
      () => undefined,
      (err: XmppError) => (LINK_DOWN.has(err.condition) ? err : undefined));
    if (down) {
      if (!this.#linkDown && !this.#stopped) {
        this.#linkDown = true;
        log.warn("link to the devices' domain lost", { app: this.name, domain: this.domain, error: down.message });
        this.emit("link", false);
      }
      return;
    }
    if (!this.#linkDown || this.#stopped) return;
    this.#linkDown = false;
    log.info("link to the devices' domain back: reading again", { app: this.name, domain: this.domain });
    for (const rid of this.model.devices.keys()) void this.#follow(rid);
    for (const node of this.nodes.keys()) void this.followNode(node, { again: true });
    void this.#watch();
    void this.refresh();
    this.emit("link", true);
  }

  #onPresence(p: Presence): void {
    const d = this.#byJid.get(bare(p.from).toLowerCase());
    if (!d) return;
    if (p.type === "available") {
      // Presence means provisioning counts the app as a friend: its node membership follows.
      if (this.refused.has(d.rid) && !d.fullJid) this.#later(500, () => { if (this.refused.has(d.rid)) void this.#follow(d.rid); });
      d.fullJid = p.from;
      d.presence = p.show === "xa" ? "lost" : "online";
      d.lostReason = p.show === "xa" ? p.status : undefined;
    } else if (p.type === "unavailable" && (!d.fullJid || d.fullJid === p.from)) {
      // A bare-JID "unavailable" answers a probe sent before the subscription was approved: it
      // says nothing about a resource the app already knows to be there.
      d.fullJid = undefined;
      d.presence = "offline";
    } else if (p.type === "subscribed") {
      // Approved (or approved before: the server answers for the device): a probe brings the
      // current presence.
      void sendPresence(this.conn, { to: d.jid, type: "probe" }).catch(() => undefined);
      return;
    } else if (p.type === "unsubscribed") {
      // The device's refusal, or the server's answer to a probe that came before the approval:
      // asked again with back-off while the device is among those found. A refusal already known
      // keeps its reason (a refused node read says more) and the retry it scheduled.
      if (this.refused.has(d.rid)) return;
      this.refused.set(d.rid, "presence refused");
      const attempt = this.#attempts.get(d.rid) ?? 0;
      this.#attempts.set(d.rid, attempt + 1);
      this.#later(backoffDelay(attempt, RETRY), () => { if (this.refused.has(d.rid)) void this.#follow(d.rid); });
    } else return;
    this.emit("change", d.rid);
  }

  // ---- instructions ---------------------------------------------------------------------

  /** Sends an instruction; resolves with its tracker once the device answered (or failed to). */
  async instruct(rid: string, intent: string, draft: InstructionDraft): Promise<TrackedInstruction> {
    const d = this.model.devices.get(rid);
    const now = Date.now();
    const instruction = {
      ...draft,
      header: { efiResourceId: rid, timestamp: formatDateTime(now) },
      instructionId: `${this.name.split(".")[0]}-${now.toString(36)}-${++this.#seq}`,
    } as EfiInstruction;
    const tracked = this.tracker.sent(rid, intent, instruction, now);
    const to = d?.fullJid;
    if (!to) return this.#settle(tracked, "FAILED", `${rid} is not online`);
    let el: Element;
    try {
      el = encodeElement(instruction);
    } catch (err) {
      return this.#settle(tracked, "FAILED", `not a valid instruction: ${(err as Error).message}`);
    }
    try {
      const reply = await this.conn.iq(to, "set", el, this.opts.answerMs ?? 15_000);
      if (reply) this.#status(decode(reply) as InstructionStatusUpdate);
    } catch (err) {
      const e = err as XmppError;
      if (e.condition === "not-acceptable") this.#settle(tracked, "REJECTED", e.text);
      else if (e.condition === "remote-server-timeout") this.#settle(tracked, "TIMEOUT", e.text);
      else this.#settle(tracked, "FAILED", `${e.condition}${e.text ? `: ${e.text}` : ""}`);
    }
    return tracked;
  }

  /** Revokes the device's latest instruction: the device goes back to its own behaviour. */
  async revoke(rid: string): Promise<void> {
    const latest = this.tracker.latest.get(rid);
    const to = this.model.devices.get(rid)?.fullJid;
    if (!latest) return;
    this.tracker.latest.delete(rid);
    if (!to) return;
    const revoke = { kind: "InstructionRevoke" as const, header: { efiResourceId: rid, timestamp: formatDateTime(Date.now()) }, instructionId: latest.id };
    await this.conn.iq(to, "set", encodeElement(revoke)).catch((err: XmppError) =>
      log.info("revoke not answered", { rid, instruction: latest.id, error: err.message }));
  }

  #settle(t: TrackedInstruction, state: TrackedState, info?: string): TrackedInstruction {
    if (this.tracker.update(t.id, state, Date.now(), info)) this.emit("status", t);
    return t;
  }

  #status(u: InstructionStatusUpdate): void {
    const t = this.tracker.update(u.instructionId, u.status, Date.now(), u.debugInformation);
    if (t) this.emit("status", t);
  }
}

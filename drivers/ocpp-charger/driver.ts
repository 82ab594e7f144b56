// The charger driver: one connector of one charge point. It attaches to the central system of its
// listen address, keeps the connector's state from what the charge point reports, offers a
// plugged-in car as EFI Storage or Adjustable (mapping.ts: whether the car reports its state of
// charge), and turns steps into charging profiles.
//
// A session of another category than the last registers anew; the runtime then withdraws the old
// category's items. Unplugging is no fault: the flexibility ends, so the driver publishes a
// FlexibilityRevoke in its control space and clears its profile (the next car starts under the
// charger's own behaviour). A charge point whose WebSocket closes is lost (sink.lost) until it
// dials in again.
import { DriverError, type ControlStep, type DeviceDriver, type DriverContext, type DriverSink } from "../../src/device/driver.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import * as adjustable from "./adjustable.ts";
import { CentralSystem, type ChargePoint, type ConnectorListener } from "./central-system.ts";
import type { ChargerConfig } from "./config.ts";
import * as efi from "./mapping.ts";
import { rateUnit, stackLevel, type ChargePointConfiguration } from "./setup.ts";
import * as storage from "./storage.ts";
import {
  ClearChargingProfileConf, parse, RemoteConf, SetChargingProfileConf, type MeterValues, type StartTransaction, type StatusNotification,
  type StopTransaction,
} from "./ocpp.ts";
import { EMPTY, plugged, withSamples, withStatus, withoutTransaction, withTransaction, type ConnectorState, type Nameplate } from "./state.ts";

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What a session of each category publishes. */
interface Offer {
  registration(np: Nameplate, o: efi.MappingOptions, now: Date): EfiMessage;
  status(s: ConnectorState, o: efi.MappingOptions, held: efi.ChargeCommand | undefined, now: Date): EfiMessage;
  offer(s: ConnectorState, o: efi.MappingOptions, held: efi.ChargeCommand | undefined, now: Date): EfiMessage[];
}
const OFFERS: Record<efi.SessionCategory, Offer> = { storage, adjustable };

export class ChargerDriver implements DeviceDriver, ConnectorListener {
  /** Before its first session a charger registers as Storage. */
  readonly category = "storage";
  readonly connectorId: number;
  #opts: efi.MappingOptions;
  /** The category of the registration reported last. */
  #registered: efi.SessionCategory = this.category;
  /** What the session is offered as; undefined without a car and while waiting for its state of charge. */
  #session: efi.SessionCategory | undefined;
  #deciding: NodeJS.Timeout | undefined;
  #cs: CentralSystem | undefined;
  #cp: ChargePoint | undefined;
  #sink: DriverSink | undefined;
  #state: ConnectorState = EMPTY;
  #nameplate: Nameplate | undefined;
  #held: efi.ChargeCommand | undefined;
  #lost = false;
  /** Whether the registration went out since start or the last loss. */
  #announced = false;
  /** Whether a flexibility update was published: once the car is gone it must be revoked. */
  #offered = false;

  constructor(private readonly cfg: ChargerConfig, private readonly ctx: DriverContext) {
    this.connectorId = cfg.connectorId;
    this.#opts = this.#options({});
  }

  /** The connector's state, for diagnostics and tests. */
  get state(): ConnectorState {
    return this.#state;
  }

  /** The URL the charge point dials (known once started). */
  get endpoint(): string {
    if (!this.#cs) throw new Error("the charger driver is not started");
    return `${this.#cs.url}/${this.cfg.chargeBoxId}`;
  }

  async start(sink: DriverSink): Promise<void> {
    this.#sink = sink;
    const cs = (this.#cs = await CentralSystem.acquire(this.cfg.listen.host, this.cfg.listen.port));
    const { password, idTags, heartbeatSeconds, meterIntervalSeconds, upstream } = this.cfg;
    try {
      this.#cp = cs.attach(this.cfg.chargeBoxId, { password, idTags, heartbeatSeconds, meterIntervalSeconds, upstream }, this);
    } catch (err) {
      await cs.release();
      throw err;
    }
    if (!this.#cp.client) {
      this.#lost = true;
      sink.lost(`charge point ${this.cfg.chargeBoxId} has not connected to ${this.endpoint} yet`);
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.#deciding);
    if (this.#cp) this.#cs?.detach(this.#cp, this.connectorId);
    await this.#cs?.release();
    this.#cp = this.#cs = undefined;
  }

  async apply(step: ControlStep): Promise<void> {
    const cp = this.#reachable();
    if (!plugged(this.#state.status)) throw new DriverError(`no car is plugged in to ${cp.id} connector ${this.connectorId}`);
    if (!this.#session) throw new DriverError(`the car on ${cp.id} connector ${this.connectorId} is not offered yet: flexfed waits for its state of charge`);
    const cmd = efi.command(step, this.#opts, this.#session);
    const tx = this.#state.transactionId;
    if (this.cfg.profilePurpose === "TxProfile" && tx === undefined) {
      throw new DriverError(`a TxProfile needs a running transaction; ${cp.id} connector ${this.connectorId} has none`);
    }
    const what = `${this.cfg.profilePurpose} ${cmd.limit} ${this.#opts.chargingRateUnit} on connector ${this.connectorId}`;
    let answer: unknown;
    try {
      answer = await cp.call("SetChargingProfile", efi.chargingProfile(cmd, this.#opts, tx, this.ctx.now()));
    } catch (err) {
      throw new DriverError(`the charge point did not take the charging profile (${what}): ${message(err)}`);
    }
    const { status } = parse(SetChargingProfileConf, answer, "SetChargingProfile answer");
    if (status !== "Accepted") throw new DriverError(`the charge point rejected the charging profile (${what}: ${status})`);
    this.#held = cmd;
    this.#report();
  }

  /** Clears flexfed's profile: the charge point goes back to its own limits. */
  async release(): Promise<void> {
    this.#held = undefined;
    await this.#clear();
    this.#report();
  }

  // ---- what the central system tells (ConnectorListener) ----------------------------------

  connected(): void {
    if (!this.#lost) return;
    this.#lost = false;
    this.#sink?.recovered();
    this.#report();
  }

  disconnected(reason: string): void {
    this.#lost = true;
    this.#announced = false;
    this.#sink?.lost(reason);
  }

  booted(nameplate: Nameplate): void {
    this.#nameplate = nameplate;
    // The registration carries the nameplate: it goes out again.
    this.#announced = false;
    this.#sink?.identity(efi.identity(nameplate, this.#opts));
    this.#report();
  }

  configured(c: ChargePointConfiguration): void {
    this.#opts = this.#options(c);
  }

  status(n: StatusNotification): void {
    const was = plugged(this.#state.status);
    this.#state = withStatus(this.#state, n.status, this.ctx.now().getTime());
    const is = plugged(n.status);
    if (!was && is && this.#state.transactionId === undefined && this.cfg.remoteStartIdTag) void this.#remoteStart(this.cfg.remoteStartIdTag);
    if (was && !is) {
      this.#held = undefined;
      void this.#clear().catch((err: unknown) => this.ctx.log.warn("ocpp: clearing the profile after unplug failed", { error: message(err) }));
    }
    this.#report();
  }

  meterValues(m: MeterValues): void {
    for (const v of m.meterValue) this.#state = withSamples(this.#state, v.sampledValue);
    this.#report();
  }

  started(transactionId: number, req: StartTransaction): void {
    this.#state = withTransaction(this.#state, transactionId, req.meterStart);
    this.#report();
  }

  stopped(req: StopTransaction): void {
    this.#state = withoutTransaction(this.#state, req.meterStop);
    this.#report();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** The configuration with what the charge point allows. */
  #options(c: ChargePointConfiguration): efi.MappingOptions {
    const o = { ...this.cfg, resourceId: this.ctx.resourceId, chargingRateUnit: rateUnit(this.cfg.chargingRateUnit, c), stackLevel: stackLevel(this.cfg.stackLevel, c) };
    if (o.stackLevel < this.cfg.stackLevel) this.ctx.log.warn("ocpp: stackLevel lowered to the charge point's ChargeProfileMaxStackLevel", { configured: this.cfg.stackLevel, used: o.stackLevel });
    return o;
  }

  #reachable(): ChargePoint {
    const cp = this.#cp;
    if (!cp?.client) throw new DriverError(`charge point ${this.cfg.chargeBoxId} is not connected; it cannot take a step now`);
    return cp;
  }

  async #clear(): Promise<void> {
    if (!this.#cp?.client) return;
    const answer = await this.#cp.call("ClearChargingProfile", { id: efi.profileId(this.connectorId) });
    // Unknown: there was no profile of flexfed's to clear.
    parse(ClearChargingProfileConf, answer, "ClearChargingProfile answer");
  }

  async #remoteStart(idTag: string): Promise<void> {
    try {
      const { status } = parse(RemoteConf, await this.#reachable().call("RemoteStartTransaction", { connectorId: this.connectorId, idTag }), "RemoteStartTransaction answer");
      if (status !== "Accepted") this.ctx.log.warn("ocpp: the charge point refused to start a transaction", { connector: this.connectorId });
    } catch (err) {
      this.ctx.log.warn("ocpp: RemoteStartTransaction failed", { error: message(err) });
    }
  }

  #report(): void {
    const sink = this.#sink;
    if (!sink || this.#lost) return;
    const now = this.ctx.now();
    const s = this.#state;
    // A charge point that reconnects without a BootNotification still gets a registration.
    const nameplate = this.#nameplate ?? { vendor: "OCPP", model: this.cfg.chargeBoxId };
    const session = (this.#session = efi.sessionCategory(s, this.#opts, now));
    this.#decideLater(s, session, now);
    if (session && session !== this.#registered) {
      this.#registered = session;
      this.#announced = false;
    }
    const offer = OFFERS[this.#registered];
    const messages: EfiMessage[] = [];
    if (!this.#announced) messages.push(offer.registration(nameplate, this.#opts, now));
    this.#announced = true;
    if (session) {
      messages.push(...offer.offer(s, this.#opts, this.#held, now));
      this.#offered = true;
    } else if (this.#offered && s.pluggedAt === undefined) {
      messages.push(offer.status(s, this.#opts, this.#held, now), { kind: "FlexibilityRevoke", header: efi.header(this.ctx.resourceId, now) });
    }
    const m = efi.measurement(s, this.#opts, now);
    if (m) messages.push(m);
    sink.controlSpace(messages);
    const readings = efi.telemetry(s);
    if (readings.length) sink.telemetry(readings, now);
  }

  /** While a session waits for the car's state of charge, reports again when the wait is over. */
  #decideLater(s: ConnectorState, session: efi.SessionCategory | undefined, now: Date): void {
    clearTimeout(this.#deciding);
    if (s.pluggedAt === undefined || session) return;
    this.#deciding = setTimeout(() => this.#report(), s.pluggedAt + this.cfg.car.socWaitSeconds * 1000 - now.getTime()).unref();
  }
}

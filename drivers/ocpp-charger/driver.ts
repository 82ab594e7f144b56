// The charger driver: one connector of one charge point. It attaches to the central system of its
// listen address, keeps the connector's state from what the charge point reports, reports EFI
// Storage while a car is plugged in, and turns steps into charging profiles.
//
// Unplugging is no fault: the flexibility ends, so the driver publishes a FlexibilityRevoke in its
// control space and clears its profile (the next car starts under the charger's own behaviour). A
// charge point whose WebSocket closes is lost (sink.lost) until it dials in again.
import { DriverError, type ControlStep, type DeviceDriver, type DriverContext, type DriverSink } from "../../src/device/driver.ts";
import type { EfiMessage } from "../../src/efi/index.ts";
import { CentralSystem, type ChargePoint, type ConnectorListener } from "./central-system.ts";
import type { ChargerConfig } from "./config.ts";
import * as efi from "./mapping.ts";
import {
  ClearChargingProfileConf, parse, RemoteConf, SetChargingProfileConf, type MeterValues, type StartTransaction, type StatusNotification,
  type StopTransaction,
} from "./ocpp.ts";
import { EMPTY, plugged, withSamples, withStatus, withoutTransaction, withTransaction, type ConnectorState, type Nameplate } from "./state.ts";

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ChargerDriver implements DeviceDriver, ConnectorListener {
  readonly category = "storage";
  readonly connectorId: number;
  readonly #opts: efi.MappingOptions;
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
    this.#opts = { ...cfg, resourceId: ctx.resourceId };
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
    const { password, idTags, heartbeatSeconds, upstream } = this.cfg;
    try {
      this.#cp = cs.attach(this.cfg.chargeBoxId, { password, idTags, heartbeatSeconds, upstream }, this);
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
    if (this.#cp) this.#cs?.detach(this.#cp, this.connectorId);
    await this.#cs?.release();
    this.#cp = this.#cs = undefined;
  }

  async apply(step: ControlStep): Promise<void> {
    const cmd = efi.command(step, this.#opts);
    const cp = this.#reachable();
    if (!plugged(this.#state.status)) throw new DriverError(`no car is plugged in to ${cp.id} connector ${this.connectorId}`);
    const tx = this.#state.transactionId;
    if (this.cfg.profilePurpose === "TxProfile" && tx === undefined) {
      throw new DriverError(`a TxProfile needs a running transaction; ${cp.id} connector ${this.connectorId} has none`);
    }
    const what = `${this.cfg.profilePurpose} ${cmd.limit} ${this.cfg.chargingRateUnit} on connector ${this.connectorId}`;
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
    const messages: EfiMessage[] = [];
    if (!this.#announced) messages.push(efi.registration(nameplate, this.#opts, now));
    this.#announced = true;
    if (s.pluggedAt !== undefined) {
      // The description and target belong to the session: valid from plug-in.
      messages.push(efi.systemDescription(this.#opts, now, new Date(s.pluggedAt)), efi.status(s, this.#opts, this.#held, now));
      const target = efi.targetProfile(s, this.#opts, now);
      if (target) messages.push(target);
      this.#offered = true;
    } else if (this.#offered) {
      messages.push(efi.status(s, this.#opts, this.#held, now), { kind: "FlexibilityRevoke", header: efi.header(this.ctx.resourceId, now) });
    }
    const m = efi.measurement(s, this.#opts, now);
    if (m) messages.push(m);
    sink.controlSpace(messages);
    const readings = efi.telemetry(s);
    if (readings.length) sink.telemetry(readings, now);
  }
}

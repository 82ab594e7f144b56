// A simulated OCPP 1.6J charge point that speaks OCPP-J over a real WebSocket (ocpp-rpc
// RPCClient). It boots, heartbeats, reports connector status, lets a car be plugged in and out,
// runs transactions (local or remote start), and charges with simple physics: power = the active
// charging profile's limit (else the charger's maximum), capped by the car, 0 once the car is full;
// energy and the car's state of charge integrate that power. Time comes from an injected clock and
// is integrated lazily, at every event, so tests step their clock and no timer decides a result.
// It keeps a configuration table (GetConfiguration, ChangeConfiguration: read-only keys Rejected,
// unknown ones NotSupported) that decides what its meter values carry and how often they go out,
// and answers TriggerMessage for status, meter values and heartbeat.
import { RPCClient } from "ocpp-rpc";
import {
  ChangeConfiguration, ChargingProfile, ClearChargingProfile, GetConfiguration, parse, PROTOCOL, RemoteStartTransaction, RemoteStopTransaction,
  SetChargingProfile, TriggerMessage, type ConnectorStatus,
} from "./ocpp.ts";

export interface SimulatedCar {
  /** The car's state of charge, %; undefined: the car does not tell (most AC charging). */
  socPct?: number;
  capacityKWh?: number;
  maxPowerW?: number;
}

export interface ChargePointSimulatorOptions {
  /** The central system's URL without the identity, e.g. ws://127.0.0.1:8887. */
  endpoint: string;
  identity: string;
  password?: string;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  connectors?: number;
  phases?: 1 | 3;
  voltageV?: number;
  /** The charger's own maximum current per phase, A. */
  maxCurrentA?: number;
  /** The meter register at start, Wh. */
  registerWh?: number;
  /** Milliseconds; default Date.now. */
  now?: () => number;
  /** Sends MeterValues this often (wall-clock) while a transaction runs, until MeterValueSampleInterval is changed; default: only when asked. */
  meterIntervalMs?: number;
  /** Entries that replace or add to the default configuration table; null removes a key (then unknown). */
  configuration?: Record<string, ConfigurationEntry | null>;
}

export interface ConfigurationEntry {
  value: string;
  readonly?: boolean;
}

/** What this charge point can measure (MeterValuesSampledData takes these only). */
const MEASURANDS = ["Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "SoC"];

interface Connector {
  id: number;
  status: ConnectorStatus;
  car: Required<Omit<SimulatedCar, "socPct">> & { socPct: number; reportsSoc: boolean } | undefined;
  transactionId: number | undefined;
  registerWh: number;
  powerW: number;
  profiles: ChargingProfile[];
}

const DEFAULT_CAR = { capacityKWh: 60, maxPowerW: 11_000 };

/** A typical AC charger's table: it samples the register and the currents until told otherwise. */
function defaultConfiguration(o: ChargePointSimulatorOptions): Record<string, ConfigurationEntry> {
  return {
    HeartbeatInterval: { value: "0" },
    MeterValueSampleInterval: { value: String(Math.ceil((o.meterIntervalMs ?? 0) / 1000)) },
    MeterValuesSampledData: { value: "Energy.Active.Import.Register,Current.Import" },
    MeterValuesSampledDataMaxLength: { value: "4", readonly: true },
    ChargingScheduleAllowedChargingRateUnit: { value: "Current,Power", readonly: true },
    ChargeProfileMaxStackLevel: { value: "8", readonly: true },
    NumberOfConnectors: { value: String(o.connectors ?? 1), readonly: true },
    SupportedFeatureProfiles: { value: "Core,SmartCharging,RemoteTrigger", readonly: true },
  };
}

const isCount = (v: string) => /^\d+$/.test(v);

export class ChargePointSimulator {
  /** When true, every SetChargingProfile is answered Rejected (as many chargers do for some purposes). */
  rejectProfiles = false;
  /** The central system's calls, in order. */
  readonly received: { method: string; params: unknown }[] = [];
  readonly #o: ChargePointSimulatorOptions;
  readonly #config = new Map<string, Required<ConfigurationEntry>>();
  readonly #now: () => number;
  readonly #connectors: Connector[];
  #client: RPCClient | undefined;
  #t: number;
  #heartbeat: NodeJS.Timeout | undefined;
  #meter: NodeJS.Timeout | undefined;
  #meterMs: number;
  #dialing = false;

  constructor(o: ChargePointSimulatorOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#t = this.#now();
    this.#meterMs = o.meterIntervalMs ?? 0;
    for (const [key, e] of Object.entries({ ...defaultConfiguration(o), ...o.configuration })) if (e) this.#config.set(key, { readonly: false, ...e });
    this.#connectors = Array.from({ length: o.connectors ?? 1 }, (_, i) => ({
      id: i + 1, status: "Available", car: undefined, transactionId: undefined, registerWh: o.registerWh ?? 1000, powerW: 0, profiles: [],
    }));
  }

  /** Dials the central system, boots and reports every connector's status. */
  async connect(): Promise<void> {
    // ocpp-rpc types every option as required; it fills in defaults for those left out.
    const client = new RPCClient({
      endpoint: this.#o.endpoint, identity: this.#o.identity, protocols: [PROTOCOL], strictMode: true, reconnect: false,
      ...(this.#o.password ? { password: this.#o.password } : {}),
    } as unknown as ConstructorParameters<typeof RPCClient>[0]);
    const handlers: Record<string, (params: unknown) => Record<string, unknown>> = {
      SetChargingProfile: (p) => this.#setProfile(p),
      ClearChargingProfile: (p) => this.#clearProfile(p),
      RemoteStartTransaction: (p) => this.#remoteStart(p),
      RemoteStopTransaction: (p) => this.#remoteStop(p),
      GetConfiguration: (p) => this.#getConfiguration(p),
      ChangeConfiguration: (p) => this.#changeConfiguration(p),
      TriggerMessage: (p) => this.#trigger(p),
    };
    for (const [method, handle] of Object.entries(handlers)) {
      client.handle(method, async ({ params }) => {
        this.received.push({ method, params });
        return handle(params);
      });
    }
    await client.connect();
    this.#client = client;
    const boot = (await client.call("BootNotification", {
      chargePointVendor: this.#o.vendor ?? "flexfed", chargePointModel: this.#o.model ?? "SimCharger",
      ...(this.#o.serialNumber ? { chargePointSerialNumber: this.#o.serialNumber } : {}),
      ...(this.#o.firmwareVersion ? { firmwareVersion: this.#o.firmwareVersion } : {}),
    })) as { interval: number };
    this.#config.get("HeartbeatInterval")!.value = String(boot.interval);
    this.#startTimers();
    for (const c of this.#connectors) await this.#sendStatus(c);
  }

  /** A value of the configuration table. */
  configuration(key: string): string | undefined {
    return this.#config.get(key)?.value;
  }

  /** Connects, retrying every `retryMs` until the central system answers (a charger waiting for its back office), or until closed. */
  async dial(retryMs = 500): Promise<void> {
    this.#dialing = true;
    while (this.#dialing) {
      try {
        return await this.connect();
      } catch {
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }

  /** The WebSocket goes away without a goodbye (a charger losing its network). */
  async drop(): Promise<void> {
    this.#stopTimers();
    await this.#client?.close({ force: true });
    this.#client = undefined;
  }

  async close(): Promise<void> {
    this.#dialing = false;
    this.#stopTimers();
    await this.#client?.close({ code: 1000, reason: "charge point shutting down" });
    this.#client = undefined;
  }

  async heartbeat(): Promise<void> {
    await this.#call("Heartbeat", {});
  }

  /** A car is connected: Preparing, until a transaction starts (remotely, or with startTransaction). */
  async plugIn(car: SimulatedCar = {}, connectorId = 1): Promise<void> {
    const c = this.#connector(connectorId);
    this.#settle();
    c.car = { ...DEFAULT_CAR, ...car, socPct: car.socPct ?? 20, reportsSoc: car.socPct !== undefined };
    c.status = "Preparing";
    await this.#sendStatus(c);
  }

  /** The car starts to tell its state of charge (a high-level communication that comes up late); it tells from the next meter values on. */
  reportSoc(connectorId = 1): void {
    const car = this.#connector(connectorId).car;
    if (!car) throw new Error(`no car is plugged in to connector ${connectorId}`);
    car.reportsSoc = true;
  }

  /** The car leaves: the transaction stops (EVDisconnected), Finishing, then Available. */
  async unplug(connectorId = 1): Promise<void> {
    const c = this.#connector(connectorId);
    if (c.transactionId !== undefined) await this.stopTransaction(connectorId, "EVDisconnected");
    c.car = undefined;
    c.status = "Finishing";
    await this.#sendStatus(c);
    c.status = "Available";
    await this.#sendStatus(c);
  }

  /** A user starts charging with a card: Authorize, StartTransaction; returns the transaction id (undefined if refused). */
  async startTransaction(idTag = "SIM-TAG", connectorId = 1, authorize = true): Promise<number | undefined> {
    const c = this.#connector(connectorId);
    if (authorize) {
      const a = (await this.#call("Authorize", { idTag })) as { idTagInfo: { status: string } };
      if (a.idTagInfo.status !== "Accepted") return undefined;
    }
    this.#settle();
    const answer = (await this.#call("StartTransaction", {
      connectorId, idTag, meterStart: Math.round(c.registerWh), timestamp: this.#iso(),
    })) as { transactionId: number; idTagInfo: { status: string } };
    if (answer.idTagInfo.status !== "Accepted") return undefined;
    c.transactionId = answer.transactionId;
    this.#settle();
    await this.#sendStatus(c);
    await this.sendMeterValues(connectorId, "Transaction.Begin");
    return c.transactionId;
  }

  async stopTransaction(connectorId = 1, reason = "Local"): Promise<void> {
    const c = this.#connector(connectorId);
    if (c.transactionId === undefined) return;
    this.#settle();
    const transactionId = c.transactionId;
    c.transactionId = undefined;
    // A TxProfile ends with its transaction.
    c.profiles = c.profiles.filter((p) => p.chargingProfilePurpose !== "TxProfile");
    this.#settle();
    await this.#call("StopTransaction", { transactionId, meterStop: Math.round(c.registerWh), timestamp: this.#iso(), reason });
    c.status = c.car ? "Finishing" : "Available";
    await this.#sendStatus(c);
  }

  /** Sends the connector's measurands now, those MeterValuesSampledData names (SoC when the car tells it). */
  async sendMeterValues(connectorId = 1, context: "Sample.Periodic" | "Transaction.Begin" | "Trigger" = "Sample.Periodic"): Promise<void> {
    const c = this.#connector(connectorId);
    this.#settle();
    const phases = this.#o.phases ?? 3;
    const amps = c.powerW / ((this.#o.voltageV ?? 230) * phases);
    const sampled = this.configuration("MeterValuesSampledData")?.split(",") ?? [];
    const values: Record<string, { unit: string; value: string; phase?: string }[]> = {
      "Energy.Active.Import.Register": [{ unit: "Wh", value: c.registerWh.toFixed(1) }],
      "Power.Active.Import": [{ unit: "W", value: c.powerW.toFixed(1) }],
      "Current.Import": ["L1", "L2", "L3"].slice(0, phases).map((phase) => ({ unit: "A", phase, value: amps.toFixed(2) })),
      SoC: c.car?.reportsSoc ? [{ unit: "Percent", value: c.car.socPct.toFixed(1) }] : [],
    };
    const sampledValue = MEASURANDS.filter((m) => sampled.includes(m)).flatMap((measurand) => values[measurand]!.map((v) => ({ measurand, context, ...v })));
    await this.#call("MeterValues", {
      connectorId, ...(c.transactionId !== undefined ? { transactionId: c.transactionId } : {}), meterValue: [{ timestamp: this.#iso(), sampledValue }],
    });
  }

  /** The limit of the profile in force on a connector, in its unit; undefined: no profile (the charger's own maximum). */
  limit(connectorId = 1): { limit: number; unit: "A" | "W"; purpose: string } | undefined {
    const p = this.#active(this.#connector(connectorId));
    const period = p?.chargingSchedule.chargingSchedulePeriod[0];
    return p && period ? { limit: period.limit, unit: p.chargingSchedule.chargingRateUnit, purpose: p.chargingProfilePurpose } : undefined;
  }

  /** The connector's physical state now. */
  connector(connectorId = 1): { status: ConnectorStatus; powerW: number; registerWh: number; socPct: number | undefined; transactionId: number | undefined } {
    const c = this.#connector(connectorId);
    this.#settle();
    return { status: c.status, powerW: c.powerW, registerWh: c.registerWh, socPct: c.car?.socPct, transactionId: c.transactionId };
  }

  // ---- what the central system calls ------------------------------------------------------

  #getConfiguration(params: unknown) {
    const { key: keys } = parse(GetConfiguration, params, "GetConfiguration");
    const known = (keys ?? [...this.#config.keys()]).filter((k) => this.#config.has(k));
    return {
      configurationKey: known.map((key) => ({ key, ...this.#config.get(key)! })),
      ...(keys?.some((k) => !this.#config.has(k)) ? { unknownKey: keys.filter((k) => !this.#config.has(k)) } : {}),
    };
  }

  #changeConfiguration(params: unknown) {
    const { key, value } = parse(ChangeConfiguration, params, "ChangeConfiguration");
    const entry = this.#config.get(key);
    if (!entry) return { status: "NotSupported" };
    if (entry.readonly || !this.#valid(key, value)) return { status: "Rejected" };
    entry.value = value;
    if (key === "MeterValueSampleInterval") this.#meterMs = Number(value) * 1000;
    if (key === "MeterValueSampleInterval" || key === "HeartbeatInterval") this.#startTimers();
    return { status: "Accepted" };
  }

  #valid(key: string, value: string): boolean {
    if (key === "MeterValueSampleInterval" || key === "HeartbeatInterval") return isCount(value);
    if (key !== "MeterValuesSampledData") return true;
    const items = value.split(",");
    return items.length <= Number(this.configuration("MeterValuesSampledDataMaxLength") ?? Infinity) && items.every((m) => MEASURANDS.includes(m));
  }

  /** Answers first, then sends what was asked for, as a real charge point does. */
  #trigger(params: unknown) {
    const { requestedMessage, connectorId } = parse(TriggerMessage, params, "TriggerMessage");
    const connectors = connectorId === undefined || connectorId === 0 ? this.#connectors : [this.#connector(connectorId)];
    const send: Partial<Record<typeof requestedMessage, () => Promise<void>>> = {
      StatusNotification: async () => { for (const c of connectors) await this.#sendStatus(c); },
      MeterValues: async () => { for (const c of connectors) await this.sendMeterValues(c.id, "Trigger"); },
      Heartbeat: () => this.heartbeat(),
    };
    const action = send[requestedMessage];
    if (!action) return { status: "NotImplemented" };
    setImmediate(() => void action().catch(() => undefined));
    return { status: "Accepted" };
  }

  #setProfile(params: unknown) {
    const req = parse(SetChargingProfile, params, "SetChargingProfile");
    const p = req.csChargingProfiles;
    const targets = req.connectorId === 0 ? this.#connectors : [this.#connector(req.connectorId)];
    // OCPP 1.6 §5.16: a TxProfile without a transaction is rejected.
    if (this.rejectProfiles || (p.chargingProfilePurpose === "TxProfile" && targets.some((c) => c.transactionId === undefined))) return { status: "Rejected" };
    this.#settle();
    for (const c of targets) {
      c.profiles = [...c.profiles.filter((q) => q.chargingProfileId !== p.chargingProfileId && !(q.chargingProfilePurpose === p.chargingProfilePurpose && q.stackLevel === p.stackLevel)), p];
    }
    setImmediate(() => void this.#afterChange(targets));
    return { status: "Accepted" };
  }

  #clearProfile(params: unknown) {
    const req = parse(ClearChargingProfile, params, "ClearChargingProfile");
    this.#settle();
    let cleared = false;
    for (const c of this.#connectors) {
      if (req.connectorId !== undefined && req.connectorId !== 0 && req.connectorId !== c.id) continue;
      const keep = c.profiles.filter((p) => (req.id !== undefined && p.chargingProfileId !== req.id) || (req.chargingProfilePurpose !== undefined && p.chargingProfilePurpose !== req.chargingProfilePurpose));
      cleared ||= keep.length < c.profiles.length;
      c.profiles = keep;
    }
    setImmediate(() => void this.#afterChange(this.#connectors));
    return { status: cleared ? "Accepted" : "Unknown" };
  }

  #remoteStart(params: unknown) {
    const req = parse(RemoteStartTransaction, params, "RemoteStartTransaction");
    const c = this.#connectors.find((x) => (req.connectorId === undefined || x.id === req.connectorId) && x.car && x.transactionId === undefined);
    if (!c) return { status: "Rejected" };
    // After the answer has gone out, as a real charge point does.
    setImmediate(() => void this.startTransaction(req.idTag, c.id, false).catch(() => undefined));
    return { status: "Accepted" };
  }

  #remoteStop(params: unknown) {
    const { transactionId } = parse(RemoteStopTransaction, params, "RemoteStopTransaction");
    const c = this.#connectors.find((x) => x.transactionId === transactionId);
    if (!c) return { status: "Rejected" };
    setImmediate(() => void this.stopTransaction(c.id, "Remote").catch(() => undefined));
    return { status: "Accepted" };
  }

  // ---- the physics ------------------------------------------------------------------------

  #connector(id: number): Connector {
    const c = this.#connectors[id - 1];
    if (!c) throw new Error(`the simulated charge point has connectors 1..${this.#connectors.length}, not ${id}`);
    return c;
  }

  /** TxProfile over TxDefaultProfile; within a purpose, the highest stack level. */
  #active(c: Connector): ChargingProfile | undefined {
    for (const purpose of ["TxProfile", "TxDefaultProfile"] as const) {
      const p = c.profiles.filter((q) => q.chargingProfilePurpose === purpose).sort((a, b) => b.stackLevel - a.stackLevel)[0];
      if (p) return p;
    }
    return undefined;
  }

  #powerFor(c: Connector): number {
    if (c.transactionId === undefined || !c.car || c.car.socPct >= 100) return 0;
    const phases = this.#o.phases ?? 3, volts = this.#o.voltageV ?? 230;
    const maxW = (this.#o.maxCurrentA ?? 32) * volts * phases;
    const period = this.#active(c)?.chargingSchedule;
    const first = period?.chargingSchedulePeriod[0];
    const limitW = period && first ? (period.chargingRateUnit === "A" ? first.limit * volts * phases : first.limit) : maxW;
    return Math.max(0, Math.min(limitW, maxW, c.car.maxPowerW));
  }

  /** Integrates energy and state of charge from the last settled time to now. */
  #settle(): void {
    const now = this.#now();
    const hours = Math.max(0, now - this.#t) / 3_600_000;
    this.#t = now;
    for (const c of this.#connectors) {
      if (hours > 0 && c.powerW > 0 && c.car) {
        const room = ((100 - c.car.socPct) / 100) * c.car.capacityKWh * 1000;
        const wh = Math.min(room, c.powerW * hours);
        c.registerWh += wh;
        c.car.socPct = Math.min(100, c.car.socPct + (wh / (c.car.capacityKWh * 1000)) * 100);
      }
      c.powerW = this.#powerFor(c);
      if (c.transactionId !== undefined) c.status = c.powerW > 0 ? "Charging" : c.car && c.car.socPct >= 100 ? "SuspendedEV" : "SuspendedEVSE";
    }
  }

  async #afterChange(connectors: Connector[]): Promise<void> {
    const before = connectors.map((c) => c.status);
    this.#settle();
    for (const [i, c] of connectors.entries()) if (c.status !== before[i]) await this.#sendStatus(c).catch(() => undefined);
  }

  async #sendStatus(c: Connector): Promise<void> {
    await this.#call("StatusNotification", { connectorId: c.id, errorCode: "NoError", status: c.status, timestamp: this.#iso() });
  }

  async #call(method: string, params: unknown): Promise<unknown> {
    if (!this.#client) throw new Error(`the simulated charge point ${this.#o.identity} is not connected`);
    return this.#client.call(method, params);
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }

  /** Heartbeat and sampled meter values at the intervals of the configuration table. */
  #startTimers(): void {
    this.#stopTimers();
    const heartbeatS = Number(this.configuration("HeartbeatInterval"));
    if (heartbeatS > 0) this.#heartbeat = setInterval(() => void this.heartbeat().catch(() => undefined), heartbeatS * 1000).unref();
    if (this.#meterMs > 0) {
      this.#meter = setInterval(() => {
        for (const c of this.#connectors) if (c.transactionId !== undefined) void this.sendMeterValues(c.id).catch(() => undefined);
      }, this.#meterMs).unref();
    }
  }

  #stopTimers(): void {
    clearInterval(this.#heartbeat);
    clearInterval(this.#meter);
  }
}

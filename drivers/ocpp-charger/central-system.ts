// flexfed as OCPP 1.6J Central System: one WebSocket server per listen address, shared by every
// driver configured with that address. Charge points dial ws://host:port/<chargeBoxId>; each
// driver attaches to one connector of one charge point and hears what concerns it. After an
// accepted boot the central system sets the charge point up (setup.ts).
import type { AddressInfo } from "node:net";
import { createRPCError, RPCServer } from "ocpp-rpc";
import type * as ServerClient from "ocpp-rpc/lib/server-client.js";
import { logger } from "../../src/log/index.ts";
import {
  Authorize, BootNotification, BootNotificationConf, MeterValues, parse, PROTOCOL, StartTransaction, StartTransactionConf, StatusNotification, StopTransaction,
  type MeterValues as MeterValuesMsg, type StartTransaction as StartTransactionMsg, type StatusNotification as StatusNotificationMsg,
  type StopTransaction as StopTransactionMsg,
} from "./ocpp.ts";
import { Upstream } from "./proxy.ts";
import { configure, trigger, type ChargePointConfiguration } from "./setup.ts";
import type { Nameplate } from "./state.ts";

const log = logger("ocpp");

type RpcServerClient = ServerClient.default;

/** What a driver hears of its connector. */
export interface ConnectorListener {
  readonly connectorId: number;
  connected(): void;
  disconnected(reason: string): void;
  booted(nameplate: Nameplate): void;
  /** What the charge point's configuration says, after each boot. */
  configured(c: ChargePointConfiguration): void;
  status(n: StatusNotificationMsg): void;
  meterValues(m: MeterValuesMsg): void;
  started(transactionId: number, req: StartTransactionMsg): void;
  stopped(req: StopTransactionMsg): void;
}

/** Settings of a whole charge point (every connector's driver must give the same). */
export interface ChargePointSettings {
  password?: string;
  idTags?: string[];
  heartbeatSeconds: number;
  meterIntervalSeconds: number;
  upstream?: string;
}

/** One charge point: its connection (while connected), its connectors' listeners, its transactions. */
export class ChargePoint {
  readonly listeners = new Map<number, ConnectorListener>();
  readonly #transactions = new Map<number, number>();
  client: RpcServerClient | undefined;
  upstream: Upstream | undefined;
  /** Calls wait until the back office is dialed, so that even the BootNotification goes there. */
  #upstreamReady: Promise<void> = Promise.resolve();
  nameplate: Nameplate | undefined;
  configuration: ChargePointConfiguration | undefined;

  constructor(readonly id: string, readonly settings: ChargePointSettings, private readonly nextTransactionId: () => number) {}

  /** Calls the charge point; rejects when it is not connected or answers with an error. */
  async call(method: string, params: unknown): Promise<unknown> {
    if (!this.client) throw new Error(`charge point ${this.id} is not connected`);
    return this.client.call(method, params);
  }

  accept(client: RpcServerClient, password: Buffer | undefined): void {
    const previous = this.client;
    this.client = client;
    // A charge point that dials again replaces its old connection.
    if (previous) void previous.close({ code: 1000, reason: "replaced by a new connection" });
    if (this.settings.upstream) {
      this.upstream = new Upstream(this.settings.upstream, this.id, password, (method, params) => this.call(method, params));
      this.#upstreamReady = this.upstream.connect();
    }
    client.handle(({ method, params }: { method?: string; params?: unknown }) => this.#onCall(method!, params) as Promise<Record<string, unknown>>);
    client.once("close", ({ code, reason }: { code?: number; reason?: string }) => {
      if (this.client !== client) return;
      this.client = undefined;
      void this.upstream?.close();
      this.upstream = undefined;
      const why = `charge point ${this.id} closed its OCPP connection (code ${code ?? "none"}${reason ? `: ${reason}` : ""})`;
      for (const l of this.listeners.values()) l.disconnected(why);
    });
    for (const l of this.listeners.values()) l.connected();
  }

  /** The charge point's call: observed, then answered by the back office (proxy) or here. */
  async #onCall(method: string, params: unknown): Promise<unknown> {
    this.#observe(method, params);
    await this.#upstreamReady;
    const answer = this.upstream?.open ? await this.upstream.call(method, params) : this.#answer(method, params);
    // OCPP 1.6 §4.2: the central system calls a charge point once its boot is accepted; after the answer has gone out.
    if (method === "BootNotification" && parse(BootNotificationConf, answer, "BootNotification answer").status === "Accepted") setImmediate(() => void this.#setUp());
    if (method === "StartTransaction") {
      const req = parse(StartTransaction, params, "StartTransaction");
      const conf = parse(StartTransactionConf, answer, "StartTransaction answer");
      if (conf.idTagInfo.status === "Accepted") {
        this.#transactions.set(conf.transactionId, req.connectorId);
        this.listeners.get(req.connectorId)?.started(conf.transactionId, req);
      }
    }
    return answer;
  }

  async #setUp(): Promise<void> {
    const configuration = (this.configuration = await configure(this, this.settings.meterIntervalSeconds, log));
    for (const l of this.listeners.values()) l.configured(configuration);
    await trigger(this, [...this.listeners.keys()], log);
  }

  #observe(method: string, params: unknown): void {
    switch (method) {
      case "BootNotification": {
        const b = parse(BootNotification, params, method);
        const serialNumber = b.chargePointSerialNumber ?? b.chargeBoxSerialNumber;
        this.nameplate = {
          vendor: b.chargePointVendor, model: b.chargePointModel,
          ...(serialNumber ? { serialNumber } : {}), ...(b.firmwareVersion ? { firmwareVersion: b.firmwareVersion } : {}),
        };
        for (const l of this.listeners.values()) l.booted(this.nameplate);
        break;
      }
      case "StatusNotification": {
        const n = parse(StatusNotification, params, method);
        this.listeners.get(n.connectorId)?.status(n);
        break;
      }
      case "MeterValues": {
        const m = parse(MeterValues, params, method);
        this.listeners.get(m.connectorId)?.meterValues(m);
        break;
      }
      case "StopTransaction": {
        const s = parse(StopTransaction, params, method);
        const connectorId = this.#transactions.get(s.transactionId);
        this.#transactions.delete(s.transactionId);
        if (connectorId !== undefined) this.listeners.get(connectorId)?.stopped(s);
        break;
      }
    }
  }

  #authorized(idTag: string) {
    const ok = !this.settings.idTags || this.settings.idTags.includes(idTag);
    return { status: ok ? "Accepted" : "Invalid" };
  }

  #answer(method: string, params: unknown): unknown {
    const now = new Date().toISOString();
    switch (method) {
      case "BootNotification": return { status: "Accepted", currentTime: now, interval: this.settings.heartbeatSeconds };
      case "Heartbeat": return { currentTime: now };
      case "StatusNotification":
      case "MeterValues":
      case "StopTransaction": return {};
      case "Authorize": return { idTagInfo: this.#authorized(parse(Authorize, params, method).idTag) };
      case "StartTransaction":
        return { idTagInfo: this.#authorized(parse(StartTransaction, params, method).idTag), transactionId: this.nextTransactionId() };
      default: throw createRPCError("NotImplemented", `flexfed does not handle ${method}`);
    }
  }
}

/** The WebSocket server of one listen address. */
export class CentralSystem {
  static readonly #shared = new Map<string, Promise<CentralSystem>>();
  readonly #server = new RPCServer({ protocols: [PROTOCOL], strictMode: true });
  readonly #chargePoints = new Map<string, ChargePoint>();
  #users = 0;
  #transactionId = 0;
  port = 0;

  private constructor(readonly host: string, private readonly key: string) {
    this.#server.auth((accept, reject, handshake) => {
      const cp = this.#chargePoints.get(handshake.identity);
      if (!cp) return reject(404, `no charge point ${handshake.identity} is configured`);
      const want = cp.settings.password;
      if (want !== undefined && handshake.password?.toString("utf8") !== want) {
        log.warn("charge point refused: wrong or missing password", { chargeBoxId: handshake.identity, from: handshake.remoteAddress });
        return reject(401, "wrong or missing password");
      }
      accept({ password: handshake.password });
    });
    this.#server.on("client", (client: RpcServerClient) => {
      const cp = this.#chargePoints.get(client.identity!);
      if (!cp) return void client.close({ code: 1008, reason: "not configured" });
      log.info("charge point connected", { chargeBoxId: cp.id });
      cp.accept(client, client.session.password as Buffer | undefined);
    });
  }

  /** The server for this address, started on first use; `release()` it when done. */
  static acquire(host: string, port: number): Promise<CentralSystem> {
    const key = `${host}:${port}`;
    let shared = CentralSystem.#shared.get(key);
    if (!shared) {
      const cs = new CentralSystem(host, key);
      shared = cs.#server.listen(port, host).then((http) => {
        cs.port = (http.address() as AddressInfo).port;
        return cs;
      });
      shared.catch(() => CentralSystem.#shared.delete(key));
      CentralSystem.#shared.set(key, shared);
    }
    return shared.then((cs) => (cs.#users++, cs));
  }

  /** ws:// URL a charge point dials (without its id). */
  get url(): string {
    return `ws://${this.host === "0.0.0.0" ? "127.0.0.1" : this.host}:${this.port}`;
  }

  /** Adds a connector's listener; the charge point's settings must agree with those already given. */
  attach(chargeBoxId: string, settings: ChargePointSettings, listener: ConnectorListener): ChargePoint {
    let cp = this.#chargePoints.get(chargeBoxId);
    if (!cp) this.#chargePoints.set(chargeBoxId, (cp = new ChargePoint(chargeBoxId, settings, () => ++this.#transactionId)));
    else if (JSON.stringify(cp.settings) !== JSON.stringify(settings)) {
      throw new Error(`charge point ${chargeBoxId}: its connectors are configured with different password, idTags, heartbeatSeconds, meterIntervalSeconds or upstream`);
    }
    if (cp.listeners.has(listener.connectorId)) throw new Error(`charge point ${chargeBoxId} connector ${listener.connectorId} has a driver already`);
    cp.listeners.set(listener.connectorId, listener);
    if (cp.client) listener.connected();
    if (cp.nameplate) listener.booted(cp.nameplate);
    if (cp.configuration) listener.configured(cp.configuration);
    return cp;
  }

  detach(cp: ChargePoint, connectorId: number): void {
    cp.listeners.delete(connectorId);
    if (cp.listeners.size > 0) return;
    this.#chargePoints.delete(cp.id);
    void cp.upstream?.close();
    void cp.client?.close({ code: 1001, reason: "flexfed stops serving this charge point" });
  }

  /** Closes the server once its last user releases it. */
  async release(): Promise<void> {
    if (--this.#users > 0) return;
    CentralSystem.#shared.delete(this.key);
    await this.#server.close({ force: true });
  }
}

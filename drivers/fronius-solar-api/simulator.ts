// A simulated Fronius system behind the Solar API v1: an HTTP server on 127.0.0.1 answering
// GetPowerFlowRealtimeData.fcgi with the JSON a Fronius inverter sends, PV from a profile function
// of time, a household load and the grid taking the difference. It can answer errors, broken JSON,
// and go away and come back on the same port.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { POWER_FLOW_PATH } from "./api.ts";

export interface FroniusSimulatorOptions {
  /** PV production at a time (ms), W. Default: 3000 W at noon UTC, none at night. */
  pvW?: (timeMs: number) => number;
  /** The household's consumption, W; default 500. */
  loadW?: (timeMs: number) => number;
  /** A battery's state of charge, %; default none (no battery). */
  socPct?: number;
  now?: () => number;
  /** Lifetime production at the start, Wh. */
  energyWh?: number;
}

/** What the next answers are: the real thing, an HTTP 500, JSON that is cut off, or a Solar API error code. */
export type FroniusFault = "none" | "http-500" | "bad-json" | "api-error";

/** A day of PV, W: a sine from 06:00 to 18:00 UTC peaking at `peakW`. */
export const daylight = (peakW: number) => (t: number): number => Math.round(Math.max(0, Math.sin(((((t / 3_600_000) % 24) - 6) / 12) * Math.PI)) * peakW);

export class FroniusSimulator {
  readonly #server: http.Server;
  readonly #now: () => number;
  readonly #pv: (t: number) => number;
  readonly #load: (t: number) => number;
  readonly #soc: number | undefined;
  #energyWh: number;
  #t: number;
  #port = 0;
  fault: FroniusFault = "none";
  /** Requests answered, for tests. */
  requests = 0;

  constructor(o: FroniusSimulatorOptions = {}) {
    this.#now = o.now ?? Date.now;
    this.#pv = o.pvW ?? daylight(3000);
    this.#load = o.loadW ?? (() => 500);
    this.#soc = o.socPct;
    this.#energyWh = o.energyWh ?? 1_000_000;
    this.#t = this.#now();
    this.#server = http.createServer((req, res) => this.#answer(req, res));
  }

  /** Serves on 127.0.0.1 (a free port the first time, the same one after disappear()); returns the base URL. */
  async listen(): Promise<{ url: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${this.#port}`, port: this.#port };
  }

  /** The inverter goes off the network: the server closes, open connections drop. */
  async disappear(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async reappear(): Promise<void> {
    await this.listen();
  }

  stop(): Promise<void> {
    return this.disappear();
  }

  /** The power flow now, as the Solar API reports it. */
  powerFlow(): object {
    const now = this.#now();
    if (now > this.#t) {
      this.#energyWh += (this.#pv(this.#t) * (now - this.#t)) / 3_600_000;
      this.#t = now;
    }
    const pv = this.#pv(now);
    const load = this.#load(now);
    const battery = this.#soc === undefined ? null : 0;
    return {
      Body: {
        Data: {
          Inverters: { 1: { Battery_Mode: this.#soc === undefined ? undefined : "normal", DT: 1, E_Day: null, E_Total: this.#energyWh, E_Year: null, P: pv, ...(this.#soc === undefined ? {} : { SOC: this.#soc }) } },
          SecondaryMeters: {},
          Site: {
            BackupMode: false, BatteryStandby: false, E_Day: null, E_Total: this.#energyWh, E_Year: null, Meter_Location: "grid", Mode: "bidirectional",
            P_Akku: battery, P_Grid: load - pv, P_Load: -load, P_PV: pv === 0 ? null : pv,
            rel_Autonomy: load === 0 ? 100 : Math.min(100, (pv / load) * 100), rel_SelfConsumption: pv === 0 ? null : Math.min(100, (load / pv) * 100),
          },
          Smartloads: { Ohmpilots: {} },
          Version: "12",
        },
      },
      Head: { RequestArguments: {}, Status: { Code: 0, Reason: "", UserMessage: "" }, Timestamp: new Date(now).toISOString().replace(/\.\d+Z$/, "+00:00") },
    };
  }

  #answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++;
    const json = (status: number, body: string) => res.writeHead(status, { "content-type": "application/json" }).end(body);
    if (new URL(req.url ?? "/", "http://x").pathname !== POWER_FLOW_PATH) return void json(404, "{}");
    switch (this.fault) {
      case "http-500":
        return void res.writeHead(500, "Internal Server Error").end("fcgi crashed");
      case "bad-json":
        return void json(200, JSON.stringify(this.powerFlow()).slice(0, 40));
      case "api-error":
        return void json(200, JSON.stringify({ Body: { Data: {} }, Head: { RequestArguments: {}, Status: { Code: 255, Reason: "Collection not available", UserMessage: "" } } }));
      case "none":
        return void json(200, JSON.stringify(this.powerFlow()));
    }
  }
}

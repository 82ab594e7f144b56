// Transparent proxy towards an existing back office (as in Storage4Grid's OCPP connector): flexfed
// dials the back office as the charge point would (same identity, same password), relays the
// charge point's calls to it and its calls to the charge point. The central system observes both
// directions and may still send its own calls to the charge point.
import { RPCClient } from "ocpp-rpc";
import { logger } from "../../src/log/index.ts";
import { PROTOCOL } from "./ocpp.ts";

const log = logger("ocpp-proxy");

export type Relay = (method: string, params: unknown) => Promise<unknown>;

export class Upstream {
  readonly #client: RPCClient;
  #open = false;

  /** `toChargePoint` carries the back office's calls; its answer (or error) goes back to the back office. */
  constructor(readonly url: string, identity: string, password: Buffer | undefined, toChargePoint: Relay) {
    // ocpp-rpc types every option as required; it fills in defaults for those left out.
    this.#client = new RPCClient({
      endpoint: url, identity, protocols: [PROTOCOL], strictMode: true, reconnect: true, ...(password ? { password } : {}),
    } as unknown as ConstructorParameters<typeof RPCClient>[0]);
    this.#client.handle(({ method, params }) => toChargePoint(method!, params) as Promise<Record<string, unknown>>);
    this.#client.on("open", () => (this.#open = true));
    this.#client.on("disconnect", () => (this.#open = false));
  }

  /** Whether calls reach the back office now. */
  get open(): boolean {
    return this.#open;
  }

  /** Dials the back office; a back office that is down is logged, and the central system answers meanwhile. */
  async connect(): Promise<void> {
    await this.#client.connect().catch((err: Error) => log.warn("back office not reachable; answering the charge point locally", { url: this.url, error: err.message }));
  }

  call: Relay = (method, params) => this.#client.call(method, params);

  async close(): Promise<void> {
    await this.#client.close({ force: true });
  }
}

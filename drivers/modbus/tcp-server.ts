// Serves a RegisterBank over Modbus TCP on loopback: the transport of every simulator. It can be
// stopped and started again on the same port, as a device that disappears and comes back.
import { ServerTCP, type IServiceVector } from "modbus-serial";
import { freePort } from "../../src/server/ports.ts";
import type { RegisterBank } from "./registers.ts";

type Server = InstanceType<typeof ServerTCP>;

export interface TcpServerOptions {
  host?: string;
  /** Default: a free port, chosen at the first start and kept for restarts. */
  port?: number;
  /** Answer only this unit id (others get no reply, as on a real bus); default: every unit. */
  unitId?: number;
}

export class ModbusTcpServer {
  readonly host: string;
  #port: number | undefined;
  readonly #unitId: number;
  #server: Server | undefined;

  constructor(private readonly bank: RegisterBank, opts: TcpServerOptions = {}) {
    this.host = opts.host ?? "127.0.0.1";
    this.#port = opts.port;
    this.#unitId = opts.unitId ?? 255;
  }

  /** The port, known once started. */
  get port(): number {
    if (this.#port === undefined) throw new Error("the Modbus TCP server has not been started yet");
    return this.#port;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.#server) return { host: this.host, port: this.port };
    this.#port ??= await freePort();
    const bank = this.bank;
    // Plain parameters and synchronous returns: modbus-serial picks the calling style by arity,
    // and a Promise from getMultipleHoldingRegisters becomes exception 4.
    const vector: IServiceVector = {
      getHoldingRegister: (addr: number, _unit: number) => bank.read(addr, 1)[0]!,
      getMultipleHoldingRegisters: (addr: number, length: number, _unit: number) => bank.read(addr, length),
      setRegister: (addr: number, value: number, _unit: number) => bank.write(addr, [value]),
      setRegisterArray: (addr: number, values: number[], _unit: number) => bank.write(addr, values),
    };
    const server = new ServerTCP(vector, { host: this.host, port: this.#port, unitID: this.#unitId });
    await new Promise<void>((resolve, reject) => {
      server.on("initialized", () => resolve());
      server.on("serverError", (err) => reject(err ?? new Error(`cannot listen on ${this.host}:${this.#port}`)));
    });
    // A client that vanishes mid-request must not take the simulator down.
    server.on("socketError", () => {});
    server.on("error", () => {});
    this.#server = server;
    return { host: this.host, port: this.#port };
  }

  /** Closes the listener and every open connection. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

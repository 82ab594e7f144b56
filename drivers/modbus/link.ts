// One Modbus connection (TCP or RTU) to one unit. Requests go out one at a time (modbus-serial
// mixes up parallel requests); a lost connection is re-opened lazily by the next request, on the
// same client; every failure becomes a ModbusError that says what, where and why.
import ModbusSerial from "modbus-serial";
import type { Transport } from "./config.ts";
import { describeFailure, ModbusError } from "./errors.ts";

// Under NodeNext ESM the CommonJS default export is the module object; the class is its `default`.
const ModbusRTU = ModbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

export interface LinkOptions {
  transport: Transport;
  unitId: number;
  timeoutMs: number;
  /** A serialport binding for RTU (e.g. MockRtuLine's); default: the real serial ports. */
  binding?: unknown;
}

/** Modbus allows at most 125 registers in one read. */
export const MAX_READ = 125;

export class ModbusLink {
  /** The device in messages: "127.0.0.1:5020 unit 1", "/dev/ttyUSB0 unit 3". */
  readonly where: string;
  readonly #client: Client = new ModbusRTU();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #onClose: ((err: Error) => void) | undefined;

  constructor(private readonly opts: LinkOptions) {
    const t = opts.transport;
    this.where = `${t.type === "tcp" ? `${t.host}:${t.port}` : t.path} unit ${opts.unitId}`;
    this.#client.setID(opts.unitId);
    // modbus-serial's default is no timeout at all.
    this.#client.setTimeout(opts.timeoutMs);
    // A request in flight when the connection drops would otherwise wait for its timeout.
    this.#client.on("close", () => this.#onClose?.(new ModbusError("connection", `connection closed by ${this.where}`)));
    this.#client.on("error", () => {});
  }

  readHoldingRegisters(address: number, count: number): Promise<number[]> {
    if (count < 1 || count > MAX_READ) throw new RangeError(`cannot read ${count} registers at once (1..${MAX_READ})`);
    return this.#run(`reading ${address}+${count}`, async (c) => (await c.readHoldingRegisters(address, count)).data);
  }

  /** FC16, or FC6 for `single` (devices that only take single-register writes). */
  writeRegisters(address: number, values: readonly number[], single = false): Promise<void> {
    const what = `writing ${values.length === 1 ? values[0] : `[${values.join(",")}]`} to ${address}`;
    return this.#run(what, async (c) => {
      if (single && values.length === 1) await c.writeRegister(address, values[0]!);
      else await c.writeRegisters(address, [...values]);
    });
  }

  /** Waits for the request under way, then closes the connection; later requests fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    if (this.#client.isOpen) await new Promise<void>((resolve) => this.#client.close(() => resolve()));
  }

  #run<T>(what: string, op: (c: Client) => Promise<T>): Promise<T> {
    const result = this.#queue.then(() => this.#attempt(what, op));
    this.#queue = result.catch(() => {});
    return result;
  }

  async #attempt<T>(what: string, op: (c: Client) => Promise<T>): Promise<T> {
    if (this.#closed) throw new ModbusError("connection", `the link to ${this.where} is closed (${what})`);
    try {
      if (!this.#client.isOpen) await this.#connect();
      const closed = new Promise<never>((_, reject) => (this.#onClose = reject));
      return await Promise.race([op(this.#client), closed]);
    } catch (err) {
      throw describeFailure(err, what, this.where, this.opts.timeoutMs);
    } finally {
      this.#onClose = undefined;
    }
  }

  async #connect(): Promise<void> {
    const t = this.opts.transport;
    if (t.type === "tcp") {
      await this.#client.connectTCP(t.host, { port: t.port, timeout: this.opts.timeoutMs });
    } else {
      const { baudRate, parity, dataBits, stopBits } = t;
      // `binding` is passed through to serialport but missing from modbus-serial's typings.
      const options = { baudRate, parity, dataBits, stopBits, ...(this.opts.binding ? { binding: this.opts.binding } : {}) };
      await this.#client.connectRTUBuffered(t.path, options as Parameters<Client["connectRTUBuffered"]>[1]);
    }
  }
}

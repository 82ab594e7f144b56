// What every simulated Modbus device does besides its physics: serve its registers over Modbus
// TCP on loopback and/or a mock RTU line, and go away and come back (same port, same unit).
import type { MockRtuLine } from "./rtu-mock.ts";
import type { RegisterBank } from "./registers.ts";
import { ModbusTcpServer } from "./tcp-server.ts";

export abstract class SimulatedModbusDevice implements RegisterBank {
  #server: ModbusTcpServer | undefined;
  #rtu: { line: MockRtuLine; unitId: number } | undefined;

  abstract read(address: number, count: number): number[];
  abstract write(address: number, values: readonly number[]): void;

  /** Serves Modbus TCP on 127.0.0.1 (a free port unless given); returns where. */
  async listen(opts: { port?: number; unitId?: number } = {}): Promise<{ host: string; port: number }> {
    this.#server ??= new ModbusTcpServer(this, opts);
    return this.#server.start();
  }

  /** Answers as `unitId` on a mock RTU line. */
  serveRtu(line: MockRtuLine, unitId = 1): void {
    this.#rtu = { line, unitId };
    line.attach(unitId, this);
  }

  /** The device goes away: the TCP server closes (connections drop), the RTU unit falls silent. */
  async disappear(): Promise<void> {
    await this.#server?.stop();
    this.#rtu?.line.detach(this.#rtu.unitId);
  }

  /** The device is back, on the same port and unit. */
  async reappear(): Promise<void> {
    await this.#server?.start();
    this.#rtu?.line.attach(this.#rtu.unitId, this);
  }

  stop(): Promise<void> {
    return this.disappear();
  }
}

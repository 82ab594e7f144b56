// What a simulated Modbus device is to the servers that expose it (TCP server, mock RTU line):
// holding registers that can be read and written, refusing with a Modbus exception code.

export interface RegisterBank {
  /** `count` holding registers from `address`; throws a ModbusException to refuse. */
  read(address: number, count: number): number[];
  /** Writes registers from `address` (FC6 writes one); throws a ModbusException to refuse. */
  write(address: number, values: readonly number[]): void;
}

/** A refusal the server answers with an exception response; modbus-serial's servers read `modbusErrorCode`. */
export class ModbusException extends Error {
  override name = "ModbusException";
  constructor(readonly modbusErrorCode: number, message = `Modbus exception ${modbusErrorCode}`) {
    super(message);
  }
}

/** A plain register image: 65 536 registers, all zero, every address readable and writable. */
export class RegisterImage implements RegisterBank {
  readonly regs = new Uint16Array(65536);

  read(address: number, count: number): number[] {
    if (address + count > this.regs.length) throw new ModbusException(2);
    return Array.from(this.regs.subarray(address, address + count));
  }

  write(address: number, values: readonly number[]): void {
    if (address + values.length > this.regs.length) throw new ModbusException(2);
    this.regs.set(values, address);
  }
}

// A simulated RS-485 line for tests and simulators: a serialport binding (SerialPortMock's,
// wrapped) on which RegisterBanks answer as RTU slaves. Units nobody attached stay silent, so the
// client times out as it would on a real bus. Pass `line.binding` where a serial `binding` is taken.
import { SerialPortMock } from "serialport";
import { crc16modbus, withCrc } from "./crc.ts";
import { ModbusException, type RegisterBank } from "./registers.ts";

const MockBinding = SerialPortMock.binding;
type MockPort = Awaited<ReturnType<typeof MockBinding.open>>;

let lines = 0;

/** The answer of `bank` to one RTU request frame (CRC included), or undefined to stay silent. */
export function answerRtu(frame: Buffer, bank: RegisterBank): Buffer | undefined {
  if (frame.length < 4 || crc16modbus(frame.subarray(0, -2)) !== frame.readUInt16LE(frame.length - 2)) return undefined;
  const unit = frame[0]!;
  const fc = frame[1]!;
  try {
    switch (fc) {
      case 3: {
        const address = frame.readUInt16BE(2);
        const count = frame.readUInt16BE(4);
        if (count < 1 || count > 125) throw new ModbusException(3);
        const values = bank.read(address, count);
        const pdu = Buffer.alloc(3 + 2 * count);
        pdu.writeUInt8(unit, 0);
        pdu.writeUInt8(fc, 1);
        pdu.writeUInt8(2 * count, 2);
        values.forEach((v, i) => pdu.writeUInt16BE(v & 0xffff, 3 + 2 * i));
        return withCrc(pdu);
      }
      case 6:
        bank.write(frame.readUInt16BE(2), [frame.readUInt16BE(4)]);
        return Buffer.from(frame); // the echo of the request
      case 16: {
        const count = frame.readUInt16BE(4);
        const values = Array.from({ length: count }, (_, i) => frame.readUInt16BE(7 + 2 * i));
        bank.write(frame.readUInt16BE(2), values);
        return withCrc(frame.subarray(0, 6));
      }
      default:
        throw new ModbusException(1);
    }
  } catch (err) {
    const code = err instanceof ModbusException ? err.modbusErrorCode : 4;
    return withCrc(Buffer.from([unit, fc | 0x80, code]));
  }
}

export class MockRtuLine {
  /** The serial device path to open (unique per line). */
  readonly path = `/dev/ttyFLEXFED-${process.pid}-${++lines}`;
  readonly #units = new Map<number, RegisterBank>();

  /** A serialport binding whose port at `path` is this line. */
  readonly binding: typeof MockBinding;

  constructor() {
    MockBinding.createPort(this.path, { echo: false, record: false });
    const units = this.#units;
    this.binding = {
      ...MockBinding,
      async open(options) {
        const port: MockPort = await MockBinding.open(options);
        const write = port.write.bind(port);
        port.write = async (frame: Buffer) => {
          await write(frame);
          const bank = units.get(frame[0]!);
          const reply = bank && answerRtu(Buffer.from(frame), bank);
          // Answer after the request is written, as a slave on the wire would.
          if (reply) setImmediate(() => port.isOpen && port.emitData(reply));
        };
        return port;
      },
    };
  }

  /** Puts a slave on the line under `unitId`. */
  attach(unitId: number, bank: RegisterBank): void {
    this.#units.set(unitId, bank);
  }

  /** Takes the slave off the line: its unit stays silent from now on. */
  detach(unitId: number): void {
    this.#units.delete(unitId);
  }
}

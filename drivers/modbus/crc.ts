import { crc16modbus } from "../../src/util/crc16.ts";

export { crc16modbus };

/** A frame with its CRC-16/MODBUS appended, low byte first. */
export function withCrc(pdu: Buffer): Buffer {
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16modbus(pdu));
  return Buffer.concat([pdu, crc]);
}

/** CRC-16/MODBUS (init 0xFFFF, reflected polynomial 0xA001), sent low byte first. */
export function crc16modbus(data: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of data) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** A frame with its CRC appended. */
export function withCrc(pdu: Buffer): Buffer {
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16modbus(pdu));
  return Buffer.concat([pdu, crc]);
}

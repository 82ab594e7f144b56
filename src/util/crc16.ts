// CRC-16 with the reflected polynomial 0xA001 (0x8005), no final XOR: Modbus RTU frames start it
// at 0xFFFF (CRC-16/MODBUS), DSMR P1 telegrams at 0 (CRC-16/ARC). One table serves both.
const TABLE = Uint16Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  return c;
});

function crc16(bytes: Uint8Array, init: number): number {
  let crc = init;
  for (const b of bytes) crc = (crc >>> 8) ^ TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

export const crc16modbus = (bytes: Uint8Array): number => crc16(bytes, 0xffff);
export const crc16arc = (bytes: Uint8Array): number => crc16(bytes, 0);

// CRC-16/ARC as DSMR 4/5 put it after the '!' of a telegram: polynomial 0x8005 reflected (0xA001),
// initial value 0, no final XOR, computed over every byte from the '/' to the '!' inclusive.
const TABLE = Uint16Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  return c;
});

export function crc16arc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = (crc >>> 8) ^ TABLE[(crc ^ b) & 0xff]!;
  return crc;
}

/** The CRC line of a telegram body ('/' .. '!'): 4 upper-case hex digits. Telegrams are ASCII, read as latin1 so bytes and characters match. */
export function telegramCrc(body: string): string {
  return crc16arc(Buffer.from(body, "latin1")).toString(16).toUpperCase().padStart(4, "0");
}

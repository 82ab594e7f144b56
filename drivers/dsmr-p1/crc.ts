// DSMR 4/5 put a CRC-16/ARC after the '!' of a telegram, computed over every byte from the '/' to
// the '!' inclusive.
import { crc16arc } from "../../src/util/crc16.ts";

export { crc16arc };

/** The CRC line of a telegram body ('/' .. '!'): 4 upper-case hex digits. Telegrams are ASCII, read as latin1 so bytes and characters match. */
export function telegramCrc(body: string): string {
  return crc16arc(Buffer.from(body, "latin1")).toString(16).toUpperCase().padStart(4, "0");
}

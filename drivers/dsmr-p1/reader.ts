// Bytes in, valid telegrams out: framing, CRC check and parsing, with counters of what was dropped.
// A bad telegram is logged the first time only: a noisy cable must not flood the log, the
// counters (and the driver's loss report) carry the rest.
import type { Logger } from "../../src/log/index.ts";
import { telegramCrc } from "./crc.ts";
import { TelegramFramer } from "./framer.ts";
import { parseTelegram, P1ParseError, type Telegram } from "./telegram.ts";

export interface TelegramCounters {
  /** Valid telegrams delivered. */
  telegrams: number;
  /** Telegrams dropped for a CRC that does not match (or is missing where one is required). */
  crcErrors: number;
  /** Telegrams dropped as malformed: cut off, oversize, or content that does not parse. */
  parseErrors: number;
}

export interface ReaderOptions {
  /** DSMR 4/5 telegrams carry a CRC; DSMR 2.2/3 ones have none, and then one is checked only when present. */
  crcRequired: boolean;
  log: Logger;
}

export class TelegramReader {
  readonly counters: TelegramCounters = { telegrams: 0, crcErrors: 0, parseErrors: 0 };
  /** Why the latest telegram was dropped, for loss reports. */
  lastError: string | undefined;
  readonly #framer = new TelegramFramer();
  readonly #logged = new Set<keyof TelegramCounters>();

  constructor(private readonly opts: ReaderOptions) {}

  push(chunk: Uint8Array | string): Telegram[] {
    const telegrams: Telegram[] = [];
    for (const frame of this.#framer.push(chunk)) {
      if (!frame.ok) {
        this.#drop("parseErrors", frame.reason);
        continue;
      }
      if (frame.crc === "" ? this.opts.crcRequired : frame.crc.toUpperCase() !== telegramCrc(frame.body)) {
        this.#drop("crcErrors", frame.crc === "" ? "telegram without CRC" : `CRC ${frame.crc} does not match the telegram (${telegramCrc(frame.body)})`);
        continue;
      }
      try {
        telegrams.push(parseTelegram(frame.body));
        this.counters.telegrams++;
      } catch (err) {
        if (!(err instanceof P1ParseError)) throw err;
        this.#drop("parseErrors", err.message);
      }
    }
    return telegrams;
  }

  #drop(counter: "crcErrors" | "parseErrors", reason: string): void {
    this.counters[counter]++;
    this.lastError = reason;
    if (this.#logged.has(counter)) return;
    this.#logged.add(counter);
    this.opts.log.warn(`P1 telegram dropped: ${reason} (further ones are only counted)`, { counter });
  }
}

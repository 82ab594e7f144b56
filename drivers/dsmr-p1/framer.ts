// Cuts a P1 byte stream into telegrams: from a '/' to the end of the '!' line. The stream may be
// split anywhere, may start mid-telegram and may carry line noise between telegrams.

/** DSMR 5 telegrams are 1-2 KB; a '/' followed by 8 KB without the end of a '!' line is not a telegram. */
export const MAX_FRAME = 8 * 1024;

export type Frame =
  /** body: '/' .. '!' inclusive (what the CRC covers); crc: what follows the '!' on its line, "" for DSMR 2.2/3. */
  | { ok: true; body: string; crc: string }
  | { ok: false; reason: string };

export class TelegramFramer {
  // latin1 keeps one character per byte, so lengths and the CRC work on the bytes as sent.
  #buf = "";

  constructor(private readonly maxFrame = MAX_FRAME) {}

  push(chunk: Uint8Array | string): Frame[] {
    this.#buf += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1");
    const frames: Frame[] = [];
    for (;;) {
      const start = this.#buf.indexOf("/");
      if (start < 0) {
        this.#buf = "";
        break;
      }
      this.#buf = this.#buf.slice(start);
      const bang = this.#buf.indexOf("!");
      // Only the identification line holds a '/': another one before the '!' starts a new
      // telegram, the one before was cut off (a meter reset, a cable plugged in mid-stream).
      const restart = this.#buf.indexOf("/", 1);
      if (restart >= 0 && (bang < 0 || restart < bang)) {
        frames.push({ ok: false, reason: "telegram cut off by the start of the next one" });
        this.#buf = this.#buf.slice(restart);
        continue;
      }
      const eol = bang < 0 ? -1 : this.#buf.indexOf("\n", bang);
      if (eol < 0 ? this.#buf.length > this.maxFrame : eol >= this.maxFrame) {
        frames.push({ ok: false, reason: `no complete telegram within ${this.maxFrame} bytes after a '/'` });
        this.#buf = this.#buf.slice(1);
        continue;
      }
      if (eol < 0) break;
      frames.push({ ok: true, body: this.#buf.slice(0, bang + 1), crc: this.#buf.slice(bang + 1, eol).trim() });
      this.#buf = this.#buf.slice(eol + 1);
    }
    return frames;
  }
}

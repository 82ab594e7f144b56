// Decoded examples for tests; each call returns a fresh copy to modify.
import { readFileSync } from "node:fs";
import path from "node:path";
import { decode, EfiEncodeError, encode, type EfiMessage, type EfiMessageOf, type MessageKind } from "../../src/efi/index.ts";
import { EXAMPLES_DIR } from "./xsd.ts";

export function example<K extends MessageKind>(kind: K): EfiMessageOf<K> {
  return decode(readFileSync(path.join(EXAMPLES_DIR, `${kind}.xml`), "utf8"), kind);
}

/** The issue paths and reasons encode reports for `message` (empty when it encodes). */
export function issuesOf(message: EfiMessage): string[] {
  try {
    encode(message);
    return [];
  } catch (err) {
    if (!(err instanceof EfiEncodeError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.reason}`);
  }
}

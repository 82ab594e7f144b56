// Property-based round trips over generated messages of every kind, and XSD validation of a sample.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decode, EfiEncodeError, encode, encodeElement, MESSAGE_KINDS, MESSAGES } from "../../src/efi/index.ts";
import { messageArb, validMessageArb } from "./arbitraries.ts";
import { xsdErrors } from "./xsd.ts";

describe("generated messages", () => {
  for (const kind of MESSAGE_KINDS) {
    it(`${kind}: decode(encode(m)) equals m`, () => {
      fc.assert(
        fc.property(validMessageArb(kind), (m) => {
          expect(decode(encode(m))).toStrictEqual(m);
          expect(decode(encodeElement(m))).toStrictEqual(m);
        }),
        { numRuns: 60 },
      );
    });

    it(`${kind}: encode accepts exactly what the schema accepts`, () => {
      // Unrepaired messages break the cross-field rules often; the inline checks of the encoder
      // must agree with zod on every one.
      fc.assert(
        fc.property(messageArb(kind), (m) => {
          const valid = MESSAGES[kind].schema.safeParse(m).success;
          let encoded = true;
          try {
            encode(m);
          } catch (err) {
            if (!(err instanceof EfiEncodeError)) throw err;
            encoded = false;
          }
          expect(encoded).toBe(valid);
        }),
        { numRuns: 60 },
      );
    });
  }

  it("a sample of every kind validates against the official XSD (one xmllint run)", () => {
    const docs = MESSAGE_KINDS.flatMap((kind) => fc.sample(validMessageArb(kind), 12).map((m) => encode(m)));
    expect(docs.length).toBe(21 * 12);
    expect(xsdErrors(docs)).toEqual([]);
  });
});

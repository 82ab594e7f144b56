// xep/efi-messages.md shows every message as flexfed writes it; this keeps it so.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decode, encode, MESSAGE_KINDS } from "../../src/efi/index.ts";
import { example } from "./fixtures.ts";
import { REPO_ROOT, xsdErrors } from "./xsd.ts";

const doc = readFileSync(path.join(REPO_ROOT, "xep/efi-messages.md"), "utf8");
const blocks = [...doc.matchAll(/```xml\n([\s\S]*?)\n```/g)].map((m) => m[1]!);

describe("xep/efi-messages.md", () => {
  it("shows each of the 21 messages once, exactly as encoded from the test examples", () => {
    const kinds = blocks.map((b) => decode(b).kind);
    expect([...kinds].sort()).toEqual([...MESSAGE_KINDS].sort());
    for (const block of blocks) expect(block).toBe(encode(example(decode(block).kind), { indent: 2 }));
  });

  it("its examples validate against the official XSD", () => {
    expect(xsdErrors(blocks)).toEqual([]);
  });
});

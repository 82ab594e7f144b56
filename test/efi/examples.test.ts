import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, type Element } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { decode, encode, encodeElement, MESSAGE_KINDS } from "../../src/efi/index.ts";
import { EXAMPLES_DIR, readXsd, xsdErrors } from "./xsd.ts";

const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".xml")).sort();
const examples = files.map((f) => ({ file: f, kind: path.basename(f, ".xml"), xml: readFileSync(path.join(EXAMPLES_DIR, f), "utf8") }));

describe("EFI examples", () => {
  it("the XSD declares exactly the 21 messages the model knows", () => {
    const globals = (parse(readXsd()).children.filter((c) => typeof c !== "string") as Element[])
      .filter((c) => c.name === "element")
      .map((c) => c.attrs.name);
    expect(globals).toHaveLength(21);
    expect([...globals].sort()).toEqual([...MESSAGE_KINDS].sort());
  });

  it("has one example per message kind", () => {
    expect(examples.map((e) => e.kind).sort()).toEqual([...MESSAGE_KINDS].sort());
  });

  it("every example file validates against the official XSD", () => {
    expect(xsdErrors(examples.map((e) => e.xml))).toEqual([]);
  });

  it("every encoded example validates against the official XSD, compact and indented", () => {
    const docs = examples.flatMap((e) => [encode(decode(e.xml)), encode(decode(e.xml), { indent: 2 })]);
    expect(xsdErrors(docs)).toEqual([]);
  });

  for (const { kind, xml } of examples) {
    it(`${kind} decodes and round-trips`, () => {
      const m = decode(xml);
      expect(m.kind).toBe(kind);
      expect(m.header.efiResourceId).toMatch(/^[a-z0-9-]+$/);
      expect(decode(encode(m))).toStrictEqual(m);
      expect(decode(encode(m, { indent: 2 }))).toStrictEqual(m);
      // The ltx form is the same XML as the text form, and decodes the same.
      const el = encodeElement(m);
      expect(el.toString()).toBe(encode(m));
      expect(decode(el)).toStrictEqual(m);
    });
  }
});

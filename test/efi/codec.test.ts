import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { decode, EfiDecodeError, EfiEncodeError, encode, EFI_NS, type StorageSystemDescription } from "../../src/efi/index.ts";
import { EXAMPLES_DIR, xsdErrors } from "./xsd.ts";

const example = (kind: string) => readFileSync(path.join(EXAMPLES_DIR, `${kind}.xml`), "utf8");
const ssdXml = example("StorageSystemDescription");
const ssd = decode(ssdXml, "StorageSystemDescription");

function decodeError(xml: string): EfiDecodeError {
  try {
    decode(xml);
  } catch (err) {
    if (err instanceof EfiDecodeError) return err;
    throw err;
  }
  throw new Error("decoded without error");
}

const measurement = (body: string, root = `efi:Measurement xmlns:efi="${EFI_NS}" efi:efiVersion="2.0"`) =>
  `<${root}><efi:header><efi:efiResourceId>meter-1</efi:efiResourceId><efi:timestamp>2025-06-01T12:00:00Z</efi:timestamp></efi:header>${body}</${root.split(" ")[0]}>`;

describe("namespaces", () => {
  it("reads any prefix", () => {
    const other = ssdXml.replaceAll("efi:", "e2:").replace("xmlns:efi=", "xmlns:e2=");
    expect(other).toContain("<e2:StorageSystemDescription xmlns:e2=");
    expect(decode(other)).toStrictEqual(ssd);
  });

  it("reads a default namespace for elements with prefixed attributes", () => {
    const xml = ssdXml
      .replace(`xmlns:efi="${EFI_NS}"`, `xmlns="${EFI_NS}" xmlns:a="${EFI_NS}"`)
      .replaceAll("<efi:", "<")
      .replaceAll("</efi:", "</")
      .replaceAll(" efi:", " a:");
    expect(xml).toMatch(/<actuatorBehaviour a:actuatorId="0">/);
    expect(decode(xml)).toStrictEqual(ssd);
  });

  it("reads declarations made on inner elements and on the surrounding stanza", () => {
    const inner = measurement(`<m:measurementTimestamp xmlns:m="${EFI_NS}">2025-06-01T12:00:00Z</m:measurementTimestamp><q:electricityMeasurement xmlns:q="${EFI_NS}" q:power="12"/>`);
    expect(decode(inner)).toMatchObject({ kind: "Measurement", electricityMeasurement: { power: 12 } });
    const stanza = parse(`<iq xmlns="jabber:client" xmlns:efi="${EFI_NS}" type="set"><efi:InstructionRevoke efi:efiVersion="2.0"><efi:header><efi:efiResourceId>b1</efi:efiResourceId><efi:timestamp>2025-06-01T12:00:00Z</efi:timestamp></efi:header><efi:instructionId>i-1</efi:instructionId></efi:InstructionRevoke></iq>`);
    const el = stanza.getChildElements()[0]!;
    expect(decode(el, "InstructionRevoke").instructionId).toBe("i-1");
  });

  it("tolerates whitespace, comments, an XML declaration and foreign attributes", () => {
    const xml = `<?xml version="1.0"?>\n<!-- before -->\n${measurement(
      `\n  <!-- a comment --><efi:measurementTimestamp>2025-06-01T12:00:00Z<!-- inside text --></efi:measurementTimestamp>\n  <efi:gasMeasurement efi:flowRate="0.0002"/>\n`,
      `efi:Measurement xmlns:efi="${EFI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${EFI_NS} efi-2.0.xsd" efi:efiVersion="2.0"`,
    )}`;
    expect(decode(xml)).toMatchObject({ measurementTimestamp: "2025-06-01T12:00:00Z", gasMeasurement: { flowRate: 0.0002 } });
  });

  it("skips elements of other namespaces, as XMPP does with extensions", () => {
    const xml = measurement(`<efi:measurementTimestamp>2025-06-01T12:00:00Z</efi:measurementTimestamp><x:note xmlns:x="urn:example">hi</x:note><efi:electricityMeasurement efi:power="1"/>`);
    expect(decode(xml)).toMatchObject({ electricityMeasurement: { power: 1 } });
  });
});

describe("decode errors", () => {
  it("names an unknown EFI element and where it is", () => {
    const e = decodeError(ssdXml.replace("<efi:leakageBehaviour>", "<efi:leakageBehavior/><efi:leakageBehaviour>"));
    expect(e.path).toBe("StorageSystemDescription/leakageBehavior");
    expect(e.reason).toContain("unknown EFI element 'leakageBehavior'");
  });

  it("names an unknown element inside a list", () => {
    const e = decodeError(ssdXml.replace(`<efi:timer efi:id="0"`, `<efi:timr efi:id="0"`));
    expect(e.path).toBe("StorageSystemDescription/actuatorBehaviours/actuatorBehaviour[0]/timers/timr");
  });

  it("names a bad attribute value", () => {
    const e = decodeError(ssdXml.replace(`efi:actuatorId="0"`, `efi:actuatorId="zero"`));
    expect(e).toBeInstanceOf(EfiDecodeError);
    expect(e.path).toBe("StorageSystemDescription/actuatorBehaviours/actuatorBehaviour[0]/@actuatorId");
    expect(e.reason).toBe("'zero' is not a valid xs:int");
    expect(e.message).toBe(`${e.path}: ${e.reason}`);
  });

  it("names a bad text value and a value out of range", () => {
    expect(decodeError(ssdXml.replace("<efi:fillingRate>0.0132<", "<efi:fillingRate>fast<")).path).toBe(
      "StorageSystemDescription/actuatorBehaviours/actuatorBehaviour[0]/runningModes/continuousRunningMode[0]/continuousRunningModeElement[0]/upperBound/fillingRate",
    );
    const status = example("StorageStatus").replace("<efi:runningModeFactor>0.6<", "<efi:runningModeFactor>1.5<");
    const e = decodeError(status);
    expect(e.path).toBe("StorageStatus/actuatorStatuses/actuatorStatus[0]/runningModeFactor");
    expect(e.reason).toBe("1.5 is outside [0, 1]");
  });

  it("refuses unqualified EFI attributes, undeclared prefixes, no-namespace elements", () => {
    expect(decodeError(ssdXml.replace(`efi:actuatorId="0"`, `actuatorId="0"`)).reason).toContain("EFI attributes are qualified, e.g. efi:actuatorId");
    expect(decodeError(ssdXml.replace(`efi:actuatorId="0"`, `x:actuatorId="0"`)).reason).toBe("namespace prefix 'x' is not declared");
    expect(decodeError(measurement("<measurementTimestamp>2025-06-01T12:00:00Z</measurementTimestamp>")).path).toBe("Measurement/measurementTimestamp");
  });

  it("checks the root, the version and the element order", () => {
    expect(decodeError(`<Measurement efiVersion="2.0"/>`).reason).toContain("is not in the EFI namespace");
    expect(decodeError(`<efi:Storage xmlns:efi="${EFI_NS}" efi:efiVersion="2.0"/>`).reason).toContain("unknown EFI element 'Storage'");
    expect(decodeError(ssdXml.replace(`efi:efiVersion="2.0"`, `efi:efiVersion="1.0"`)).path).toBe("StorageSystemDescription/@efiVersion");
    const swapped = measurement(`<efi:electricityMeasurement efi:power="1"/><efi:measurementTimestamp>2025-06-01T12:00:00Z</efi:measurementTimestamp>`);
    expect(decodeError(swapped).reason).toBe("element 'measurementTimestamp' is out of order: it must come before 'electricityMeasurement'");
    expect(decodeError(measurement("")).reason).toBe("missing element 'measurementTimestamp'");
  });

  it("refuses text where elements belong, and malformed XML", () => {
    expect(decodeError(measurement("hello")).reason).toBe("unexpected text 'hello'");
    expect(decodeError("<efi:Measurement").reason).toMatch(/^not well-formed XML/);
    expect(decodeError(`<!DOCTYPE x><x/>`).reason).toContain("DOCTYPE");
  });

  it("can insist on a kind", () => {
    expect(() => decode(ssdXml, "StorageInstruction")).toThrow("expected StorageInstruction, got StorageSystemDescription");
  });
});

describe("encode", () => {
  it("writes a fixed canonical form", () => {
    const xml = encode(decode(example("Measurement")));
    expect(xml).toBe(
      `<efi:Measurement xmlns:efi="${EFI_NS}" efi:efiVersion="2.0"><efi:header><efi:efiResourceId>battery-home-1</efi:efiResourceId><efi:timestamp>2025-06-01T12:05:01Z</efi:timestamp></efi:header><efi:measurementTimestamp>2025-06-01T12:05:00Z</efi:measurementTimestamp><efi:electricityMeasurement efi:power="3012.5"/></efi:Measurement>`,
    );
  });

  it("escapes text and attribute values so they read back the same", () => {
    const m = decode(example("InstructionStatusUpdate"), "InstructionStatusUpdate");
    const tricky = { ...m, debugInformation: `a < b & "c" > d\r\n\ttab` };
    const xml = encode(tricky);
    expect(decode(xml)).toStrictEqual(tricky);
    const timer = structuredClone(ssd) as StorageSystemDescription;
    timer.actuatorBehaviours[0]!.timers![0]!.label = `line\nbreak\t"q" & <x>`;
    expect(decode(encode(timer))).toStrictEqual(timer);
    expect(xsdErrors([xml, encode(timer)])).toEqual([]);
  });

  it("writes decimals without exponents and keeps -0", () => {
    const sd = structuredClone(ssd) as StorageSystemDescription;
    const mode = sd.actuatorBehaviours[0]!.runningModes[0]!;
    if (mode.type !== "continuous") throw new Error("example changed");
    mode.continuousRunningModeElement[0]!.upperBound.runningCost = 1.5e-9;
    mode.continuousRunningModeElement[0]!.lowerBound.fillingRate = -0;
    const xml = encode(sd);
    expect(xml).toContain("<efi:runningCost>0.0000000015</efi:runningCost>");
    expect(decode(xml)).toStrictEqual(sd);
    expect(xsdErrors([xml])).toEqual([]);
  });

  it("refuses an invalid message with every issue and its path", () => {
    const bad = structuredClone(ssd) as StorageSystemDescription & { extra?: number };
    bad.actuatorBehaviours[0]!.actuatorId = 1.5;
    bad.header.efiResourceId = "x";
    bad.extra = 1;
    let err: EfiEncodeError | undefined;
    try {
      encode(bad);
    } catch (e) {
      err = e as EfiEncodeError;
    }
    expect(err).toBeInstanceOf(EfiEncodeError);
    expect(err!.issues.map((i) => i.path).sort()).toEqual([
      "StorageSystemDescription",
      "StorageSystemDescription/actuatorBehaviours/actuatorBehaviour[0]/@actuatorId",
      "StorageSystemDescription/header/efiResourceId",
    ]);
    expect(() => encode({ kind: "Nope" } as never)).toThrow("unknown message kind 'Nope'");
  });
});

// The pure parts of the owner commands: the XEP-0347 claim string and the TAG=VALUE syntax.
import { describe, expect, it } from "vitest";
import { formatQr, parseQr } from "../../src/registry/qr.ts";
import { parseOperatorArg, parseSearchTerm, parseTagArg } from "../../src/registry/syntax.ts";
import { OnlineThings } from "../../src/registry/presence.ts";

describe("claim strings (QR)", () => {
  it("reads the XEP's example", () => {
    expect(parseQr("IoTDisco;SN:394872348732948723;MAN:www.ktc.se;MODEL:IMC;#V:1.2;KEY:4857402340298342")).toEqual([
      { type: "str", name: "SN", value: "394872348732948723" }, { type: "str", name: "MAN", value: "www.ktc.se" },
      { type: "str", name: "MODEL", value: "IMC" }, { type: "num", name: "V", value: 1.2 }, { type: "str", name: "KEY", value: "4857402340298342" },
    ]);
  });

  it("unescapes ';' and '\\' in values, keeps ':' after the first", () => {
    expect(parseQr("IoTDisco;NAME:a\\;b\\\\c;PURL:http://x/y")).toEqual([
      { type: "str", name: "NAME", value: "a;b\\c" }, { type: "str", name: "PURL", value: "http://x/y" },
    ]);
  });

  it("round-trips through formatQr", () => {
    const tags = [{ type: "str", name: "NAME", value: "semi;colon\\back" }, { type: "num", name: "PMAX", value: 3680 }] as const;
    expect(formatQr(tags)).toBe("IoTDisco;NAME:semi\\;colon\\\\back;#PMAX:3680");
    expect(parseQr(formatQr(tags))).toEqual(tags);
  });

  it.each([
    ["SN:1", "a claim string starts with 'IoTDisco;'"],
    ["IoTDisco;SN", "field 'SN' has no ':'"],
    ["IoTDisco;#V:x", "tag V: 'x' is not a number"],
    ["IoTDisco;S N:1", "must not contain"],
  ])("refuses %s", (s, message) => {
    expect(() => parseQr(s)).toThrow(message);
  });
});

describe("TAG=VALUE arguments", () => {
  it("types tags: predefined numeric names and '#' give numbers", () => {
    expect(parseTagArg("sn=A=B")).toEqual({ type: "str", name: "SN", value: "A=B" });
    expect(parseTagArg("PMAX=3680")).toEqual({ type: "num", name: "PMAX", value: 3680 });
    expect(parseTagArg("#TEMP=21.5")).toEqual({ type: "num", name: "TEMP", value: 21.5 });
    expect(() => parseTagArg("SN")).toThrow("'SN' is not TAG=VALUE");
    expect(() => parseTagArg("CAP=big")).toThrow("'CAP=big': tag CAP: 'big' is not a number");
  });

  it.each([
    ["MAN=acme", { op: "strEq", name: "MAN", value: "acme" }],
    ["V=1.2", { op: "numEq", name: "V", value: 1.2 }],
    ["MAN!=acme", { op: "strNEq", name: "MAN", value: "acme" }],
    ["SN~3948*", { op: "strMask", name: "SN", value: "3948*", wildcard: "*" }],
    ["PMAX>3000", { op: "numGt", name: "PMAX", value: 3000 }],
    ["PMAX>=3000", { op: "numGtEq", name: "PMAX", value: 3000 }],
    ["#TEMP<3", { op: "numLt", name: "TEMP", value: 3 }],
    ["CAP<=5e3", { op: "numLtEq", name: "CAP", value: 5000 }],
    ["SN>100", { op: "strGt", name: "SN", value: "100" }],
    ["PMAX=1000..5000", { op: "numRange", name: "PMAX", min: 1000, max: 5000, minIncluded: true, maxIncluded: true }],
    ["LAT=(-34..-33]", { op: "numRange", name: "LAT", min: -34, max: -33, minIncluded: false, maxIncluded: true }],
  ])("reads the search term %s", (term, op) => {
    expect(parseSearchTerm(term)).toEqual(op);
  });

  it.each([
    ["strRange:SN=[100..200)", { op: "strRange", name: "SN", min: "100", max: "200", minIncluded: true, maxIncluded: false }],
    ["numNRange:V=1..2", { op: "numNRange", name: "V", min: 1, max: 2, minIncluded: true, maxIncluded: true }],
    ["strMask:SN=39*", { op: "strMask", name: "SN", value: "39*", wildcard: "*" }],
    ["numNEq:V=2", { op: "numNEq", name: "V", value: 2 }],
  ])("reads the operator argument %s", (arg, op) => {
    expect(parseOperatorArg(arg)).toEqual(op);
  });

  it("refuses malformed terms with the term in the message", () => {
    expect(() => parseSearchTerm("MAN")).toThrow("'MAN' is not a search term");
    expect(() => parseSearchTerm("PMAX>lots")).toThrow("'PMAX>lots'");
    expect(() => parseSearchTerm("PMAX~1*")).toThrow("masks apply to string tags only");
    expect(() => parseOperatorArg("strLike:SN=1")).toThrow("OPERATOR one of strEq");
    expect(() => parseOperatorArg("numRange:V=1")).toThrow("a range is MIN..MAX");
  });
});

describe("OnlineThings", () => {
  it("follows available and unavailable presence per resource", () => {
    const online = new OnlineThings();
    online.observe({ from: "Thing@x/a", type: "available" });
    online.observe({ from: "thing@x/b", type: "available" });
    expect(online.resource("thing@x")).toBe("thing@x/b");
    online.observe({ from: "thing@x/b", type: "unavailable" });
    expect(online.resource("thing@x")).toBe("Thing@x/a");
    online.observe({ from: "thing@x/a", type: "unavailable" });
    online.observe({ from: "Thing@x/a", type: "unavailable" });
    expect(online.resource("thing@x")).toBeUndefined();
    online.observe({ from: "thing@x", type: "available" }); // bare: no resource to reach
    expect(online.size).toBe(0);
  });
});

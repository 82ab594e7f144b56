// The XML boundary: the XEP's own examples parse into typed requests; malformed ones are refused
// with a text naming what is wrong; encode.ts writes what parse.ts reads.
import { parse, type Element } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { claimedElement, foundElement, searchElement } from "../../src/registry/encode.ts";
import { parseClaimed, parseFound, parseJidRequest, parseMine, parseNodeInfo, parseRegister, parseSearch, parseUpdate } from "../../src/registry/parse.ts";

const xml = (s: string) => parse(s) as Element;
const NS = "xmlns='urn:xmpp:iot:discovery'";

describe("parsing XEP-0347 requests", () => {
  it("reads the XEP's register example, upper-casing names and typing values", () => {
    const r = parseRegister(xml(`<register ${NS}><str name='SN' value='394872348732948723'/><str name='man' value='www.ktc.se'/>
      <str name='MODEL' value='IMC'/><num name='V' value='1.2'/><str name='KEY' value='4857402340298342'/></register>`));
    expect(r.selfOwned).toBe(false);
    expect(r.tags).toEqual([
      { type: "str", name: "SN", value: "394872348732948723" }, { type: "str", name: "MAN", value: "www.ktc.se" },
      { type: "str", name: "MODEL", value: "IMC" }, { type: "num", name: "V", value: 1.2 }, { type: "str", name: "KEY", value: "4857402340298342" },
    ]);
  });

  it("reads selfOwned, concentrator attributes, public, jid", () => {
    expect(parseRegister(xml(`<register ${NS} selfOwned='true' nodeId='imc1' sourceId='MeteringTopology'/>`))).toMatchObject({ selfOwned: true, nodeId: "imc1", sourceId: "MeteringTopology" });
    expect(parseMine(xml(`<mine ${NS}><str name='SN' value='1'/></mine>`)).public).toBe(true);
    expect(parseMine(xml(`<mine ${NS} public='false'><str name='SN' value='1'/></mine>`)).public).toBe(false);
    expect(parseUpdate(xml(`<update ${NS} jid='Thing@Example.org/x'><str name='KEY' value=''/></update>`))).toMatchObject({ jid: "thing@example.org", tags: [{ name: "KEY", value: "" }] });
    expect(parseJidRequest(xml(`<disown ${NS} jid='rack@example.org/plcs' nodeId='imc1'/>`))).toEqual({ jid: "rack@example.org", nodeId: "imc1" });
    expect(parseNodeInfo(xml(`<unregister ${NS}/>`))).toEqual({});
  });

  it("reads the XEP's search example", () => {
    const r = parseSearch(xml(`<search ${NS} offset='0' maxCount='20'>
      <strEq name='MAN' value='www.ktc.se'/><strMask name='SN' value='39487*' wildcard='*'/>
      <numRange name='V' min='1' minIncluded='true' max='2' maxIncluded='false'/><numRange name='LAT' min='-34' max='-33'/></search>`));
    expect(r.offset).toBe(0);
    expect(r.maxCount).toBe(20);
    expect(r.operators).toEqual([
      { op: "strEq", name: "MAN", value: "www.ktc.se" },
      { op: "strMask", name: "SN", value: "39487*", wildcard: "*" },
      { op: "numRange", name: "V", min: 1, max: 2, minIncluded: true, maxIncluded: false },
      { op: "numRange", name: "LAT", min: -34, max: -33, minIncluded: true, maxIncluded: true },
    ]);
  });

  it.each([
    [`<register ${NS}><str name='SERIAL NUMBER' value='1'/></register>`, "tag name 'SERIAL NUMBER' must not contain ':', '#' or white space"],
    [`<register ${NS}><str name='a:b' value='1'/></register>`, "tag name 'a:b' must not contain"],
    [`<register ${NS}><str name='${"N".repeat(33)}' value='1'/></register>`, "must be 1 to 32 characters"],
    [`<register ${NS}><str name='NAME' value='${"v".repeat(129)}'/></register>`, "tag NAME: value longer than 128 characters"],
    [`<register ${NS}><num name='PMAX' value='lots'/></register>`, "tag PMAX: 'lots' is not a number"],
    [`<register ${NS}><str name='LAT' value='52.1'/></register>`, "tag LAT is numeric: send it as <num/>"],
    [`<register ${NS}><num name='SN' value='1'/></register>`, "tag SN is a string: send it as <str/>"],
    [`<register ${NS}><str name='SN' value='1'/><str name='sn' value='2'/></register>`, "tag SN appears twice"],
    [`<register ${NS}><str name='SN'/></register>`, "(at tags.0.value)"],
    [`<register ${NS}><tag name='SN' value='1'/></register>`, "unexpected element <tag/>; tags are <str/> or <num/>"],
    [`<register ${NS} selfOwned='yes'/>`, "'yes' is not a boolean"],
    [`<register ${NS}>${Array.from({ length: 65 }, (_, i) => `<str name='T${i}' value='x'/>`).join("")}</register>`, "at most 64 tags per thing, got 65"],
  ])("refuses %s", (input, message) => {
    expect(() => parseRegister(xml(input))).toThrow(message);
  });

  it.each([
    [`<search ${NS}/>`, "a search needs at least one operator"],
    [`<search ${NS}><strLike name='SN' value='1'/></search>`, "unknown search operator <strLike/>"],
    [`<search ${NS}><numEq name='V' value='one'/></search>`, "'one' is not a number"],
    [`<search ${NS}><strMask name='SN' value='1*'/></search>`, "missing attribute 'wildcard'"],
    [`<search ${NS}><strRange name='SN' min='1'/></search>`, "missing attribute 'max'"],
    [`<search ${NS} offset='-1'><strEq name='SN' value='1'/></search>`, "attribute 'offset' must be a non-negative integer"],
    [`<search ${NS} maxCount='0'><strEq name='SN' value='1'/></search>`, "attribute 'maxCount' must be a positive integer"],
  ])("refuses %s", (input, message) => {
    expect(() => parseSearch(xml(input))).toThrow(message);
  });

  it("refuses a jid that names no thing", () => {
    expect(() => parseJidRequest(xml(`<remove ${NS}/>`))).toThrow("missing attribute 'jid'");
    expect(() => parseJidRequest(xml(`<remove ${NS} jid='localhost'/>`))).toThrow("'localhost' is not a JID of a thing");
  });
});

describe("writing and reading responses", () => {
  it("round-trips a search and a found page", () => {
    const ops = [{ op: "strMask", name: "SN", value: "1*", wildcard: "*" }, { op: "numNRange", name: "V", min: 1, max: 2, minIncluded: false, maxIncluded: true }] as const;
    expect(parseSearch(searchElement(ops, { offset: 40, maxCount: 20 }))).toEqual({ offset: 40, maxCount: 20, operators: ops });
    const el = foundElement([{ jid: "rack@x", nodeId: "n1", owner: "o@x", public: true, tags: [{ type: "num", name: "V", value: 1.5 }, { type: "str", name: "SN", value: "a;b" }] }], true);
    expect(el.toString()).toBe(`<found xmlns="urn:xmpp:iot:discovery" more="true"><thing owner="o@x" jid="rack@x" nodeId="n1"><num name="V" value="1.5"/><str name="SN" value="a;b"/></thing></found>`);
    expect(parseFound(el)).toEqual({ more: true, things: [{ jid: "rack@x", nodeId: "n1", owner: "o@x", tags: [{ type: "num", name: "V", value: 1.5 }, { type: "str", name: "SN", value: "a;b" }] }] });
  });

  it("reads an absent claimed/@public as public (the XEP's text; its schema says otherwise) and writes it out", () => {
    expect(parseClaimed(xml(`<claimed ${NS} jid='owner@x'/>`)).public).toBe(true);
    expect(claimedElement("owner@x", {}, false).toString()).toBe(`<claimed xmlns="urn:xmpp:iot:discovery" jid="owner@x" public="false"/>`);
    expect(parseClaimed(claimedElement("owner@x", {}, true)).public).toBe(true);
  });
});

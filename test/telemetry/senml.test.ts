import { describe, expect, it } from "vitest";
import { pack, packFromXml, packToXml, resolve, SenmlPackSchema } from "../../src/telemetry/index.ts";

describe("SenML packs", () => {
  const time = new Date("2026-11-22T10:00:00.500Z");
  const p = pack("battery-1/", time, [{ n: "soc", u: "%EL", v: 55.3 }, { n: "1-0:32.7.0", u: "V", v: 230.1 }]);

  it("puts base name and time on the first record only", () => {
    expect(p).toEqual([
      { bn: "battery-1/", bt: 1795341600.5, n: "soc", u: "%EL", v: 55.3 },
      { n: "1-0:32.7.0", u: "V", v: 230.1 },
    ]);
  });

  it("resolves names and times (RFC 8428 §4.6)", () => {
    expect(resolve(p)).toEqual([
      { n: "battery-1/soc", t: 1795341600.5, u: "%EL", v: 55.3 },
      { n: "battery-1/1-0:32.7.0", t: 1795341600.5, u: "V", v: 230.1 },
    ]);
  });

  it("round-trips through the XML form", () => {
    const el = packToXml(p);
    expect(el.toString()).toContain("<sensml xmlns=\"urn:ietf:params:xml:ns:senml\"><senml bn=\"battery-1/\"");
    expect(packFromXml(el)).toEqual(p);
  });

  it("rejects invalid names and records with two values", () => {
    expect(SenmlPackSchema.safeParse([{ bn: "dev/", n: "a b", v: 1 }]).error?.issues[0]?.message).toMatch(/not a valid SenML name/);
    expect(SenmlPackSchema.safeParse([{ n: "x", v: 1, vs: "one" }]).error?.issues[0]?.message).toMatch(/at most one of v, vs and vb/);
    expect(SenmlPackSchema.safeParse([]).success).toBe(false);
  });
});

// Every XEP-0347 search operator on its own, then AND-ed, against a small known population.
import { beforeAll, describe, expect, it } from "vitest";
import { ThingStore } from "../../src/registry/store.ts";
import { SearchOperator, type SearchOperatorInput } from "../../src/registry/operators.ts";
import { maskToGlob } from "../../src/registry/query.ts";

// SN strings and V numbers chosen so that string and numeric order differ ("10" < "9").
const POPULATION = [
  { jid: "a@x", SN: "10", V: 10, MAN: "acme.example" },
  { jid: "b@x", SN: "2", V: 2, MAN: "acme.example" },
  { jid: "c@x", SN: "9", V: 9, MAN: "other.example" },
  { jid: "d@x", SN: "3948*x", V: -1.5, MAN: "acme.example" },
  { jid: "e@x", SN: "39487", V: 1e3, MAN: "ACME.example" },
];

describe("search operators", () => {
  const store = new ThingStore(":memory:");
  beforeAll(() => {
    for (const t of POPULATION) {
      store.register({ jid: t.jid }, [{ type: "str", name: "SN", value: t.SN }, { type: "num", name: "V", value: t.V }, { type: "str", name: "MAN", value: t.MAN }], { selfOwned: true });
    }
    store.register({ jid: "unclaimed@x" }, [{ type: "str", name: "SN", value: "2" }, { type: "num", name: "V", value: 2 }]);
  });
  const find = (...ops: SearchOperatorInput[]) =>
    store.search(ops.map((o) => SearchOperator.parse(o))).things.map((t) => t.jid[0]).sort().join("");

  it.each([
    [{ op: "strEq", name: "SN", value: "2" }, "b"],
    [{ op: "strEq", name: "sn", value: "2" }, "b"], // names are case-insensitive
    [{ op: "strEq", name: "MAN", value: "acme.example" }, "abd"], // values are not
    [{ op: "strNEq", name: "SN", value: "2" }, "acde"],
    [{ op: "strGt", name: "SN", value: "2" }, "cde"],
    [{ op: "strGtEq", name: "SN", value: "2" }, "bcde"],
    [{ op: "strLt", name: "SN", value: "2" }, "a"],
    [{ op: "strLtEq", name: "SN", value: "2" }, "ab"],
    [{ op: "strRange", name: "SN", min: "10", max: "9" }, "abcde"],
    [{ op: "strRange", name: "SN", min: "10", max: "9", minIncluded: "false", maxIncluded: "false" }, "bde"],
    [{ op: "strRange", name: "SN", min: "10", max: "9", minIncluded: "true", maxIncluded: "false" }, "abde"],
    [{ op: "strNRange", name: "SN", min: "2", max: "39487" }, "ac"],
    [{ op: "strNRange", name: "SN", min: "2", max: "39487", minIncluded: "false", maxIncluded: "false" }, "abce"],
    [{ op: "strMask", name: "SN", value: "3948*", wildcard: "*" }, "de"],
    [{ op: "strMask", name: "SN", value: "3948%x", wildcard: "%" }, "d"], // another wildcard; the "*" is literal
    [{ op: "strMask", name: "SN", value: "?", wildcard: "%" }, ""], // GLOB's "?" is literal too
    [{ op: "strMask", name: "SN", value: "%", wildcard: "%" }, "abcde"],
    [{ op: "strMask", name: "SN", value: "1_", wildcard: "%" }, ""],
    [{ op: "numEq", name: "V", value: "2" }, "b"],
    [{ op: "numEq", name: "V", value: "2.0" }, "b"],
    [{ op: "numNEq", name: "V", value: "2" }, "acde"],
    [{ op: "numGt", name: "V", value: "9" }, "ae"],
    [{ op: "numGtEq", name: "V", value: "9" }, "ace"],
    [{ op: "numLt", name: "V", value: "2" }, "d"],
    [{ op: "numLtEq", name: "V", value: "2" }, "bd"],
    [{ op: "numRange", name: "V", min: "2", max: "10" }, "abc"],
    [{ op: "numRange", name: "V", min: "2", max: "10", minIncluded: "false" }, "ac"],
    [{ op: "numRange", name: "V", min: "2", max: "10", maxIncluded: "false" }, "bc"],
    [{ op: "numNRange", name: "V", min: "2", max: "10" }, "de"],
    [{ op: "numNRange", name: "V", min: "2", max: "10", minIncluded: "false", maxIncluded: "false" }, "abde"],
    [{ op: "numEq", name: "NOPE", value: "1" }, ""], // unknown tag: nothing
  ] as [SearchOperatorInput, string][])("%j finds %s", (op, expected) => {
    expect(find(op)).toBe(expected);
  });

  it("compares string operators with string tags only, numeric with numeric", () => {
    expect(find({ op: "strEq", name: "V", value: "2" })).toBe("");
    expect(find({ op: "numEq", name: "SN", value: "2" })).toBe("");
  });

  it("ANDs operators", () => {
    expect(find({ op: "strEq", name: "MAN", value: "acme.example" }, { op: "numGt", name: "V", value: "0" })).toBe("ab");
    expect(find({ op: "strMask", name: "SN", value: "*", wildcard: "*" }, { op: "numLt", name: "V", value: "9" }, { op: "strNEq", name: "MAN", value: "x" })).toBe("bd");
  });

  it("turns a mask into a GLOB pattern with GLOB's metacharacters literal", () => {
    expect(maskToGlob("39*87*", "*")).toBe("39*87*");
    expect(maskToGlob("a[b]?c%", "%")).toBe("a[[]b][?]c*");
    expect(maskToGlob("a**b", "**")).toBe("a*b");
  });
});

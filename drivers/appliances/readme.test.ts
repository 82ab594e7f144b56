// README.md documents the register maps: its tables must be the maps the code serves and reads.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DISHWASHER_MAP, GENERATOR_MAP, HEAT_PUMP_MAP } from "./index.ts";
import { IDENTIFICATION, markdownTable, words, type RegisterMap } from "./common/registers.ts";

const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");

describe("appliance register maps", () => {
  it("are the tables in README.md", () => {
    const dishwasherHead = Object.fromEntries(Object.entries(DISHWASHER_MAP).filter(([, r]) => r.address < 120));
    for (const map of [IDENTIFICATION, GENERATOR_MAP, HEAT_PUMP_MAP, dishwasherHead]) expect(readme).toContain(markdownTable(map));
  });

  it("do not overlap", () => {
    for (const map of [GENERATOR_MAP, HEAT_PUMP_MAP, DISHWASHER_MAP] as RegisterMap[]) {
      const used = new Map<number, string>();
      for (const [name, r] of Object.entries({ ...IDENTIFICATION, ...map })) {
        for (let i = 0; i < words(r); i++) {
          expect(used.get(r.address + i), `${name} overlaps at ${r.address + i}`).toBeUndefined();
          used.set(r.address + i, name);
        }
      }
    }
  });
});

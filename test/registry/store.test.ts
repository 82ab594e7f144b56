// ThingStore transitions, visibility, KEY, events and paging, on an in-memory database.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ThingStore, MAX_PAGE, type Thing } from "../../src/registry/store.ts";
import type { SearchOperator } from "../../src/registry/operators.ts";
import type { Tag } from "../../src/registry/tags.ts";

const str = (name: string, value: string): Tag => ({ type: "str", name, value });
const num = (name: string, value: number): Tag => ({ type: "num", name, value });
const THING = "thing1@localhost";
const OWNER = "owner@localhost";
const tags = [str("SN", "394872348732948723"), str("MAN", "www.ktc.se"), str("MODEL", "IMC"), num("V", 1.2), str("KEY", "4857402340298342")];
const man: SearchOperator = { op: "strEq", name: "MAN", value: "www.ktc.se" };

describe("ThingStore", () => {
  let store: ThingStore;
  let events: [string, Thing][];
  beforeEach(() => {
    store = new ThingStore(":memory:");
    events = [];
    for (const e of ["registered", "claimed", "updated", "removed", "disowned", "unregistered"] as const) {
      store.events.on(e, (t: Thing) => events.push([e, t]));
    }
  });

  it("registers an unclaimed thing that searches never show, and keeps KEY out of what it returns", () => {
    expect(store.register({ jid: THING }, tags, { fullJid: `${THING}/imc` })).toEqual({ status: "registered" });
    const thing = store.get(THING)!;
    expect(thing).toMatchObject({ jid: THING, owner: null, public: false, fullJid: `${THING}/imc` });
    expect(thing.tags.map((t) => t.name)).toEqual(["MAN", "MODEL", "SN", "V"]);
    expect(store.search([man]).things).toEqual([]);
    expect(events.map(([e]) => e)).toEqual(["registered"]);
  });

  it("replaces all tags on a new registration while unclaimed", () => {
    store.register({ jid: THING }, tags);
    store.register({ jid: THING }, [str("SN", "1")]);
    expect(store.get(THING)!.tags).toEqual([str("SN", "1")]);
    expect(store.count()).toBe(1);
  });

  it("claims with exactly the registered tags in any order, publicly by default, and tells the thing's owner on re-register", () => {
    store.register({ jid: THING }, tags);
    expect(store.claim(OWNER, tags.slice(0, 4))).toBeUndefined(); // without KEY
    expect(store.claim(OWNER, [...tags, str("ROOM", "1")])).toBeUndefined();
    const out = store.claim(OWNER, [...tags].reverse());
    expect(out).toMatchObject({ claimedNow: true, thing: { jid: THING, owner: OWNER, public: true } });
    expect(events.at(-1)).toMatchObject(["claimed", { jid: THING, owner: OWNER, public: true, selfOwned: false }]);
    // Claiming again: the owner gets it again, nobody else does.
    expect(store.claim(OWNER, tags)).toMatchObject({ claimedNow: false });
    expect(store.claim("outsider@localhost", tags)).toBeUndefined();
    // A claimed thing registering again changes nothing and learns its owner.
    expect(store.register({ jid: THING }, [str("SN", "other")])).toEqual({ status: "claimed", owner: OWNER });
    expect(store.get(THING)!.tags).toHaveLength(4);
    expect(store.search([man]).things.map((t) => t.jid)).toEqual([THING]);
  });

  it("matches numbers by value, not spelling", () => {
    store.register({ jid: THING }, [num("V", 1.2)]);
    expect(store.claim(OWNER, [num("V", 1.20)])).toBeDefined();
  });

  it("hides private things from everyone but their owner", () => {
    store.register({ jid: THING }, tags);
    store.claim(OWNER, tags, { public: false });
    expect(store.search([man]).things).toEqual([]);
    expect(store.search([man], { requester: "outsider@localhost" }).things).toEqual([]);
    expect(store.search([man], { requester: OWNER }).things.map((t) => t.owner)).toEqual([OWNER]);
  });

  it("stores a self-owned thing as public and claimed by itself", () => {
    store.register({ jid: THING }, tags, { selfOwned: true });
    expect(store.get(THING)).toMatchObject({ owner: THING, public: true });
    expect(events.map(([e]) => e)).toEqual(["registered", "claimed"]);
    expect(store.search([man]).things).toHaveLength(1);
  });

  it("never finds anything with an operator on KEY, even with other operators that match", () => {
    store.register({ jid: THING }, tags, { selfOwned: true });
    expect(store.search([{ op: "strEq", name: "KEY", value: "4857402340298342" }]).things).toEqual([]);
    expect(store.search([man, { op: "strMask", name: "KEY", value: "*", wildcard: "*" }]).things).toEqual([]);
    expect(store.matching([{ name: "KEY", value: "4857402340298342" }])).toEqual([]);
  });

  describe("update", () => {
    beforeEach(() => {
      store.register({ jid: THING }, tags);
    });

    it("tells an unclaimed thing it is disowned and changes nothing", () => {
      expect(store.update({ jid: THING }, [str("ROOM", "1")], THING)).toEqual({ status: "disowned" });
      expect(store.get(THING)!.tags.map((t) => t.name)).not.toContain("ROOM");
    });

    it("merges the thing's tags; an empty string deletes; others are kept", () => {
      store.claim(OWNER, tags);
      const out = store.update({ jid: THING }, [str("KEY", ""), str("CLASS", "PLC"), num("LON", -71.519722), str("MODEL", "IMC2")], THING, { fullJid: `${THING}/new` });
      expect(out.status).toBe("updated");
      const thing = store.get(THING)!;
      expect(thing.tags).toEqual([str("CLASS", "PLC"), num("LON", -71.519722), str("MAN", "www.ktc.se"), str("MODEL", "IMC2"), str("SN", "394872348732948723"), num("V", 1.2)]);
      expect(thing.fullJid).toBe(`${THING}/new`);
      expect(events.at(-1)).toMatchObject(["updated", { jid: THING, by: THING }]);
      // KEY is gone, so the original tags no longer claim it; the current ones do (for its owner).
      expect(store.claim(OWNER, thing.tags)).toMatchObject({ claimedNow: false });
    });

    it("lets the owner update, nobody else, and says not-found for a missing thing", () => {
      store.claim(OWNER, tags);
      expect(store.update({ jid: THING }, [str("ROOM", "12")], OWNER).status).toBe("updated");
      expect(store.get(THING)!.tags).toContainEqual(str("ROOM", "12"));
      expect(store.update({ jid: THING }, [str("ROOM", "13")], "outsider@localhost")).toEqual({ status: "not-found" });
      expect(store.update({ jid: "nobody@localhost" }, [str("ROOM", "1")], "nobody@localhost")).toEqual({ status: "not-found" });
    });

    it("refuses an update that would exceed the tags per thing", () => {
      store.claim(OWNER, tags);
      const many = Array.from({ length: 60 }, (_, i) => str(`T${i}`, "x")); // 5 registered + 60;
      expect(() => store.update({ jid: THING }, many, THING)).toThrow(/at most 64 tags per thing; this update would make 65/);
      expect(store.get(THING)!.tags).toHaveLength(4); // rolled back
    });
  });

  it("removes a thing only for its owner", () => {
    store.register({ jid: THING }, tags);
    store.claim(OWNER, tags);
    expect(store.remove("outsider@localhost", { jid: THING })).toBeUndefined();
    expect(store.remove(OWNER, { jid: THING })).toMatchObject({ jid: THING, owner: OWNER });
    expect(store.get(THING)).toBeUndefined();
    expect(store.update({ jid: THING }, [str("ROOM", "1")], THING)).toEqual({ status: "not-found" });
    expect(events.at(-1)![0]).toBe("removed");
  });

  it("unregisters a thing, claimed or not", () => {
    store.register({ jid: THING }, tags);
    store.claim(OWNER, tags);
    expect(store.unregister({ jid: THING })).toMatchObject({ owner: OWNER });
    expect(store.unregister({ jid: THING })).toBeUndefined();
    expect(store.count()).toBe(0);
    expect(events.at(-1)![0]).toBe("unregistered");
  });

  it("disowns: unclaimed, tags dropped, a random KEY nobody knows", () => {
    store.register({ jid: THING }, tags);
    store.claim(OWNER, tags);
    expect(store.disown("outsider@localhost", { jid: THING })).toBe(false);
    expect(store.disown(OWNER, { jid: THING })).toBe(true);
    expect(store.get(THING)).toMatchObject({ owner: null, public: false, tags: [] });
    expect(events.at(-1)).toMatchObject(["disowned", { owner: OWNER }]);
    const key = store.db.prepare("SELECT str_value FROM thing_tags WHERE name = 'KEY'").get() as { str_value: string };
    expect(key.str_value.length).toBeGreaterThanOrEqual(32);
    expect(store.claim(OWNER, [])).toBeUndefined();
    // It registers again and can be claimed anew.
    store.register({ jid: THING }, tags);
    expect(store.claim("new-owner@localhost", tags)).toMatchObject({ claimedNow: true });
  });

  it("keeps things behind a concentrator apart by node attributes", () => {
    const rack = "rack@localhost";
    store.register({ jid: rack, nodeId: "imc1", sourceId: "MeteringTopology" }, [str("SN", "1")]);
    store.register({ jid: rack, nodeId: "imc2" }, [str("SN", "2")]);
    store.register({ jid: rack }, [str("SN", "3")]);
    expect(store.count()).toBe(3);
    const out = store.claim(OWNER, [str("SN", "1")])!;
    expect(out.thing).toMatchObject({ jid: rack, nodeId: "imc1", sourceId: "MeteringTopology" });
    expect(out.thing.cacheType).toBeUndefined();
    expect(store.get({ jid: rack, nodeId: "imc2" })!.tags).toEqual([str("SN", "2")]);
    expect(store.remove(OWNER, { jid: rack, nodeId: "imc1" })).toBeUndefined(); // sourceId missing
    expect(store.remove(OWNER, { jid: rack, nodeId: "imc1", sourceId: "MeteringTopology" })).toBeDefined();
  });

  it("pages with offset and maxCount, says when more follow, and lowers maxCount to its limit", () => {
    for (let i = 0; i < 45; i++) store.register({ jid: `dev${i}@localhost` }, [str("MAN", "acme"), num("PMAX", i)], { selfOwned: true });
    const page = (offset: number, maxCount?: number) => store.search([{ op: "strEq", name: "MAN", value: "acme" }], { offset, maxCount });
    const first = page(0, 20), second = page(20, 20), last = page(40, 20);
    expect([first.things.length, first.more, second.things.length, second.more, last.things.length, last.more]).toEqual([20, true, 20, true, 5, false]);
    const all = [...first.things, ...second.things, ...last.things].map((t) => t.jid);
    expect(new Set(all).size).toBe(45);
    expect(page(45, 20)).toEqual({ things: [], more: false });
    expect(page(40, 5)).toMatchObject({ more: false });
    expect(page(39, 5)).toMatchObject({ more: true });
    for (let i = 45; i < 150; i++) store.register({ jid: `dev${i}@localhost` }, [str("MAN", "acme")], { selfOwned: true });
    expect(page(0, 1000).things).toHaveLength(MAX_PAGE);
    expect(page(0).things).toHaveLength(MAX_PAGE);
  });

  it("lists an owner's things and claimed things matching tag values (for provisioning)", () => {
    for (let i = 0; i < 4; i++) {
      const t = [str("SITE", i < 2 ? "north" : "south"), str("EFI", "storage"), num("PMAX", 1000 * i), str("KEY", `k${i}`)];
      store.register({ jid: `bat${i}@localhost` }, t);
      if (i !== 1) store.claim(OWNER, t, { public: i !== 0 });
    }
    expect(store.ownedBy(OWNER).map((t) => t.jid)).toEqual(["bat0@localhost", "bat2@localhost", "bat3@localhost"]);
    expect(store.matching([{ name: "site", value: "north" }]).map((t) => t.jid)).toEqual(["bat0@localhost"]); // bat1 unclaimed; private included
    expect(store.matching([{ name: "EFI", value: "storage" }, { name: "PMAX", value: 3000 }]).map((t) => t.jid)).toEqual(["bat3@localhost"]);
    expect(store.matching([{ name: "PMAX", value: "3000" }])).toEqual([]); // a string never equals a numeric tag
    expect(store.matching([]).map((t) => t.jid)).toEqual(["bat0@localhost", "bat2@localhost", "bat3@localhost"]);
  });

  it("persists in a file and shares an open database", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "flexfed-store-"));
    try {
      const file = path.join(dir, "things.sqlite");
      const a = new ThingStore(file);
      expect(a.db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(a.db.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
      a.register({ jid: THING }, tags);
      a.claim(OWNER, tags);
      a.close();
      const db = new Database(file);
      const b = new ThingStore(db);
      expect(b.get(THING)).toMatchObject({ owner: OWNER, public: true });
      b.close(); // not its database: stays open
      expect(db.open).toBe(true);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

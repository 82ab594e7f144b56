import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { decide, type Device, type PolicyInput } from "../../src/provisioning/policy.ts";
import { PolicyStore } from "../../src/provisioning/store.ts";

const battery: Device = { jid: "bat1@home.example", owner: "alice@home.example", tags: { SITE: "home-1", EFI: "storage", FEEDER: "f-12" } };
const meter: Device = { jid: "meter1@home.example", owner: "alice@home.example", tags: { SITE: "home-1", EFI: "inflexible" } };
const bobs: Device = { jid: "bat9@home.example", owner: "bob@home.example", tags: { SITE: "home-1", EFI: "storage" } };

function storeWith(...policies: Omit<PolicyInput, "owner">[]) {
  const store = new PolicyStore(new Database(":memory:"));
  for (const p of policies) store.add({ owner: "alice@home.example", ...p });
  return store;
}
const ask = (store: PolicyStore, requester: string, device: Device, action: "read" | "control", extra: { nodes?: string[]; items?: string[] } = {}) =>
  decide(store.all(), { requester, device, action, ...extra });

describe("provisioning decisions", () => {
  it("denies by default", () => {
    const d = ask(storeWith(), "balancer.home.example", battery, "read");
    expect(d).toMatchObject({ allowed: false, reason: "no policy allows it (default deny)" });
  });

  it("always allows the owner and the device itself", () => {
    expect(ask(storeWith(), "alice@home.example/phone", battery, "control").allowed).toBe(true);
    expect(ask(storeWith(), "bat1@home.example/dev", battery, "read").allowed).toBe(true);
  });

  it("allows a JID named by a policy, for the named action only", () => {
    const s = storeWith({ effect: "allow", actions: ["read"], subject: { kind: "jid", jid: "balancer.home.example" }, target: { kind: "device", jid: "bat1@home.example" } });
    expect(ask(s, "balancer.home.example", battery, "read").allowed).toBe(true);
    expect(ask(s, "balancer.home.example", battery, "control").allowed).toBe(false);
    expect(ask(s, "balancer.home.example", meter, "read").allowed).toBe(false);
  });

  it("matches a whole domain including its components", () => {
    const s = storeWith({ effect: "allow", actions: ["read", "control"], subject: { kind: "domain", domain: "grid.example" }, target: { kind: "tags", tags: { FEEDER: "f-12" } } });
    expect(ask(s, "dr.grid.example", battery, "control").allowed).toBe(true);
    expect(ask(s, "operator@grid.example/x", battery, "read").allowed).toBe(true);
    expect(ask(s, "dr.evilgrid.example", battery, "read").allowed).toBe(false);
    expect(ask(s, "dr.grid.example", meter, "read").allowed).toBe(false); // no FEEDER tag
  });

  it("lets a tag filter choose devices, but only the policy owner's", () => {
    const s = storeWith({ effect: "allow", actions: ["read"], subject: { kind: "all" }, target: { kind: "tags", tags: { site: "home-1", EFI: "storage" } } });
    expect(ask(s, "anyone@else.example", battery, "read").allowed).toBe(true);
    expect(ask(s, "anyone@else.example", meter, "read").allowed).toBe(false);
    expect(ask(s, "anyone@else.example", bobs, "read").allowed).toBe(false);
  });

  it("lets a deny win over an allow", () => {
    const s = storeWith(
      { effect: "allow", actions: ["control"], subject: { kind: "domain", domain: "grid.example" }, target: { kind: "tags", tags: { SITE: "home-1" } } },
      { effect: "deny", actions: ["control"], subject: { kind: "jid", jid: "rogue.grid.example" }, target: { kind: "device", jid: "bat1@home.example" } },
    );
    expect(ask(s, "dr.grid.example", battery, "control").allowed).toBe(true);
    expect(ask(s, "rogue.grid.example", battery, "control")).toMatchObject({ allowed: false, reason: "denied by policy 2" });
  });

  it("restricts reads to the allowed nodes and fields", () => {
    const s = storeWith({ effect: "allow", actions: ["read"], subject: { kind: "all" }, target: { kind: "device", jid: "bat1@home.example" }, nodes: ["telemetry/bat1"], fields: ["power", "soc"] });
    expect(ask(s, "x@y.example", battery, "read", { nodes: ["telemetry/bat1", "efi/bat1"] })).toMatchObject({ allowed: true, nodes: ["telemetry/bat1"] });
    expect(ask(s, "x@y.example", battery, "read", { items: ["power", "voltage"] })).toMatchObject({ allowed: true, items: ["power"] });
    expect(ask(s, "x@y.example", battery, "read", { items: ["voltage"] }).allowed).toBe(false);
    expect(ask(s, "x@y.example", battery, "read", { nodes: ["telemetry/bat1"], items: ["soc"] })).toMatchObject({ allowed: true, nodes: undefined, items: undefined });
  });

  it("restricts control to the allowed parameters; an unrestricted allow permits all", () => {
    const s = storeWith(
      { effect: "allow", actions: ["control"], subject: { kind: "all" }, target: { kind: "device", jid: "bat1@home.example" }, parameters: ["StorageInstruction"] },
    );
    expect(ask(s, "a.b.example", battery, "control", { items: ["StorageInstruction", "InstructionRevoke"] })).toMatchObject({ allowed: true, items: ["StorageInstruction"] });
    s.add({ owner: "alice@home.example", effect: "allow", actions: ["control"], subject: { kind: "jid", jid: "a.b.example" }, target: { kind: "device", jid: "bat1@home.example" } });
    expect(ask(s, "a.b.example", battery, "control", { items: ["StorageInstruction", "InstructionRevoke"] })).toMatchObject({ allowed: true, items: undefined });
  });
});

describe("PolicyStore", () => {
  it("keeps policies per owner and revokes only the owner's own", () => {
    const store = storeWith({ effect: "allow", actions: ["read"], subject: { kind: "all" }, target: { kind: "device", jid: "bat1@home.example" } });
    const bobs = store.add({ owner: "Bob@home.example", effect: "deny", actions: ["read"], subject: { kind: "all" }, target: { kind: "tags", tags: { SITE: "x" } } });
    expect(store.ofOwner("alice@home.example").map((p) => p.id)).toEqual([1]);
    expect(store.ofOwner("bob@home.example").map((p) => p.id)).toEqual([bobs.id]);
    expect(store.revoke("alice@home.example", bobs.id)).toBeUndefined();
    expect(store.revoke("bob@home.example", bobs.id)?.id).toBe(bobs.id);
    expect(store.all().map((p) => p.id)).toEqual([1]);
  });

  it("refuses a malformed policy with the path of the fault", () => {
    const store = storeWith();
    expect(() => store.add({ owner: "alice@home.example", effect: "allow", actions: [], subject: { kind: "all" }, target: { kind: "device", jid: "x@y" } }))
      .toThrow(/actions/);
    expect(() => store.add({ owner: "alice@home.example", effect: "allow", actions: ["read"], subject: { kind: "domain", domain: "not a domain" }, target: { kind: "device", jid: "x@y" } }))
      .toThrow(/a DNS domain/);
    expect(() => store.add({ owner: "alice@home.example", effect: "allow", actions: ["read"], subject: { kind: "all" }, target: { kind: "tags", tags: {} } }))
      .toThrow(/at least one tag/);
  });

  it("survives a reopen of the database file", async () => {
    const { mkdtemp } = await import("node:fs/promises");
    const path = (await import("node:path")).default;
    const file = path.join(await mkdtemp(path.join((await import("node:os")).tmpdir(), "flexfed-prov-")), "p.sqlite");
    const first = new PolicyStore(new Database(file));
    first.add({ owner: "alice@home.example", effect: "allow", actions: ["control"], subject: { kind: "all" }, target: { kind: "device", jid: "bat1@home.example" } });
    first.know("balancer.home.example");
    first.oweClearCache("bat1@home.example");
    first.db.close();
    const again = new PolicyStore(new Database(file));
    expect(again.all()).toHaveLength(1);
    expect(again.knownEntities()).toEqual(["balancer.home.example"]);
    expect(again.owesClearCache("bat1@home.example")).toBe(true);
  });
});

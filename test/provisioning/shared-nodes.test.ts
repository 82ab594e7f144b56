import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { Device } from "../../src/provisioning/policy.ts";
import { sharedAffiliations, sharedNodes } from "../../src/provisioning/shared-nodes.ts";
import { PolicyStore } from "../../src/provisioning/store.ts";

const a1: Device = { jid: "bat1@d", owner: "alice@d", tags: { SITE: "home-1", FEEDER: "f-12" } };
const a2: Device = { jid: "meter1@d", owner: "alice@d", tags: { SITE: "home-1", FEEDER: "f-12" } };
const b1: Device = { jid: "bat9@d", owner: "bob@d", tags: { SITE: "home-2", FEEDER: "f-12" } };
const lone: Device = { jid: "x@d", owner: "carol@d", tags: {} };
const publishers = { grid: ["operator@d"], alarms: ["monitor.d"] };

describe("shared nodes grid/<feeder> and alarms/<site>", () => {
  it("one node per feeder and per site, with the devices behind it", () => {
    const nodes = sharedNodes([a1, a2, b1, lone]);
    expect([...nodes.keys()].sort()).toEqual(["alarms/home-1", "alarms/home-2", "grid/f-12"]);
    expect(nodes.get("grid/f-12")!.devices).toEqual([a1, a2, b1]);
    expect(nodes.get("alarms/home-1")).toMatchObject({ kind: "alarms", devices: [a1, a2] });
  });

  it("publishers publish; owners and entities allowed to read any of the devices are members; others nothing", () => {
    const store = new PolicyStore(new Database(":memory:"));
    store.add({ owner: "bob@d", effect: "allow", actions: ["read"], subject: { kind: "jid", jid: "dr.d" }, target: { kind: "tags", tags: { FEEDER: "f-12" } } });
    const readers = ["dr.d", "balancer.d", "stranger@d"];
    expect(sharedAffiliations("grid", [a1, a2, b1], store.all(), readers, publishers))
      .toEqual({ "alice@d": "member", "bob@d": "member", "dr.d": "member", "operator@d": "publisher" });
    // dr.d may read bob's devices only: not a member of alice's site.
    expect(sharedAffiliations("alarms", [a1, a2], store.all(), readers, publishers)).toEqual({ "alice@d": "member", "monitor.d": "publisher" });
  });
});

import { EventEmitter } from "node:events";
import Database from "better-sqlite3";
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { describe, expect, it } from "vitest";
import { startProvisioning, type ThingDirectory } from "../../src/provisioning/component.ts";
import type { Device } from "../../src/provisioning/policy.ts";
import { PolicyStore } from "../../src/provisioning/store.ts";
import { NS_PUBSUB_OWNER, type XmppConnection } from "../../src/xmpp/index.ts";

/** A connection whose pubsub services keep node affiliations in memory. */
function fakeConn() {
  const affiliations = new Map<string, Record<string, string>>();
  const conn = {
    jid: "provisioning.d",
    handleIq: () => undefined,
    onStanza: () => () => undefined,
    iq: async (to: string, type: string, payload: Element) => {
      const op = payload.getChildElements()[0]!;
      const key = `${to} ${op.attrs.node}`;
      if (op.name !== "affiliations") return undefined;
      const current = affiliations.get(key) ?? {};
      if (type === "get") {
        return x("pubsub", { xmlns: NS_PUBSUB_OWNER }, x("affiliations", { node: op.attrs.node }, ...Object.entries(current).map(([jid, affiliation]) => x("affiliation", { jid, affiliation }))));
      }
      for (const a of op.getChildren("affiliation")) {
        const jid = a.attrs.jid as string;
        if (a.attrs.affiliation === "none") delete current[jid];
        else current[jid] = a.attrs.affiliation as string;
      }
      affiliations.set(key, current);
      return undefined;
    },
  };
  return { conn: conn as unknown as XmppConnection, affiliations };
}

describe("provisioning: claims and the shared nodes", () => {
  it("a claimed device adds its owner to its site's node, keeps the members of the others, and reads no other claimed thing", async () => {
    const { conn, affiliations } = fakeConn();
    const things = new Map<string, Device>();
    let scans = 0;
    const directory: ThingDirectory = {
      get: (jid) => things.get(jid),
      claimed: () => { scans++; return [...things.values()].filter((d) => d.owner); },
      events: new EventEmitter(),
    };
    const provisioning = startProvisioning({
      conn, store: new PolicyStore(new Database(":memory:")), directory,
      services: { pubsub: "pubsub.d", telemetry: "telemetry.d" }, publishers: { grid: [], alarms: ["monitor.d"] },
    });
    await provisioning.idle();
    const scansAtStart = scans;
    for (const d of [{ jid: "bat1@d", owner: "alice@d" }, { jid: "bat2@d", owner: "bob@d" }]) {
      things.set(d.jid, { ...d, tags: { SITE: "home-1" } });
      directory.events.emit("claimed", { jid: d.jid });
      await provisioning.idle();
    }
    expect(affiliations.get("pubsub.d alarms/home-1")).toEqual({ "alice@d": "member", "bob@d": "member", "monitor.d": "publisher" });
    expect(affiliations.get("pubsub.d efi/bat2")).toEqual({ "bat2@d": "publisher", "bob@d": "member" });
    expect(scans).toBe(scansAtStart);
    await provisioning.stop();
  });
});

// Provisioning against a real Prosody: node ownership on claim, policies from the owner over
// XMPP, isFriend/canRead/canControl answers to the device, clearCache now or when the device is
// back, refusals, and policies surviving a restart.
import Database from "better-sqlite3";
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProvisioning, type Provisioning } from "../../src/provisioning/component.ts";
import { registryDirectory } from "../../src/provisioning/directory.ts";
import { NS_POLICY, NS_PROVISIONING } from "../../src/provisioning/protocol.ts";
import { PolicyStore } from "../../src/provisioning/store.ts";
import { ThingStore } from "../../src/registry/store.ts";
import type { Tag } from "../../src/registry/tags.ts";
import { onPubsubEvent, PubsubClient, sendPresence, XmppConnection, XmppError } from "../../src/xmpp/index.ts";
import { startOwnServer, type OwnServer } from "./harness.ts";

const str = (name: string, value: string): Tag => ({ type: "str", name, value });
const BAT_TAGS = [str("SITE", "home-1"), str("EFI", "storage"), str("KEY", "k-123")];

describe("provisioning component", () => {
  let server: OwnServer;
  let dbFile: string;
  let things: ThingStore, policies: PolicyStore, prov: Provisioning, provConn: XmppConnection;
  let device: XmppConnection, owner: XmppConnection, app: XmppConnection, outsider: XmppConnection;
  let domain: string, appJid: string;
  const clearCaches: string[] = [];

  async function startProv() {
    provConn = await server.component("provisioning");
    const db = new Database(dbFile);
    things = new ThingStore(db);
    policies = new PolicyStore(db);
    prov = startProvisioning({ conn: provConn, store: policies, directory: registryDirectory(things), services: { pubsub: server.info.pubsub, telemetry: server.info.telemetry } });
  }
  const pubsub = (c: XmppConnection) => new PubsubClient(c, server.info.pubsub);
  const policy = (body: Element) => owner.iq(`provisioning.${domain}`, "set", body);
  const ask = (name: "canRead" | "canControl" | "isFriend", jid: string, children: Element[] = []) =>
    device.iq(`provisioning.${domain}`, "get", x(name, { xmlns: NS_PROVISIONING, jid }, ...children));

  beforeAll(async () => {
    server = await startOwnServer({ components: ["provisioning", "app", "app2"], admins: ["provisioning"], accounts: ["bat1", "owner", "outsider"] });
    domain = server.info.domain;
    dbFile = path.join(await mkdtemp(path.join(os.tmpdir(), "flexfed-prov-")), "things.sqlite");
    await startProv();
    [device, owner, app, outsider] = await Promise.all([server.account("bat1", "rm"), server.account("owner"), server.component("app"), server.account("outsider")]);
    appJid = app.jid;
    device.handleIq("set", NS_PROVISIONING, "clearCache", () => { clearCaches.push(new Date().toISOString()); return x("clearCacheResponse", { xmlns: NS_PROVISIONING }); });
    await sendPresence(device, { to: `provisioning.${domain}` });
  });
  afterAll(async () => {
    await Promise.all([device, owner, app, outsider].map((c) => c?.stop()));
    await prov?.stop();
    await provConn?.stop();
    await server?.dispose();
  });

  it("creates the device's nodes on claim, with the device as publisher and its owner as member", async () => {
    things.register({ jid: `bat1@${domain}` }, BAT_TAGS);
    expect(things.claim(`owner@${domain}`, BAT_TAGS)?.claimedNow).toBe(true);
    await prov.idle();
    for (const service of [server.info.pubsub, server.info.telemetry]) {
      const node = service === server.info.pubsub ? "efi/bat1" : "telemetry/bat1";
      const affs = await new PubsubClient(provConn, service).getAffiliations(node);
      expect(affs[`bat1@${domain}`]).toBe("publisher");
      expect(affs[`owner@${domain}`]).toBe("member");
    }
    await expect(pubsub(device).publish("efi/bat1", x("StorageStatus", { xmlns: "http://www.flexiblepower.org/efi-2" }), "StorageStatus")).resolves.toBe("StorageStatus");
  });

  it("denies by default: an app without a policy cannot subscribe and is no friend", async () => {
    expect(((await pubsub(app).subscribe("efi/bat1").catch((e: unknown) => e)) as XmppError).condition).toBe("forbidden");
    const friend = await ask("isFriend", appJid);
    expect(friend?.attrs.result).toBe("false");
  });

  it("takes the owner's policy, makes the app a member, and clears the device's cache", async () => {
    const before = clearCaches.length;
    const reply = await policy(x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read" }, x("subject", { jid: appJid }), x("tag", { name: "SITE", value: "home-1" })));
    expect(reply?.getName()).toBe("policy");
    expect(Number(reply?.attrs.id)).toBeGreaterThan(0);
    await prov.idle();
    expect((await new PubsubClient(provConn, server.info.pubsub).getAffiliations("efi/bat1"))[appJid]).toBe("member");
    expect(clearCaches.length).toBe(before + 1);
    await expect(pubsub(app).subscribe("efi/bat1")).resolves.toMatchObject({ subscription: "subscribed" });
    expect((await ask("isFriend", appJid))?.attrs.result).toBe("true");
  });

  it("answers canRead and canControl from the policies, restricting to what is allowed", async () => {
    expect((await ask("canRead", appJid))?.attrs.result).toBe("true");
    expect((await ask("canControl", appJid, [x("parameter", { name: "StorageInstruction" })]))?.attrs.result).toBe("false");
    expect((await ask("canRead", `outsider@${domain}`))?.attrs.result).toBe("false");
    await policy(x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "control" }, x("subject", { domain }), x("device", { jid: `bat1@${domain}` }), x("parameter", { name: "StorageInstruction" })));
    const partial = await ask("canControl", appJid, [x("parameter", { name: "StorageInstruction" }), x("parameter", { name: "InstructionRevoke" })]);
    expect(partial?.attrs.result).toBe("true");
    expect(partial?.getChildren("parameter").map((p) => p.attrs.name)).toEqual(["StorageInstruction"]);
    const full = await ask("canControl", appJid, [x("parameter", { name: "StorageInstruction" })]);
    expect(full?.attrs.result).toBe("true");
    expect(full?.getChildren("parameter")).toEqual([]);
  });

  it("lists the owner's policies and shows none to someone else", async () => {
    const mine = await owner.iq(`provisioning.${domain}`, "get", x("list", { xmlns: NS_POLICY }));
    expect(mine?.getChildren("policy")).toHaveLength(2);
    const theirs = await outsider.iq(`provisioning.${domain}`, "get", x("list", { xmlns: NS_POLICY }));
    expect(theirs?.getChildren("policy")).toHaveLength(0);
  });

  it("refuses a policy over someone else's device, a malformed one with its fault, and keeps serving", async () => {
    const foreign = await outsider.iq(`provisioning.${domain}`, "set", x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "control" }, x("subject", { all: "true" }), x("device", { jid: `bat1@${domain}` }))).catch((e: unknown) => e);
    expect(foreign).toMatchObject({ condition: "forbidden", text: `bat1@${domain} is not a device you own` });
    const malformed = await policy(x("policy", { xmlns: NS_POLICY, effect: "perhaps", actions: "read" }, x("subject", { all: "true" }), x("device", { jid: `bat1@${domain}` }))).catch((e: unknown) => e);
    expect((malformed as XmppError).condition).toBe("bad-request");
    expect((malformed as XmppError).text).toMatch(/<policy> effect: /);
    const noTarget = await policy(x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read" }, x("subject", { all: "true" }))).catch((e: unknown) => e);
    expect((noTarget as XmppError).text).toMatch(/<policy> target/);
    const badAsk = await device.iq(`provisioning.${domain}`, "get", x("canRead", { xmlns: NS_PROVISIONING })).catch((e: unknown) => e);
    expect(badAsk).toMatchObject({ condition: "bad-request", text: "<canRead> jid: is missing" });
    expect((await ask("isFriend", appJid))?.attrs.result).toBe("true");
  });

  it("makes a reader that announces itself a member when a domain-wide policy covers it", async () => {
    const app2 = await server.component("app2");
    try {
      expect((await new PubsubClient(provConn, server.info.pubsub).getAffiliations("efi/bat1"))[app2.jid]).toBeUndefined();
      await policy(x("policy", { xmlns: NS_POLICY, effect: "allow", actions: "read" }, x("subject", { domain }), x("tag", { name: "EFI", value: "storage" }), x("node", { nodeId: "telemetry/bat1" })));
      await sendPresence(app2, { to: `provisioning.${domain}` });
      await expect.poll(async () => (await new PubsubClient(provConn, server.info.telemetry).getAffiliations("telemetry/bat1"))[app2.jid]).toBe("member");
      // The policy restricts it to the telemetry node: no membership of the control space.
      expect((await new PubsubClient(provConn, server.info.pubsub).getAffiliations("efi/bat1"))[app2.jid]).toBeUndefined();
    } finally {
      await app2.stop();
    }
  });

  it("revokes: the app is no longer a member and can no longer read", async () => {
    const list = await owner.iq(`provisioning.${domain}`, "get", x("list", { xmlns: NS_POLICY }));
    const readPolicy = list!.getChildren("policy").find((p) => p.getChild("subject")?.attrs.jid === appJid)!;
    await owner.iq(`provisioning.${domain}`, "set", x("revoke", { xmlns: NS_POLICY, id: readPolicy.attrs.id }));
    await prov.idle();
    expect((await new PubsubClient(provConn, server.info.pubsub).getAffiliations("efi/bat1"))[appJid]).toBeUndefined();
    expect(((await pubsub(app).items("efi/bat1").catch((e: unknown) => e)) as XmppError).condition).toBe("forbidden");
    // Its subscription went with its membership: a new publication does not reach it.
    const seen: string[] = [];
    const off = onPubsubEvent(app, (e) => seen.push(...e.items.map((i) => i.id)));
    await pubsub(device).publish("efi/bat1", x("StorageStatus", { xmlns: "http://www.flexiblepower.org/efi-2" }), "after-revoke");
    await new Promise((r) => setTimeout(r, 300));
    off();
    expect(seen).not.toContain("after-revoke");
    expect(await new PubsubClient(provConn, server.info.pubsub).getSubscriptions("efi/bat1")).not.toHaveProperty(appJid);
    const again = await owner.iq(`provisioning.${domain}`, "set", x("revoke", { xmlns: NS_POLICY, id: readPolicy.attrs.id })).catch((e: unknown) => e);
    expect(again).toMatchObject({ condition: "item-not-found" });
  });

  it("owes an offline device its clearCache and pays when the device is back", async () => {
    await device.stop();
    await expect.poll(async () => {
      await policy(x("policy", { xmlns: NS_POLICY, effect: "deny", actions: "read" }, x("subject", { jid: `outsider@${domain}` }), x("device", { jid: `bat1@${domain}` })));
      await prov.idle();
      return policies.owesClearCache(`bat1@${domain}`);
    }, { timeout: 15_000, interval: 1_000 }).toBe(true);
    const before = clearCaches.length;
    device = await server.account("bat1", "rm2");
    device.handleIq("set", NS_PROVISIONING, "clearCache", () => { clearCaches.push("after"); return x("clearCacheResponse", { xmlns: NS_PROVISIONING }); });
    await sendPresence(device, { to: `provisioning.${domain}` });
    await expect.poll(() => clearCaches.length).toBe(before + 1);
    await expect.poll(() => policies.owesClearCache(`bat1@${domain}`)).toBe(false);
  });

  it("keeps policies and nodes across a restart of the component and the server", async () => {
    const count = policies.ofOwner(`owner@${domain}`).length;
    await prov.stop();
    await provConn.stop();
    things.db.close();
    const ports = server.info.ports;
    await server.stop();
    const restarted = await startOwnServerAgain(ports);
    // The new process is the one to stop at the end (RunningServer keeps its process in private fields).
    Object.assign(server, { info: restarted.info, stop: restarted.stop.bind(restarted) });
    await startProv();
    await owner.nextOnline(20_000).catch(() => undefined);
    const list = await owner.iq(`provisioning.${domain}`, "get", x("list", { xmlns: NS_POLICY }));
    expect(list?.getChildren("policy")).toHaveLength(count);
    expect((await new PubsubClient(provConn, server.info.pubsub).getAffiliations("efi/bat1"))[`bat1@${domain}`]).toBe("publisher");
  });

  it("deletes the device's nodes when it is removed", async () => {
    expect(things.remove(`owner@${domain}`, { jid: `bat1@${domain}` })).toBeDefined();
    await prov.idle();
    const err = await new PubsubClient(provConn, server.info.pubsub).getAffiliations("efi/bat1").catch((e: unknown) => e);
    expect((err as XmppError).condition).toBe("item-not-found");
    expect(policies.deviceRid(`bat1@${domain}`)).toBeUndefined();
  });

  /** The same data dir and ports: what survives is what was stored. */
  async function startOwnServerAgain(ports: OwnServer["info"]["ports"]) {
    const { startServer } = await import("../../src/server/prosody.ts");
    return startServer({ dataDir: server.info.dataDir, components: ["provisioning", "app", "app2"], admins: ["provisioning"], accounts: ["bat1", "owner", "outsider"], ports, caDir: path.dirname(server.info.caCert) });
  }
});

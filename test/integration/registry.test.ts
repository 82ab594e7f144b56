// The registry component end to end on a Prosody of the suite's own: every XEP-0347 operation
// through XMPP, the IQs things receive, error conditions as the XEP states them, malformed input,
// and persistence across a restart of component and server.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerRegistryNotices, RegistryClient, startRegistry, type Registry } from "../../src/registry/index.ts";
import type { Claimed } from "../../src/registry/parse.ts";
import type { Tag } from "../../src/registry/tags.ts";
import { componentOptions } from "../../src/server/endpoints.ts";
import { startServer } from "../../src/server/prosody.ts";
import { sendPresence, XmppConnection, XmppError } from "../../src/xmpp/index.ts";
import { startOwnServer, testServer, type OwnServer } from "./harness.ts";

const NS = "urn:xmpp:iot:discovery";
const str = (name: string, value: string): Tag => ({ type: "str", name, value });
const num = (name: string, value: number): Tag => ({ type: "num", name, value });
const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a refusal"); }, (e: unknown) => e as XmppError);

describe("registry component on a real Prosody", () => {
  let server: OwnServer;
  let component: XmppConnection;
  let registry: Registry;
  let jid: string;
  const conns: XmppConnection[] = [];
  const connect = async (name: string, resource = "test") => { const c = await server.account(name, resource); conns.push(c); return c; };
  const client = (c: XmppConnection) => new RegistryClient(c, jid);
  const dbFile = () => path.join(server.info.dataDir, "things.sqlite");

  beforeAll(async () => {
    server = await startOwnServer({ components: ["registry"], accounts: ["thing1", "thing2", "thing3", "owner", "outsider", ...Array.from({ length: 12 }, (_, i) => `dev${i}`)] });
    component = await server.component("registry");
    jid = component.jid;
    registry = startRegistry({ conn: component, db: dbFile(), ackTimeoutMs: 3_000 });
  });
  afterAll(async () => {
    registry?.stop();
    await Promise.all([component, ...conns].map((c) => c?.stop()));
    await server?.dispose();
  });

  const TAGS = [str("SN", "394872348732948723"), str("MAN", "www.ktc.se"), str("MODEL", "IMC"), num("V", 1.2), str("KEY", "4857402340298342")];

  it("advertises urn:xmpp:iot:discovery and answers ping", async () => {
    const c = await connect("outsider");
    const info = (await c.iq(jid, "get", x("query", { xmlns: "http://jabber.org/protocol/disco#info" })))!;
    expect(info.getChildren("feature").map((f) => f.attrs.var)).toContain(NS);
    await expect(c.iq(jid, "get", x("ping", { xmlns: "urn:xmpp:ping" }))).resolves.toBeUndefined();
  });

  it("registers, claims (telling the thing at its full JID), searches, updates, removes", async () => {
    const thing = await connect("thing1", "imc");
    const owner = await connect("owner", "phone");
    const claimedNotices: Claimed[] = [];
    const removed: string[] = [];
    answerRegistryNotices(thing, { claimed: (c) => claimedNotices.push(c), removed: (_n, from) => removed.push(from) });
    expect(await client(thing).register(TAGS)).toEqual({ status: "registered" });

    // Unclaimed things are not found.
    expect((await client(owner).search([{ op: "strEq", name: "MAN", value: "www.ktc.se" }])).things).toEqual([]);
    // A wrong claim: item-not-found, nothing said about why.
    expect((await refusal(client(owner).claim(TAGS.slice(0, 4)))).condition).toBe("item-not-found");

    const claimed = await client(owner).claim([...TAGS].reverse());
    expect(claimed.jid).toBe("thing1@localhost");
    await expect.poll(() => claimedNotices).toEqual([{ jid: "owner@localhost", public: true }]);
    expect(registry.store.get("thing1@localhost")).toMatchObject({ owner: "owner@localhost", fullJid: "thing1@localhost/imc" });

    // A claimed thing registering again learns its owner, and nothing changes.
    expect(await client(thing).register([str("SN", "x")])).toEqual({ status: "claimed", owner: "owner@localhost" });

    // The thing blanks its KEY and adds tags; the owner adds a room.
    expect(await client(thing).update([str("KEY", ""), str("CLASS", "PLC"), num("LON", -71.519722)])).toBe("updated");
    expect(await client(owner).update([str("ROOM", "12")], { jid: "thing1@localhost" })).toBe("updated");
    expect((await refusal(client(await connect("outsider")).update([str("ROOM", "13")], { jid: "thing1@localhost" }))).condition).toBe("item-not-found");

    const found = await client(await connect("outsider")).search([{ op: "strEq", name: "MAN", value: "www.ktc.se" }, { op: "numRange", name: "V", min: 1, max: 2, minIncluded: true, maxIncluded: false }]);
    expect(found.more).toBe(false);
    expect(found.things).toEqual([{
      jid: "thing1@localhost", owner: "owner@localhost",
      tags: [str("CLASS", "PLC"), num("LON", -71.519722), str("MAN", "www.ktc.se"), str("MODEL", "IMC"), str("ROOM", "12"), str("SN", "394872348732948723"), num("V", 1.2)],
    }]);

    // Remove: only the owner; the thing is told; its updates then get item-not-found.
    expect((await refusal(client(await connect("outsider")).remove("thing1@localhost"))).condition).toBe("item-not-found");
    await client(owner).remove("thing1@localhost");
    await expect.poll(() => removed).toEqual([jid]);
    const gone = await refusal(client(thing).update([str("ROOM", "1")]));
    expect(gone.condition).toBe("item-not-found");
  });

  it("claims privately: the thing hears public='false', only the owner finds it, an outsider can neither claim nor see it", async () => {
    const thing = await connect("thing2", "dev");
    const owner = await connect("owner", "private");
    const outsider = await connect("outsider", "private");
    const notices: Claimed[] = [];
    answerRegistryNotices(thing, { claimed: (c) => notices.push(c) });
    const tags = [str("SN", "private-1"), str("EFI", "storage"), num("CAP", 10_000), str("KEY", "k-private")];
    await client(thing).register(tags);
    await client(owner).claim(tags, { public: false });
    await expect.poll(() => notices).toEqual([{ jid: "owner@localhost", public: false }]);
    // The owner's claim stands; a second claimant gets the same answer as for a wrong claim.
    expect((await refusal(client(outsider).claim(tags))).condition).toBe("item-not-found");
    const ops = [{ op: "strEq", name: "SN", value: "private-1" }] as const;
    expect((await client(outsider).search(ops)).things).toEqual([]);
    expect((await client(owner).search(ops)).things.map((t) => t.jid)).toEqual(["thing2@localhost"]);
  });

  it("disowns only with the thing's acknowledgement: not-allowed while it is offline, then unclaimed with a random KEY", async () => {
    const owner = await connect("owner", "disown");
    const tags = [str("SN", "disown-1"), str("KEY", "k-disown")];
    let thing = await server.account("thing3", "dev");
    await client(thing).register(tags);
    await client(owner).claim(tags);
    // Directed presence: the registry learns it is online, and later that it left.
    await sendPresence(thing, { to: jid });
    await expect.poll(() => registry.online.resource("thing3@localhost")).toBe("thing3@localhost/dev");
    await thing.stop();
    await expect.poll(() => registry.online.resource("thing3@localhost")).toBeUndefined();
    const offline = await refusal(client(owner).disown("thing3@localhost"));
    expect(offline.condition).toBe("not-allowed");
    expect(offline.text).toMatch(/did not acknowledge|offline/);
    expect(registry.store.get("thing3@localhost")!.owner).toBe("owner@localhost");

    // Online again, but refusing: still not-allowed.
    thing = await connect("thing3", "dev");
    thing.handleIq("set", NS, "disowned", () => { throw new XmppError("not-acceptable", "not now"); });
    await sendPresence(thing, { to: jid });
    await expect.poll(() => registry.online.resource("thing3@localhost")).toBe("thing3@localhost/dev");
    expect((await refusal(client(owner).disown("thing3@localhost"))).condition).toBe("not-allowed");

    // A thing that acknowledges is disowned; its next update hears <disowned/>.
    const acked = await connect("thing3", "dev2");
    const disowned: string[] = [];
    answerRegistryNotices(acked, { disowned: (_n, from) => disowned.push(from) });
    await sendPresence(acked, { to: jid });
    await expect.poll(() => registry.online.resource("thing3@localhost")).toBe("thing3@localhost/dev2");
    expect((await refusal(client(await connect("outsider")).disown("thing3@localhost"))).condition).toBe("item-not-found");
    await client(owner).disown("thing3@localhost");
    expect(disowned).toEqual([jid]);
    expect(registry.store.get("thing3@localhost")).toMatchObject({ owner: null, tags: [] });
    expect(await client(acked).update([str("ROOM", "1")])).toBe("disowned");
    expect((await refusal(client(owner).claim(tags))).condition).toBe("item-not-found");
    // Unregister always succeeds.
    await client(acked).unregister();
    await client(acked).unregister();
    expect(registry.store.get("thing3@localhost")).toBeUndefined();
  });

  it("searches with every kind of operator over XMPP and pages with more='true'", async () => {
    const devs = await Promise.all(Array.from({ length: 12 }, (_, i) => connect(`dev${i}`)));
    await Promise.all(devs.map((d, i) => client(d).register(
      [str("MAN", "paging.example"), str("SN", `P${String(i).padStart(3, "0")}`), num("PMAX", i * 100), str("SITE", i % 2 ? "odd" : "even")], { selfOwned: true })));
    const searcher = client(await connect("outsider", "search"));
    const man = { op: "strEq", name: "MAN", value: "paging.example" } as const;
    const pages = [];
    for (let offset = 0; ; offset += 5) {
      const page = await searcher.search([man], { offset, maxCount: 5 });
      pages.push(page);
      if (!page.more) break;
    }
    expect(pages.map((p) => [p.things.length, p.more])).toEqual([[5, true], [5, true], [2, false]]);
    expect(new Set(pages.flatMap((p) => p.things.map((t) => t.jid))).size).toBe(12);
    const count = async (...ops: Parameters<RegistryClient["search"]>[0]) => (await searcher.search([man, ...ops])).things.length;
    expect(await count({ op: "strMask", name: "SN", value: "P01*", wildcard: "*" })).toBe(2);
    expect(await count({ op: "strRange", name: "SN", min: "P005", max: "P010", minIncluded: false, maxIncluded: true })).toBe(5);
    expect(await count({ op: "strNEq", name: "SITE", value: "odd" })).toBe(6);
    expect(await count({ op: "numGtEq", name: "PMAX", value: 800 })).toBe(4);
    expect(await count({ op: "numNRange", name: "PMAX", min: 100, max: 1000, minIncluded: true, maxIncluded: true })).toBe(2);
    expect(await count({ op: "strEq", name: "KEY", value: "x" })).toBe(0);
  });

  it("answers malformed IQs with bad-request and a text naming the problem, and keeps serving", async () => {
    const c = await connect("outsider", "bad");
    const bad = async (type: "get" | "set", el: Element) => refusal(c.iq(jid, type, el));
    const e1 = await bad("set", x("register", { xmlns: NS }, x("str", { name: "BAD NAME", value: "1" })));
    expect([e1.condition, e1.text]).toEqual(["bad-request", "<register/>: tag name 'BAD NAME' must not contain ':', '#' or white space"]);
    const e2 = await bad("get", x("search", { xmlns: NS }, x("numGt", { name: "PMAX", value: "lots" })));
    expect(e2.condition).toBe("bad-request");
    expect(e2.text).toContain("'lots' is not a number");
    expect((await bad("set", x("register", { xmlns: NS }, x("num", { name: "SITE", value: "3" })))).text).toContain("tag SITE is a string");
    expect((await bad("set", x("disown", { xmlns: NS }))).text).toContain("missing attribute 'jid'");
    expect((await bad("get", x("search", { xmlns: NS }))).text).toContain("at least one operator");
    await expect(c.iq(jid, "get", x("ping", { xmlns: "urn:xmpp:ping" }))).resolves.toBeUndefined();
  });

  it("keeps its things across a restart of component and server", async () => {
    const before = registry.store.get("thing2@localhost");
    expect(before?.owner).toBe("owner@localhost");
    registry.stop();
    await component.stop();
    const ports = server.info.ports;
    await server.stop();
    const restarted = await startServer({ components: ["registry"], accounts: ["owner"], smacksHibernation: 5, dataDir: server.info.dataDir, ports, caDir: path.dirname(testServer().info.caCert) });
    server = Object.assign(server, { stop: restarted.stop.bind(restarted) });
    component = await XmppConnection.component(componentOptions(restarted, "registry"));
    registry = startRegistry({ conn: component, db: dbFile() });
    expect(registry.store.get("thing2@localhost")).toEqual(before);
    const owner = await connect("owner", "after");
    const found = await client(owner).search([{ op: "strEq", name: "SN", value: "private-1" }]);
    expect(found.things.map((t) => t.jid)).toEqual(["thing2@localhost"]);
  });
});

// The thing registry as an external component (XEP-0114): routes XEP-0347 IQs to the store and
// sends things the claimed / removed / disowned IQs. A thing is reached at the full JID it last
// announced by directed presence, else the one its last register/update IQ came from.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import type Database from "better-sqlite3";
import { logger } from "../log/index.ts";
import { onPresence, XmppError, type IqHandler, type IqRequest, type XmppConnection } from "../xmpp/index.ts";
import { claimedElement, discoveryElement, foundElement, nodeAttrs } from "./encode.ts";
import { RequestError } from "./errors.ts";
import { bareJid, parseJidRequest, parseMine, parseNodeInfo, parseRegister, parseSearch, parseUpdate } from "./parse.ts";
import { OnlineThings } from "./presence.ts";
import { ThingStore, type Thing } from "./store.ts";
import { NS_REGISTRY_EXT, startWatchers } from "./watchers.ts";
import { NS_DISCOVERY } from "./tags.ts";

const log = logger("registry");

export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_PING = "urn:xmpp:ping";

export interface RegistryOptions {
  /** The component connection (registry.<domain>); the caller starts and stops it. */
  conn: XmppConnection;
  /** A database path, an open database (shared with provisioning), or a ready store. */
  db: Database.Database | string | ThingStore;
  /** How long a thing has to acknowledge <disowned/>, ms. */
  ackTimeoutMs?: number;
}

export interface Registry {
  readonly store: ThingStore;
  readonly online: OnlineThings;
  /** Stops serving (later IQs get service-unavailable) and closes a database it opened. */
  stop(): void;
}

export function startRegistry(opts: RegistryOptions): Registry {
  const { conn } = opts;
  const store = opts.db instanceof ThingStore ? opts.db : new ThingStore(opts.db);
  const online = new OnlineThings();
  const ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
  let stopped = false;

  /** Malformed input becomes bad-request with its text; the component keeps serving. */
  const handle = (type: "get" | "set", ns: string, name: string, handler: IqHandler) =>
    conn.handleIq(type, ns, name, async (req) => {
      if (stopped) throw new XmppError("service-unavailable", "the registry is stopped");
      try {
        return await handler(req);
      } catch (err) {
        if (err instanceof RequestError) throw new XmppError("bad-request", err.message);
        throw err;
      }
    });

  const target = (thing: Thing) => online.resource(thing.jid) ?? thing.fullJid;

  /** Informs a thing of a change; it may be offline, so failures are only logged. */
  const notify = (thing: Thing, el: Element) => {
    const to = target(thing);
    if (!to) return;
    conn.iq(to, "set", el, ackTimeoutMs).catch((err: Error) => log.info("thing not informed", { to, what: el.getName(), error: err.message }));
  };

  const sender = (req: IqRequest) => bareJid(req.from);

  handle("set", NS_DISCOVERY, "register", (req) => {
    const r = parseRegister(req.element);
    const result = store.register({ jid: sender(req), ...r }, r.tags, { selfOwned: r.selfOwned, fullJid: req.from });
    if (result.status === "claimed") return claimedElement(result.owner, r);
  });

  handle("set", NS_DISCOVERY, "mine", (req) => {
    const r = parseMine(req.element);
    const out = store.claim(sender(req), r.tags, { public: r.public });
    // The XEP asks not to say why: no such thing, or someone else's.
    if (!out) throw new XmppError("item-not-found", "no unclaimed thing has exactly these tags");
    if (out.claimedNow) notify(out.thing, claimedElement(out.thing.owner!, out.thing, out.thing.public));
    return claimedElement(out.thing.jid, out.thing);
  });

  handle("set", NS_DISCOVERY, "update", (req) => {
    const r = parseUpdate(req.element);
    const by = sender(req);
    const byThing = !r.jid || r.jid === by;
    const out = store.update({ ...r, jid: r.jid ?? by }, r.tags, by, byThing ? { fullJid: req.from } : {});
    if (out.status === "not-found") throw new XmppError("item-not-found", byThing ? "not in the registry (removed by its owner?)" : "no such thing among yours");
    if (out.status === "disowned") return discoveryElement("disowned", nodeAttrs(r));
  });

  handle("set", NS_DISCOVERY, "remove", (req) => {
    const r = parseJidRequest(req.element);
    const thing = store.remove(sender(req), r);
    if (!thing) throw new XmppError("item-not-found", "no such thing among yours");
    notify(thing, discoveryElement("removed", nodeAttrs(thing)));
  });

  handle("set", NS_DISCOVERY, "unregister", (req) => {
    store.unregister({ jid: sender(req), ...parseNodeInfo(req.element) });
  });

  handle("set", NS_DISCOVERY, "disown", async (req) => {
    const r = parseJidRequest(req.element);
    const owner = sender(req);
    const thing = store.owned(owner, r);
    if (!thing) throw new XmppError("item-not-found", "no such thing among yours");
    const to = target(thing);
    if (!to) throw new XmppError("not-allowed", `${thing.jid} is offline: it must acknowledge being disowned`);
    try {
      await conn.iq(to, "set", discoveryElement("disowned", nodeAttrs(thing)), ackTimeoutMs);
    } catch (err) {
      throw new XmppError("not-allowed", `${to} did not acknowledge being disowned (${(err as XmppError).condition ?? (err as Error).message})`);
    }
    if (!store.disown(owner, r)) throw new XmppError("item-not-found", "no such thing among yours");
  });

  handle("get", NS_DISCOVERY, "search", (req) => {
    const r = parseSearch(req.element);
    const { things, more } = store.search(r.operators, { offset: r.offset, maxCount: r.maxCount, requester: sender(req) });
    return foundElement(things, more);
  });

  handle("get", NS_DISCO_INFO, "query", () =>
    x("query", { xmlns: NS_DISCO_INFO },
      x("identity", { category: "component", type: "generic", name: "flexfed thing registry" }),
      ...[NS_DISCO_INFO, NS_DISCOVERY, NS_REGISTRY_EXT, NS_PING].map((v) => x("feature", { var: v }))));

  handle("get", NS_PING, "ping", () => undefined);

  const offPresence = onPresence(conn, (p) => online.observe(p));
  const watchers = startWatchers(conn, store);

  return {
    store,
    online,
    stop() {
      if (stopped) return;
      stopped = true;
      offPresence();
      watchers.stop();
      if (!(opts.db instanceof ThingStore)) store.close();
    },
  };
}

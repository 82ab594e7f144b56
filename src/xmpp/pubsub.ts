// XEP-0060 publish-subscribe over an XmppConnection: node ownership, publishing, subscribing,
// reading items and receiving notifications.
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import type { XmppConnection } from "./connection.ts";
import { pubsubError, XmppError } from "./errors.ts";

export const NS_PUBSUB = "http://jabber.org/protocol/pubsub";
export const NS_PUBSUB_OWNER = "http://jabber.org/protocol/pubsub#owner";
export const NS_PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event";
const NS_DATA = "jabber:x:data";

export type Affiliation = "owner" | "publisher" | "publish-only" | "member" | "none" | "outcast";

export interface NodeConfig {
  /** Prosody supports open and whitelist only; flexfed uses whitelist (DESIGN.md §3). */
  accessModel?: "open" | "whitelist" | "presence" | "roster" | "authorize";
  maxItems?: number | "max";
  persistItems?: boolean;
  publishModel?: "publishers" | "subscribers" | "open";
  sendLastPublishedItem?: "never" | "on_sub" | "on_sub_and_presence";
  notifyRetract?: boolean;
  title?: string;
}

const FIELDS: { [K in keyof NodeConfig]-?: string } = {
  accessModel: "pubsub#access_model",
  maxItems: "pubsub#max_items",
  persistItems: "pubsub#persist_items",
  publishModel: "pubsub#publish_model",
  sendLastPublishedItem: "pubsub#send_last_published_item",
  notifyRetract: "pubsub#notify_retract",
  title: "pubsub#title",
};

/** A data form (XEP-0004) of type submit with the given FORM_TYPE and node options. */
export function configForm(formType: string, config: NodeConfig): Element {
  const form = x("x", { xmlns: NS_DATA, type: "submit" },
    x("field", { var: "FORM_TYPE", type: "hidden" }, x("value", {}, formType)));
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    const v = typeof value === "boolean" ? (value ? "1" : "0") : String(value);
    form.append(x("field", { var: FIELDS[key as keyof NodeConfig] }, x("value", {}, v)));
  }
  return form;
}

export interface Item {
  id: string;
  /** The item's payload element, if any. */
  payload: Element | undefined;
}

export interface PubsubEvent {
  service: string;
  node: string;
  items: Item[];
  retracted: string[];
  /** Set when the node was deleted or purged. */
  deleted?: boolean;
  purged?: boolean;
}

/** Pubsub operations against one service (e.g. pubsub.localhost) through one connection. */
export class PubsubClient {
  constructor(readonly conn: XmppConnection, readonly service: string) {}

  /** Every request goes through here: one place where the servers' refusals are made alike. */
  async #iq(type: "get" | "set", payload: Element): Promise<Element | undefined> {
    try {
      return await this.conn.iq(this.service, type, payload);
    } catch (err) {
      throw err instanceof XmppError ? pubsubError(err) : err;
    }
  }

  async createNode(node: string, config?: NodeConfig): Promise<void> {
    const pubsub = x("pubsub", { xmlns: NS_PUBSUB }, x("create", { node }));
    if (config) pubsub.append(x("configure", {}, configForm(`${NS_PUBSUB}#node_config`, config)));
    await this.#iq("set", pubsub);
  }

  async configureNode(node: string, config: NodeConfig): Promise<void> {
    await this.#iq("set",
      x("pubsub", { xmlns: NS_PUBSUB_OWNER }, x("configure", { node }, configForm(`${NS_PUBSUB}#node_config`, config))));
  }

  async deleteNode(node: string): Promise<void> {
    await this.#iq("set", x("pubsub", { xmlns: NS_PUBSUB_OWNER }, x("delete", { node })));
  }

  /** Sets affiliations of bare JIDs; "none" removes one. */
  async setAffiliations(node: string, affiliations: Record<string, Affiliation>): Promise<void> {
    const el = x("affiliations", { node });
    for (const [jid, affiliation] of Object.entries(affiliations)) el.append(x("affiliation", { jid, affiliation }));
    await this.#iq("set", x("pubsub", { xmlns: NS_PUBSUB_OWNER }, el));
  }

  async getAffiliations(node: string): Promise<Record<string, Affiliation>> {
    const res = await this.#iq("get", x("pubsub", { xmlns: NS_PUBSUB_OWNER }, x("affiliations", { node })));
    const out: Record<string, Affiliation> = {};
    for (const a of res?.getChild("affiliations")?.getChildren("affiliation") ?? []) {
      if (a.attrs.jid) out[a.attrs.jid] = a.attrs.affiliation as Affiliation;
    }
    return out;
  }

  /** A node's subscriptions (owner view): subscriber JID -> state. */
  async getSubscriptions(node: string): Promise<Record<string, string>> {
    const res = await this.#iq("get", x("pubsub", { xmlns: NS_PUBSUB_OWNER }, x("subscriptions", { node })));
    const out: Record<string, string> = {};
    for (const s of res?.getChild("subscriptions")?.getChildren("subscription") ?? []) {
      if (s.attrs.jid) out[s.attrs.jid] = s.attrs.subscription ?? "subscribed";
    }
    return out;
  }

  /** Owner management of subscriptions: "none" cancels one. */
  async setSubscriptions(node: string, subscriptions: Record<string, "subscribed" | "none">): Promise<void> {
    const el = x("subscriptions", { node });
    for (const [jid, subscription] of Object.entries(subscriptions)) el.append(x("subscription", { jid, subscription }));
    await this.#iq("set", x("pubsub", { xmlns: NS_PUBSUB_OWNER }, el));
  }

  /** Publishes one item; re-using an id replaces that item. Resolves with the item id. */
  async publish(node: string, payload: Element, itemId?: string): Promise<string> {
    const item = x("item", itemId ? { id: itemId } : {}, payload);
    const res = await this.#iq("set", x("pubsub", { xmlns: NS_PUBSUB }, x("publish", { node }, item)));
    return res?.getChild("publish")?.getChild("item")?.attrs.id ?? itemId ?? "";
  }

  /** Withdraws an item; one that is not there is refused with item-not-found. */
  async retract(node: string, itemId: string): Promise<void> {
    try {
      await this.#iq("set", x("pubsub", { xmlns: NS_PUBSUB }, x("retract", { node, notify: "true" }, x("item", { id: itemId }))));
    } catch (err) {
      // ejabberd lets a publisher retract only items it holds and answers forbidden for any other
      // id, also one that is not there, where Prosody says item-not-found: ask which it is.
      if (err instanceof XmppError && err.condition === "forbidden" && !(await this.#holds(node, itemId))) {
        throw new XmppError("item-not-found", `no item ${itemId} on ${node}`);
      }
      throw err;
    }
  }

  /** Whether the node holds the item; true when that cannot be read (the refusal stands). */
  async #holds(node: string, itemId: string): Promise<boolean> {
    return this.items(node, { ids: [itemId] }).then(
      (items) => items.some((i) => i.id === itemId),
      (err: unknown) => !(err instanceof XmppError && err.condition === "item-not-found"),
    );
  }

  /** Subscribes `jid` (default: this connection's bare JID) to a node. */
  async subscribe(node: string, jid = bare(this.conn.jid)): Promise<{ subscription: string; subid?: string }> {
    const res = await this.#iq("set", x("pubsub", { xmlns: NS_PUBSUB }, x("subscribe", { node, jid })));
    const sub = res?.getChild("subscription");
    return { subscription: sub?.attrs.subscription ?? "subscribed", subid: sub?.attrs.subid };
  }

  async unsubscribe(node: string, jid = bare(this.conn.jid)): Promise<void> {
    await this.#iq("set", x("pubsub", { xmlns: NS_PUBSUB }, x("unsubscribe", { node, jid })));
  }

  /** Reads a node's items (the newest `max`, or the given ids). */
  async items(node: string, opts: { max?: number; ids?: string[] } = {}): Promise<Item[]> {
    const items = x("items", opts.max ? { node, max_items: opts.max } : { node });
    for (const id of opts.ids ?? []) items.append(x("item", { id }));
    const res = await this.#iq("get", x("pubsub", { xmlns: NS_PUBSUB }, items));
    return (res?.getChild("items")?.getChildren("item") ?? []).map(toItem);
  }
}

function toItem(item: Element): Item {
  return { id: item.attrs.id ?? "", payload: item.getChildElements()[0] };
}

export const bare = (jid: string): string => jid.split("/")[0]!;

/** Parses a pubsub event notification message; undefined when the message is not one. */
export function parseEvent(message: Element): PubsubEvent | undefined {
  const event = message.getChild("event", NS_PUBSUB_EVENT);
  if (!event) return undefined;
  const service = message.attrs.from ?? "";
  const items = event.getChild("items");
  if (items) {
    return {
      service,
      node: items.attrs.node ?? "",
      items: items.getChildren("item").map(toItem),
      retracted: items.getChildren("retract").map((r) => r.attrs.id ?? ""),
    };
  }
  const deleted = event.getChild("delete");
  if (deleted) return { service, node: deleted.attrs.node ?? "", items: [], retracted: [], deleted: true };
  const purged = event.getChild("purge");
  if (purged) return { service, node: purged.attrs.node ?? "", items: [], retracted: [], purged: true };
  return undefined;
}

/** Calls `handler` for every pubsub notification this connection receives; returns the unsubscribe function. */
export function onPubsubEvent(conn: XmppConnection, handler: (event: PubsubEvent) => void): () => void {
  return conn.onStanza("message", (message) => {
    const event = parseEvent(message);
    if (event) handler(event);
  });
}

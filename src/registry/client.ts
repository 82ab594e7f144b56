// The other side of XEP-0347 over an XmppConnection: what things and owners send the registry,
// and the notices (claimed, removed, disowned) a thing answers. Used by the CLI, devices and tests.
import { createElement, type Element } from "ltx/lib/ltx.js";
import type { XmppConnection } from "../xmpp/index.ts";
import { discoveryElement, nodeAttrs, searchElement } from "./encode.ts";
import type { SearchOperator } from "./operators.ts";
import { parseClaimed, parseFound, parseNodeInfo, type Claimed, type Found, type NodeInfo } from "./parse.ts";
import { NS_DISCOVERY, type Tag } from "./tags.ts";
import { NS_REGISTRY_EXT } from "./watchers.ts";

export class RegistryClient {
  /** `registry`: the registry's JID, e.g. registry.localhost. */
  constructor(readonly conn: XmppConnection, readonly registry: string) {}

  #set(el: Element): Promise<Element | undefined> {
    return this.conn.iq(this.registry, "set", el);
  }

  /** Registers the sender; "claimed" (with the owner) if it is claimed already. */
  async register(tags: readonly Tag[], opts: NodeInfo & { selfOwned?: boolean } = {}): Promise<{ status: "registered" } | { status: "claimed"; owner: string }> {
    const reply = await this.#set(discoveryElement("register", { ...nodeAttrs(opts), selfOwned: opts.selfOwned || undefined }, tags));
    return reply?.is("claimed", NS_DISCOVERY) ? { status: "claimed", owner: parseClaimed(reply).jid } : { status: "registered" };
  }

  /** Claims the thing registered with exactly these tags; resolves with its JID (and node). */
  async claim(tags: readonly Tag[], opts: { public?: boolean } = {}): Promise<Claimed> {
    const reply = await this.#set(discoveryElement("mine", { public: opts.public === false ? false : undefined }, tags));
    if (!reply) throw new Error(`${this.registry} answered the claim without <claimed/>`);
    return parseClaimed(reply);
  }

  /** Updates the sender's tags, or with `jid` those of a thing the sender owns. "disowned": register again. */
  async update(tags: readonly Tag[], opts: NodeInfo & { jid?: string } = {}): Promise<"updated" | "disowned"> {
    const reply = await this.#set(discoveryElement("update", { jid: opts.jid, ...nodeAttrs(opts) }, tags));
    return reply?.is("disowned", NS_DISCOVERY) ? "disowned" : "updated";
  }

  async search(operators: readonly SearchOperator[], opts: { offset?: number; maxCount?: number } = {}): Promise<Found> {
    const reply = await this.conn.iq(this.registry, "get", searchElement(operators, opts));
    if (!reply) throw new Error(`${this.registry} answered the search without <found/>`);
    return parseFound(reply);
  }

  async remove(jid: string, node: NodeInfo = {}): Promise<void> {
    await this.#set(discoveryElement("remove", { jid, ...nodeAttrs(node) }));
  }

  async disown(jid: string, node: NodeInfo = {}): Promise<void> {
    await this.#set(discoveryElement("disown", { jid, ...nodeAttrs(node) }));
  }

  async unregister(node: NodeInfo = {}): Promise<void> {
    await this.#set(discoveryElement("unregister", nodeAttrs(node)));
  }

  /** flexfed's extension: have the registry send `onChanged` a notice after things change (search again then). */
  async watch(onChanged: () => void): Promise<() => void> {
    const off = this.conn.onStanza("message", (m) => {
      if (m.attrs.from === this.registry && m.getChild("changed", NS_REGISTRY_EXT)) onChanged();
    });
    await this.#set(createElement("watch", { xmlns: NS_REGISTRY_EXT }));
    return off;
  }
}

export interface RegistryNotices {
  claimed?: (c: Claimed, from: string) => void;
  removed?: (node: NodeInfo, from: string) => void;
  disowned?: (node: NodeInfo, from: string) => void;
}

/** A thing's side: acknowledges the registry's claimed / removed / disowned IQs and reports them. */
export function answerRegistryNotices(conn: XmppConnection, on: RegistryNotices): void {
  conn.handleIq("set", NS_DISCOVERY, "claimed", (req) => { on.claimed?.(parseClaimed(req.element), req.from); });
  conn.handleIq("set", NS_DISCOVERY, "removed", (req) => { on.removed?.(parseNodeInfo(req.element), req.from); });
  conn.handleIq("set", NS_DISCOVERY, "disowned", (req) => { on.disowned?.(parseNodeInfo(req.element), req.from); });
}

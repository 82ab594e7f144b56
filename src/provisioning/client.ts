// The device's side of XEP-0324: asks provisioning.<domain> isFriend / canControl, caches the
// answers, and drops the cache when provisioning sends clearCache (policies changed).
import { createElement as x, type Element } from "ltx/lib/ltx.js";
import { logger } from "../log/index.ts";
import type { XmppConnection } from "../xmpp/index.ts";
import { NS_PROVISIONING } from "./protocol.ts";

const log = logger("provisioning-client");

/** The answer of canControl: allowed, and to which of the asked parameters. */
export interface ControlAnswer {
  allowed: boolean;
  /** The allowed subset of the asked parameters (all of them when the answer had no list). */
  parameters: string[];
}

export class ProvisioningClient {
  readonly #friends = new Map<string, Promise<boolean>>();
  readonly #control = new Map<string, Promise<ControlAnswer>>();
  #cleared = 0;

  /** `service`: the provisioning component's JID, e.g. provisioning.localhost. */
  constructor(readonly conn: XmppConnection, readonly service: string) {
    conn.handleIq("set", NS_PROVISIONING, "clearCache", (req) => {
      if (req.from !== service) return x("clearCacheResponse", { xmlns: NS_PROVISIONING });
      this.clear();
      return x("clearCacheResponse", { xmlns: NS_PROVISIONING });
    });
  }

  /** How often the cache was cleared (by provisioning or a reconnect). */
  get cleared(): number { return this.#cleared; }

  clear(): void {
    this.#friends.clear();
    this.#control.clear();
    this.#cleared++;
    log.info("cache cleared", { device: this.conn.label });
  }

  /** May `jid` (bare) be a friend (see this device's presence)? */
  isFriend(jid: string): Promise<boolean> {
    return this.#cached(this.#friends, jid, async () => {
      const reply = await this.conn.iq(this.service, "get", x("isFriend", { xmlns: NS_PROVISIONING, jid }));
      return reply?.attrs.result === "true";
    });
  }

  /** May `jid` (bare) control this device with these parameters (EFI instruction kinds)? */
  canControl(jid: string, parameters: readonly string[]): Promise<ControlAnswer> {
    const key = `${jid}\n${[...parameters].sort().join(" ")}`;
    return this.#cached(this.#control, key, async () => {
      const reply = await this.conn.iq(this.service, "get",
        x("canControl", { xmlns: NS_PROVISIONING, jid }, ...parameters.map((name) => x("parameter", { name }))));
      return controlAnswer(reply, parameters);
    });
  }

  /** One question in flight per key; failed questions are not cached, so the next call asks again. */
  #cached<T>(cache: Map<string, Promise<T>>, key: string, ask: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit) return hit;
    const p = ask();
    cache.set(key, p);
    // clear() empties the map, so an answer asked before a clearCache is never kept after it.
    p.catch(() => cache.get(key) === p && cache.delete(key));
    return p;
  }
}

function controlAnswer(reply: Element | undefined, asked: readonly string[]): ControlAnswer {
  if (reply?.attrs.result !== "true") return { allowed: false, parameters: [] };
  const listed = reply.getChildren("parameter").map((p) => p.attrs.name as string);
  return { allowed: true, parameters: listed.length ? asked.filter((p) => listed.includes(p)) : [...asked] };
}
